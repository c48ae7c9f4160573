import { beforeAll, describe, expect, it } from 'vitest';
import { buildSweep, type PointInput } from '../../src/analyses/compare/build-sweep.ts';
import { CompareFile, isSweep, SweepComparison, type PointSetting } from '../../src/analyses/compare/compare-schema.ts';
import { medianRange } from '../../src/analyses/compare/median-range.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import { judgePoint } from '../../src/modes/compare-sweep.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { COMPARED, loadRecorded } from '../fixtures/compare/load.ts';

// buildSweep on real emulator runs (test/fixtures/compare: the fanout scenario with sendMessage
// at 256 MB and at 1,769 MB, three repeats each), taken as two points of a sweep. Each figure is
// checked against the same quantity read straight from the runs; no memory is given to the sweep,
// so each run must be priced at the memory it ran with.

let bySize: Map<number, Results[]>;
beforeAll(async () => {
  bySize = await loadRecorded();
});

const report = (r: Results) => r.cloudwatch!.reports[COMPARED];
const runsAt = (mb: number) => bySize.get(mb)!.map((results, k) => ({ results, dir: `runs/${mb}-${k + 1}` }));
const setting = (membersPerRoom: number, o: Partial<PointSetting> = {}): PointSetting => ({
  clients: 60,
  rooms: 60 / membersPerRoom,
  membersPerRoom,
  messagesPerSecond: 10,
  deliveriesPerSecond: 10 * membersPerRoom,
  payloadBytes: 256,
  target: 'local',
  architecture: 'x86_64',
  ...o,
});

/** sendMessage's Lambda bill per million deliveries at `memoryMB`, from its REPORT lines and the list prices. */
function lambdaCostPerMillion(r: Results, memoryMB: number): number {
  const rep = report(r);
  const p = DEFAULT_PRICES.lambda;
  const compute = ((rep.billedDurationMsTotal + rep.initNotInBilledMs) / 1000) * (memoryMB / 1024) * p.gbSecondX86;
  return (((rep.invocations * p.requestsPerMillion) / 1e6 + compute) / r.deliveries.received) * 1e6;
}

describe('buildSweep on recorded runs', () => {
  it('gives each point its medians over the repeats: fan-out completion, broadcast, Duration, and the cost by service', () => {
    const c = buildSweep({
      parameter: 'room-size',
      holdConstant: 'deliveries',
      slo: ['fanoutCompletion.p99 < 10s'],
      // given out of order: a room-size sweep is ordered by its x
      points: [
        { x: 30, label: '30 members', setting: setting(30), runs: runsAt(1769), slo: { met: false, failed: ['fanoutCompletion.p99 < 10s: crossed'], missedBy: 'stack' } },
        { x: 10, label: '10 members', setting: setting(10), runs: runsAt(256), slo: { met: true, failed: [] } },
      ],
      createdAt: '2026-11-22T12:00:00.000Z',
    });
    expect(c.points.map((p) => [p.x, p.label, p.status])).toEqual([
      [10, '10 members', 'ok'],
      [30, '30 members', 'ok'],
    ]);
    for (const [p, mb] of [[c.points[0]!, 256], [c.points[1]!, 1769]] as const) {
      const runs = bySize.get(mb)!;
      expect(p.metrics.fanoutP50Ms).toEqual(medianRange(runs.map((r) => r.metrics.fanoutCompletion!.p50)));
      expect(p.metrics.fanoutP99Ms).toEqual(medianRange(runs.map((r) => r.metrics.fanoutCompletion!.p99)));
      expect(p.metrics.broadcastP99Ms).toEqual(medianRange(runs.map((r) => r.metrics.broadcast.p99)));
      expect(p.functions[COMPARED]!.durationP99Ms).toEqual(medianRange(runs.map((r) => report(r).duration!.p99)));
      // the default latency of a room-size sweep is fan-out completion p99
      expect(p.metrics.latencyMs).toEqual(p.metrics.fanoutP99Ms);
      expect(p.metrics.totalCostPerMillionDeliveries).toEqual(medianRange(runs.map((r) => r.cost!.perMillionDeliveries)));
      expect(p.costs.apiGateway).toEqual(medianRange(runs.map((r) => (r.cost!.totals.apiGateway / r.deliveries.received) * 1e6)));
      expect(p.costs.dynamodb).toEqual(medianRange(runs.map((r) => (r.cost!.totals.dynamodb / r.deliveries.received) * 1e6)));
      // priced at the memory the point's runs ran with (REPORT Memory Size), none given to the sweep
      expect(runs.map((r) => report(r).memorySizeMB)).toEqual([mb, mb, mb]);
      expect(p.metrics.lambdaCostPerMillionDeliveries!.median).toBeCloseTo(medianRange(runs.map((r) => lambdaCostPerMillion(r, mb)))!.median, 12);
      expect(p.runs.map((r) => [r.repeat, r.dir, r.included])).toEqual([
        [1, `runs/${mb}-1`, true],
        [2, `runs/${mb}-2`, true],
        [3, `runs/${mb}-3`, true],
      ]);
    }
    // same Duration-for-memory trade as a memory comparison: 1,769 MB bills more GB-s per ms
    expect(c.points[1]!.metrics.lambdaCostPerMillionDeliveries!.median).not.toBeCloseTo(c.points[0]!.metrics.lambdaCostPerMillionDeliveries!.median, 6);

    expect(c.parameter).toBe('room-size');
    expect(c.latencyMetric).toBe('fanout-p99');
    expect(c.slo).toEqual(['fanoutCompletion.p99 < 10s']);
    expect(c.recommendation.pick?.label).toBe('10 members');
    expect(c.recommendation.firstFailing?.label).toBe('30 members');
    expect(c.notes.join(' ')).toContain('Same deliveries per second at every room size');
    expect(c.notes.join(' ')).toContain('local emulator');
    // it reads back, as a sweep, through the schema that reads every compare.json
    const read = CompareFile.parse(JSON.parse(JSON.stringify(c)));
    expect(isSweep(read)).toBe(true);
    expect(SweepComparison.parse(read)).toEqual(c);
  });

  it('prices a run whose REPORT lines name no memory at the memory its target recorded', () => {
    const r = structuredClone(bySize.get(256)![0]!);
    report(r).memorySizeMB = null;
    r.config.target.functions = { source: 'stack', functions: [{ name: COMPARED, route: 'sendMessage', memoryMB: 1024 }] };
    const c = buildSweep({ parameter: 'payload', slo: [], points: [{ x: 256, label: '256 B', setting: setting(30), runs: [{ results: r, dir: 'runs/a' }], slo: { met: true, failed: [] } }] });
    expect(c.points[0]!.metrics.lambdaCostPerMillionDeliveries!.median).toBeCloseTo(lambdaCostPerMillion(r, 1024), 12);
  });

  it('keeps the variants in the order given, prices each at its own architecture, and leaves out a point whose runs all failed', () => {
    const failed: Results = { ...structuredClone(bySize.get(256)![1]!), status: 'failed', statusReason: 'the target stopped answering' };
    const points: PointInput[] = [
      { x: 1, label: 'x86', setting: setting(30), runs: runsAt(1769).slice(0, 1), slo: { met: true, failed: [] } },
      { x: 2, label: 'arm', setting: setting(30, { architecture: 'arm64' }), runs: runsAt(1769).slice(0, 1), slo: { met: true, failed: [] } },
      { x: 3, label: 'broken', setting: setting(30), runs: [{ results: failed, dir: 'runs/b' }, { error: 'the stack did not start' }], slo: null },
    ];
    const c = buildSweep({ parameter: 'targets', slo: [], points });
    expect(c.points.map((p) => [p.label, p.status])).toEqual([
      ['x86', 'ok'],
      ['arm', 'ok'],
      ['broken', 'excluded'],
    ]);
    expect(c.target).toBeNull();
    // arm64's GB-second is cheaper than x86_64's: the same run costs less as arm
    const [x86, arm] = c.points;
    expect(arm!.metrics.lambdaCostPerMillionDeliveries!.median).toBeLessThan(x86!.metrics.lambdaCostPerMillionDeliveries!.median);
    expect(c.points[2]!.slo).toBeNull();
    expect(c.excluded).toEqual([{ label: 'broken', reason: 'repeat 1: run failed: the target stopped answering; repeat 2: the stack did not start' }]);
    expect(c.recommendation.rule).toBe('cheapest-within-slo');
    expect(c.latencyMetric).toBe('broadcast-p99');
    expect(c.notes.join(' ')).toContain('round-robin');
    expect(c.notes.join(' ')).toContain('a point meets the SLO when its built-in checks pass');
  });
});

describe('judgePoint: whether a point met the SLO, and whose a miss is', () => {
  const saturate = (r: Results): Results => {
    const x = structuredClone(r);
    x.harness.saturated = true;
    x.harness.saturation = [{ sign: 'lag', shard: 0, lagP99Ms: 84.04, limitMs: 50 }];
    return x;
  };

  it('meets the SLO when the checks and thresholds pass over the repeats, and names what failed otherwise, as the stack\'s', () => {
    // the two 1,769 MB runs whose harness kept up (the third's was saturated while recording)
    const runs = bySize.get(1769)!.slice(0, 2);
    expect(runs.map((r) => r.harness.saturated)).toEqual([false, false]);
    const p99 = Math.max(...runs.map((r) => r.metrics.fanoutCompletion!.p99));
    expect(judgePoint(runs, [parseThreshold(`fanoutCompletion.p99 < ${Math.ceil(p99) + 1000}ms`, 'test')])).toEqual({ met: true, failed: [] });
    const slow = judgePoint(runs, [parseThreshold('fanoutCompletion.p99 < 1ms', 'test')])!;
    expect(slow.met).toBe(false);
    expect(slow.missedBy).toBe('stack');
    expect(slow.failed).toHaveLength(1);
    expect(slow.failed[0]).toMatch(/^fanoutCompletion\.p99 < 1ms: /);
    expect(slow.note).toBeUndefined();
    expect(judgePoint([], [])).toBeNull();
  });

  it('counts a point met when its only failure was a saturated harness, as search counts a step, and says so in its note', () => {
    const [kept, up] = bySize.get(1769)!;
    const slo = judgePoint([kept!, saturate(up!), kept!], [])!;
    expect(slo.met).toBe(true);
    expect(slo.missedBy).toBeUndefined();
    // the recorded 1,769 MB run 3 was itself saturated while it was recorded on a loaded host
    expect(judgePoint([bySize.get(1769)![2]!], [])!.met).toBe(true);
    expect(slo.failed).toHaveLength(1);
    expect(slo.failed[0]).toMatch(/^harness not saturated: /);
    expect(slo.note).toBe(
      "the harness was saturated (in 1 of 3 repeats, shard 0 event-loop lag p99 84.0 ms > 50 ms; latencies include the harness's own delay), and the SLO held even with the harness's own delay in the latencies: the stack met it at least as well",
    );
  });

  it('says the harness was saturated as well when the stack missed more', () => {
    const slo = judgePoint([saturate(bySize.get(1769)![0]!)], [parseThreshold('fanoutCompletion.p99 < 1ms', 'test')])!;
    expect(slo.missedBy).toBe('harness-and-stack');
    expect(slo.failed.map((f) => f.split(':')[0])).toEqual(['harness not saturated', 'fanoutCompletion.p99 < 1ms']);
    expect(slo.note).toContain('the harness was saturated as well (shard 0 event-loop lag p99 84.0 ms > 50 ms');
    expect(slo.note).toContain('a latency miss here may be partly the harness\'s');
  });
});
