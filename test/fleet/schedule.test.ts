import { describe, expect, it } from 'vitest';
import { now } from '../../src/clock.ts';
import { Ramp } from '../../src/fleet/ramp.ts';
import { intendedTime, interleavedLanes, laneCount, OpenModelTicker, scheduleFor, slotCount } from '../../src/fleet/schedule.ts';

function busyWait(ms: number): void {
  const end = now() + ms;
  while (now() < end) {
    // block the event loop, as a stalled harness would
  }
}

describe('open-model schedule', () => {
  it('counts slots from duration and rate, never negative', () => {
    expect(slotCount(10_000, 20)).toBe(200);
    expect(slotCount(1_000, 2.5)).toBe(2);
    expect(slotCount(0, 20)).toBe(0);
    expect(slotCount(1_000, 0)).toBe(0);
    expect(slotCount(-5, 10)).toBe(0);
  });

  it('fixes every intended time in advance: startAt + k / rate', () => {
    const s = scheduleFor(1_000, 200, 10);
    expect(intendedTime(s, 0)).toBe(1_000);
    expect(intendedTime(s, 7)).toBe(1_035);
  });

  it('splits one schedule between shards in interleaved lanes: every slot once, each shard its share, evenly spread', () => {
    // two shards with 10 senders each: every other slot, the whole schedule's spacing kept
    const [a, b] = interleavedLanes([10, 10]);
    expect(a!.positions).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(b!.positions).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    const whole = scheduleFor(1_000, 200, 20); // a slot every 5 ms
    expect([0, 1, 2].map((k) => intendedTime({ ...whole, lane: a! }, k))).toEqual([1_000, 1_010, 1_020]);
    expect([0, 1, 9, 10].map((k) => intendedTime({ ...whole, lane: b! }, k))).toEqual([1_005, 1_015, 1_095, 1_105]);
    // uneven shares (9 and 11 senders, a third shard with none): each gets its weight, no slot twice, none skipped
    const lanes = interleavedLanes([9, 11, 0]);
    expect(lanes.map((l) => l.positions.length)).toEqual([9, 11, 0]);
    expect(lanes.flatMap((l) => l.positions).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, j) => j));
    // spread: no shard holds three slots in a row
    const owner = Array.from({ length: 20 }, (_, j) => lanes.findIndex((l) => l.positions.includes(j)));
    for (let j = 2; j < 20; j++) expect(owner[j] === owner[j - 1] && owner[j] === owner[j - 2]).toBe(false);
    // a lane's slots among the whole schedule's first n: 25 slots = one cycle of 20 and 5 more (positions 0–4)
    expect(laneCount(25, lanes[0]!) + laneCount(25, lanes[1]!) + laneCount(25, lanes[2]!)).toBe(25);
    expect(laneCount(25, lanes[0]!)).toBe(9 + lanes[0]!.positions.filter((p) => p < 5).length);
  });

  it('fires each slot once, in order, never before its intended time', async () => {
    const start = now() + 20;
    const fired: { k: number; intended: number; at: number }[] = [];
    const t = new OpenModelTicker(scheduleFor(start, 200, 40), (k, intended) => fired.push({ k, intended, at: now() }));
    await t.start();
    expect(fired.map((f) => f.k)).toEqual([...Array(40).keys()]);
    for (const f of fired) {
      expect(f.intended).toBe(start + f.k * 5);
      expect(f.at).toBeGreaterThanOrEqual(f.intended);
    }
    expect(t.fired).toBe(40);
  });

  it('keeps the intended times of slots that come due during a stall and counts them missed', async () => {
    const start = now() + 10;
    const fired: { k: number; intended: number; missed: boolean; at: number }[] = [];
    const t = new OpenModelTicker(scheduleFor(start, 100, 30), (k, intended, missed) => {
      fired.push({ k, intended, missed, at: now() });
      if (k === 5) busyWait(120); // the harness stalls for 120 ms: ~12 slots come due meanwhile
    });
    await t.start();
    expect(fired.map((f) => f.k)).toEqual([...Array(30).keys()]);
    const late = fired.filter((f) => f.missed);
    expect(late.length).toBeGreaterThanOrEqual(8);
    expect(t.missed).toBe(late.length);
    // latency must count from these: the stall is visible, not hidden (no coordinated omission)
    for (const f of late) expect(f.at - f.intended).toBeGreaterThan(5);
    for (const f of fired) expect(f.intended).toBe(start + f.k * 10);
  });

  it('stops early when told and resolves', async () => {
    let n = 0;
    const t = new OpenModelTicker(scheduleFor(now(), 100, 1_000), () => {
      if (++n === 3) t.stop();
    });
    await t.start();
    expect(n).toBe(3);
    expect(t.remaining).toBe(997);
  });
});

describe('ramp (connects and joins)', () => {
  it('bounds the work in flight and finishes every item', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = [...Array(30).keys()];
    const seen: number[] = [];
    const ramp = new Ramp(items, { startAt: now(), rate: 1_000, maxInFlight: 4 }, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 15));
      seen.push(item);
      inFlight--;
    });
    await ramp.run();
    expect(peak).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual(items);
    // 30 items at 1,000/s are due within 30 ms but 4 at a time take ~120 ms: most start late
    expect(ramp.missed).toBeGreaterThan(10);
  });

  it('hands each item its own intended time', async () => {
    const start = now() + 5;
    const got: [number, number][] = [];
    await new Ramp([0, 1, 2, 3], { startAt: start, rate: 100, maxInFlight: 10 }, async (item, intended) => {
      got.push([item, intended]);
    }).run();
    expect(got).toEqual([
      [0, start],
      [1, start + 10],
      [2, start + 20],
      [3, start + 30],
    ]);
  });

  it('resolves at once with nothing to do', async () => {
    await new Ramp([], { startAt: now(), rate: 10, maxInFlight: 1 }, async () => {}).run();
  });
});
