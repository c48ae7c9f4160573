import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import type { FunctionHop, StackPath } from '../../src/contracts/path-schema.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { limitEvidence } from '../../src/diagnosis/limit-evidence.ts';
import { pathEvidence } from '../../src/diagnosis/path-evidence.ts';
import { onPathFirst } from '../../src/diagnosis/explanations.ts';
import { buildResults, RUN_START } from '../report/fixtures.ts';
import { sqsFanoutPath } from '../fixtures/path/sqs-fanout-path.ts';
import { quietResults } from '../verdict/quiet-results.ts';

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

/**
 * Where the emulator stamped the lost deliveries' messages (results.hopLatency): the last function
 * they reached and what it did is the loss's first cause, and what happened to functions off their
 * path (the connect function's timeouts, its throttled writes) never comes before it.
 */
function stamped(hops: Array<[string, number]>, o: { sent: number; expected: number; lost: number }): Results {
  const r = quietResults();
  delete r.permissions;
  // no drop phase: no 410s to dropped clients
  delete r.stale;
  r.config.target.functions = {
    source: 'stack',
    functions: [
      { name: 'py-open', route: 'open', memoryMB: 128, timeoutSeconds: 3 },
      { name: 'py-message', route: 'message', memoryMB: 128, timeoutSeconds: 3 },
    ],
  };
  r.sends = { ...r.sends, intended: o.sent, sent: o.sent, acked: o.sent, failed: 0 };
  r.deliveries = { ...r.deliveries, expected: o.expected, received: o.expected - o.lost, lost: o.lost, lossTimeoutMs: 5_000 };
  r.hopLatency = { hops: hops.map(([hop, count], k) => ({ hop, count, p50Ms: 10 * (k + 1), p99Ms: 20 * (k + 1), stepMs: 10 })), delivered: { count: o.expected - o.lost, p50Ms: null, p99Ms: null, stepMs: null } };
  // the open function timed out on the rooms it reads; its throttled PutItems took 7 invocations with them
  r.cloudwatch!.lambda['py-open'] = { ...Object.values(r.cloudwatch!.lambda)[0]!, invocations: 40, errors: 12, throttles: 0 };
  r.cloudwatch!.lambda['py-message'] = { ...Object.values(r.cloudwatch!.lambda)[0]!, invocations: o.sent, errors: 0, throttles: 0 };
  // their logs were read: their REPORT lines
  for (const fn of ['py-open', 'py-message']) r.cloudwatch!.reports[fn] = structuredClone(Object.values(r.cloudwatch!.reports)[0]!);
  r.cloudwatch!.functionErrors = { 'py-open': [{ phase: 'invoke', kind: 'Task timed out', message: 'Task timed out after 3.00 seconds', count: 12, firstFrame: null, firstAt: RUN_START }] };
  r.cloudwatch!.loggedErrors = {};
  return Results.parse(r);
}

describe('a loss read from where its messages stopped', () => {
  it("36 of 36 lost, every message reaching the handler and none reaching @connections: the handler's silence first, the open function's timeouts after", () => {
    const r = stamped([['gateway:message', 36], ['lambda:py-message', 36]], { sent: 36, expected: 36, lost: 36 });
    const why = lossWhy(r);
    expect(why[0]).toEqual({
      factor: 'queued-path',
      line: '36 messages of 36 that reached gateway:message reached py-message; it made no @connections call for any of them; it returned without error and logged none',
      share: 1,
      remedy: expect.stringContaining("py-message's code returned without posting and said nothing: an error caught and dropped (`except: pass`, a catch that returns) hides why"),
    });
    expect(why.map((e) => e.line).findIndex((l) => l.startsWith('py-open:'))).toBeGreaterThan(0);
  });

  it('never ranks a function off the path above the one on it, whatever their shares', () => {
    // 6 of the 12 lost not made (share 1/2); the open function's 30 timeouts of 36 messages sent would rank first by share
    const r = stamped([['gateway:message', 36], ['lambda:py-message', 36], ['@connections', 30]], { sent: 36, expected: 36, lost: 12 });
    r.cloudwatch!.lambda['py-open']!.errors = 30;
    r.cloudwatch!.functionErrors!['py-open']![0]!.count = 30;
    r.cloudwatch!.loggedErrors = { 'py-message': [{ phase: 'invoke', kind: 'GoneException', message: 'An error occurred (GoneException) when calling the PostToConnection operation', count: 6, firstFrame: 'app.py:30 in handler', firstAt: RUN_START, logged: true }] };
    const all = limitEvidence(r, new Set(['loss']));
    const open = all.find((e) => e.line.startsWith('py-open:'))!;
    const reach = all.find((e) => e.line.includes('reached py-message'))!;
    expect(open.share!).toBeGreaterThan(reach.share!);
    const why = lossWhy(r).map((e) => e.line);
    expect(why.indexOf(reach.line)).toBeLessThan(why.indexOf(open.line));
    expect(reach.line).toBe(
      '36 messages of 36 that reached gateway:message reached py-message; it made 36 of the 36 @connections posts owed (30 delivered, 6 refused: 410 Gone ×6); it caught and logged: GoneException: An error occurred (GoneException) when calling the PostToConnection operation ×6 (at app.py:30 in handler)',
    );
  });

  it('says nothing where every post owed was made (the loss came after the gateway)', () => {
    const r = stamped([['gateway:message', 36], ['lambda:py-message', 36], ['@connections', 36]], { sent: 36, expected: 36, lost: 2 });
    expect(pathEvidence(r, true)).toEqual([]);
  });
});

describe('a loss whose last function failed its messages into a dead-letter queue', () => {
  it("names the dead-letter queue before the worker's own line, and counts a message received again once", () => {
    // 4 poison messages entered; the worker was stamped 6 times (received again), caught and logged, made no posts for them
    const r = lossOnPath(sqsFanoutPath(RUN_START));
    r.hopLatency = {
      hops: [
        { hop: 'gateway:send', count: 4, p50Ms: 10, p99Ms: 20, stepMs: 10 },
        { hop: 'lambda:fanout-worker', count: 6, p50Ms: 20, p99Ms: 40, stepMs: 10 },
      ],
      delivered: { count: 82, p50Ms: null, p99Ms: null, stepMs: null },
    };
    r.cloudwatch!.reports['fanout-worker'] = structuredClone(Object.values(r.cloudwatch!.reports)[0]!);
    r.cloudwatch!.loggedErrors = { 'fanout-worker': [{ phase: 'invoke', kind: 'logged error', message: 'its body is poison', count: 4, firstFrame: null, firstAt: RUN_START, logged: true }] };
    const lines = pathEvidence(Results.parse(r), true).map((f) => f.line);
    expect(lines[0]).toMatch(/^3 messages moved to fanout-jobs-dlq after maxReceiveCount 2 of fanout-jobs: fanout-worker failed them/);
    expect(lines.find((l) => l.includes('reached fanout-worker'))).toMatch(/^the 4 messages that reached gateway:send reached fanout-worker 6 times \(some received again\); it made no @connections call/);
  });
});

describe('a loss whose last function failed', () => {
  it("is named by that function's own errors, not again by where its messages stopped", () => {
    const r = stamped([['gateway:message', 36], ['lambda:py-message', 36]], { sent: 36, expected: 36, lost: 36 });
    r.cloudwatch!.lambda['py-message']!.errors = 36;
    expect(pathEvidence(r, true)).toEqual([]);
    expect(lossWhy(r)[0]!.line).toMatch(/^py-message: 36 errors in 36 invocations/);
  });
});

describe('DynamoDB throttling off the lost messages’ path', () => {
  it('comes after the evidence on it, whatever its share: the throttled table was used only by the open function', () => {
    const r = stamped([['gateway:message', 36], ['lambda:py-message', 36]], { sent: 36, expected: 36, lost: 36 });
    r.cloudwatch!.dynamodb = { conns: { operations: { PutItem: { requests: 40, throttled: 7 } }, indexes: {} } } as unknown as NonNullable<Results['cloudwatch']>['dynamodb'];
    const use = (fn: string, action: string) => ({ function: fn, status: 'observed' as const, used: [{ action, resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/conns' }] });
    r.permissions = { window: { startMs: 0, endMs: 1 }, functions: [use('py-open', 'dynamodb:PutItem')] } as unknown as Results['permissions'];
    const reach = { factor: 'queued-path', line: '36 messages reached py-message', share: 0.5 };
    const throttled = { factor: 'dynamodb-throttles', line: 'DynamoDB throttled 7 requests (conns: PutItem 7)', share: 0.9 };
    expect(onPathFirst(r, [throttled, reach])).toEqual([reach, throttled]);
    // a table the function on the path used keeps its place
    r.permissions = { window: { startMs: 0, endMs: 1 }, functions: [use('py-open', 'dynamodb:PutItem'), use('py-message', 'dynamodb:Scan')] } as unknown as Results['permissions'];
    expect(onPathFirst(r, [throttled, reach])).toEqual([throttled, reach]);
  });
});

describe('a loss read hop by hop', () => {
  /** Every client of the run stayed connected: no drop, every connection opened still open at the end. */
  const allStayed = (r: Results) => {
    delete r.stale;
    r.connections = { ...r.connections!, opened: 10, openAtEnd: 10 };
  };
  const sqsRefused = { route: '$default', service: 'sqs', status: 400, code: 'InvalidParameterValue', message: 'Value Ioel9Sac14sSQ Y= for parameter MessageDeduplicationId is invalid.', count: 10, firstAt: RUN_START };

  it("names the messages a hop before the function never took, and owes the function posts only for those that reached it, its refused posts among those made", () => {
    // 32 frames; 10 never reached the queue (SQS refused them); the 22 that reached the function owed 22 posts: 15 delivered, 7 answered 410
    const r = stamped([['gateway:$default', 32], ['sqs:jobs.fifo', 22], ['lambda:py-message', 22], ['@connections', 15]], { sent: 32, expected: 32, lost: 17 });
    allStayed(r);
    r.cloudwatch!.integrationFailures = [sqsRefused];
    r.cloudwatch!.apiGatewayTotals = { ...r.cloudwatch!.apiGatewayTotals!, clientError: 7 };
    r.cloudwatch!.loggedErrors = { 'py-message': [{ phase: 'invoke', kind: 'GoneException', message: 'GoneException: Gone', count: 7, firstFrame: 'app.js:17', firstAt: RUN_START, logged: true }] };
    const found = pathEvidence(r, true);
    expect(found.map((f) => [f.line, f.share])).toEqual([
      ["10 of 32 messages that reached gateway:$default never reached sqs:jobs.fifo: route $default's AWS integration failed 10 requests (SQS answered 400 InvalidParameterValue; the stage's execution log)", 10 / 17],
      [
        '22 messages of 32 that reached gateway:$default reached py-message; it made 22 of the 22 @connections posts owed (15 delivered, 7 refused: 410 Gone ×7, to ids that were no connection of the run (none of its connections had closed)); it caught and logged: GoneException: GoneException: Gone ×7 (at app.js:17)',
        7 / 17,
      ],
    ]);
    expect(found[0]!.remedy).toMatch(/^make route \$default's request template build a request sqs accepts/);
    // the ids were never connections: not "delete the row and go on", nor "let it fail or retry"
    for (const remedy of [found[1]!.remedy, ...limitEvidence(r, new Set(['loss'])).filter((e) => /GoneException/.test(e.line)).map((e) => e.remedy)]) {
      expect(remedy).toMatch(/^none of the run's connections had closed, so the ids posted to were never connections of the run/);
    }
  });

  it('says 410s to a run whose clients went away are stale connections, as before', () => {
    const r = stamped([['gateway:message', 36], ['lambda:py-message', 36], ['@connections', 30]], { sent: 36, expected: 36, lost: 6 });
    r.cloudwatch!.functionErrors = { 'py-message': [{ phase: 'invoke', kind: 'GoneException', message: 'Gone', count: 6, firstFrame: null, firstAt: RUN_START }] };
    r.cloudwatch!.lambda['py-message']!.errors = 6;
    r.stale = { dropped: 2, gone410: 6, timeToCleanMs: null, wastedPosts: 6 };
    r.cloudwatch!.apiGatewayTotals = { ...r.cloudwatch!.apiGatewayTotals!, clientError: 6 };
    expect(limitEvidence(r, new Set(['loss'])).find((e) => e.line.startsWith('py-message:'))!.remedy).toMatch(/^catch GoneException around each post \(the connection is stale\)/);
    // the 410s went to the dropped clients, owed to no one: no refused posts owed; its 6 failures are its own line
    expect(pathEvidence(r, true)).toEqual([]);
  });

  it('counts posts API Gateway refused as made, and says how they were answered, where the function logged nothing of them', () => {
    // an endpoint ending in '/': every post went to /{stage}//@connections/… and was answered 403; the code ignored the rejection
    const r = stamped([['gateway:message', 10], ['lambda:py-message', 10]], { sent: 10, expected: 10, lost: 10 });
    r.cloudwatch!.apiGatewayTotals = { ...r.cloudwatch!.apiGatewayTotals!, clientError: 10 };
    const [reach] = pathEvidence(r, true);
    expect(reach!.line).toBe(
      "10 messages of 10 that reached gateway:message reached py-message; it made 10 of the 10 @connections posts owed (0 delivered, 10 refused: API Gateway answered them 4XX (its ClientError count); py-message's log names no error for them); it returned without error and logged none",
    );
    expect(reach!.remedy).toMatch(/403 Forbidden is a path other than \/\{stage\}\/@connections\/\{connectionId\} \(an endpoint ending in `\/`/);
    // rooms of 10: the first post of each message refused, the other 9 never made; both said, both remedied
    r.deliveries = { ...r.deliveries, expected: 100, received: 0, lost: 100 };
    const [loop] = pathEvidence(r, true);
    expect(loop!.line).toMatch(/; it made 10 of the 100 @connections posts owed \(0 delivered, 10 refused: API Gateway answered them 4XX .*\); 90 not made; it returned without error and logged none$/);
    expect(loop!.remedy).toMatch(/^read what API Gateway answered py-message's posts: .*; and py-message's code returned without posting and said nothing/);
  });

  it("keeps the function's line where its few failed invocations cannot account for the messages left without posts", () => {
    // one stream invocation timed out; the 18 route invocations swallowed their error and posted nothing
    const r = stamped([['gateway:message', 18], ['lambda:py-message', 18]], { sent: 18, expected: 18, lost: 18 });
    r.cloudwatch!.lambda['py-message']!.errors = 1;
    r.cloudwatch!.functionErrors!['py-message'] = [{ phase: 'invoke', kind: 'Task timed out', message: 'Task timed out after 3.00 seconds', count: 1, firstFrame: null, firstAt: RUN_START }];
    expect(pathEvidence(r, true).map((f) => f.line)).toEqual([
      '18 messages of 18 that reached gateway:message reached py-message; it made no @connections call for any of them; it failed 1 invocation (Task timed out: Task timed out after 3.00 seconds ×1), fewer than the 18 messages left without posts; otherwise it returned without error and logged none',
    ]);
  });
});
