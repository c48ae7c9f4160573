import { describe, expect, it } from 'vitest';
import { Attribution } from '../../src/contracts/attribution-schema.ts';
import { SlowestCold } from '../../src/metrics/attribution/slowest-cold.ts';
import { subprotocolAttribution } from '../../src/metrics/attribution/subprotocol-attribution.ts';
import { encodeHistogram, newHistogram } from '../../src/metrics/measurement/histogram.ts';
import { summarize } from '../../src/metrics/measurement/latency-summary.ts';

function hist(ms: number[]) {
  const h = newHistogram();
  for (const v of ms) h.recordValue(v * 1000);
  return h;
}

describe('subprotocolAttribution', () => {
  it("gives chat-v1's cold flag the same structure: split, penalty, tail, and the unflagged counted apart", () => {
    const connectCold = hist([400, 420]);
    const connectWarm = hist(Array.from({ length: 98 }, (_, i) => 40 + (i % 10)));
    const connect = hist([400, 420, ...Array.from({ length: 98 }, (_, i) => 40 + (i % 10)), 55]);
    const broadcastWarm = hist([30, 31, 32]);
    const broadcast = hist([30, 31, 32]);
    const a = subprotocolAttribution({
      metrics: {
        connect: summarize(connect),
        connectCold: summarize(connectCold),
        connectWarm: summarize(connectWarm),
        broadcast: summarize(broadcast),
        broadcastWarm: summarize(broadcastWarm),
        fanoutCompletion: summarize(newHistogram()),
      },
      histograms: { connectCold: encodeHistogram(connectCold)!, connectWarm: encodeHistogram(connectWarm)!, broadcastWarm: encodeHistogram(broadcastWarm)! },
    });
    expect(() => Attribution.parse(a)).not.toThrow();
    expect(a.source).toBe('subprotocol');
    expect(a.requests).toEqual({ timed: 104, attributed: 103, unattributed: 1, why: { 'the target flagged no cold or warm start': 1 } });
    expect(a.connect?.unattributed).toBe(1);
    expect(a.connect?.penaltyMs).toBeCloseTo(summarize(connectCold).p50 - summarize(connectWarm).p50, 3);
    // 100 flagged connects: the slowest 1 % (the p99's bucket and above) is the two cold ones
    expect(a.connect?.tailColdShare).toBe(1);
    expect(a.connect?.p99WithoutColdMs).toBeCloseTo(49, 0);
    expect(a.broadcast?.cold).toBeUndefined();
    expect(a.broadcast?.penaltyMs).toBeNull();
    expect(a.broadcast?.tailColdShare).toBe(0);
    expect(a.answer).toBeUndefined();
    expect(a.routes).toEqual([]);
  });
});

describe('SlowestCold', () => {
  it('keeps the slowest, earliest first', () => {
    const s = new SlowestCold(3);
    [5, 1, 9, 3, 7, 2].forEach((us, i) => s.offer(us, i, 0, 0));
    expect(s.points().map((p) => [p.atMs, p.us])).toEqual([
      [0, 5],
      [2, 9],
      [4, 7],
    ]);
  });
});
