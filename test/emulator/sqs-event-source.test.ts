import { describe, expect, it } from 'vitest';
import type { EventSourceMappingDescription } from '../../emulator/stack-model/stack-description.ts';
import { SqsEventSourceMapping, type SqsMappingOptions } from '../../emulator/event-sources/sqs-mapping.ts';
import { SqsScaling } from '../../emulator/event-sources/sqs-scaling.ts';
import { ESM_EMULATOR_METRIC, ESM_EMULATOR_NAMESPACE } from '../../emulator/event-sources/mapping-metrics.ts';
import type { SqsQueue } from '../../emulator/sqs/sqs-queue.ts';
import { fixture, until } from './lambda-test-helpers.ts';
import { REGION, ACCOUNT, TestQueues, loggedJson, mappingsStoppedAfterEach, metricSum, runtimeBed } from './event-source-helpers.ts';

/**
 * The SQS event source mapping over the real runtime (fixture batch-consumer.ts) and real queues
 * (emulator/sqs/sqs-queue.ts). Waits are given short (long poll, back-off, scaling ticks); the
 * scaling clock is moved by the test.
 */

const fn = (name: string, reservedConcurrency?: number) => ({
  name,
  entry: fixture('batch-consumer.ts'),
  memoryMB: 128,
  timeoutSeconds: 10,
  environment: {},
  ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
});

interface Batch {
  id: string;
  text: string;
  group?: string;
  receiveCount?: string;
  source?: string;
}

const bed = runtimeBed([fn('consumer'), fn('single', 1), fn('scaled'), fn('ordered')]);
const { metrics, logs } = bed;
let queues: TestQueues;
let lines: Array<Record<string, unknown>> = [];
let offsetMs = 0;
let seq = 0;

const mappings = mappingsStoppedAfterEach<SqsEventSourceMapping>(() => queues?.close());

function mapping(queue: SqsQueue, functionName: string, extra: Partial<EventSourceMappingDescription> = {}, options: Partial<SqsMappingOptions> = {}): SqsEventSourceMapping {
  const m = new SqsEventSourceMapping({
    mapping: {
      logicalId: `Mapping${++seq}`,
      functionName,
      kind: 'sqs',
      sourceArn: queue.arn,
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      enabled: true,
      reportBatchItemFailures: false,
      ...extra,
    },
    queue,
    runtime: bed.runtime,
    metrics,
    region: REGION,
    log: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    longPollMs: 200,
    scaleEveryMs: 20,
    backoff: { initialMs: 20, maxMs: 50 },
    now: () => Date.now() + offsetMs,
    ...options,
  });
  mappings.push(m);
  return m;
}

function fresh(): void {
  queues = new TestQueues();
  lines = [];
  offsetMs = 0;
}

const send = (queue: SqsQueue, body: string, groupId?: string) => queue.send({ body, senderId: 'AIDATEST', ...(groupId ? { groupId, deduplicationId: `${groupId}-${++seq}` } : {}) });
const batchesOf = (functionName: string, queue: SqsQueue) => loggedJson<Batch[]>(logs, functionName, 'BATCH').filter((b) => b.some((i) => i.source === queue.arn));
/** The queue's batches once the function's log has every message the mapping invoked (log lines may trail the invocation's end). */
async function logged(functionName: string, queue: SqsQueue, m: SqsEventSourceMapping): Promise<Batch[][]> {
  await until(() => batchesOf(functionName, queue).flat().length >= m.stats().invoked);
  return batchesOf(functionName, queue);
}
const gone = (queue: SqsQueue) => {
  const d = queue.depth();
  return d.visible + d.inFlight + d.delayed === 0;
};

describe('SQS event source mapping', () => {
  it('invokes with the SQS event and deletes what succeeded', async () => {
    fresh();
    const queue = queues.create('plain');
    const ids = new Set<string>();
    for (let i = 0; i < 25; i++) ids.add(send(queue, `message ${i}`).messageId);
    queue.send({ body: 'with attributes', senderId: 'AIDATEST', attributes: { colour: { dataType: 'String', stringValue: 'blue' }, n: { dataType: 'Number', stringValue: '7' } } });
    const m = mapping(queue, 'consumer');
    m.start();
    await until(() => gone(queue));
    const batches = await logged('consumer', queue, m);
    expect(batches.flat().map((i) => i.id).filter((id) => ids.has(id)).sort()).toEqual([...ids].sort());
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(10);
    expect(m.stats()).toMatchObject({ polled: 26, invoked: 26, deleted: 26, failedBatches: 0, state: 'Enabled' });

    const record = await until(() => loggedJson<Record<string, unknown>>(logs, 'consumer', 'RECORD').find((r) => r.body === 'with attributes'));
    expect(record).toMatchObject({
      messageId: expect.any(String),
      receiptHandle: expect.any(String),
      body: 'with attributes',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: expect.stringMatching(/^\d+$/), SenderId: 'AIDATEST', ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/) },
      messageAttributes: {
        colour: { stringValue: 'blue', stringListValues: [], binaryListValues: [], dataType: 'String' },
        n: { stringValue: '7', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      },
      md5OfMessageAttributes: expect.stringMatching(/^[0-9a-f]{32}$/),
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: REGION,
    });
    const dims = { EventSourceMappingUUID: m.uuid };
    expect(metricSum(metrics, 'AWS/Lambda', 'PolledEventCount', dims)).toBe(26);
    expect(metricSum(metrics, 'AWS/Lambda', 'InvokedEventCount', dims)).toBe(26);
    expect(metricSum(metrics, 'AWS/Lambda', 'DeletedEventCount', dims)).toBe(26);
  });

  it('gathers a batch over the batching window, up to BatchSize and 6 MB', async () => {
    fresh();
    const queue = queues.create('windowed');
    for (let i = 0; i < 25; i++) send(queue, `w${i}`);
    // one poller (reserved concurrency 1): every message is its to gather
    const m = mapping(queue, 'single', { batchSize: 30, maximumBatchingWindowSeconds: 1 });
    m.start();
    await until(() => gone(queue));
    expect(m.stats()).toMatchObject({ batches: 1, largestBatch: 25, allowedConcurrency: 1 });

    const big = queues.create('big');
    for (let i = 0; i < 8; i++) send(big, `${i}`.padEnd(1_040_000, '.'));
    const m2 = mapping(big, 'single', { batchSize: 10, maximumBatchingWindowSeconds: 1 });
    m2.start();
    await until(() => gone(big), 30_000);
    // 6 records of ~1 MB fill the 6 MB payload; the rest wait for the next batch
    expect(m2.stats()).toMatchObject({ batches: 2, largestBatch: 6, invoked: 8, deleted: 8 });
  });

  it('leaves a failed batch to come back after the visibility timeout, and backs off', async () => {
    fresh();
    const queue = queues.create('retried', { visibilityTimeoutSeconds: 1 });
    const { messageId } = send(queue, 'throw-once please');
    const m = mapping(queue, 'consumer');
    m.start();
    await until(() => gone(queue));
    const deliveries = (await logged('consumer', queue, m)).flat().filter((i) => i.id === messageId);
    expect(deliveries.map((d) => d.receiveCount)).toEqual(['1', '2']);
    expect(m.stats()).toMatchObject({ failedBatches: 1, functionErrors: 1, failedInvoke: 1, deleted: 1 });
    expect(lines).toContainEqual(expect.objectContaining({ event: 'batch-failed', uuid: m.uuid, messageIds: [messageId], reason: 'Error: asked to throw once' }));
    expect(metricSum(metrics, 'AWS/Lambda', 'FailedInvokeEventCount', { EventSourceMappingUUID: m.uuid })).toBe(1);
  });

  it('a message that keeps failing is redriven to the queue’s dead-letter queue', async () => {
    fresh();
    const dlq = queues.create('poison-dlq');
    const queue = queues.create('poisoned', { visibilityTimeoutSeconds: 1, redrive: { deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 } });
    const { messageId } = send(queue, 'throw always');
    const m = mapping(queue, 'consumer');
    m.start();
    await until(() => dlq.depth().visible === 1, 15_000);
    expect((await logged('consumer', queue, m)).length).toBe(2);
    const [dead] = await queues.drain(dlq);
    expect(dead!.messageId).toBe(messageId);
    expect(m.stats().deleted).toBe(0);
  });

  it('with ReportBatchItemFailures deletes all but the failed items; an invalid answer fails the batch', async () => {
    fresh();
    const queue = queues.create('partial', { visibilityTimeoutSeconds: 1 });
    const bodies = ['a', 'fail-item-once b', 'c', 'fail-item-once d'];
    const ids = bodies.map((b) => send(queue, b).messageId);
    const m = mapping(queue, 'single', { reportBatchItemFailures: true, batchSize: 10 });
    m.start();
    await until(() => gone(queue));
    const batches = await logged('single', queue, m);
    expect(batches[0]!.map((i) => i.id)).toEqual(ids);
    expect(batches.slice(1).flat().map((i) => i.id).sort()).toEqual([ids[1], ids[3]].sort());
    expect(m.stats()).toMatchObject({ partialBatches: 1, failedBatches: 0, deleted: 4, failedInvoke: 2 });
    expect(lines).toContainEqual(expect.objectContaining({ event: 'batch-partial', messages: 2 }));

    const bad = queues.create('bad-answer', { visibilityTimeoutSeconds: 60 });
    send(bad, 'x');
    send(bad, 'bad-response');
    const m2 = mapping(bad, 'single', { reportBatchItemFailures: true });
    m2.start();
    await until(() => m2.stats().invalidResponses === 1);
    expect(bad.depth()).toMatchObject({ visible: 0, inFlight: 2 });
    expect(m2.stats()).toMatchObject({ deleted: 0, failedBatches: 1 });

    // without ReportBatchItemFailures the answer is not read: the batch succeeded
    const ignored = queues.create('ignored');
    send(ignored, 'fail-item e');
    const m3 = mapping(ignored, 'single');
    m3.start();
    await until(() => gone(ignored));
    expect(m3.stats()).toMatchObject({ deleted: 1, partialBatches: 0 });
  });

  it('filters: only matching messages are invoked, the rest deleted; a JSON body is matched by its fields', async () => {
    fresh();
    const queue = queues.create('filtered');
    const keep = send(queue, JSON.stringify({ kind: 'keep', n: 1 })).messageId;
    send(queue, JSON.stringify({ kind: 'skip' }));
    send(queue, 'plain text, kind keep');
    const m = mapping(queue, 'single', { filters: [{ body: { kind: ['keep'] } }] });
    m.start();
    await until(() => gone(queue));
    expect(m.stats()).toMatchObject({ polled: 3, filteredOut: 2, invoked: 1, deleted: 1 });
    expect((await logged('single', queue, m)).flat().map((i) => i.id)).toEqual([keep]);
    expect(metricSum(metrics, 'AWS/Lambda', 'FilteredOutEventCount', { EventSourceMappingUUID: m.uuid })).toBe(2);
  });

  it('scales from 5 concurrent batches by up to 300 a minute while messages wait, within MaximumConcurrency', async () => {
    fresh();
    const queue = queues.create('backlog');
    for (let i = 0; i < 60; i++) send(queue, 'sleep:400');
    const m = mapping(queue, 'scaled', { batchSize: 1, maximumConcurrency: 8 });
    m.start();
    expect(m.stats().allowedConcurrency).toBe(5);
    await until(() => m.stats().busy >= 5);
    offsetMs += 60_000; // a minute passes with messages waiting
    await until(() => m.stats().allowedConcurrency === 8);
    await until(() => m.stats().peakBusy >= 6, 20_000);
    expect(m.stats().peakBusy).toBeLessThanOrEqual(8);
    await until(() => gone(queue), 30_000);
    const gauge = metrics.query({ namespace: ESM_EMULATOR_NAMESPACE, metricName: ESM_EMULATOR_METRIC.allowed, dimensions: { EventSourceMappingUUID: m.uuid, FunctionName: 'scaled' }, stat: 'Maximum', periodSeconds: 60, startTime: Date.now() - 600_000, endTime: Date.now() + 60_000 });
    expect(Math.max(...gauge.map((p) => p.value))).toBe(8);
  });

  it('scaling: a clock minute with a backlog adds 300, none without; failures halve it down to 2', () => {
    let now = 0;
    const s = new SqsScaling(1_000, () => now);
    expect(s.allowed).toBe(5);
    now += 60_000;
    s.evaluate(false);
    expect(s.allowed).toBe(5);
    now += 30_000;
    s.evaluate(true);
    expect(s.allowed).toBe(155);
    now += 60_000;
    s.evaluate(true);
    expect(s.allowed).toBe(455);
    for (let i = 0; i < 10; i++) {
      now += 60_000;
      s.evaluate(true);
    }
    expect(s.allowed).toBe(1_000);
    s.scaleDown();
    s.scaleDown(); // within the same second: one step
    expect(s.allowed).toBe(500);
    for (let i = 0; i < 20; i++) {
      now += 1_000;
      s.scaleDown();
    }
    expect(s.allowed).toBe(2);
    expect(new SqsScaling(3, () => now).allowed).toBe(3);
  });

  it('FIFO: each group’s messages in order, a failed group held until its message comes back', async () => {
    fresh();
    const queue = queues.create('ordered.fifo', { visibilityTimeoutSeconds: 1 });
    const sent: Record<string, string[]> = { a: [], b: [], c: [] };
    for (let i = 0; i < 4; i++) {
      for (const g of ['a', 'b', 'c']) sent[g]!.push(send(queue, g === 'a' && i === 0 ? `a${i} throw-once` : `${g}${i}`, g).messageId);
    }
    const m = mapping(queue, 'ordered', { batchSize: 2 });
    m.start();
    await until(() => gone(queue), 20_000);
    const delivered = (await logged('ordered', queue, m)).flat();
    for (const g of ['a', 'b', 'c']) {
      const ids = delivered.filter((i) => i.group === g).map((i) => i.id);
      // first deliveries in the order sent (a batch that failed comes again: its ids repeat)
      expect([...new Set(ids)]).toEqual(sent[g]);
      // nothing is delivered before every message sent ahead of it was
      ids.forEach((id, k) => expect(sent[g]!.slice(0, sent[g]!.indexOf(id)).every((before) => ids.slice(0, k).includes(before))).toBe(true));
    }
    // group a's first message failed once: it came again before anything after its batch
    const a = delivered.filter((i) => i.group === 'a').map((i) => i.id);
    const again = a.lastIndexOf(sent.a![0]!);
    expect(again).toBeGreaterThan(0);
    expect(a.slice(0, again).filter((id) => sent.a!.indexOf(id) >= 2)).toEqual([]);
  });

  it('stop() lets the batch under way finish and polls no more; a disabled mapping never polls', async () => {
    fresh();
    const queue = queues.create('stopping');
    send(queue, 'sleep:300');
    const m = mapping(queue, 'single');
    m.start();
    await until(() => m.stats().busy === 1);
    await m.stop(5_000);
    expect(m.stats()).toMatchObject({ state: 'Stopped', busy: 0, deleted: 1 });
    send(queue, 'after stop');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(queue.depth().visible).toBe(1);

    const off = mapping(queue, 'single', { enabled: false });
    off.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(off.stats()).toMatchObject({ state: 'Disabled', polled: 0 });
    expect(queue.depth().visible).toBe(1);
  });
});
