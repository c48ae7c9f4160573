import { describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { limitEvidence } from '../../src/diagnosis/limit-evidence.ts';
import { searchAnswer } from '../../src/analyses/search/search-answer.ts';
import { judgeExpect, parseExpect } from '../../src/analyses/search/search-expect.ts';
import type { SearchStep } from '../../src/analyses/search/search-schema.ts';
import { quietResults } from '../verdict/quiet-results.ts';

/** A run's results with nothing pointing at a limit: the evidence each test adds is the only one. */
function quiet(): Results {
  const r = quietResults();
  r.quotas = {
    limits: { lambdaConcurrency: { value: 5, source: 'emulator-config' }, requestsPerSecond: { value: 200, source: 'emulator-config' }, requestBurst: { value: 50, source: 'emulator-config' } },
    frameEnforced: false,
    note: 'the local emulator',
    plan: [],
  };
  return r;
}

describe('what limited a step, from its results', () => {
  it('nothing: no line', () => {
    expect(limitEvidence(quiet())).toEqual([]);
  });

  it('Lambda throttles and ConcurrentExecutions at the account limit, with their figures', () => {
    const r = quiet();
    r.cloudwatch!.lambda['fanout-send-message']!.throttles = 42;
    r.cloudwatch!.lambda['fanout-send-message']!.concurrentExecutionsMax = 5;
    expect(limitEvidence(r)).toEqual([
      {
        factor: 'lambda-throttles',
        line: "Lambda throttled 42 invocations (fanout-send-message 42); ConcurrentExecutions peaked at 5 against Lambda's 5 concurrent executions per account (the emulator's config)",
      },
    ]);
  });

  it("a function's reserved concurrency, when it throttled there and the account had room", () => {
    const r = quiet();
    r.quotas!.limits.lambdaConcurrency = { value: 1000, source: 'emulator-config' };
    r.config.target.functions = { source: 'stack', functions: [{ name: 'fanout-send-message', route: 'sendMessage', memoryMB: 1024, reservedConcurrency: 2 }] };
    Object.assign(r.cloudwatch!.lambda['fanout-send-message']!, { throttles: 7, concurrentExecutionsMax: 2 });
    expect(limitEvidence(r)).toEqual([
      { factor: 'lambda-throttles', line: 'Lambda throttled 7 invocations (fanout-send-message 7: its reserved concurrency of 2, ConcurrentExecutions peaked at 2)' },
    ]);
    // at the account's limit as well: both are said
    r.quotas!.limits.lambdaConcurrency = { value: 2, source: 'emulator-config' };
    expect(limitEvidence(r)[0]!.line).toBe(
      "Lambda throttled 7 invocations (fanout-send-message 7: its reserved concurrency of 2, ConcurrentExecutions peaked at 2); ConcurrentExecutions peaked at 2 against Lambda's 2 concurrent executions per account (the emulator's config)",
    );
  });

  it("API Gateway's 429s, naming the stage throttle", () => {
    const r = quiet();
    r.errors = { 'throttle:Too Many Requests': 30 };
    const [e] = limitEvidence(r);
    expect(e).toEqual({
      factor: 'api-gateway-429',
      line: `API Gateway answered 30 of ${r.sends.sent.toLocaleString('en-US')} messages with 429 (Too Many Requests): the stage's throttle of 200 requests/s (the emulator's config), burst 50`,
      // the 429s are all of the step's unexpected errors
      share: 1,
    });
  });

  it("connects refused with 429, naming the stage's throttle when the connect phase came near it, not the new-connection quota", () => {
    const r = quiet();
    r.quotas!.limits.newConnectionsPerSecond = { value: 500, source: 'aws-documented' };
    r.quotas!.limits.requestsPerSecond = { value: 10, source: 'emulator-config' };
    r.quotas!.limits.requestBurst = { value: 5, source: 'emulator-config' };
    const connect = r.phases!.find((p) => p.kind === 'connect')!;
    // 40 attempts in one second: 38 opened, 2 refused
    Object.assign(connect, { durationMs: 1000, connect: { ...connect.connect!, count: 38 }, errors: { 'handshake:429': 2 } });
    r.errors = { 'handshake:429': 2 };
    expect(limitEvidence(r)[0]).toMatchObject({ factor: 'api-gateway-429', line: "2 connects refused with 429 at handshake: the stage's throttle of 10 requests/s (the emulator's config), burst 5" });
    // 600 attempts/s against a stage of 10,000: the 500/s quota's
    r.quotas!.limits.requestsPerSecond = { value: 10_000, source: 'emulator-config' };
    Object.assign(connect, { connect: { ...connect.connect!, count: 598 } });
    expect(limitEvidence(r)[0]!.line).toBe("2 connects refused with 429 at handshake: API Gateway's 500 new connections/s per account and region (AWS's documented default)");
  });

  it("API Gateway's 429s, naming the account's throttle when the step's messages and posts reached it, not the stage's", () => {
    const r = quiet();
    r.errors = { 'throttle:Too Many Requests': 30 };
    const holdSec = r.phases!.filter((p) => p.kind === 'send').reduce((n, p) => n + p.durationMs, 0) / 1000;
    // the stage far above the step's messages; the account just above its messages and posts
    r.quotas!.limits.requestsPerSecond = { value: 1_000_000, source: 'emulator-config' };
    r.quotas!.limits.accountRequestsPerSecond = { value: Math.round((r.sends.sent + r.deliveries.expected) / holdSec / 0.9), source: 'emulator-config' };
    expect(limitEvidence(r)[0]!.line).toMatch(/^API Gateway answered 30 of [\d,]+ messages with 429 \(Too Many Requests\): the account's throttle of [\d,]+ requests\/s \(the emulator's config\)$/);
  });

  it("posts throttled by the account (retried, no client told) with the host holding invocations back: API Gateway named first, not the host", () => {
    const r = quiet();
    const send = r.phases!.filter((p) => p.kind === 'send');
    const holdSec = send.reduce((n, p) => n + p.durationMs, 0) / 1000;
    // the step's messages and their posts at 90 % of an account throttle set to fit them
    r.quotas!.limits.accountRequestsPerSecond = { value: Math.round((r.sends.sent + r.deliveries.expected) / holdSec / 0.9), source: 'emulator-config' };
    r.cloudwatch!.apiGatewayTotals = { ...r.cloudwatch!.apiGatewayTotals!, clientError: 33 };
    r.cloudwatch!.localHost!.heldBack = { 'fanout-send-message': { count: 80, totalMs: 9000, p50Ms: 90, p99Ms: 400, maxMs: 500 } };
    const evidence = limitEvidence(r);
    expect(evidence.map((e) => e.factor)).toEqual(['api-gateway-429', 'local-host']);
    expect(evidence[0]!.line).toMatch(/^the step's requests reached the account's throttle: [\d,]+ requests\/s \([\d,]+ messages in and [\d,]+ @connections posts over [\d.]+ s\) against the account's throttle of [\d,]+ requests\/s \(the emulator's config\); API Gateway counted 33 client errors \(4XX\), its 429s to throttled posts among them$/);
    // well under the throttle, client errors are something else (410s to gone connections): no line
    r.quotas!.limits.accountRequestsPerSecond = { value: 100 * r.quotas!.limits.accountRequestsPerSecond.value, source: 'emulator-config' };
    // the stage's throttle never holds posts: a stage throttle under the step's posts is no evidence
    r.quotas!.limits.requestsPerSecond = { value: 1, source: 'emulator-config' };
    expect(limitEvidence(r).map((e) => e.factor)).toEqual(['local-host']);
  });

  it('provisioned capacity: throttle events alone (a batch that lost only some items) name DynamoDB, tables and indexes', () => {
    const r = quiet();
    const members = {
      readUnits: 10,
      writeUnits: 40,
      writeThrottleEvents: 12,
      indexes: { byConnection: { readUnits: 0, writeUnits: 20, readThrottleEvents: 0, writeThrottleEvents: 3 } },
      operations: { BatchWriteItem: { requests: 5, throttled: 0 } } as Record<string, { requests: number; throttled: number }>,
      conditionalCheckFailed: 0,
    };
    r.cloudwatch!.dynamodb = { 'fanout-room-members': members, 'fanout-messages': { readUnits: 1, writeUnits: 1, readThrottleEvents: 0, writeThrottleEvents: 0, indexes: {}, operations: {}, conditionalCheckFailed: 0 } };
    const line = () => limitEvidence(r).find((e) => e.factor === 'dynamodb-throttles')?.line;
    expect(limitEvidence(r).map((e) => e.factor)).toEqual(['dynamodb-throttles']);
    expect(line()).toBe('throttle events: fanout-room-members 12 write, fanout-room-members index byConnection 3 write');
    members.operations.PutItem = { requests: 9, throttled: 4 };
    expect(line()).toBe('DynamoDB throttled 4 requests (fanout-room-members: PutItem 4); throttle events: fanout-room-members 12 write, fanout-room-members index byConnection 3 write');
    // no events, no throttled requests: nothing to name
    members.writeThrottleEvents = 0;
    members.indexes.byConnection.writeThrottleEvents = 0;
    members.operations.PutItem.throttled = 0;
    expect(limitEvidence(r)).toEqual([]);
  });

  it('post errors first by their share of the lost deliveries; then, with no share, DynamoDB throttles, the local host, the harness, a cold-start storm, in that order', () => {
    const r = quiet();
    r.cloudwatch!.emf = {
      DynamoDbThrottles: { sum: 7, average: null, p99: null },
      FanoutPostErrors: { sum: 3, average: null, p99: null },
      FanoutPostTimeouts: { sum: 1, average: null, p99: null },
      FanoutDeliveries: { sum: 900, average: null, p99: null },
    };
    r.cloudwatch!.localHost!.heldBack = { 'fanout-send-message': { count: 80, totalMs: 9000, p50Ms: 90, p99Ms: 400, maxMs: 500 } };
    r.harness.saturated = true;
    const reports = Object.values(r.cloudwatch!.reports);
    reports[0]!.initDurationMsTotal = 10 * reports.reduce((n, x) => n + x.durationMsTotal, 0);
    expect(limitEvidence(r).map((e) => e.factor)).toEqual(['connections-post-errors', 'dynamodb-throttles', 'local-host', 'harness-saturated', 'cold-start-storm']);
    expect(limitEvidence(r)[0]!.share).toBe(4 / r.deliveries.lost);
    const line = (f: string) => limitEvidence(r).find((e) => e.factor === f)!.line;
    expect(line('dynamodb-throttles')).toBe('the functions saw 7 throttled DynamoDB attempts (retries included)');
    expect(line('connections-post-errors')).toBe('@connections posts failed: 3 errors and 1 timeouts against 900 posts delivered');
    expect(line('local-host')).toBe('local host held back 80 fanout-send-message invocations (wait p99 400 ms); its cores averaged 40 %');
    expect(line('cold-start-storm')).toMatch(/^a cold-start storm: INIT was 91 % of the step's Lambda time/);
    // SnapStart restores are cold starts too: counted with INIT, said apart
    const run = reports.reduce((n, x) => n + x.durationMsTotal, 0);
    reports[0]!.initDurationMsTotal = 0;
    Object.assign(reports[0]!, { restores: 12, restoreDurationMsTotal: 4 * run });
    expect(line('cold-start-storm')).toMatch(/^a cold-start storm: INIT and SnapStart restores were 80 % of the step's Lambda time \(\d[\d,]* cold starts in [\d,]+ invocations, 0 ms of INIT, [\d,.]+ (ms|s) of restores \(12\)\)$/);
  });
});

function step(index: number, load: number, passed: boolean, p99: number, evidence: SearchStep['evidence'] = []): SearchStep {
  return {
    index,
    load,
    role: 'grow',
    runId: `s${index}`,
    dir: `step-${index}`,
    status: 'completed',
    passed,
    slos: [{ expression: 'broadcast.p99 < 500ms', metric: 'broadcast.p99', unit: 'ms', observed: p99, limit: 500, outcome: passed ? 'pass' : 'fail' }],
    failedChecks: [],
    figures: { holdMs: 3000, offeredMessagesPerSec: load, offeredDeliveriesPerSec: load * 5, deliveredPerSec: load * 5, broadcastP50Ms: p99 / 2, broadcastP99Ms: p99, fanoutCompletionP99Ms: p99, lost: 0, errors: 0 },
    evidence,
  };
}

describe('the answer', () => {
  const throttled = [{ factor: 'lambda-throttles' as const, line: 'Lambda throttled 9 invocations' }];
  const base = { from: 10, to: 100, resolution: 0.1, unit: 'messages/s' };

  it('names the limit and the first failing load\'s evidence; the boundary measured twice inside each other\'s noise is said', () => {
    const a = searchAnswer({ ...base, steps: [step(1, 10, true, 50), step(2, 20, true, 90), step(3, 40, false, 700, throttled), step(4, 30, true, 470), step(5, 35, false, 520, throttled), step(6, 30, true, 499), step(7, 35, false, 495, throttled)] });
    expect(a).toMatchObject({ kind: 'limit-found', maxPassing: 30, firstFailing: 35, withinResolution: false, limitingFactor: 'lambda-throttles' });
    expect(a.summary).toBe('30 messages/s met every SLO, 35 messages/s did not (not yet within the resolution of 10 %); limited by Lambda throttled 9 invocations');
    expect(a.noise).toEqual(['broadcast.p99 at 35 messages/s (495 ms to 520 ms) is inside the noise of 30 messages/s (470 ms to 499 ms): the two loads are not told apart by it']);
  });

  it('no evidence at the failing load is said in one line; a first step that fails and a --to that passes', () => {
    const a = searchAnswer({ ...base, steps: [step(1, 10, true, 50), step(2, 11, false, 600)] });
    expect(a.limitingFactor).toBe('none');
    expect(a.evidence[0]!.line).toMatch(/^no evidence: /);
    expect(a.withinResolution).toBe(true);
    expect(searchAnswer({ ...base, steps: [step(1, 10, false, 900)] })).toMatchObject({ kind: 'first-step-failed', maxPassing: null, firstFailing: 10 });
    expect(searchAnswer({ ...base, steps: [step(1, 50, true, 90), step(2, 100, true, 95)] })).toMatchObject({ kind: 'to-passed', maxPassing: 100, firstFailing: null, limitingFactor: null });
  });

  it('a load whose measurements disagree counts as the majority says, and is said to be inside the noise', () => {
    const a = searchAnswer({ ...base, steps: [step(1, 10, true, 50), step(2, 20, true, 480), step(3, 22, false, 510), step(4, 20, false, 505), step(5, 20, false, 506), step(6, 10, true, 60)] });
    expect([a.maxPassing, a.firstFailing]).toEqual([10, 20]);
    expect(a.noise).toContain('20 messages/s met the SLOs 1 of 3 times: inside the noise, counted as not met by the majority');
  });

  it('--expect holds or not, and a malformed one is one line', () => {
    const a = searchAnswer({ ...base, steps: [step(1, 10, true, 50), step(2, 11, false, 600)] });
    const e = parseExpect('max >= 10');
    expect('problem' in e).toBe(false);
    expect(judgeExpect(e as Exclude<typeof e, { problem: string }>, a, 'messages/s')).toEqual({ expression: 'max >= 10', held: true, detail: 'the highest load that met every SLO is 10 messages/s: "max >= 10" holds' });
    expect(judgeExpect(parseExpect('first > 20') as Exclude<typeof e, { problem: string }>, a, 'messages/s').held).toBe(false);
    expect(parseExpect('most >= 10')).toEqual({ problem: 'expected "max <op> <number>" or "first <op> <number>" with op one of < <= > >= == !=, e.g. "max >= 2000", got "most >= 10"' });
  });
});
