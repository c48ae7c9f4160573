import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import type { FunctionHop, StackPath } from '../../src/contracts/path-schema.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { limitEvidence } from '../../src/verdict/limit-evidence.ts';
import { pathEvidence } from '../../src/verdict/path-evidence.ts';
import { buildResults, RUN_START } from '../report/fixtures.ts';
import { sqsFanoutPath } from '../fixtures/path/sqs-fanout-path.ts';
import { quietResults } from './quiet-results.ts';

/**
 * A loss on a queued path names the hop, with its numbers (results.path): a redrive to a DLQ, a
 * dropped asynchronous event, a mapping's failed batches or throttles, SNS's failed notifications,
 * EventBridge's failed invocations; ranked with the other evidence, and only for a loss.
 */
function lossOnPath(path: StackPath): Results {
  const r = quietResults();
  delete r.permissions;
  r.config.target.functions = { source: 'stack', functions: [{ name: 'fanout-send-message', route: 'sendMessage', memoryMB: 128, timeoutSeconds: 3 }] };
  r.deliveries = { ...r.deliveries, received: 82, lost: 18, expected: 100, lossTimeoutMs: 30_000 };
  r.path = path;
  return Results.parse(r);
}

const lossWhy = (r: Results) => evaluate(r).explanations!.find((e) => e.check === 'no lost deliveries')!.evidence;

describe('a loss on a queued path', () => {
  it("names the dead-letter queue first: the messages moved after maxReceiveCount, the worker that failed them, the share of the loss they stood for", () => {
    const r = lossOnPath(sqsFanoutPath(RUN_START));
    const [first] = lossWhy(r);
    // 3 messages of the 30 sent, each standing for 100 / 30 deliveries: 10 of the 18 lost
    expect(first).toEqual({
      factor: 'queued-path',
      line: '3 messages moved to fanout-jobs-dlq after maxReceiveCount 2 of fanout-jobs: fanout-worker failed them (fanout-worker: 6 errors in 12 invocations)',
      share: 10 / 18,
      remedy: expect.stringMatching(/^read fanout-worker's log for why it failed the batches; return batchItemFailures/),
    });
    // the mapping's failed batches are said after it, without a share
    const failed = lossWhy(r).find((e) => e.line.startsWith('fanout-jobs → fanout-worker: 6 events in failed invocations'));
    expect(failed).toMatchObject({ factor: 'queued-path' });
    expect(failed!.share).toBeUndefined();
  });

  it('is no cause of errors or latency, nor of a run that lost nothing', () => {
    const r = lossOnPath(sqsFanoutPath(RUN_START));
    expect(limitEvidence(r, new Set(['errors'])).map((e) => e.factor)).not.toContain('queued-path');
    expect(limitEvidence(r, new Set(['latency'])).map((e) => e.factor)).not.toContain('queued-path');
    r.deliveries = { ...r.deliveries, lost: 0, received: 100 };
    expect(pathEvidence(r, true)).toEqual([]);
  });

  it("names a throttled mapping with its function's throttles and the batches it ran at once", () => {
    const r = lossOnPath(sqsFanoutPath(RUN_START, { redriven: 0, workerErrors: 0, throttles: 40 }));
    r.path!.hops = r.path!.hops.map((h) => (h.kind === 'mapping' ? { ...h, totals: { ...h.totals, failedInvoke: 0 } } : h));
    const lines = pathEvidence(r, true).map((f) => f.line);
    expect(lines).toEqual([
      'fanout-jobs → fanout-worker was throttled: Lambda throttled 40 invocations of fanout-worker; the mapping ran at most 5 batches at once (its MaximumConcurrency 5); throttled batches go back to the queue and wait out their visibility timeout',
    ]);
  });

  it('names dropped asynchronous events, failed SNS notifications and failed EventBridge invocations, each with its share', () => {
    const notifier: FunctionHop = {
      kind: 'function',
      name: 'notify-members',
      totals: { invocations: 20, errors: 20, throttles: 0, durationP99Ms: 40, concurrencyMax: 3, asyncReceived: 10, asyncAgeMaxMs: 180_000, asyncDropped: 4 },
      maximumEventAgeSeconds: 60,
    };
    const r = lossOnPath({
      periodSec: 1,
      hops: [
        { kind: 'topic', name: 'room-events', arn: 'arn:aws:sns:us-east-1:123456789012:room-events', totals: { published: 10, delivered: 8, failed: 2, filteredOut: 0 } },
        { kind: 'rule', name: 'room-pushes', totals: { matched: 10, invocations: 9, failed: 1 } },
        notifier,
      ],
    });
    const found = pathEvidence(r, true);
    expect(found.map((f) => [f.line, f.share])).toEqual([
      // 4 events of the 10 published, 40 of the 18 lost: the whole loss
      ['Lambda dropped 4 asynchronous events of 10 for notify-members past its MaximumEventAgeInSeconds 60 (after 20 errors and Lambda\'s retries); the oldest waited 180 s (AsyncEventAge max)', 1],
      ['SNS failed 2 notifications of topic room-events (NumberOfNotificationsFailed; 8 delivered of 10 published)', 1],
      ['EventBridge failed 1 target invocation of rule room-pushes (FailedInvocations; 9 invocations of 10 matched events)', 10 / 18],
    ]);
  });
});

describe('a loss whose deliveries a resource-based policy refused', () => {
  it("names the target and what its policy lacks on the topic's and the rule's line, and the grant to add as the remedy", () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:room-events';
    const rule = 'arn:aws:events:us-east-1:123456789012:rule/live/room-pushes';
    const queueGrant = { Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:us-east-1:123456789012:room-jobs', Condition: { ArnEquals: { 'aws:SourceArn': topic } } };
    const permission = { Type: 'AWS::Lambda::Permission', Properties: { Action: 'lambda:InvokeFunction', FunctionName: 'push-members', Principal: 'events.amazonaws.com', SourceArn: rule } };
    const r = lossOnPath({
      periodSec: 1,
      hops: [
        {
          kind: 'topic',
          name: 'room-events',
          arn: topic,
          totals: { published: 10, delivered: 4, failed: 6, filteredOut: 0 },
          denied: [{ target: 'arn:aws:sqs:us-east-1:123456789012:room-jobs', principal: 'sns.amazonaws.com', action: 'sqs:SendMessage', reason: 'no-allow', grant: queueGrant, count: 6 }],
        },
        {
          kind: 'rule',
          name: 'room-pushes',
          bus: 'live',
          totals: { matched: 10, invocations: 0, failed: 10 },
          denied: [{ target: 'arn:aws:lambda:us-east-1:123456789012:function:push-members', principal: 'events.amazonaws.com', action: 'lambda:InvokeFunction', reason: 'no-allow', grant: permission, count: 10 }],
        },
      ],
    });
    const found = pathEvidence(r, true);
    const rules = found.find((f) => f.line.startsWith('EventBridge'));
    const topics = found.find((f) => f.line.startsWith('SNS'));
    expect(rules).toEqual({
      line: 'EventBridge failed 10 target invocations of rule room-pushes (FailedInvocations; 0 invocations of 10 matched events); 10 deliveries refused by function push-members: no AWS::Lambda::Permission lets events.amazonaws.com invoke it from rule room-pushes',
      share: 1,
      remedy: `add to the template the resource ${JSON.stringify(permission)}`,
    });
    expect(topics).toMatchObject({
      line: 'SNS failed 6 notifications of topic room-events (NumberOfNotificationsFailed; 4 delivered of 10 published); 6 deliveries refused by queue room-jobs: no statement of its policy allows sns.amazonaws.com sqs:SendMessage from topic room-events',
      remedy: `add to the target's AWS::SQS::QueuePolicy the statement ${JSON.stringify(queueGrant)}`,
    });
    // and the verdict gives them as the loss's causes
    expect(lossWhy(r).filter((e) => e.factor === 'queued-path').map((e) => e.line).sort()).toEqual([rules!.line, topics!.line].sort());
  });
});

describe("results.json's path section", () => {
  it('is optional, and checked where present', () => {
    const r = buildResults();
    expect(Results.safeParse(r).success).toBe(true);
    r.path = sqsFanoutPath(RUN_START);
    expect(Results.safeParse(r).success).toBe(true);
    const bad = structuredClone(r) as unknown as { path: { hops: Array<{ kind: string }> } };
    bad.path.hops[0]!.kind = 'pipe';
    expect(Results.safeParse(bad).success).toBe(false);
  });
});
