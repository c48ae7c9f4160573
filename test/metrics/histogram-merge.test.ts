import { describe, expect, it } from 'vitest';
import { shardReport } from '../fixtures/metrics/shard-report.ts';
import { addEncoded, newHistogram } from '../../src/metrics/measurement/histogram.ts';
import { ShardIntervalRecorder } from '../../src/metrics/measurement/shard-interval-recorder.ts';
import { RunRecorder } from '../../src/metrics/measurement/run-recorder.ts';

/** A shard's report of what its interval recorder holds. */
function report(shard: number, rec: ShardIntervalRecorder) {
  return shardReport(shard, { histograms: rec.drain(), self: { lagP99Ms: 1, lagMaxMs: 2, cpuMicros: 1_000, wallMs: 1_000, rssBytes: 1, runLagP99Ms: 1, runLagMaxMs: 2 } });
}

describe('histograms merge across shards', () => {
  // Shard 0 sees fast deliveries, shard 1 a slow tail: the run's p99 belongs to shard 1's values.
  const fast = Array.from({ length: 990 }, (_, i) => 1_000 + i);
  const slow = Array.from({ length: 10 }, (_, i) => 500_000 + i * 1_000);

  it('merging encoded histograms equals recording everything in one', () => {
    const a = new ShardIntervalRecorder();
    const b = new ShardIntervalRecorder();
    for (const v of fast) a.record('broadcastWarm', v);
    for (const v of slow) b.record('broadcastWarm', v);
    const merged = newHistogram();
    addEncoded(merged, a.drain().broadcastWarm);
    addEncoded(merged, b.drain().broadcastWarm);
    const single = newHistogram();
    for (const v of [...fast, ...slow]) single.recordValue(v);
    expect(merged.totalCount).toBe(1_000);
    for (const p of [50, 90, 99, 99.9, 100]) expect(merged.getValueAtPercentile(p)).toBe(single.getValueAtPercentile(p));
    // an encoded max is its bucket's highest equivalent value: equal within 3 significant digits
    expect(Math.abs(merged.maxValue - single.maxValue) / single.maxValue).toBeLessThan(0.001);
  });

  it('the run recorder merges shard reports into the interval, the phase and the run (cold + warm = broadcast)', () => {
    const rr = new RunRecorder(2, 0, { graceMs: 1_000, lossMs: 30_000 });
    rr.beginPhase('fanout', 'send', 0);
    const a = new ShardIntervalRecorder();
    const b = new ShardIntervalRecorder();
    for (const v of fast) a.record('broadcastWarm', v);
    for (const v of slow) b.record('broadcastCold', v);
    const rec = rr.ingest([report(0, a), report(1, b)], 1_000);
    expect(rec.broadcast?.count).toBe(1_000);
    // p99 of the merged distribution is in the fast set's top (not an average of shard p99s)
    expect(rec.broadcast!.p99).toBeGreaterThan(1.9);
    expect(rec.broadcast!.p99).toBeLessThan(2.1);
    expect(rec.broadcast!.max).toBeGreaterThan(508);
    expect(rr.totals.broadcast.totalCount).toBe(1_000);
    expect(rr.totals.broadcastCold.totalCount).toBe(10);
    expect(rr.phases[0].hist.broadcastWarm.totalCount).toBe(990);
    expect(rec.cpuCores).toBeCloseTo(0.002, 3);
    // a second interval adds to the run totals
    const c = new ShardIntervalRecorder();
    c.record('connect', 5_000);
    const rec2 = rr.ingest([report(0, c)], 2_000);
    expect(rec2.broadcast).toBeUndefined();
    expect(rec2.connect?.count).toBe(1);
    expect(rr.totals.broadcast.totalCount).toBe(1_000);
    expect(rr.totals.connect.totalCount).toBe(1);
  });
});
