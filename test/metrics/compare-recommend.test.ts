import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SizeMetrics, SizeResult, MedianRange } from '../../src/analyses/compare/compare-schema.ts';
import { recommend, TIE_TOLERANCE } from '../../src/analyses/compare/recommend.ts';
import { medianRange } from '../../src/analyses/compare/median-range.ts';

// The strategies on constructed sizes whose answer is plain: cheapest, fastest, a balance, ties,
// overlap between repeats, and sizes that cannot be ranked.

const one = (v: number): MedianRange => ({ median: v, min: v, max: v, n: 1 });

function size(memoryMB: number, cost: number | MedianRange | null, latency: number | MedianRange | null, status: SizeResult['status'] = 'ok'): SizeResult {
  const q = (v: number | MedianRange | null) => (v === null ? null : typeof v === 'number' ? one(v) : v);
  const metrics: SizeMetrics = {
    broadcastP50Ms: null,
    broadcastP99Ms: null,
    connectP50Ms: null,
    connectP99Ms: null,
    durationMeanMs: q(latency),
    coldStartShare: null,
    initMeanMs: null,
    gbSeconds: null,
    gbSecondsPer1000Deliveries: null,
    lambdaCostPerMillionDeliveries: q(cost),
    totalCostPerMillionDeliveries: null,
    deliveriesReceived: null,
    deliveriesLost: null,
    sendsFailed: null,
    latencyMs: q(latency),
  };
  return { memoryMB, status, runs: [], metrics, functions: {}, costSource: 'report-lines' };
}

// 128 MB: cheap and slow; 512 MB: a little dearer, much faster; 1,769 MB: dear, a little faster still.
const sizes = [size(128, 1.0, 1000), size(512, 1.2, 300), size(1769, 4.0, 250)];

describe('recommend', () => {
  it('cost picks the cheapest, speed the fastest, and says by how much the next one differs', () => {
    const cost = recommend(sizes, 'cost', 'duration');
    expect(cost.pick?.memoryMB).toBe(128);
    expect(cost.runnerUp?.memoryMB).toBe(512);
    expect(cost.weight).toBeNull();
    expect(cost.reason).toBe('128 MB has the lowest Lambda cost: $1.00 per million deliveries; next is 512 MB: $1.20 per million deliveries (+20 %).');
    const speed = recommend(sizes, 'speed', 'duration');
    expect(speed.pick?.memoryMB).toBe(1769);
    expect(speed.runnerUp?.memoryMB).toBe(512);
    expect(speed.reason).toBe('1,769 MB is the fastest: 250 ms mean Duration; next is 512 MB: 300 ms mean Duration (+20 %).');
  });

  it('balanced weighs cost and latency, each divided by its highest value, as Power Tuning does', () => {
    // weight 0.5: 128 → .5·1/4 + .5·1000/1000 = .625; 512 → .5·.3 + .5·.3 = .3; 1,769 → .5·1 + .5·.25 = .625
    const r = recommend(sizes, 'balanced', 'duration', 0.5);
    expect(r.pick).toEqual({ memoryMB: 512, costPerMillionDeliveries: 1.2, latencyMs: 300, score: 0.3 });
    expect(r.runnerUp?.memoryMB).toBe(128); // .625 each: the tie goes to the cheaper (weight ≤ 0.5)
    expect(r.weight).toBe(0.5);
    // leaning hard on cost or on speed moves the pick to the ends
    expect(recommend(sizes, 'balanced', 'duration', 0.95).pick?.memoryMB).toBe(128);
    expect(recommend(sizes, 'balanced', 'duration', 0.02).pick?.memoryMB).toBe(1769);
  });

  it('balanced at weight 1 picks what cost picks, at weight 0 what speed picks (any sizes)', () => {
    // mostly a few fixed values (ties, near-ties within the tolerance), sometimes arbitrary ones above them
    const sizeArb = fc.record({
      cost: fc.oneof({ arbitrary: fc.constantFrom(1, 1.004, 2, 5), weight: 3 }, { arbitrary: fc.double({ min: 1, max: 100, noNaN: true }), weight: 1 }),
      latency: fc.oneof({ arbitrary: fc.constantFrom(100, 100.5, 300), weight: 3 }, { arbitrary: fc.double({ min: 100, max: 10_000, noNaN: true }), weight: 1 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 128, max: 10_240 }), { minLength: 1, maxLength: 8 }), fc.array(sizeArb, { minLength: 8, maxLength: 8 }), (mbs, values) => {
        const list = mbs.map((mb, k) => size(mb, values[k].cost, values[k].latency));
        const cost = recommend(list, 'cost', 'duration');
        const speed = recommend(list, 'speed', 'duration');
        expect(recommend(list, 'balanced', 'duration', 1).pick?.memoryMB).toBe(cost.pick?.memoryMB);
        expect(recommend(list, 'balanced', 'duration', 0).pick?.memoryMB).toBe(speed.pick?.memoryMB);
        expect(recommend(list, 'balanced', 'duration', 1).runnerUp?.memoryMB).toBe(cost.runnerUp?.memoryMB);
        expect(recommend(list, 'balanced', 'duration', 0).runnerUp?.memoryMB).toBe(speed.runnerUp?.memoryMB);
      }),
      { numRuns: 500 },
    );
  });

  it('breaks a tie on the ranked quantity by the other one, then by the smaller size', () => {
    // costs within 1 %: cost prefers the faster
    const close = [size(256, 1.0, 500), size(512, 1.0 * (1 + TIE_TOLERANCE / 2), 200)];
    const cost = recommend(close, 'cost', 'duration');
    expect(cost.pick?.memoryMB).toBe(512);
    expect(cost.reason).toMatch(/^512 MB and 256 MB tie within 1 % .*; 512 MB is faster \(200 ms mean Duration vs 500 ms mean Duration\)\.$/);
    // latencies equal: speed prefers the cheaper
    const sameSpeed = [size(1024, 3, 100), size(2048, 2, 100)];
    expect(recommend(sameSpeed, 'speed', 'duration').pick?.memoryMB).toBe(2048);
    // everything equal: the smaller size, whatever the order given
    const same = [size(2048, 2, 100), size(1024, 2, 100)];
    for (const strategy of ['cost', 'speed', 'balanced'] as const) {
      const r = recommend(same, strategy, 'duration');
      expect(r.pick?.memoryMB, strategy).toBe(1024);
      expect(r.reason, strategy).toContain('1,024 MB is the smaller');
    }
    // just outside the tolerance is no tie
    const apart = [size(256, 1.0, 500), size(512, 1.0 * (1 + 2 * TIE_TOLERANCE), 200)];
    expect(recommend(apart, 'cost', 'duration').pick?.memoryMB).toBe(256);
  });

  it('says when the pick and the runner-up overlap over their repeats', () => {
    const noisy = [size(256, medianRange([1.0, 1.1, 1.3])!, medianRange([300, 320, 350])!), size(512, medianRange([1.25, 1.4, 1.5])!, medianRange([200, 210, 230])!)];
    const cost = recommend(noisy, 'cost', 'duration');
    expect(cost.pick?.memoryMB).toBe(256);
    expect(cost.withinSpread).toBe(true); // 1.0–1.3 and 1.25–1.5 overlap
    expect(cost.reason).toMatch(/within the noise\.$/);
    const speed = recommend(noisy, 'speed', 'duration');
    expect(speed.pick?.memoryMB).toBe(512);
    expect(speed.withinSpread).toBe(false); // 200–230 and 300–350 do not
    // balanced needs the overlap on both quantities it weighs
    expect(recommend(noisy, 'balanced', 'duration', 0.5).withinSpread).toBe(false);
  });

  it('skips sizes it cannot rank and names them; with none left there is no pick', () => {
    const list = [size(128, null, null, 'excluded'), size(256, null, 900), size(512, 1.5, null), size(1024, 2, 400)];
    const r = recommend(list, 'balanced', 'broadcast-p99', 0.5);
    expect(r.pick?.memoryMB).toBe(1024);
    expect(r.runnerUp).toBeNull();
    expect(r.reason).toBe('1,024 MB has the best balance at weight 0.5 (1 = cost only, 0 = speed only): score 1 ($2.00 per million deliveries, 400 ms broadcast p99); it is the only size that could be ranked.');
    expect(r.skipped).toEqual([
      { memoryMB: 128, reason: 'no run counted (see excluded)' },
      { memoryMB: 256, reason: 'no Lambda cost: no invocations of the compared functions or no deliveries' },
      { memoryMB: 512, reason: 'no broadcast p99' },
    ]);
    const none = recommend(list.slice(0, 3), 'cost', 'duration');
    expect(none.pick).toBeNull();
    expect(none.reason).toBe('no size could be ranked');
    expect(none.skipped).toHaveLength(3);
  });
});

describe('medianRange', () => {
  it('takes the median (mean of the middle two for an even count) and the range, skipping missing values', () => {
    expect(medianRange([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(medianRange([4, null, 1, 2, 10])).toEqual({ median: 3, min: 1, max: 10, n: 4 });
    expect(medianRange([null, undefined, NaN])).toBeNull();
  });
});
