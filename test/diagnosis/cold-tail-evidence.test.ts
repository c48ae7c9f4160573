import { describe, expect, it } from 'vitest';
import type { LatencySummary } from '../../src/contracts/latency-summary-schema.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { limitEvidence } from '../../src/diagnosis/limit-evidence.ts';
import { UNEXPLAINED } from '../../src/diagnosis/explanations.ts';
import { quietResults } from '../verdict/quiet-results.ts';

/**
 * Cold starts named as the cause of a crossed tail latency where the run traced the slowest 1 % of
 * its requests to cold invocations (cold-tail-evidence.ts). A run the harness made on this machine
 * crossed `broadcast.p99 < 5ms` at 272 ms with every one of its slowest deliveries cold, and its
 * why said nothing explained it while the console's cold/warm block said "100 % of the slowest 1 %
 * cold". Results objects: the quiet fixture (nothing else pointing anywhere) with the deliveries'
 * split as results.attribution keeps it, the stack's figure (host waits taken out) and the client's.
 */
const summary = (count: number, p50: number, p99: number): LatencySummary => ({ count, min: p50 / 2, mean: p50 * 1.2, p50, p90: p50 * 2, p99, p999: p99, max: p99 });

function withColdTail(o: { tailColdShare: number; p99: number; withoutCold: number; clientP99?: number }): Results {
  const r = quietResults();
  const all = summary(1000, 18, o.p99);
  const core = {
    all,
    cold: summary(40, 258, o.p99),
    warm: summary(960, 17.6, o.withoutCold),
    unattributed: 0,
    penaltyMs: 240,
    tailColdShare: o.tailColdShare,
    p99Ms: o.p99,
    p99WithoutColdMs: o.withoutCold,
  };
  const client = o.clientP99 ?? o.p99;
  r.metrics.broadcast = summary(1000, 18, client);
  r.attribution = {
    source: 'access-log',
    accessLog: 'enable',
    requests: { timed: 1000, attributed: 1000, unattributed: 0, why: {} },
    broadcast: { ...core, all: summary(1000, 18, client), p99Ms: client, stack: core },
    routes: [],
    coldPoints: [],
    notes: [],
    stack: { broadcast: all, heldBack: 0, invocations: 1100 },
  };
  return Results.parse(r);
}

const whyOf = (r: Results, slo: string) => {
  const verdict = evaluate(r, { thresholds: [parseThreshold(slo, '--slo')] });
  return { threshold: verdict.thresholds[0]!, why: verdict.explanations!.find((e) => e.check === slo)! };
};

describe('cold starts as the cause of a crossed tail', () => {
  it("the issue's run: broadcast p99 272 ms against < 5ms, every one of the slowest 1 % cold: named, with the p99 without them still over", () => {
    const { threshold, why } = whyOf(withColdTail({ tailColdShare: 1, p99: 272, withoutCold: 76.5 }), 'broadcast.p99 < 5ms');
    expect(threshold).toMatchObject({ outcome: 'fail', observed: 272 });
    expect(why.unexplained).toBeUndefined();
    expect(why.evidence).toEqual([
      {
        factor: 'cold-start-tail',
        line: "cold starts made the tail: 100 % of the slowest 1 % of deliveries were served by a cold invocation (40 of 1,000 deliveries cold; the stack's cold p50 258 ms against warm p50 17.6 ms); p99 of the traced deliveries 272 ms, 76.5 ms without the cold ones, still over the limit",
        remedy: expect.stringMatching(/^provisioned concurrency for the route's function/),
      },
    ]);
  });

  it('says "within the limit" where the p99 without the cold ones keeps to it, and reads fan-out completion on the deliveries', () => {
    const r = withColdTail({ tailColdShare: 0.8, p99: 400, withoutCold: 90 });
    expect(whyOf(r, 'broadcast.p99 < 100ms').why.evidence[0]!.line).toMatch(/^cold starts made the tail: 80 % of the slowest 1 % of deliveries .* 90 ms without the cold ones, within the limit$/);
    r.metrics.fanoutCompletion = summary(100, 20, 400);
    expect(whyOf(r, 'fanoutCompletion.max < 100ms').why.evidence.map((e) => e.factor)).toEqual(['cold-start-tail']);
  });

  it("judges the client's figure where the threshold names it", () => {
    const r = withColdTail({ tailColdShare: 1, p99: 272, withoutCold: 76.5, clientP99: 900 });
    expect(whyOf(r, 'client.broadcast.p99 < 500ms').why.evidence[0]!.line).toContain("the client's cold p50 258 ms");
  });

  it('is no cause of a median, of a tail mostly warm, or of a cold/warm split', () => {
    const r = withColdTail({ tailColdShare: 1, p99: 272, withoutCold: 76.5 });
    expect(whyOf(r, 'broadcast.p50 < 5ms').why.unexplained).toBe(UNEXPLAINED);
    expect(whyOf(withColdTail({ tailColdShare: 0.3, p99: 272, withoutCold: 200 }), 'broadcast.p99 < 5ms').why.unexplained).toBe(UNEXPLAINED);
    // no latency asked about: nothing
    expect(limitEvidence(r, new Set(['loss'])).map((e) => e.factor)).not.toContain('cold-start-tail');
  });

  it("a latency as the clients timed it (a search step's failed check, no threshold): read on the client's figure", () => {
    const r = withColdTail({ tailColdShare: 1, p99: 272, withoutCold: 76.5, clientP99: 900 });
    const lines = limitEvidence(r, new Set(['latency'])).filter((e) => e.factor === 'cold-start-tail');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.line).toContain("the client's cold p50 258 ms");
    expect(lines[0]!.line).toContain('p99 of the traced deliveries 900 ms, 76.5 ms without the cold ones');
  });

  it('ranks after the host and the harness, whose delay can make an invocation cold too', () => {
    const r = withColdTail({ tailColdShare: 1, p99: 272, withoutCold: 76.5 });
    r.harness.saturated = true;
    r.harness.eventLoopLagP99Ms = 400;
    expect(whyOf(r, 'broadcast.p99 < 5ms').why.evidence.map((e) => e.factor)).toEqual(['harness-saturated', 'cold-start-tail']);
  });
});
