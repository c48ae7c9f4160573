import { beforeAll, describe, expect, it } from 'vitest';
import { buildComparison, type SizeInput } from '../../src/analyses/compare/build-comparison.ts';
import { Comparison } from '../../src/analyses/compare/compare-schema.ts';
import { tied } from '../../src/analyses/compare/recommend.ts';
import { medianRange } from '../../src/analyses/compare/median-range.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import { COMPARED, loadRecorded } from '../fixtures/compare/load.ts';
import { renderCompareConsole } from '../../src/report/compare/console.ts';

// Per-size Results of real emulator runs (test/fixtures/compare) → the comparison. Each figure is
// checked against the same quantity read straight from the runs' REPORT-line statistics.

let bySize: Map<number, Results[]>;
beforeAll(async () => {
  bySize = await loadRecorded();
});

const runsAt = (mb: number) => bySize.get(mb)!.map((results, k) => ({ results, dir: `runs/${mb}-${k + 1}` }));
const report = (r: Results) => r.cloudwatch!.reports[COMPARED];

/** The compared function's Lambda bill per million deliveries, from its REPORT lines and the list prices. */
function lambdaCostPerMillion(r: Results): number {
  const rep = report(r);
  const p = DEFAULT_PRICES.lambda;
  const requests = (rep.invocations * p.requestsPerMillion) / 1e6;
  const compute = ((rep.billedDurationMsTotal + rep.initNotInBilledMs) / 1000) * (rep.memorySizeMB! / 1024) * p.gbSecondX86;
  return ((requests + compute) / r.deliveries.received) * 1e6;
}

describe('buildComparison on recorded runs at 256 and 1,769 MB', () => {
  it('shows sendMessage Duration at 256 MB above Duration at 1,769 MB (the emulator gives 256 MB a seventh of a vCPU)', () => {
    const c = buildComparison({ functions: [COMPARED], sizes: [{ memoryMB: 1769, runs: runsAt(1769) }, { memoryMB: 256, runs: runsAt(256) }] });
    expect(c.sizes.map((s) => [s.memoryMB, s.status])).toEqual([
      [256, 'ok'],
      [1769, 'ok'],
    ]);
    const [small, big] = c.sizes;
    for (const s of c.sizes) {
      const runs = bySize.get(s.memoryMB)!;
      // the recorded runs are what they say they are
      expect(runs.map((r) => report(r).memorySizeMB)).toEqual([s.memoryMB, s.memoryMB, s.memoryMB]);
      const f = s.functions[COMPARED];
      expect(f.durationSource).toBe('report-lines');
      expect(f.durationP50Ms).toEqual(medianRange(runs.map((r) => report(r).duration!.p50)));
      expect(f.durationP99Ms).toEqual(medianRange(runs.map((r) => report(r).duration!.p99)));
      expect(f.initP50Ms).toEqual(medianRange(runs.map((r) => report(r).initDuration?.p50 ?? null)));
      expect(f.coldStartShare).toEqual(medianRange(runs.map((r) => report(r).coldStarts / report(r).invocations)));
      expect(s.metrics.durationMeanMs).toEqual(medianRange(runs.map((r) => report(r).durationMsTotal / report(r).invocations)));
      expect(s.metrics.broadcastP99Ms).toEqual(medianRange(runs.map((r) => r.metrics.broadcast.p99)));
      expect(s.metrics.connectP50Ms).toEqual(medianRange(runs.map((r) => r.metrics.connect.p50)));
      expect(s.metrics.totalCostPerMillionDeliveries).toEqual(medianRange(runs.map((r) => r.cost!.perMillionDeliveries)));
      const cost = s.metrics.lambdaCostPerMillionDeliveries!;
      const expected = medianRange(runs.map(lambdaCostPerMillion))!;
      expect(cost.median).toBeCloseTo(expected.median, 12);
      expect([cost.min, cost.max, cost.n]).toEqual([expect.closeTo(expected.min, 12), expect.closeTo(expected.max, 12), 3]);
      expect(s.metrics.gbSeconds!.median).toBeCloseTo(
        medianRange(runs.map((r) => (report(r).durationMsTotal / 1000) * (s.memoryMB / 1024)))!.median,
        9,
      );
      expect(s.costSource).toBe('report-lines');
      expect(s.runs.map((r) => [r.repeat, r.dir, r.included])).toEqual([
        [1, `runs/${s.memoryMB}-1`, true],
        [2, `runs/${s.memoryMB}-2`, true],
        [3, `runs/${s.memoryMB}-3`, true],
      ]);
    }
    expect(small.functions[COMPARED].durationP50Ms!.median).toBeGreaterThan(big.functions[COMPARED].durationP50Ms!.median);
    expect(small.metrics.durationMeanMs!.median).toBeGreaterThan(big.metrics.durationMeanMs!.median);

    // the speed strategy picks the size with the lower mean Duration; cost the cheaper one
    const [cost, speed, balanced] = c.recommendations;
    expect([cost.strategy, speed.strategy, balanced.strategy, balanced.weight]).toEqual(['cost', 'speed', 'balanced', 0.5]);
    expect(speed.pick?.memoryMB).toBe(1769);
    const cheaper = small.metrics.lambdaCostPerMillionDeliveries!.median < big.metrics.lambdaCostPerMillionDeliveries!.median ? 256 : 1769;
    expect(cost.pick?.memoryMB).toBe(cheaper);
    expect(c.notes.join(' ')).toContain('AWS Lambda Power Tuning prices Duration × memory alone: no request charge, no INIT');
    expect(c.notes.join(' ')).toContain('local emulator');
    expect(c.pricing).toMatchObject({ requestsPerMillion: 0.2, initBilled: true, architecture: 'x86_64' });
    expect(Comparison.parse(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });

  it('leaves failed, interrupted, result-less and wrongly sized runs out of the medians, and names them', () => {
    const [good, other] = bySize.get(256)!;
    const failed: Results = { ...structuredClone(other), status: 'failed', statusReason: 'the target stopped answering' };
    const interrupted: Results = { ...structuredClone(other), status: 'interrupted', statusReason: 'SIGINT' };
    const sizes: SizeInput[] = [
      { memoryMB: 256, runs: [{ results: good, dir: 'a' }, { results: failed, dir: 'b' }] },
      {
        memoryMB: 512,
        runs: [
          { error: 'UpdateFunctionConfiguration: LastUpdateStatus Failed' },
          { results: interrupted },
          { results: good }, // a 256 MB run filed under 512 MB: its REPORT lines say so
        ],
      },
      { memoryMB: 1769, runs: runsAt(1769) },
    ];
    const c = buildComparison({ functions: [COMPARED], sizes, balancedWeights: [0, 0.5, 1] });
    const at = (mb: number) => c.sizes.find((s) => s.memoryMB === mb)!;

    expect(at(256).status).toBe('partial');
    expect(at(256).runs.map((r) => [r.included, r.status, r.excludedBecause])).toEqual([
      [true, 'completed', undefined],
      [false, 'failed', 'run failed: the target stopped answering'],
    ]);
    expect(at(256).metrics.durationMeanMs).toEqual(medianRange([report(good).durationMsTotal / report(good).invocations]));

    expect(at(512).status).toBe('excluded');
    expect(at(512).metrics.latencyMs).toBeNull();
    expect(at(512).runs.map((r) => r.excludedBecause)).toEqual([
      'UpdateFunctionConfiguration: LastUpdateStatus Failed',
      'run interrupted: SIGINT',
      'fanout-send-message ran with 256 MB, not 512 MB (REPORT Memory Size)',
    ]);
    expect(c.excluded).toEqual([
      {
        memoryMB: 512,
        reason:
          'repeat 1: UpdateFunctionConfiguration: LastUpdateStatus Failed; repeat 2: run interrupted: SIGINT; repeat 3: fanout-send-message ran with 256 MB, not 512 MB (REPORT Memory Size)',
      },
    ]);
    expect(c.repeat).toBe(3);
    for (const r of c.recommendations) {
      expect(r.pick?.memoryMB, `${r.strategy} ${r.weight}`).not.toBe(512);
      expect(r.skipped).toEqual([{ memoryMB: 512, reason: 'no run counted (see excluded)' }]);
    }
    // balanced at 1 and 0 agree with cost and speed on real numbers too
    const pick = (strategy: string, weight: number | null) => c.recommendations.find((r) => r.strategy === strategy && r.weight === weight)!.pick?.memoryMB;
    expect(pick('balanced', 1)).toBe(pick('cost', null));
    expect(pick('balanced', 0)).toBe(pick('speed', null));
  });

  it("tells each run's failed checks and why beside its figures, from that run's own evidence", () => {
    const [good, other] = bySize.get(256)!;
    const erring: Results = structuredClone(other);
    erring.errors = { ...erring.errors, 'handshake:500': 3 };
    erring.cloudwatch!.lambda['fanout-connect'] = { ...erring.cloudwatch!.lambda['fanout-connect']!, errors: 3 };
    const c = buildComparison({ functions: [COMPARED], sizes: [{ memoryMB: 256, runs: [{ results: good, dir: 'a' }, { results: erring, dir: 'b' }] }] });
    const [first, second] = c.sizes[0]!.runs;
    expect(first!.why?.failed.some((f) => f.check === 'no unexpected errors')).not.toBe(true);
    const e = second!.why!.explanations.find((x) => x.check === 'no unexpected errors')!;
    expect(second!.why!.failed).toContainEqual({ check: 'no unexpected errors', detail: '3 unexpected errors: handshake:500 ×3' });
    expect(e.evidence[0]).toMatchObject({ factor: 'function-errors', line: expect.stringMatching(/^fanout-connect: 3 errors in [\d,]+ invocations/) });
    // still counted: a failed check is a finding, not a broken run
    expect(second!.included).toBe(true);
    const lines = renderCompareConsole(c);
    const at = lines.indexOf('  why 256 MB repeat 2:');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1)).toContain('    check failed: no unexpected errors: 3 unexpected errors: handshake:500 ×3');
    expect(lines.slice(at + 1).some((l) => /^      why: fanout-connect: 3 errors in/.test(l))).toBe(true);
  });

  it('warns, and still counts, a run whose latencies include the local host\'s queueing', () => {
    const [clean, other] = bySize.get(256)!;
    const held: Results = structuredClone(other);
    const invocations = held.cloudwatch!.lambda[COMPARED].invocations;
    held.cloudwatch!.localHost = {
      hostBusyAvgPercent: 60,
      hostBusyPeakPercent: 99,
      stackCpuMs: 20_000,
      heldBack: { [COMPARED]: { count: Math.ceil(invocations / 10), totalMs: 9_000, p50Ms: 200, p99Ms: 400, maxMs: 410 } },
    };
    const c = buildComparison({ functions: [COMPARED], sizes: [{ memoryMB: 256, runs: [{ results: clean, dir: 'a' }, { results: held, dir: 'b' }] }] });
    const [a, b] = c.sizes[0].runs;
    expect(a.warnings).not.toContain("local host held the stack back: latencies include the host's queueing");
    expect(b.warnings).toContain("local host held the stack back: latencies include the host's queueing");
    expect(b.included).toBe(true);
  });

  it('ranks the latency asked for, and refuses an empty comparison', () => {
    const sizes = [{ memoryMB: 256, runs: runsAt(256) }, { memoryMB: 1769, runs: runsAt(1769) }];
    const c = buildComparison({ functions: [COMPARED], sizes, latencyMetric: 'broadcast-p99' });
    for (const s of c.sizes) expect(s.metrics.latencyMs).toEqual(s.metrics.broadcastP99Ms);
    // the speed pick by the documented rule: the lower broadcast p99, or within 1 % the cheaper
    const [a, b] = c.sizes;
    const [pa, pb] = [a.metrics.broadcastP99Ms!.median, b.metrics.broadcastP99Ms!.median];
    const cheaper = a.metrics.lambdaCostPerMillionDeliveries!.median <= b.metrics.lambdaCostPerMillionDeliveries!.median ? a : b;
    const expected = tied(pa, pb) ? cheaper : pa < pb ? a : b;
    const speed = c.recommendations[1];
    expect(speed.pick?.memoryMB).toBe(expected.memoryMB);
    if (tied(pa, pb)) expect(speed.reason).toContain('tie within 1 %');
    expect(() => buildComparison({ functions: [], sizes })).toThrow('no compared function');
    expect(() => buildComparison({ functions: [COMPARED], sizes: [] })).toThrow('no memory size');
    expect(() => buildComparison({ functions: [COMPARED], sizes: [...sizes, { memoryMB: 256, runs: [] }] })).toThrow('256 MB given twice');
  });
});
