import { describe, expect, it } from 'vitest';
import type { LatencySummary } from '../../src/contracts/latency-summary-schema.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { limitEvidence } from '../../src/diagnosis/limit-evidence.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * The local host named as a latency's cause only where the judged figure holds its waits (issue
 * 57). Results objects: the report fixture with nothing else pointing anywhere, the host holding
 * back most fanout-send-message invocations, and the stack's figures the access log adds against
 * the local emulator (each request's wait for a host slot taken out).
 */
const SEND = 'fanout-send-message';

function heldBackRun(): Results {
  const r = buildResults();
  r.errors = {};
  r.harness.saturated = false;
  const cw = r.cloudwatch!;
  for (const t of Object.values(cw.lambda)) Object.assign(t, { throttles: 0, errors: 0, concurrentExecutionsMax: 1 });
  cw.emf = {};
  for (const rep of Object.values(cw.reports)) rep.initDurationMsTotal = 0;
  delete cw.dynamodb;
  cw.apiGatewayTotals = { ...cw.apiGatewayTotals!, clientError: 0 };
  cw.functionErrors = {};
  r.config.target.functions = {
    source: 'stack',
    functions: [
      { name: 'fanout-connect', route: '$connect', memoryMB: 256, timeoutSeconds: 10 },
      { name: SEND, route: 'sendMessage', memoryMB: 128, timeoutSeconds: 3 },
    ],
  };
  const invocations = cw.lambda[SEND]!.invocations;
  cw.localHost = {
    hostBusyAvgPercent: 40,
    hostBusyPeakPercent: 70,
    stackCpuMs: 1000,
    heldBack: { [SEND]: { count: Math.round(invocations * 0.9), totalMs: 9e5, p50Ms: 1900, p99Ms: 3000, maxMs: 3004 } },
  };
  r.deliveries = { ...r.deliveries, lost: 0, expected: r.deliveries.received, lossTimeoutMs: 2000 };
  return Results.parse(r);
}

const at = (s: LatencySummary, p99: number): LatencySummary => ({ ...s, p99, p999: Math.max(s.p999, p99), max: Math.max(s.max, p99) });

/**
 * The run's broadcast latency: the clients' p99, and the stack's (host waits taken out) as
 * results.attribution keeps it. `untraced` deliveries could not be traced to their invocation:
 * they count in the stack's figure at the client's latency; `tracedP99`, the traced ones' own.
 */
function withStackFigures(r: Results, o: { clientP99: number; stackP99: number; untraced?: number; tracedP99?: number }): Results {
  const client = at(r.metrics.broadcast, o.clientP99);
  const stack = at({ ...client, p50: client.p50 / 4, mean: client.mean / 4, min: client.min / 4 }, o.stackP99);
  const untraced = o.untraced ?? 0;
  const split = (all: LatencySummary, p99Ms: number) => ({ all, unattributed: untraced, penaltyMs: null, tailColdShare: 0, p99Ms, p99WithoutColdMs: p99Ms });
  r.metrics.broadcast = client;
  r.attribution = {
    source: 'access-log',
    accessLog: 'enable',
    requests: { timed: client.count, attributed: client.count - untraced, unattributed: untraced, why: untraced > 0 ? { 'MESSAGE lines tied in requestTimeEpoch and their invocations differ': untraced } : {} },
    broadcast: { ...split(client, o.clientP99), stack: split(stack, o.tracedP99 ?? o.stackP99) },
    routes: [],
    coldPoints: [],
    notes: [],
    stack: { broadcast: stack, heldBack: 90, invocations: 100, wait: { count: 90, min: 3, mean: 1600, p50: 1900, p90: 2800, p99: 3000, p999: 3004, max: 3004 } },
  };
  return Results.parse(r);
}

/** The run judged on `slo`: its explanation's evidence, and the evidence a search step keeps (read from the verdict). */
function judged(r: Results, slo: string) {
  const verdict = evaluate(r, { thresholds: [parseThreshold(slo, '--slo')] });
  const threshold = verdict.thresholds[0]!;
  const why = verdict.explanations?.find((e) => e.check === slo)?.evidence ?? [];
  return { threshold, why, step: limitEvidence({ ...r, verdict }) };
}

const HELD = /local host held back [\d,]+ of [\d,]+ fanout-send-message invocations/;

describe("the local host as a latency's cause, weighed on the judged figure", () => {
  it('no stack figure (AWS, --access-log off, older results): the client figure holds the waits, and the host is named', () => {
    const { threshold, why, step } = judged(heldBackRun(), 'broadcast.p99 < 1ms');
    expect(threshold.outcome).toBe('fail');
    expect(why.map((e) => e.factor)).toEqual(['local-host']);
    expect(why[0]!.line).toMatch(HELD);
    expect(why[0]!.line).not.toMatch(/stack/);
    expect(step.map((e) => e.factor)).toEqual(['local-host']);
  });

  it("the stack's figure crossed on its own, every request traced: the waits are taken out of it and not named", () => {
    const r = withStackFigures(heldBackRun(), { clientP99: 3200, stackP99: 900 });
    const { threshold, why, step } = judged(r, 'broadcast.p99 < 500ms');
    expect(threshold).toMatchObject({ outcome: 'fail', observed: 900 });
    expect(why.map((e) => e.factor)).not.toContain('local-host');
    expect(step.map((e) => e.factor)).not.toContain('local-host');
    // the same waits still bear on what they can cause: a loss, where they came within reach of the loss timeout
    r.deliveries = { ...r.deliveries, lost: 12, expected: r.deliveries.received + 12 };
    const lost = evaluate(r).explanations!.find((e) => e.check === 'no lost deliveries')!.evidence;
    expect(lost.map((e) => e.factor)).toEqual(['local-host']);
    expect(lost[0]!.line).toMatch(HELD);
  });

  it("a busy host's cores are in the stack's figure too (only slot waits are taken out): named, its held-back waits not", () => {
    const r = withStackFigures(heldBackRun(), { clientP99: 3200, stackP99: 900 });
    r.cloudwatch!.localHost!.hostBusyAvgPercent = 97;
    const { why } = judged(r, 'broadcast.p99 < 500ms');
    expect(why.map((e) => e.factor)).toEqual(['local-host']);
    expect(why[0]!.line).toMatch(/^local host busy: its cores averaged 97 %/);
    expect(why[0]!.line).not.toMatch(/held back/);
  });

  it("the client's figure crossed and the stack's did not: the limit is the host's, and the stack's own p99 is said", () => {
    const r = withStackFigures(heldBackRun(), { clientP99: 3200, stackP99: 340 });
    expect(judged(r, 'broadcast.p99 < 500ms').threshold.outcome).toBe('pass');
    const { threshold, why, step } = judged(r, 'client.broadcast.p99 < 500ms');
    expect(threshold).toMatchObject({ outcome: 'fail', observed: 3200 });
    expect(why.map((e) => e.factor)).toEqual(['local-host']);
    expect(why[0]!.line).toMatch(HELD);
    expect(why[0]!.line).toMatch(/; the stack's own broadcast p99 340 ms is within the limit \(< 500 ms\): the host's waits crossed it, not the stack$/);
    expect(step[0]!.line).toBe(why[0]!.line);
    // both crossed: the stack crossed without the waits, they are not its cause
    const both = withStackFigures(heldBackRun(), { clientP99: 3200, stackP99: 900 });
    expect(judged(both, 'client.broadcast.p99 < 500ms').why.map((e) => e.factor)).not.toContain('local-host');
  });

  it("the stack's figure crossed on requests not traced to their invocation (counted at the client's latency): the host, with the traced ones' p99", () => {
    // as a search's failing step measured it: 88 of 384 deliveries (23 %) untraced, the stack's p99 2,875 ms, the traced ones' 340 ms
    const untraced = Math.round(heldBackRun().metrics.broadcast.count * 0.23);
    const r = withStackFigures(heldBackRun(), { clientP99: 3160, stackP99: 2875, untraced, tracedP99: 340 });
    const { threshold, why, step } = judged(r, 'broadcast.p99 < 500ms');
    expect(threshold).toMatchObject({ outcome: 'fail', observed: 2875 });
    expect(why.map((e) => e.factor)).toEqual(['local-host']);
    expect(why[0]!.line).toMatch(HELD);
    expect(why[0]!.line).toContain(
      `; ${untraced.toLocaleString('en-US')} of ${r.metrics.broadcast.count.toLocaleString('en-US')} deliveries could not be traced to their invocation and count in the stack's figure at the client's latency, wait included; the traced deliveries' own broadcast p99 340 ms is within the limit (< 500 ms): the host's waits crossed it, not the stack`,
    );
    expect(step.map((e) => e.factor)).toEqual(['local-host']);
    // the traced ones crossed too: the stack's own latency crossed, the waits are not named
    const own = withStackFigures(heldBackRun(), { clientP99: 3160, stackP99: 2875, untraced, tracedP99: 700 });
    expect(judged(own, 'broadcast.p99 < 500ms').why.map((e) => e.factor)).not.toContain('local-host');
    // a statistic whose traced figure is not kept (p90): the untraced requests keep the waits in it, said as such
    const p90 = judged(r, 'broadcast.p90 < 1ms').why;
    expect(p90[0]!.line).toMatch(/deliveries could not be traced to their invocation and count in the stack's figure at the client's latency, wait included$/);
  });

  it("a failed latency check (harness not saturated) reads the latency as timed, unless a crossed latency SLO says what was judged", () => {
    const r = withStackFigures(heldBackRun(), { clientP99: 3200, stackP99: 900 });
    expect(limitEvidence(r, new Set(['latency'])).map((e) => e.factor)).toContain('local-host');
    expect(limitEvidence(r, new Set(['latency']), [{ metric: 'broadcast.p99', op: '<', limit: 500 }]).map((e) => e.factor)).not.toContain('local-host');
    // a search step whose harness was saturated too: its evidence is the SLO's, the stack having crossed on its own
    r.harness.saturated = true;
    const verdict = evaluate(r, { thresholds: [parseThreshold('broadcast.p99 < 500ms', '--slo')] });
    expect(verdict.checks.find((c) => c.name === 'harness not saturated')!.passed).toBe(false);
    expect(limitEvidence({ ...r, verdict }).map((e) => e.factor)).toEqual(['harness-saturated']);
    // without a latency SLO crossed, the harness's latency is as timed: the host's waits are named beside it
    const alone = evaluate(r);
    expect(limitEvidence({ ...r, verdict: alone }).map((e) => e.factor)).toEqual(['local-host', 'harness-saturated']);
  });
});
