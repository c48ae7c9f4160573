import { describe, expect, it } from 'vitest';
import { buildTrend, type ReadRun } from '../../src/analyses/trend/build-trend.ts';
import { eDivisive } from '../../src/analyses/trend/e-divisive.ts';
import { commitOf, syntheticRuns } from './trend-synthetic.ts';

/**
 * Change points over 40 synthetic nightly runs with 2 % noise: a 15 % step at a known night is named
 * at that night and no other, with the commits between; a 3 % drift within the noise is named
 * nowhere; a work count that changes is named at once, without statistics. Several seeds, so
 * no lucky draw of noise carries a test.
 */
const NIGHTS = 40;
const STEP_AT = 27;
const SEEDS = [1, 2, 3];
// relative standard deviation of every noisy metric (p99s: about 1.4 times it); the 15 % step is 7.5 of it
const NOISE = 0.02;
const trendOf = (runs: ReadRun[]) => buildTrend({ runs, toolVersion: '0.1.0', createdAt: '2026-02-10T00:00:00.000Z' });

describe('a trend of 40 nightly runs', () => {
  for (const seed of SEEDS) {
    it(`names a 15 % step at night ${STEP_AT}, and nothing else (noise seed ${seed})`, () => {
      const runs = syntheticRuns({ nights: NIGHTS, level: (n) => (n >= STEP_AT ? 1.15 : 1), noise: NOISE, seed });
      const trend = trendOf(runs);
      expect(trend.runs).toHaveLength(NIGHTS);
      const named = trend.changePoints.map((c) => `${c.metric}@${c.index}`);
      expect(trend.changePoints.every((c) => c.index === STEP_AT), named.join(', ')).toBe(true);
      const metrics = trend.changePoints.map((c) => c.metric);
      expect(metrics).toEqual(expect.arrayContaining(['broadcast.p50', 'cost.perMillionDeliveries', 'lambda.fanout-send-message.durationMean', 'harness.cpuSeconds']));
      const p50 = trend.changePoints.find((c) => c.metric === 'broadcast.p50')!;
      expect(p50).toMatchObject({
        method: 'e-divisive',
        runId: `nightly-${STEP_AT}`,
        lastBeforeRunId: `nightly-${STEP_AT - 1}`,
        lastBeforeCommit: commitOf(STEP_AT - 1),
        commit: commitOf(STEP_AT),
      });
      expect(p50.pValue!).toBeLessThanOrEqual(0.05);
      expect(p50.changePct!).toBeGreaterThan(10);
      expect(p50.changePct!).toBeLessThan(20);
      expect(p50.before.runs).toBe(STEP_AT);
      expect(p50.after.runs).toBe(NIGHTS - STEP_AT);
      expect(p50.before.low).toBeLessThan(p50.before.median);
      expect(p50.before.high).toBeGreaterThan(p50.before.median);
      // the work counts did not move: nothing named on them
      expect(metrics.filter((m) => m.startsWith('dynamodb.') || m.endsWith('PerMessage') || m === 'deliveries.lost')).toEqual([]);
    });

    it(`names no change in a 3 % drift within the noise (noise seed ${seed})`, () => {
      const runs = syntheticRuns({ nights: NIGHTS, level: (n) => 1 + (0.03 * n) / (NIGHTS - 1), noise: NOISE, seed });
      const trend = trendOf(runs);
      expect(trend.changePoints.map((c) => `${c.metric}@${c.index}`)).toEqual([]);
    });
  }

  it('names a work count that changes at the run it changed, without statistics, even on the last run', () => {
    const runs = syntheticRuns({ nights: 12, level: () => 1, noise: 0.03, seed: 9 });
    for (const run of runs.slice(11)) run.results.dynamodb!.readUnitsPerMessage! *= 1.5;
    const trend = trendOf(runs);
    expect(trend.changePoints).toEqual([
      expect.objectContaining({ metric: 'dynamodb.readUnitsPerMessage', method: 'exact', index: 11, lastBeforeRunId: 'nightly-10', commit: commitOf(11) }),
    ]);
    expect(trend.changePoints[0]!.pValue).toBeUndefined();
  });

  it('is deterministic: the same runs give the same change points', () => {
    const runs = () => syntheticRuns({ nights: NIGHTS, level: (n) => (n >= STEP_AT ? 1.15 : 1), noise: 0.03, seed: 4 });
    expect(trendOf(runs()).changePoints).toEqual(trendOf(runs()).changePoints);
  });
});

describe('E-Divisive means', () => {
  it('finds two steps in one series, and none in a flat one', () => {
    const step = Array.from({ length: 30 }, (_, i) => (i < 10 ? 10 : i < 20 ? 20 : 12) + ((i * 7) % 5) * 0.1);
    expect(eDivisive(step).map((s) => s.index)).toEqual([10, 20]);
    const flat = Array.from({ length: 30 }, (_, i) => 10 + ((i * 7) % 5) * 0.1);
    expect(eDivisive(flat)).toEqual([]);
  });

  it('cannot call four runs before and four after significant unless they separate completely', () => {
    // 4 + 4 runs: of the 70 ways to pick the four, two separate them completely (p ≈ 0.029)
    const [split] = eDivisive([40, 42, 39, 41, 1040, 1038, 1045, 1041]);
    expect(split!.index).toBe(4);
    expect(split!.pValue).toBeGreaterThan(0.02);
    expect(split!.pValue).toBeLessThan(0.04);
    expect(eDivisive([40, 1042, 39, 41, 1040, 38, 1045, 1041])).toEqual([]);
  });
});
