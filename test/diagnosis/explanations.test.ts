import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { UNEXPLAINED } from '../../src/diagnosis/explanations.ts';
import { limitRemedy } from '../../src/diagnosis/limit-evidence.ts';
import { verdictLines } from '../../src/report/run/verdict-text.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { buildResults } from '../report/fixtures.ts';

// A failed check carries its explanation, from the evidence a search names its limit by
// (src/diagnosis/limit-evidence.ts), on the report fixture: a run with a CloudWatch pull.

/** The fixture with no limit in its evidence: no throttles, no held-back invocations, no function errors. */
function quiet(): Results {
  const r = buildResults();
  for (const t of Object.values(r.cloudwatch!.lambda)) Object.assign(t, { throttles: 0, errors: 0, concurrentExecutionsMax: 1 });
  r.cloudwatch!.localHost = { ...r.cloudwatch!.localHost!, heldBack: {}, hostBusyAvgPercent: 20, hostBusyPeakPercent: 30 };
  r.cloudwatch!.emf = {};
  r.cloudwatch!.apiGatewayTotals = { ...r.cloudwatch!.apiGatewayTotals!, clientError: 0 };
  r.errors = {};
  return Results.parse(r);
}

describe('a failed check explains itself', () => {
  it("names the table's throttles behind handshakes answered 500, with what would move them", () => {
    const r = quiet();
    // $connect writes to a table provisioned too small for the storm, catches the throttle and answers 500
    r.errors = { 'handshake:500': 1 };
    const connections = r.cloudwatch!.dynamodb!['fanout-connections']!;
    connections.operations.PutItem = { requests: 1000, throttled: 50 };
    connections.writeThrottleEvents = 50;
    const v = evaluate(r);
    const e = v.explanations!.find((x) => x.check === 'no unexpected errors')!;
    expect(e.evidence.map((x) => x.factor)).toEqual(['dynamodb-throttles']);
    expect(e.evidence[0]!.line).toBe('DynamoDB throttled 50 requests (fanout-connections: PutItem 50); throttle events: fanout-connections 50 write');
    expect(e.evidence[0]!.remedy).toBe(limitRemedy('dynamodb-throttles'));
    expect(e.unexplained).toBeUndefined();
    // the console shows it under the check
    const lines = verdictLines(v);
    const at = lines.findIndex((l) => l.startsWith('  check failed: no unexpected errors'));
    expect(lines[at + 1]).toBe(`    why: DynamoDB throttled 50 requests (fanout-connections: PutItem 50); throttle events: fanout-connections 50 write (what would move it: ${limitRemedy('dynamodb-throttles')})`);
  });

  it("ranks the evidence as a search does, the fan-out's own errors first by their share, and says where deliveries went missing", () => {
    const r = buildResults(); // Lambda throttled fanout-send-message 18 times, the host held connects back, 12 lost
    const v = evaluate(Results.parse(r));
    const lost = v.explanations!.find((x) => x.check === 'no lost deliveries')!;
    // the host's short waits on $connect cannot lose a delivery under a 30 s loss timeout: not named for the loss
    expect(lost.evidence.map((x) => x.factor)).toEqual(['function-errors', 'lambda-throttles']);
    // results pulled before the logs were read for errors: AWS/Lambda Errors' count alone
    expect(lost.evidence[0]!.line).toMatch(/^fanout-send-message: 2 errors in [\d,]+ invocations \(AWS\/Lambda Errors\)$/);
    expect(lost.evidence[0]!.share).toBe(2 / r.sends.sent);
    expect(lost.where).toEqual(r.phases!.filter((p) => p.deliveries.lost > 0).map((p) => `send phase "${p.name}": ${p.deliveries.lost} of ${p.deliveries.expected.toLocaleString('en-US')} expected deliveries lost`));
  });

  it('says so when nothing in the evidence explains it', () => {
    const r = quiet();
    r.deliveries = { ...r.deliveries, lost: 3, expected: r.deliveries.received + 3 };
    const e = evaluate(r).explanations!.find((x) => x.check === 'no lost deliveries')!;
    expect(e).toMatchObject({ evidence: [], unexplained: UNEXPLAINED });
  });

  it('a crossed threshold is explained by every kind of evidence: a host that held invocations back', () => {
    const r = quiet();
    r.cloudwatch!.localHost = { ...r.cloudwatch!.localHost!, heldBack: { 'fanout-send-message': { count: 40, totalMs: 12_000, p50Ms: 300, p99Ms: 900, maxMs: 950 } } };
    const v = evaluate(r, { thresholds: [parseThreshold('broadcast.p99 < 1ms', '--threshold'), parseThreshold('connect.p99 < 3600s', '--threshold')] });
    // the crossed one only, named by its expression, after the failed checks' (the fixture lost deliveries)
    const failedChecks = v.checks.filter((c) => !c.passed).length;
    expect(v.explanations).toHaveLength(failedChecks + 1);
    const e = v.explanations!.at(-1)!;
    expect(e).toMatchObject({ check: 'broadcast.p99 < 1ms', kind: 'threshold' });
    expect(e.evidence.map((x) => x.factor)).toEqual(['local-host']);
    expect(e.evidence[0]!.line).toMatch(/^local host held back 40 fanout-send-message invocations \(wait p99 900 ms\)/);
    const lines = verdictLines(v);
    const at = lines.findIndex((l) => l.startsWith('  crossed: broadcast.p99 < 1ms: '));
    expect(lines[at + 1]).toBe(`    why: ${e.evidence[0]!.line} (what would move it: ${limitRemedy('local-host')})`);
  });

  it('a run whose checks all pass has none', () => {
    const r = quiet();
    r.deliveries = { ...r.deliveries, lost: 0, expected: r.deliveries.received };
    expect(evaluate(r).explanations).toBeUndefined();
  });
});
