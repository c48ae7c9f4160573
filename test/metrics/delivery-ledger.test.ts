import { describe, expect, it } from 'vitest';
import { DeliveryLedger, HELD_MAX, NO_CLAIM, RETAIN_MS } from '../../src/metrics/measurement/delivery-ledger.ts';
import { HarnessDrops } from '../../src/metrics/measurement/harness-drops.ts';
import { newReceiverOrder, observe as observeAt, SEEN_DUPLICATE, SEEN_NEW, SEEN_OUT_OF_ORDER } from '../../src/metrics/measurement/order-tracker.ts';
import { ReceiptTally } from '../../src/metrics/measurement/receipt-tally.ts';
import { staleFromTarget, staleReport } from '../../src/metrics/measurement/stale-report.ts';

const GRACE = 1_000;
const LOSS = 5_000;
const T = { graceMs: GRACE, lossMs: LOSS };

/** Feeds one shard's drained tally into the ledger, as the parent does. */
function feed(ledger: DeliveryLedger, tally: ReceiptTally): void {
  const r = tally.drain();
  for (let i = 0; i < r.length; i += 4) ledger.receipts(r[i], r[i + 1], r[i + 2], r[i + 3]);
}

describe('delivery ledger', () => {
  it('expected = received + lost per message, across shards', () => {
    const completions: [number, number][] = [];
    const ledger = new DeliveryLedger(T, (phase, us) => completions.push([phase, us]));
    const a = new ReceiptTally(2);
    const b = new ReceiptTally(2);
    // message (origin 0, slot 0): 5 members, all deliver (3 in shard a, 2 in shard b)
    ledger.sent(0, 0, 1_000, 2);
    for (const t of [1_002, 1_003, 1_004]) a.add(0, 0, t);
    for (const t of [1_005, 1_007.5]) b.add(0, 0, t);
    ledger.acked(0, 0, 1_010, 5, 0);
    // message (origin 1, slot 0): 4 members, one delivery never arrives
    ledger.sent(1, 0, 1_100, 2);
    for (const t of [1_101, 1_102]) a.add(1, 0, t);
    b.add(1, 0, 1_103);
    ledger.acked(1, 0, 1_110, 4, 0);
    feed(ledger, a);
    feed(ledger, b);

    ledger.finalize(1_500); // the complete message settles at once; the other waits for its loss timeout
    expect(ledger.totals).toMatchObject({ expected: 5, received: 5, lost: 0, complete: 1 });
    expect(ledger.unsettled()).toBe(1);
    ledger.finalize(1_110 + LOSS - 1);
    expect(ledger.totals.expected).toBe(5);
    ledger.finalize(1_110 + LOSS);
    expect(ledger.unsettled()).toBe(0);
    expect(ledger.totals).toMatchObject({ expected: 9, received: 8, lost: 1, complete: 1, incomplete: 1, acked: 2, late: 0, lostEarly: 0 });
    expect(ledger.totals.expected).toBe(ledger.totals.received + ledger.totals.lost);
    expect(ledger.byPhase[2]).toMatchObject({ expected: 9, received: 8, lost: 1 });
    // fan-out completion = last member (1007.5) − intended send (1000), µs, only for the complete message
    expect(completions).toEqual([[2, 7_500]]);
  });

  it('subtracts 410s from what was expected and reports them', () => {
    const ledger = new DeliveryLedger(T);
    const t = new ReceiptTally(1);
    ledger.sent(0, 0, 0, 0);
    ledger.acked(0, 0, 5, 10, 3);
    for (let i = 0; i < 7; i++) t.add(0, 0, 4);
    feed(ledger, t);
    ledger.finalize(10, true);
    expect(ledger.totals).toMatchObject({ recipients: 10, gone: 3, expected: 7, received: 7, lost: 0 });
  });

  it('deliveries owed to members the harness dropped while their message was on its way are missed by drop, not lost', () => {
    const drops = new HarnessDrops();
    const ledger = new DeliveryLedger(T, undefined, undefined, undefined, drops);
    const t = new ReceiptTally(1);
    // room 3, 5 members: a message acked at 10; three deliveries in, then the harness drops two members at 20
    ledger.sent(0, 0, 0, 0, 5, 3);
    ledger.acked(0, 0, 10, 5, 0);
    for (let i = 0; i < 3; i++) t.add(0, 0, 12);
    feed(ledger, t);
    drops.add(3, 7, 20);
    drops.add(3, 8, 20);
    // a message sent after the drop expects the three left, and one of them never receives it: lost
    ledger.sent(0, 1, 30, 0, 3, 3);
    ledger.acked(0, 1, 40, 3, 0);
    for (let i = 0; i < 2; i++) t.add(0, 1, 45);
    feed(ledger, t);
    // a drop in another room takes nothing out of room 3's messages
    drops.add(4, 9, 35);
    ledger.finalize(40 + LOSS);
    expect(ledger.totals).toMatchObject({ expected: 6, received: 5, lost: 1, missedByDrop: 2 });
    expect(ledger.totals.expected).toBe(ledger.totals.received + ledger.totals.lost);
  });

  it('a delivery after the grace but within the loss timeout is received and late, not lost', () => {
    const ledger = new DeliveryLedger(T);
    const t = new ReceiptTally(1);
    ledger.sent(0, 0, 0, 0, 2);
    ledger.acked(0, 0, 10, 2, 0);
    t.add(0, 0, 5);
    feed(ledger, t);
    ledger.finalize(2_000); // past the grace: not final, one member still to come
    expect(ledger.totals).toMatchObject({ expected: 0, lost: 0 });
    t.add(0, 0, 4_010); // arrives 4 s after its ack
    feed(ledger, t);
    ledger.finalize(4_100);
    expect(ledger.totals).toMatchObject({ expected: 2, received: 2, lost: 0, late: 1, complete: 1 });
    expect(ledger.unsettled()).toBe(0);
  });

  it('a delivery exactly at the grace is on time; the late ones beyond expected are surplus', () => {
    const ledger = new DeliveryLedger(T);
    ledger.sent(0, 0, 0, 0, 2);
    ledger.acked(0, 0, 100, 2, 0);
    ledger.receipts(0, 0, 1, 100 + GRACE); // at ack + grace: on time
    ledger.receipts(0, 0, 2, 100 + GRACE + 1); // a batch past it: late, one of them beyond expected
    ledger.finalize(2_000);
    expect(ledger.totals).toMatchObject({ expected: 2, received: 2, late: 1, surplus: 1, lost: 0 });
  });

  it('nothing within the loss timeout: lost; a delivery after it stays lost (afterLossTimeout); failed sends: unacknowledged', () => {
    const ledger = new DeliveryLedger(T);
    const t = new ReceiptTally(1);
    ledger.sent(0, 0, 0, 0, 2);
    ledger.acked(0, 0, 10, 2, 0);
    t.add(0, 0, 5);
    feed(ledger, t);
    ledger.finalize(10 + LOSS);
    expect(ledger.totals).toMatchObject({ expected: 2, received: 1, lost: 1, late: 0, incomplete: 1, lostEarly: 0 });
    t.add(0, 0, 10 + LOSS + 500);
    feed(ledger, t);
    ledger.sent(0, 1, 100, 0);
    ledger.failed(0, 1, 200);
    t.add(0, 1, 150);
    feed(ledger, t);
    ledger.finalize(20_000);
    expect(ledger.totals).toMatchObject({ expected: 2, received: 1, lost: 1, afterLossTimeout: 1, unacknowledged: 1, failed: 1, acked: 1 });
    // a complete message's extra delivery after it settled is surplus, not late nor lost
    ledger.sent(0, 2, 300, 0, 1);
    ledger.acked(0, 2, 310, 1, 0);
    ledger.receipts(0, 2, 1, 305);
    ledger.finalize(20_001);
    ledger.receipts(0, 2, 1, 20_002);
    expect(ledger.totals).toMatchObject({ expected: 3, received: 2, surplus: 1, afterLossTimeout: 1 });
    // a send whose socket the server closed while its sender reconnects: cut off, apart from failed
    ledger.sent(0, 3, 400, 0, 1);
    ledger.failed(0, 3, 410, true);
    ledger.finalize(30_000);
    expect(ledger.totals).toMatchObject({ failed: 1, cutOffByReconnect: 1, unacknowledged: 1 });
  });

  it('settled before the loss timeout (the end of a run): lost, and counted as lostEarly', () => {
    const ledger = new DeliveryLedger(T);
    ledger.sent(0, 0, 0, 0, 3);
    ledger.acked(0, 0, 10, 3, 0);
    ledger.receipts(0, 0, 1, 5);
    ledger.finalize(1_000, true);
    expect(ledger.totals).toMatchObject({ expected: 3, received: 1, lost: 2, lostEarly: 2 });
  });

  it('receipts read before their ack are on time, whatever the ack time', () => {
    const ledger = new DeliveryLedger(T);
    ledger.sent(0, 0, 0, 0, 1);
    ledger.receipts(0, 0, 1, 50);
    ledger.acked(0, 0, 60, 1, 0);
    ledger.finalize(60);
    expect(ledger.totals).toMatchObject({ expected: 1, received: 1, late: 0, complete: 1 });
  });

  it('receipts that arrive before the send record are kept; a late ack rescues a timed-out send', () => {
    const ledger = new DeliveryLedger(T);
    const t = new ReceiptTally(1);
    t.add(0, 3, 50);
    feed(ledger, t);
    ledger.sent(0, 3, 40, 1);
    ledger.failed(0, 3, 60);
    ledger.acked(0, 3, 70, 1, 0);
    ledger.finalize(0, true);
    expect(ledger.totals).toMatchObject({ expected: 1, received: 1, lost: 0, failed: 0, acked: 1 });
  });

  it("expects the harness's member count when the target claims fewer, and counts the shortfall", () => {
    const ledger = new DeliveryLedger(T);
    const t = new ReceiptTally(1);
    // 5 members in the room; the target posts to 4 and says so: the 5th is lost, not unexpected
    ledger.sent(0, 0, 0, 1, 5);
    ledger.acked(0, 0, 5, 4, 0);
    for (let i = 0; i < 4; i++) t.add(0, 0, 3);
    // 5 members; the target claims 6 with one 410 (5 live): its claim matches, nothing underreported
    ledger.sent(0, 1, 10, 1, 5);
    ledger.acked(0, 1, 15, 6, 1);
    for (let i = 0; i < 5; i++) t.add(0, 1, 12);
    // the target claims more than the harness knows of (a member from outside): its claim holds
    ledger.sent(0, 2, 20, 1, 2);
    ledger.acked(0, 2, 25, 3, 0);
    for (let i = 0; i < 3; i++) t.add(0, 2, 22);
    feed(ledger, t);
    ledger.finalize(0, true);
    expect(ledger.totals).toMatchObject({ expected: 13, received: 12, lost: 1, underreported: 1, incomplete: 1, complete: 2 });
    expect(ledger.byPhase[1]).toMatchObject({ expected: 13, lost: 1, underreported: 1 });
  });

  it('finalizes everything at the end: never-acknowledged sends fail', () => {
    const ledger = new DeliveryLedger(T);
    ledger.sent(0, 0, 0, 0);
    ledger.finalize(1e9);
    expect(ledger.totals.failed).toBe(0);
    expect(ledger.unsettled()).toBe(1);
    ledger.finalize(1e9, true);
    expect(ledger.totals.failed).toBe(1);
    expect(ledger.unsettled()).toBe(0);
  });
});

describe('delivery ledger over a long run', () => {
  /** An hour of sends from two origins, finalized once a second as the parent does; one message in 50 misses a member. */
  function hourOfSends(timeouts: { graceMs: number; lossMs: number }) {
    const ledger = new DeliveryLedger(timeouts);
    const perSecond = 100;
    const seconds = 3_600;
    let peak = 0;
    for (let s = 0; s < seconds; s++) {
      for (let k = 0; k < perSecond; k++) {
        const slot = s * perSecond + k;
        const t = s * 1000 + k * 10;
        for (const origin of [0, 1]) {
          ledger.sent(origin, slot, t, 0, 3);
          ledger.acked(origin, slot, t + 5, 3, 0);
          ledger.receipts(origin, slot, k % 50 === 0 ? 2 : 3, t + 4);
        }
      }
      ledger.finalize(s * 1000 + 1000);
      peak = Math.max(peak, ledger.capacity());
    }
    ledger.finalize(seconds * 1000 + timeouts.lossMs + 10_000);
    const messages = 2 * perSecond * seconds;
    expect(ledger.unsettled()).toBe(0);
    expect(ledger.totals).toMatchObject({ acked: messages, expected: 3 * messages, lost: messages / 50, received: 3 * messages - messages / 50, lostEarly: 0 });
    return { peak, messages, perSecond };
  }

  it('holds a window of recent messages, not the whole run: memory follows the send rate, totals stay exact', () => {
    const { peak, messages, perSecond } = hourOfSends({ graceMs: 2_000, lossMs: 30_000 }); // the defaults
    // 720,000 messages went through; at most a few RETAIN_MS windows' worth were ever held
    const window = 2 * perSecond * (RETAIN_MS / 1000);
    expect(peak).toBeLessThanOrEqual(4 * window + 2 * 2048);
    expect(peak).toBeLessThan(messages / 10); // without the window: every message, 2 × 524,288 entries
  });

  it('a longer loss timeout holds a longer window (an incomplete message waits it out), still not the whole run', () => {
    const { peak, messages, perSecond } = hourOfSends({ graceMs: 2_000, lossMs: 5 * 60_000 });
    const window = 2 * perSecond * 300;
    expect(peak).toBeGreaterThan(2 * perSecond * (RETAIN_MS / 1000) * 4); // the loss timeout, not RETAIN_MS, sets it
    expect(peak).toBeLessThanOrEqual(4 * window + 2 * 2048);
    expect(peak).toBeLessThan(messages / 2);
  });

  it(`never holds more than 2 × HELD_MAX slots per origin: past HELD_MAX the oldest waiting messages are settled early`, () => {
    const ledger = new DeliveryLedger({ graceMs: 2_000, lossMs: 15 * 60_000 });
    const perSecond = 2_000;
    const seconds = Math.ceil((1.5 * HELD_MAX) / perSecond); // more waiting messages than the bound holds
    let peak = 0;
    for (let s = 0; s < seconds; s++) {
      for (let k = 0; k < perSecond; k++) {
        const slot = s * perSecond + k;
        const t = s * 1000 + k / 2;
        ledger.sent(0, slot, t, 0, 2);
        ledger.acked(0, slot, t + 5, 2, 0);
        ledger.receipts(0, slot, 1, t + 4); // every message misses a member: all wait out 15 min
      }
      ledger.finalize(s * 1000 + 1000);
      peak = Math.max(peak, ledger.capacity());
    }
    expect(peak).toBeLessThanOrEqual(2 * HELD_MAX);
    const settledEarly = ledger.totals.acked;
    expect(settledEarly).toBeGreaterThan(0);
    expect(ledger.totals).toMatchObject({ lost: settledEarly, lostEarly: settledEarly, received: settledEarly });
    expect(ledger.unsettled()).toBe(seconds * perSecond - settledEarly);
  });

  it('counts a delivery of a message dropped from the window as afterLossTimeout', () => {
    const ledger = new DeliveryLedger(T);
    for (let slot = 0; slot < 5_000; slot++) {
      ledger.sent(0, slot, slot, 0);
      ledger.acked(0, slot, slot + 1, 1, 0);
      ledger.receipts(0, slot, 1, slot + 1);
    }
    ledger.finalize(RETAIN_MS + 10_000);
    expect(ledger.totals).toMatchObject({ expected: 5_000, received: 5_000, late: 0 });
    ledger.receipts(0, 0, 1, RETAIN_MS + 11_000); // slot 0 is long final and gone from the window
    expect(ledger.totals).toMatchObject({ expected: 5_000, received: 5_000, lost: 0, late: 0, afterLossTimeout: 1 });
  });

  it('keeps the stale-cleanup account as messages become final, the same as reading them all at the end', () => {
    const ledger = new DeliveryLedger(T);
    const views: Parameters<typeof staleReport>[0] extends Iterable<infer V> ? V[] : never = [];
    const send = (slot: number, phase: number, intended: number, gone: number) => {
      ledger.sent(0, slot, intended, phase);
      ledger.acked(0, slot, intended + 7, 10, gone);
      ledger.receipts(0, slot, 10 - gone - (slot % 2), intended + 3);
      views.push({ phase, intended, ackAt: intended + 7, acked: true, recipients: 10, gone, received: 10 - gone - (slot % 2) });
    };
    send(0, 0, 0, 1); // before the drop: its 410 counts in gone410 only
    ledger.finalize(5_000);
    ledger.watchStale(1);
    send(1, 2, 6_000, 2);
    send(2, 2, 6_100, 1);
    send(3, 2, 6_300, 0);
    ledger.sent(0, 4, 6_400, 2); // never acknowledged
    views.push({ phase: 2, intended: 6_400, ackAt: 0, acked: false, recipients: 0, gone: 0, received: 0 });
    ledger.finalize(20_000, true);
    const expected = staleReport(views, 1, 4);
    expect(ledger.staleResult(4)).toEqual(expected);
    expect(expected).toMatchObject({ gone410: 4, timeToCleanMs: 107 });
  });
});

describe('duplicates and reordering per receiver and sender', () => {
  it('classifies new, out-of-order and duplicate deliveries', () => {
    const o = newReceiverOrder(2);
    const observe = (s: number, seq: number) => observeAt(o, 0, 2, s, seq);
    expect(observe(0, 0)).toBe(SEEN_NEW);
    expect(observe(0, 2)).toBe(SEEN_NEW);
    expect(observe(0, 1)).toBe(SEEN_OUT_OF_ORDER);
    expect(observe(0, 1)).toBe(SEEN_DUPLICATE);
    expect(observe(0, 2)).toBe(SEEN_DUPLICATE);
    expect(observe(1, 1)).toBe(SEEN_NEW); // senders are independent
    expect(observe(1, 0)).toBe(SEEN_OUT_OF_ORDER);
    expect(observe(0, 40)).toBe(SEEN_NEW);
    expect(observe(0, 9)).toBe(SEEN_OUT_OF_ORDER); // 31 behind: still in the window
    expect(observe(0, 9)).toBe(SEEN_DUPLICATE);
  });

  it('tracks the window across the 31st bit', () => {
    const o = newReceiverOrder(1);
    const observe = (s: number, seq: number) => observeAt(o, 0, 1, s, seq);
    for (let s = 0; s <= 31; s++) expect(observe(0, s)).toBe(SEEN_NEW);
    expect(observe(0, 0)).toBe(SEEN_DUPLICATE);
    expect(observe(0, 32)).toBe(SEEN_NEW);
    expect(observe(0, 0)).toBe(SEEN_OUT_OF_ORDER); // fell out of the window: counted, not a duplicate
  });
});

describe('receipt tally', () => {
  it('reports each touched message once per drain with the latest receive time, then starts afresh', () => {
    const t = new ReceiptTally(2);
    t.add(1, 5_000, 10);
    t.add(1, 5_000, 30);
    t.add(1, 5_000, 20);
    t.add(0, 0, 7);
    expect(Array.from(t.drain())).toEqual([1, 5_000, 3, 30, 0, 0, 1, 7]);
    expect(t.drain().length).toBe(0);
    t.add(0, 0, 9);
    expect(Array.from(t.drain())).toEqual([0, 0, 1, 9]);
    expect(t.add(2, 0, 1)).toBe(false); // no such origin shard
  });

  it('keeps fixed memory for any run length: slots 65,536 apart in one flush are both counted', () => {
    const t = new ReceiptTally(1);
    t.add(0, 3, 1);
    t.add(0, 3 + 65_536, 2); // same ring entry: slot 3 is handed over early
    t.add(0, 3, 4); // and comes back
    t.add(0, 3 + 2 * 65_536, 5);
    const r = Array.from(t.drain());
    const bySlot = new Map<number, number>();
    for (let i = 0; i < r.length; i += 4) bySlot.set(r[i + 1], (bySlot.get(r[i + 1]) ?? 0) + r[i + 2]);
    expect(bySlot).toEqual(new Map([[3, 2], [3 + 65_536, 1], [3 + 2 * 65_536, 1]]));
    t.add(0, 1_000_000_000, 9);
    expect(Array.from(t.drain())).toEqual([0, 1_000_000_000, 1, 9]);
  });
});

describe('messages without a claim (fire-and-forget sends, acks without counts)', () => {
  it('expect the harness\'s member count, settle from their intended time, and report no recipients, gone or underreporting', () => {
    const ledger = new DeliveryLedger({ graceMs: 100, lossMs: 1_000 });
    ledger.sent(0, 0, 10_000, 0, 5);
    ledger.acked(0, 0, 10_000, NO_CLAIM, 0); // settled at its intended time: nothing answers it
    ledger.sent(0, 1, 10_010, 0, 5);
    ledger.acked(0, 1, 10_010, NO_CLAIM, 0);
    ledger.receipts(0, 0, 5, 10_050);
    ledger.receipts(0, 1, 3, 10_200); // 190 ms after its intended time: late
    ledger.finalize(10_500);
    expect(ledger.unsettled()).toBe(1); // slot 1 waits out its loss timeout from 10,010
    ledger.finalize(11_010);
    expect(ledger.totals).toMatchObject({ expected: 10, received: 8, lost: 2, late: 3, lostEarly: 0, complete: 1, incomplete: 1, recipients: 0, gone: 0, underreported: 0, unacknowledged: 0 });
    ledger.receipts(0, 1, 1, 11_100); // after the loss timeout: stays lost
    expect(ledger.totals.afterLossTimeout).toBe(1);
  });

  it('say nothing of 410s after a drop, only when the last of them was sent', () => {
    const ledger = new DeliveryLedger({ graceMs: 100, lossMs: 1_000 });
    ledger.watchStale(1);
    for (const [slot, intended, phase] of [[0, 10_000, 0], [1, 12_000, 2], [2, 12_500, 2]] as const) {
      ledger.sent(0, slot, intended, phase, 2);
      ledger.acked(0, slot, intended, NO_CLAIM, 0);
      ledger.receipts(0, slot, 2, intended + 10);
    }
    ledger.sent(0, 3, 12_900, 2, 2); // never left: not sent after the drop
    ledger.finalize(20_000, true);
    expect(ledger.lastSentAfterDrop()).toBe(12_500);
    expect(ledger.staleResult(1)).toEqual({ dropped: 1, gone410: 0, timeToCleanMs: null, wastedPosts: 0 });
  });
});

describe('stale report', () => {
  const msg = (phase: number, intended: number, gone: number, ackAt = intended + 5, recipients = 10, received = 10 - gone) => ({
    phase, intended, ackAt, acked: true, recipients, gone, received,
  });

  it('times cleanup from the first send after the drop to the ack of the last stale hit', () => {
    const r = staleReport([msg(0, 0, 0), msg(2, 1_000, 2), msg(2, 1_100, 1, 1_180), msg(2, 1_300, 0), msg(2, 1_400, 0)], 1, 3);
    expect(r).toEqual({ dropped: 3, gone410: 3, timeToCleanMs: 180, wastedPosts: 3 });
  });

  it('is null while broadcasts still hit stale connections', () => {
    expect(staleReport([msg(2, 1_000, 2), msg(2, 1_100, 1)], 1, 3).timeToCleanMs).toBeNull();
  });

  it('is 0 when nothing stale was ever hit', () => {
    expect(staleReport([msg(2, 1_000, 0)], 1, 3).timeToCleanMs).toBe(0);
  });
});

describe('stale cleanup from the target\'s own view', () => {
  const seen = (posts: number, lastPostAt: number | null) => ({ posts, lastPostAt, source: 'the emulator\'s gateway: test' });
  const at = { dropped: 2, dropAt: 1_000 };

  it('counts the posts the target saw, timed from the drop to the last of them once a later message went out', () => {
    expect(staleFromTarget(seen(3, 1_250.5), { ...at, lastSentAt: 2_000 })).toEqual({ dropped: 2, gone410: 3, timeToCleanMs: 250.5, wastedPosts: 3 });
  });

  it('is null while posts go on until the last message, or when no message followed the drop', () => {
    expect(staleFromTarget(seen(5, 2_100), { ...at, lastSentAt: 2_000 }).timeToCleanMs).toBeNull();
    expect(staleFromTarget(seen(0, null), { ...at, lastSentAt: undefined }).timeToCleanMs).toBeNull();
  });

  it('is 0 when the target saw no post to a dropped client', () => {
    expect(staleFromTarget(seen(0, null), { ...at, lastSentAt: 2_000 })).toEqual({ dropped: 2, gone410: 0, timeToCleanMs: 0, wastedPosts: 0 });
  });
});
