import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ledger, RETAIN_MS, StaleTally } from '../../artillery/engine/ledger.js';
import { COUNTERS as C, HISTOGRAMS as H } from '../../artillery/engine/metric-names.js';
import { DeliveryLedger, RETAIN_MS as HARNESS_RETAIN_MS } from '../../src/metrics/delivery-ledger.ts';
import { StaleTally as HarnessStaleTally } from '../../src/metrics/stale-report.ts';

// The engine keeps the delivery ledger in one process (every member of a room is a socket of the
// same worker); the harness keeps it in its parent, fed by shards. Fed the same sends, acks,
// failures and deliveries, at the same times, they must come to the same account: the reports
// read "expected", "lost" and "late" the same way whichever of the two measured.

const GRACE = 2_000;
const LOSS = 30_000;

interface Message {
  intended: number;
  members: number;
  outcome: { kind: 'ack'; after: number; recipients: number; gone: number } | { kind: 'fail'; after: number } | { kind: 'none' };
  /** delivery times after the intended time */
  deliveries: number[];
}

const messageArb: fc.Arbitrary<Message> = fc.record({
  intended: fc.integer({ min: 0, max: 20_000 }),
  members: fc.integer({ min: 0, max: 8 }),
  outcome: fc.oneof(
    fc.record({ kind: fc.constant('ack' as const), after: fc.integer({ min: 1, max: 3_000 }), recipients: fc.integer({ min: 0, max: 10 }), gone: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ kind: fc.constant('fail' as const), after: fc.integer({ min: 1, max: 3_000 }) }),
    fc.constant({ kind: 'none' as const }),
  ),
  // mostly prompt, some past the grace, some past the loss timeout, some after the run ends; all
  // within RETAIN_MS of the send: past it both forget the message, the harness lazily (in batches
  // of 1,024 slots), so a straggler that late may be surplus in one and afterLossTimeout in the other
  deliveries: fc.array(fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: RETAIN_MS - 1 })), { maxLength: 10 }),
});

type Event = { at: number; order: number; delivery?: true; apply: (h: DeliveryLedger, e: Ledger) => void };

function play(messages: Message[], endAt: number) {
  const sorted = [...messages].sort((a, b) => a.intended - b.intended);
  const events: Event[] = [];
  let order = 0;
  sorted.forEach((m, slot) => {
    const phase = slot % 3;
    events.push({ at: m.intended, order: order++, apply: (h, e) => {
      h.sent(0, slot, m.intended, phase, m.members);
      expect(e.sent(m.intended, phase, m.members)).toBe(slot);
    } });
    if (m.outcome.kind === 'ack') {
      const { after, recipients, gone } = m.outcome;
      const at = m.intended + after;
      const g = Math.min(gone, recipients);
      events.push({ at, order: order++, apply: (h, e) => {
        h.acked(0, slot, at, recipients, g);
        e.acked(slot, at, recipients, g);
      } });
    } else if (m.outcome.kind === 'fail') {
      const at = m.intended + m.outcome.after;
      events.push({ at, order: order++, apply: (h, e) => {
        h.failed(0, slot, at);
        e.failed(slot, at);
      } });
    }
    for (const d of m.deliveries) {
      const at = m.intended + d;
      events.push({ at, order: order++, delivery: true, apply: (h, e) => {
        h.receipts(0, slot, 1, at);
        e.delivery(slot, at);
      } });
    }
  });
  // both settle once a second, as the harness's parent and the engine's flush do
  for (let t = 1_000; t < endAt; t += 1_000) events.push({ at: t, order: order++, apply: (h, e) => (h.finalize(t), e.settle(t)) });
  events.sort((a, b) => a.at - b.at || a.order - b.order);

  const counts = new Map<string, number>();
  let completions = 0;
  let harnessCompletions = 0;
  const harness = new DeliveryLedger({ graceMs: GRACE, lossMs: LOSS }, () => harnessCompletions++);
  const engine = new Ledger(
    { graceMs: GRACE, lossMs: LOSS },
    {
      count: (name, n) => counts.set(name, (counts.get(name) ?? 0) + n),
      histogram: (name) => {
        if (name === H.fanoutCompletion) completions++;
      },
    },
  );
  for (const ev of events) if (ev.at < endAt) ev.apply(harness, engine);
  harness.finalize(endAt, true);
  engine.settle(endAt, true);
  // deliveries after the run ended still reach a settled message (surplus, after the loss timeout, …)
  for (const ev of events) if (ev.at >= endAt && ev.delivery) ev.apply(harness, engine);
  return { harness, counts, completions, harnessCompletions, engine };
}

describe('the engine\'s delivery ledger agrees with the harness\'s', () => {
  it('forgets settled messages after the same time', () => {
    expect(RETAIN_MS).toBe(HARNESS_RETAIN_MS);
  });

  it('on expected, received, lost, late, surplus and the rest, for any sequence of sends, acks, failures and deliveries', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 25 }), fc.integer({ min: 5_000, max: 90_000 }), (messages, endAt) => {
        const { harness, counts, completions, harnessCompletions, engine } = play(messages, endAt);
        const n = (name: string) => counts.get(name) ?? 0;
        const t = harness.totals;
        expect({
          expected: n(C.expected),
          received: n(C.received),
          lost: n(C.lost),
          late: n(C.late),
          lostEarly: n(C.lostEarly),
          afterLossTimeout: n(C.afterLossTimeout),
          unacknowledged: n(C.unacknowledged),
          surplus: n(C.surplus),
          underreported: n(C.underreported),
          acked: n(C.sendsAcked),
          failed: n(C.sendsFailed),
          gone: n(C.gone410),
        }).toEqual({
          expected: t.expected,
          received: t.received,
          lost: t.lost,
          late: t.late,
          lostEarly: t.lostEarly,
          afterLossTimeout: t.afterLossTimeout,
          unacknowledged: t.unacknowledged,
          surplus: t.surplus,
          underreported: t.underreported,
          acked: t.acked,
          failed: t.failed,
          gone: t.gone,
        });
        expect(completions).toBe(harnessCompletions);
        expect(engine.unsettled).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('reads stale-connection cleanup the same way', () => {
    const views = [
      { phase: 1, intended: 100, ackAt: 130, acked: true, recipients: 10, gone: 2, received: 8 },
      { phase: 2, intended: 1_000, ackAt: 1_050, acked: true, recipients: 10, gone: 3, received: 6 },
      { phase: 2, intended: 2_000, ackAt: 2_040, acked: false, recipients: 0, gone: 0, received: 0 },
      { phase: 2, intended: 3_000, ackAt: 3_080, acked: true, recipients: 8, gone: 1, received: 7 },
      { phase: 2, intended: 4_000, ackAt: 4_020, acked: true, recipients: 7, gone: 0, received: 7 },
    ];
    const e = new StaleTally(1);
    const h = new HarnessStaleTally(1);
    for (const v of views) {
      e.add(v);
      h.add(v);
    }
    const hr = h.result(3);
    expect(e.result()).toEqual({ wastedPosts: hr.wastedPosts, timeToCleanMs: hr.timeToCleanMs });
    expect(hr.timeToCleanMs).toBe(2_080);
  });
});
