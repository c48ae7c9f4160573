import { describe, expect, it } from 'vitest';
import type { NotEmulatedPath } from '../../common/not-emulated-paths.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { limitEvidence } from '../../src/diagnosis/limit-evidence.ts';
import { notEmulatedEvidence } from '../../src/diagnosis/not-emulated-evidence.ts';
import { quietResults } from '../verdict/quiet-results.ts';

/**
 * Causes that hold at the door and at the end (issue 59): a loss whose deliveries would travel a
 * path the emulator does not run has that path as its first cause; a cause is named for a loss
 * only where it could lose those deliveries. Over results objects: the report fixture with
 * nothing pointing anywhere, all connects succeeded, and each case's evidence added.
 */
function quietLoss(): Results {
  const r = quietResults();
  r.config.target.functions = {
    source: 'stack',
    functions: [
      { name: 'fanout-connect', route: '$connect', memoryMB: 256, timeoutSeconds: 10 },
      { name: 'fanout-disconnect', route: '$disconnect', memoryMB: 256, timeoutSeconds: 10 },
      { name: 'fanout-send-message', route: 'sendMessage', memoryMB: 128, timeoutSeconds: 3 },
    ],
  };
  r.connections = { attempted: 8, opened: 8, failed: 0, missedSlots: 0, joined: 8, joinFailed: 0, openAtEnd: 8 };
  delete r.permissions;
  r.deliveries = { ...r.deliveries, received: 82, lost: 18, expected: 100, lossTimeoutMs: 30_000 };
  return Results.parse(r);
}

const SNS: NotEmulatedPath = {
  kind: 'trigger',
  source: 'SNS topic',
  resource: 'Alerts',
  function: 'FanoutFunction',
  functionName: 'stack-FanoutFunction-ABC',
  fansOut: true,
  text: "its subscription's deliveries will not run here",
};

const lossWhy = (r: Results) => evaluate(r).explanations!.find((e) => e.check === 'no lost deliveries')!.evidence;
const factorsFor = (r: Results, symptom: 'loss' | 'errors' | 'latency') => limitEvidence(r, new Set([symptom])).map((e) => e.factor);

/** `table`'s throttled operations, as AWS/DynamoDB counts them. */
function throttled(r: Results, table: string, ops: Record<string, number>, events: { readThrottleEvents?: number; writeThrottleEvents?: number } = {}): void {
  r.cloudwatch!.dynamodb = {
    [table]: {
      readUnits: 0,
      writeUnits: 10,
      ...events,
      indexes: {},
      operations: Object.fromEntries(Object.entries(ops).map(([op, n]) => [op, { requests: 40, throttled: n }])),
      conditionalCheckFailed: 0,
    },
  };
}

/** What the run saw each function call (results.permissions' used). */
function used(r: Results, byFunction: Record<string, Array<[string, string]>>): void {
  r.permissions = {
    window: { startMs: 0, endMs: 1 },
    functions: Object.entries(byFunction).map(([fn, calls]) => ({ function: fn, status: 'observed' as const, used: calls.map(([action, resource]) => ({ action, resource })) })),
  };
}
const TABLE_ARN = (t: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${t}`;

describe('a path the emulator does not run', () => {
  it("is the loss's first cause, share 1, where its function fans out and runs here by no route", () => {
    const r = quietLoss();
    r.config.target.notEmulated = [SNS];
    // a cause that would otherwise lead: a host wait within reach of the loss timeout
    r.cloudwatch!.localHost = { hostBusyAvgPercent: 95, hostBusyPeakPercent: 100, stackCpuMs: 9000, heldBack: { 'fanout-send-message': { count: 5, p50Ms: 20_000, p99Ms: 25_000, maxMs: 25_000, totalMs: 90_000 } } } as never;
    const [first] = lossWhy(r);
    expect(first).toMatchObject({
      factor: 'not-emulated',
      share: 1,
      line: `deliveries would travel SNS topic Alerts → FanoutFunction (its subscription's deliveries will not run here), which the emulator does not run: FanoutFunction posts to @connections (its template grants it execute-api:ManageConnections or gives it the WebSocket API) and nothing invokes it here, so none of its posts were made (18 of 100 deliveries lost)`,
      remedy: expect.stringMatching(/^measure this path on AWS \(--target aws:<stack>\), where the SNS topic invokes FanoutFunction/),
    });
  });

  it('is no cause of errors or latency, nor of a run that lost nothing', () => {
    const r = quietLoss();
    r.config.target.notEmulated = [SNS];
    expect(factorsFor(r, 'errors')).not.toContain('not-emulated');
    expect(factorsFor(r, 'latency')).not.toContain('not-emulated');
    r.deliveries = { ...r.deliveries, lost: 0 };
    expect(notEmulatedEvidence(r, true)).toEqual([]);
  });

  it('is no cause where its function runs here by a route too', () => {
    const r = quietLoss();
    r.config.target.notEmulated = [{ ...SNS, runsHere: true }];
    expect(factorsFor(r, 'loss')).not.toContain('not-emulated');
  });

  it('without the template saying its function fans out: named without a share only where nothing that ran here posted', () => {
    const r = quietLoss();
    const { fansOut: _f, ...unknown } = SNS;
    r.config.target.notEmulated = [unknown];
    expect(r.deliveries.received).toBeGreaterThan(0);
    expect(notEmulatedEvidence(r, true)).toEqual([]);
    r.deliveries = { ...r.deliveries, received: 0, lost: r.deliveries.expected };
    const [only, ...rest] = notEmulatedEvidence(r, true);
    expect(rest).toEqual([]);
    expect(only).toEqual({
      line: `deliveries may travel SNS topic Alerts → FanoutFunction (its subscription's deliveries will not run here), which the emulator does not run: no function that ran here posted to @connections (100 of 100 deliveries lost)`,
      remedy: expect.any(String),
    });
    // a function that ran posted (its use of ManageConnections): the path is not the loss's cause
    used(r, { 'fanout-send-message': [['execute-api:ManageConnections', 'arn:aws:execute-api:us-east-1:123456789012:abc/prod/POST/@connections/*']] });
    expect(notEmulatedEvidence(r, true)).toEqual([]);
  });
});

describe('a cause is named for a loss only where it could lose those deliveries', () => {
  it('DynamoDB throttles of $connect writes while every connect succeeded: not named for the loss; still for latency', () => {
    const r = quietLoss();
    throttled(r, 'connections', { PutItem: 12 }, { writeThrottleEvents: 12 });
    used(r, { 'fanout-connect': [['dynamodb:PutItem', TABLE_ARN('connections')]], 'fanout-send-message': [['dynamodb:Query', TABLE_ARN('connections')]] });
    expect(lossWhy(r).map((e) => e.factor)).not.toContain('dynamodb-throttles');
    expect(factorsFor(r, 'latency')).toContain('dynamodb-throttles');
  });

  it('the same writes with no record of who made them: dropped while connects and joins all succeeded, named once one failed', () => {
    const r = quietLoss();
    throttled(r, 'connections', { PutItem: 12 });
    expect(factorsFor(r, 'loss')).not.toContain('dynamodb-throttles');
    r.connections = { ...r.connections!, failed: 2, opened: 6 };
    const e = limitEvidence(r, new Set(['loss'])).find((x) => x.factor === 'dynamodb-throttles');
    expect(e?.line).toBe('DynamoDB throttled 12 requests (connections: PutItem 12); it can lose deliveries: a throttled read of the members, or a write by a function that fans out, leaves recipients unposted');
  });

  it('throttled reads of the members by the function that fans out: named for the loss, saying how it loses them', () => {
    const r = quietLoss();
    throttled(r, 'connections', { PutItem: 12, Query: 7 });
    used(r, { 'fanout-connect': [['dynamodb:PutItem', TABLE_ARN('connections')]], 'fanout-send-message': [['dynamodb:Query', TABLE_ARN('connections')]] });
    const e = limitEvidence(r, new Set(['loss'])).find((x) => x.factor === 'dynamodb-throttles');
    // only the reads are said for the loss: the connect's writes lost nothing
    expect(e?.line).toMatch(/^DynamoDB throttled 7 requests \(connections: Query 7\); it can lose deliveries: /);
  });

  it('throttled reads by a function that does not fan out: not named for the loss', () => {
    const r = quietLoss();
    throttled(r, 'connections', { GetItem: 5 });
    used(r, { 'fanout-connect': [['dynamodb:GetItem', TABLE_ARN('connections')]] });
    expect(factorsFor(r, 'loss')).not.toContain('dynamodb-throttles');
  });

  it('a function that fails on a throttle and fans out: named for the loss with its share', () => {
    const r = quietLoss();
    throttled(r, 'connections', { PutItem: 3 });
    r.cloudwatch!.functionErrors = { 'fanout-send-message': [{ kind: 'ProvisionedThroughputExceededException', message: 'x', count: 3, phase: 'invoke', firstFrame: null, firstAt: 0 }] } as never;
    const e = limitEvidence(r, new Set(['loss'])).find((x) => x.factor === 'dynamodb-throttles');
    expect(e?.line).toMatch(/3 invocations failed on it \(ProvisionedThroughputExceededException\); it can lose deliveries: 3 of those invocations fan out$/);
    expect(e?.share).toBeGreaterThan(0);
  });

  it('Lambda throttles of the $connect function alone: not named for the loss; of the function that fans out: named', () => {
    const r = quietLoss();
    r.cloudwatch!.lambda['fanout-connect']!.throttles = 4;
    expect(factorsFor(r, 'loss')).not.toContain('lambda-throttles');
    expect(factorsFor(r, 'errors')).toContain('lambda-throttles');
    r.cloudwatch!.lambda['fanout-send-message']!.throttles = 2;
    const e = limitEvidence(r, new Set(['loss'])).find((x) => x.factor === 'lambda-throttles');
    expect(e?.line).toMatch(/^Lambda throttled 2 invocations \(fanout-send-message 2\)/);
  });

  it('connects refused with 429: a failed connect is owed no delivery, no cause of the loss', () => {
    const r = quietLoss();
    r.errors = { 'handshake:429': 3 };
    expect(factorsFor(r, 'loss')).not.toContain('api-gateway-429');
    expect(factorsFor(r, 'errors')).toContain('api-gateway-429');
  });
});
