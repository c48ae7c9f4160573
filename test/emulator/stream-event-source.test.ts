import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventSourceMappingDescription } from '../../emulator/stack-model/stack-description.ts';
import { LocalTableStream } from '../../emulator/dynamodb/streams/local-table-stream.ts';
import type { ItemChange } from '../../emulator/dynamodb/streams/item-change.ts';
import { StreamEventSourceMapping, type StreamMappingOptions } from '../../emulator/event-sources/stream-mapping.ts';
import type { StreamFailureRecord } from '../../emulator/event-sources/stream-failure-record.ts';
import { fixture, until } from './lambda-test-helpers.ts';
import { ACCOUNT, REGION, TestQueues, loggedJson, mappingsStoppedAfterEach, metricSum, runtimeBed } from './event-source-helpers.ts';

/**
 * The DynamoDB stream event source mapping over the real runtime (fixture batch-consumer.ts) and
 * the real stream of emulator/dynamodb/streams (LocalTableStream, appended to as the DynamoDB
 * thread's capture appends to it). Back-offs are short; record age is read on a clock the test moves.
 */

const fn = (name: string) => ({ name, entry: fixture('batch-consumer.ts'), memoryMB: 128, timeoutSeconds: 10, environment: {} });

interface Batch {
  id: string;
  text: string;
  key?: string;
  eventName?: string;
  source?: string;
}

const bed = runtimeBed([fn('reader'), fn('lanes')]);
const { metrics, logs } = bed;
let queues: TestQueues;
let stream: LocalTableStream;
let lines: Array<Record<string, unknown>> = [];
let offsetMs = 0;
let seq = 0;

const mappings = mappingsStoppedAfterEach<StreamEventSourceMapping>(() => queues?.close());

function fresh(): void {
  queues = new TestQueues();
  lines = [];
  offsetMs = 0;
  const table = `table${++seq}`;
  stream = new LocalTableStream({ tableName: table, viewType: 'NEW_AND_OLD_IMAGES', arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${table}/stream/2026-01-01T00:00:00.000` }, { keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] });
}

function mapping(functionName: string, extra: Partial<EventSourceMappingDescription> = {}, options: Partial<StreamMappingOptions> = {}): StreamEventSourceMapping {
  const m = new StreamEventSourceMapping({
    mapping: {
      logicalId: `Stream${++seq}`,
      functionName,
      kind: 'dynamodb-stream',
      sourceArn: stream.arn,
      batchSize: 100,
      maximumBatchingWindowSeconds: 0,
      enabled: true,
      reportBatchItemFailures: false,
      startingPosition: 'TRIM_HORIZON',
      ...extra,
    },
    stream,
    runtime: bed.runtime,
    metrics,
    region: REGION,
    accountId: ACCOUNT,
    targets: queues.targets,
    log: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    backoff: { initialMs: 20, maxMs: 50 },
    now: () => Date.now() + offsetMs,
    ...options,
  });
  mappings.push(m);
  return m;
}

/** Writes as the DynamoDB thread's capture appends them: one change per item write. */
function write(...items: Array<[pk: string, cmd: string, eventName?: ItemChange['eventName']]>): void {
  stream.append(
    items.map(([pk, cmd, eventName = 'INSERT']) => ({
      table: stream.tableName,
      eventName,
      Keys: { pk: { S: pk } },
      ...(eventName !== 'REMOVE' ? { NewImage: { pk: { S: pk }, cmd: { S: cmd } } } : { OldImage: { pk: { S: pk }, cmd: { S: cmd } } }),
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      SizeBytes: 20 + cmd.length,
    })),
  );
}

/** The batches of this test's stream (each test has a stream of its own). */
const batchesOf = (functionName: string) => loggedJson<Batch[]>(logs, functionName, 'BATCH').filter((b) => b.some((i) => i.source === stream.arn));
/** This test's batches once the function's log has every record the mapping invoked (log lines may trail the invocation's end). */
async function logged(functionName: string, m: StreamEventSourceMapping): Promise<Batch[][]> {
  await until(() => batchesOf(functionName).flat().length >= m.stats().invoked);
  return batchesOf(functionName);
}
const allSeqs = () => stream.read(stream.shards()[0]!, undefined, 100_000).map((r) => r.dynamodb.SequenceNumber);

describe('DynamoDB stream event source mapping', () => {
  it('reads from TRIM_HORIZON in order, in batches of BatchSize, with IteratorAge and the event counts', async () => {
    fresh();
    for (let i = 0; i < 7; i++) write([`k${i % 3}`, `v${i}`]);
    const m = mapping('reader', { batchSize: 3 });
    m.start();
    await until(() => m.stats().invoked === 7);
    const batches = await logged('reader', m);
    expect(batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(batches.flat().map((i) => i.id)).toEqual(allSeqs());
    const record = await until(() => loggedJson<Record<string, unknown>>(logs, 'reader', 'RECORD').find((r) => r.eventSourceARN === stream.arn && (r.dynamodb as { SequenceNumber: string }).SequenceNumber === allSeqs()[0]));
    expect(record).toMatchObject({ eventName: 'INSERT', eventSource: 'aws:dynamodb', eventSourceARN: stream.arn, awsRegion: REGION, dynamodb: { Keys: { pk: { S: 'k0' } }, NewImage: { cmd: { S: 'v0' } }, StreamViewType: 'NEW_AND_OLD_IMAGES' } });
    expect(m.stats()).toMatchObject({ polled: 7, invoked: 7, batches: 3, failedBatches: 0, lanes: 1 });
    expect(metricSum(metrics, 'AWS/Lambda', 'PolledEventCount', { EventSourceMappingUUID: m.uuid })).toBe(7);
    const age = metrics.query({ namespace: 'AWS/Lambda', metricName: 'IteratorAge', dimensions: { FunctionName: 'reader' }, stat: 'SampleCount', periodSeconds: 60, startTime: Date.now() - 600_000, endTime: Date.now() + 60_000 });
    expect(age.reduce((s, p) => s + p.value, 0)).toBeGreaterThanOrEqual(3);
  });

  it('LATEST skips what was written before the start; new writes arrive as they are appended', async () => {
    fresh();
    write(['old', 'before']);
    const m = mapping('reader', { startingPosition: 'LATEST' });
    m.start();
    write(['new', 'after']);
    await until(() => m.stats().invoked === 1);
    expect((await logged('reader', m)).flat().map((i) => i.text)).toEqual(['after']);
    expect(m.stats().polled).toBe(1);
  });

  it('gathers records over the batching window', async () => {
    fresh();
    const m = mapping('reader', { maximumBatchingWindowSeconds: 1 });
    m.start();
    write(['a', '1'], ['b', '2']);
    write(['c', '3']);
    await until(() => m.stats().invoked === 3);
    expect(m.stats()).toMatchObject({ batches: 1, largestBatch: 3 });
  });

  it('ParallelizationFactor: lanes by key hash run at once, each key’s records in order', async () => {
    fresh();
    const laneOf = (k: string) => createHash('md5').update(JSON.stringify([['pk', { S: k }]])).digest().readUInt32BE(0) % 3;
    const keys = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'];
    expect(new Set(keys.map(laneOf)).size).toBeGreaterThan(1);
    for (let i = 0; i < 4; i++) for (const k of keys) write([k, `sleep:150 ${k}#${i}`]);
    const m = mapping('lanes', { parallelizationFactor: 3, batchSize: 5 });
    m.start();
    await until(() => m.stats().invoked === 32, 20_000);
    expect(m.stats()).toMatchObject({ lanes: 3 });
    expect(m.stats().peakBusy).toBeGreaterThanOrEqual(2);
    const delivered = (await logged('lanes', m)).flat();
    for (const k of keys) {
      expect(delivered.filter((i) => i.key === k).map((i) => i.text)).toEqual([0, 1, 2, 3].map((i) => `sleep:150 ${k}#${i}`));
    }
    // a batch holds one lane's keys only
    for (const b of await logged('lanes', m)) expect(new Set(b.map((i) => laneOf(i.key!))).size).toBe(1);
  });

  it('retries a failed batch, blocking its lane, until it succeeds', async () => {
    fresh();
    write(['a', 'one'], ['a', 'throw-once two'], ['a', 'three']);
    const m = mapping('reader', { batchSize: 2 });
    m.start();
    await until(() => m.stats().batches === 2 && m.stats().busy === 0 && m.stats().invoked >= 5);
    const texts = (await logged('reader', m)).map((b) => b.map((i) => i.text));
    expect(texts).toEqual([['one', 'throw-once two'], ['one', 'throw-once two'], ['three']]);
    expect(m.stats()).toMatchObject({ failedBatches: 1, retries: 1, functionErrors: 1, dropped: 0 });
    expect(lines).toContainEqual(expect.objectContaining({ event: 'batch-failed', reason: 'Error: asked to throw once', records: 2 }));
  });

  it('after MaximumRetryAttempts the batch goes to the OnFailure destination as its place in the stream', async () => {
    fresh();
    const failures = queues.create('stream-failures');
    write(['a', 'throw always'], ['b', 'next']);
    const m = mapping('reader', { batchSize: 1, maximumRetryAttempts: 1, onFailure: failures.arn });
    m.start();
    await until(() => m.stats().invoked === 3);
    await until(() => failures.depth().visible === 1);
    const [message] = await queues.drain(failures);
    const record = JSON.parse(message!.body) as StreamFailureRecord;
    const first = allSeqs()[0]!;
    expect(record).toMatchObject({
      requestContext: { functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:reader`, condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      DDBStreamBatchInfo: { shardId: stream.shards()[0], startSequenceNumber: first, endSequenceNumber: first, batchSize: 1, streamArn: stream.arn },
    });
    expect(record.DDBStreamBatchInfo.approximateArrivalOfFirstRecord).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await logged('reader', m)).map((b) => b[0]!.text)).toEqual(['throw always', 'throw always', 'next']);
    expect(m.stats()).toMatchObject({ onFailureDelivered: 1, dropped: 0 });
    expect(metricSum(metrics, 'AWS/Lambda', 'OnFailureDestinationDeliveredEventCount', { EventSourceMappingUUID: m.uuid })).toBe(1);
  });

  it('BisectBatchOnFunctionError isolates the record that fails; only it is dropped', async () => {
    fresh();
    write(['a', 'r1'], ['b', 'r2'], ['c', 'throw r3'], ['d', 'r4']);
    const m = mapping('reader', { batchSize: 4, bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 });
    m.start();
    await until(() => m.stats().dropped === 1 && m.stats().busy === 0);
    const succeeded = (await logged('reader', m)).filter((b) => !b.some((i) => i.text.includes('throw'))).flat().map((i) => i.text);
    expect(succeeded.sort()).toEqual(['r1', 'r2', 'r4']);
    expect(m.stats()).toMatchObject({ bisects: 2, dropped: 1 });
    expect(lines).toContainEqual(expect.objectContaining({ event: 'discarded', condition: 'RetryAttemptsExhausted', records: 1 }));
    expect(metricSum(metrics, 'AWS/Lambda', 'DroppedEventCount', { EventSourceMappingUUID: m.uuid })).toBe(1);
  });

  it('batchItemFailures by SequenceNumber: retried from the lowest failed record', async () => {
    fresh();
    write(['a', 'r1'], ['a', 'r2'], ['a', 'fail-item-once r3'], ['a', 'r4'], ['a', 'r5']);
    const m = mapping('reader', { batchSize: 5, reportBatchItemFailures: true });
    m.start();
    await until(() => m.stats().batches === 1 && m.stats().busy === 0 && m.stats().invoked === 8);
    expect((await logged('reader', m)).map((b) => b.map((i) => i.text))).toEqual([
      ['r1', 'r2', 'fail-item-once r3', 'r4', 'r5'],
      ['fail-item-once r3', 'r4', 'r5'],
    ]);
    expect(m.stats()).toMatchObject({ partialBatches: 1, retries: 1 });
  });

  it('MaximumRecordAgeInSeconds: a batch retried past its records’ age is discarded', async () => {
    fresh();
    write(['a', 'throw forever']);
    const m = mapping('reader', { batchSize: 1, maximumRecordAgeSeconds: 60 });
    m.start();
    await until(() => m.stats().retries >= 2);
    offsetMs = 120_000;
    await until(() => m.stats().dropped === 1);
    expect(lines).toContainEqual(expect.objectContaining({ event: 'discarded', condition: 'RecordAgeExceeded', records: 1 }));
    // the lane moves on
    offsetMs = 0;
    write(['b', 'fine']);
    await until(() => batchesOf('reader').at(-1)![0]!.text === 'fine');
  });

  it('filters records by pattern (only INSERTs)', async () => {
    fresh();
    write(['a', 'added'], ['a', 'changed', 'MODIFY'], ['a', 'gone', 'REMOVE'], ['b', 'added too']);
    const m = mapping('reader', { filters: [{ eventName: ['INSERT'] }] });
    m.start();
    await until(() => m.stats().invoked === 2);
    expect(m.stats()).toMatchObject({ polled: 4, filteredOut: 2, invoked: 2 });
    expect((await logged('reader', m)).flat().map((i) => i.text)).toEqual(['added', 'added too']);
  });

  it('stop() ends reading; later writes are not invoked', async () => {
    fresh();
    const m = mapping('reader');
    m.start();
    write(['a', 'sleep:200 first']);
    await until(() => m.stats().busy === 1);
    await m.stop(5_000);
    expect(m.stats()).toMatchObject({ state: 'Stopped', busy: 0, invoked: 1 });
    write(['a', 'second']);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(m.stats().polled).toBe(1);
  });
});
