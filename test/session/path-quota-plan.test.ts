import { describe, expect, it } from 'vitest';
import type { PathResources } from '../../src/metrics/cloudwatch/path-queries.ts';
import { validateScenario } from '../../src/scenarios/load-scenario.ts';
import { pathQuotaPlan } from '../../src/session/path-preflight.ts';
import { quotaPlanLine } from '../../src/report/run/quota-text.ts';

/**
 * The path's quota lines before load: the scenario's planned rates against a queued path's quotas
 * in the stack's region (SQS FIFO per action, an SQS mapping's batches at once, a standard queue's
 * messages in flight, SNS Publish (a FIFO topic's own too), EventBridge PutEvents and target
 * invocations per account and region, an async
 * function's event age against the two retries). The path read from a stack's own APIs is held
 * against the emulator in test/targets/stack-path.test.ts.
 */

/** The path's findings as every output words them. */
const planLines = (...args: Parameters<typeof pathQuotaPlan>) => pathQuotaPlan(...args).map(quotaPlanLine);

const scenario = (rate: number, duration = '10s', extra: unknown[] = []) =>
  validateScenario({ name: 'path', clients: 20, rooms: 2, phases: [{ connect: { rate: 100 } }, { join: { rate: 100 } }, { send: { duration, rate } }, ...extra] }, 'path.yaml');

const ARN = 'arn:aws:sqs:us-east-1:123456789012:';
const path = (o: Partial<PathResources> = {}): PathResources => ({ queues: [], topics: [], rules: [], functions: [], mappings: [], notes: [], ...o });
const fifo = path({
  queues: [{ name: 'jobs.fifo', fifo: true, deadLetterQueue: { name: 'dlq.fifo', maxReceiveCount: 2 } }, { name: 'dlq.fifo', fifo: true }],
  mappings: [{ uuid: 'u', sourceArn: `${ARN}jobs.fifo`, functionName: 'worker', batchSize: 10 }],
  functions: [{ name: 'worker' }],
});

describe('a queued path held against its quotas before load', () => {
  it('a FIFO queue: 250 messages/s pass, 400 are over 300 calls/s per action (batches would do), 4,000 over 3,000 even batched; its dead-letter queue is not held', () => {
    expect(planLines(scenario(250), fifo, 'us-east-1')).toEqual([]);
    expect(planLines(scenario(400), fifo, 'us-east-1')).toEqual([
      `quota: send phase "send" sends 400 messages/s into FIFO queue jobs.fifo, over SQS's 300 API calls/s per action for a FIFO queue (AWS's documented default: 3,000 messages/s in batches of 10): expect throttled sends (ThrottlingException) unless they are sent in batches`,
    ]);
    expect(planLines(scenario(4000), fifo, 'us-east-1')[0]).toContain('3,000 messages/s even in batches of 10): expect throttled sends (ThrottlingException)');
    // kept as a finding: the phase and its rate, the queue, the quotas it passes
    expect(pathQuotaPlan(scenario(4000), fifo, 'us-east-1')).toEqual([
      { kind: 'sqs-fifo-calls', load: { phase: 'send', phaseKind: 'send', perSecond: 4000 }, queue: 'jobs.fifo', callsPerAction: 300, messagesBatched: 3000, batched: true },
    ]);
  });

  it("a mapping of MaximumConcurrency 2 and batches of 10: 100 messages/s leave each batch 200 ms; 500 messages/s 40 ms, under the 100 ms assumed", () => {
    const p = path({ queues: [{ name: 'jobs', fifo: false }], mappings: [{ uuid: 'u', sourceArn: `${ARN}jobs`, functionName: 'worker', batchSize: 10, maximumConcurrency: 2 }] });
    expect(planLines(scenario(100), p, 'us-east-1')).toEqual([]);
    expect(planLines(scenario(500), p, 'us-east-1')).toEqual([
      `quota: send phase "send" sends 500 messages/s into jobs; its mapping to worker runs at most 2 batches of 10 at once (its MaximumConcurrency): each batch would have to finish within 40 ms, under the 100 ms assumed for a poll, invoke and delete: expect the queue to grow (its age of oldest message rising)`,
    ]);
  });

  it('a standard queue whose mapping may hold 1,000 batches of 1,000 (1M in flight) is named once the phase sends more than 120,000 messages', () => {
    const p = path({ queues: [{ name: 'jobs' }], mappings: [{ uuid: 'u', sourceArn: `${ARN}jobs`, functionName: 'worker', batchSize: 1000 }] });
    expect(planLines(scenario(1000, '60s'), p, 'us-east-1')).toEqual([]);
    expect(planLines(scenario(1000, '3m'), p, 'us-east-1')).toEqual([
      `quota: send phase "send" sends 1,000 messages/s into jobs, 180,000 in all; its mapping to worker may hold up to 1,000,000 messages in flight (1,000 batches of 1,000), over SQS's 120,000 in flight for a standard queue: expect OverLimit on receives`,
    ]);
  });

  it("SNS Publish per account by region: 2,000 messages/s pass us-east-1's 30,000 and pass eu-west-1's 9,000, not eu-west-3's 300 nor ca-central-1's (300: not among the 1,500 regions)", () => {
    const p = path({ topics: [{ name: 'scores', arn: 'arn:aws:sns:eu-west-3:123456789012:scores' }] });
    expect(planLines(scenario(2000), p, 'us-east-1')).toEqual([]);
    expect(planLines(scenario(2000), p, 'eu-west-1')).toEqual([]);
    expect(planLines(scenario(2000), p, 'eu-west-3')).toEqual([
      `quota: send phase "send" sends 2,000 messages/s, each an SNS Publish, over SNS's 300 publishes/s per account in eu-west-3 (AWS's documented default): expect throttled publishes (ThrottlingException)`,
    ]);
    expect(planLines(scenario(1000), p, 'ap-northeast-1')).toEqual([]);
    expect(planLines(scenario(1000), p, 'ca-central-1')[0]).toContain("over SNS's 300 publishes/s per account in ca-central-1");
  });

  it('SNS: every topic a message reaches is one publish against the account; a FIFO topic is held to the FIFO column (3,000 in eu-west-3) and to 3,000 messages/s of its own', () => {
    const two = path({ topics: [{ name: 'a', arn: 'arn:aws:sns:us-east-1:123456789012:a' }, { name: 'b', arn: 'arn:aws:sns:us-east-1:123456789012:b' }] });
    expect(planLines(scenario(14_000), two, 'us-east-1')).toEqual([]);
    expect(planLines(scenario(16_000), two, 'us-east-1')).toEqual([
      `quota: send phase "send" sends 16,000 messages/s into 2 topics (32,000 publishes/s), each an SNS Publish, over SNS's 30,000 publishes/s per account in us-east-1 (AWS's documented default): expect throttled publishes (ThrottlingException)`,
    ]);
    const fifoTopic = path({ topics: [{ name: 'scores.fifo', arn: 'arn:aws:sns:eu-west-3:123456789012:scores.fifo' }] });
    expect(planLines(scenario(2000), fifoTopic, 'eu-west-3')).toEqual([]);
    expect(planLines(scenario(20_000), fifoTopic, 'us-east-1')).toEqual([
      `quota: send phase "send" sends 20,000 messages/s into FIFO topic scores.fifo, over SNS's 3,000 messages/s per FIFO topic (AWS's documented default, FifoThroughputScope Topic; 300/s per message group): expect throttled publishes (ThrottlingException)`,
    ]);
  });

  it("EventBridge PutEvents per account by region: 5,000 calls/s pass us-east-1's 10,000, not us-east-2's 2,400; eu-west-3 is named at 600, every other region at 400", () => {
    const p = path({ rules: [{ name: 'push', bus: 'orders' }] });
    expect(planLines(scenario(5000), p, 'us-east-1')).toEqual([]);
    expect(planLines(scenario(5000), p, 'us-east-2')[0]).toContain("over EventBridge's 2,400 PutEvents/s per account in us-east-2 (AWS's documented default)");
    expect(planLines(scenario(500), p, 'eu-west-3')).toEqual([]);
    expect(planLines(scenario(500), p, 'me-south-1')[0]).toContain("over EventBridge's 400 PutEvents/s per account in me-south-1 (AWS's documented default)");
  });

  it("EventBridge target invocations: a bus's three rules turn 2,000 events/s into 6,000 invocations/s, over us-east-2's 4,500 though PutEvents' 2,400 holds", () => {
    const p = path({ rules: [{ name: 'a', bus: 'orders' }, { name: 'b', bus: 'orders' }, { name: 'c', bus: 'orders' }] });
    expect(planLines(scenario(1400), p, 'us-east-2')).toEqual([]);
    expect(planLines(scenario(2000), p, 'us-east-2')).toEqual([
      `quota: send phase "send" sends 2,000 messages/s, matching 3 rules (6,000 target invocations/s at least, one target each), over EventBridge's 4,500 invocations/s per account in us-east-2 (AWS's documented default): expect delayed deliveries (throttled invocations are retried, not dropped)`,
    ]);
    expect(planLines(scenario(6000), p, 'us-east-1')).toEqual([]);
  });

  it("a publish phase is held against the resource it names only", () => {
    const p = path({ topics: [{ name: 'scores', arn: 'arn:aws:sns:eu-west-3:123456789012:scores' }, { name: 'other', arn: 'arn:aws:sns:eu-west-3:123456789012:other' }], rules: [{ name: 'push' }] });
    const publish = (to: string) =>
      validateScenario({ name: 'path', clients: 20, rooms: 2, phases: [{ connect: { rate: 100 } }, { join: { rate: 100 } }, { publish: { via: 'sns', to, rate: 500, duration: '5s', payload: 'score {{probe}}' } }] }, 'path.yaml');
    expect(planLines(publish('arn:aws:sns:eu-west-3:123456789012:scores'), p, 'eu-west-3')).toEqual([
      `quota: publish phase "publish" publishes 500/s to arn:aws:sns:eu-west-3:123456789012:scores, each an SNS Publish, over SNS's 300 publishes/s per account in eu-west-3 (AWS's documented default): expect throttled publishes (ThrottlingException)`,
    ]);
  });

  it('an asynchronously invoked function whose MaximumEventAgeInSeconds is shorter than its retries (1 minute, then 2) is named; a queue consumer is not', () => {
    const p = path({ topics: [{ name: 'scores', arn: 'arn:aws:sns:us-east-1:123456789012:scores' }], functions: [{ name: 'pusher', maximumEventAgeSeconds: 90 }, { name: 'fast', maximumEventAgeSeconds: 3600 }] });
    expect(planLines(scenario(10), p, 'us-east-1')).toEqual([
      `quota: pusher's MaximumEventAgeInSeconds is 90: an event its function fails is dropped before its second retry (2 minutes after the first), and one queued longer than that behind a throttled function too (AsyncEventsDropped)`,
    ]);
    const consumer = path({ ...fifo, functions: [{ name: 'worker', maximumEventAgeSeconds: 60 }] });
    expect(planLines(scenario(10), consumer, 'us-east-1')).toEqual([]);
  });
});
