import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../artillery/engine/src/ledger.ts';
import { COUNTERS as C, HISTOGRAMS as H } from '../../src/artillery-interop/metric-names.ts';
import { DeliveryLedger, RETAIN_MS } from '../../src/metrics/measurement/delivery-ledger.ts';

// The engine keeps the harness's delivery ledger in one process (every member of a room is a
// socket of the same worker) and reports it to Artillery as counters: what each settle (once a
// second) added to its totals, deliveries that arrive after the final settle included. Summed as
// Artillery sums them, the counters must be the account a harness's own ledger keeps of the same
// sends, acks, failures and deliveries: the reports read "expected", "lost" and "late" the same
// way whichever of the two measured.

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
  // mostly prompt, some past the grace, some past the loss timeout, some after the run ends, a few
  // after the ledger may have forgotten the message
  deliveries: fc.array(fc.oneof(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: RETAIN_MS + 10_000 })), { maxLength: 10 }),
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
  const completions: number[] = [];
  const harnessCompletions: number[] = [];
  const harness = new DeliveryLedger({ graceMs: GRACE, lossMs: LOSS }, (_phase, micros) => harnessCompletions.push(micros / 1000));
  const engine = new Ledger(
    { graceMs: GRACE, lossMs: LOSS },
    {
      count: (name, n) => counts.set(name, (counts.get(name) ?? 0) + n),
      histogram: (name, ms) => {
        if (name === H.fanoutCompletion) completions.push(ms);
      },
    },
  );
  for (const ev of events) if (ev.at < endAt) ev.apply(harness, engine);
  harness.finalize(endAt, true);
  engine.settle(endAt, true);
  const unsettled = engine.unsettled;
  // deliveries after the run ended still reach a settled message (surplus, after the loss timeout, …)
  for (const ev of events) if (ev.at >= endAt && ev.delivery) ev.apply(harness, engine);
  engine.settle(endAt + 2_000);
  return { harness, counts, completions, harnessCompletions, unsettled };
}

describe('the engine\'s delivery ledger, as Artillery counters', () => {
  it('sums to the harness ledger\'s expected, received, lost, late, surplus and the rest, for any sequence of sends, acks, failures and deliveries', () => {
    fc.assert(
      fc.property(fc.array(messageArb, { minLength: 1, maxLength: 25 }), fc.integer({ min: 5_000, max: 90_000 }), (messages, endAt) => {
        const { harness, counts, completions, harnessCompletions, unsettled } = play(messages, endAt);
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
        // counters are deltas: never a negative one
        for (const [name, v] of counts) expect(v, name).toBeGreaterThanOrEqual(0);
        expect(completions).toEqual(harnessCompletions);
        expect(unsettled).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it('knows only the slots it handed out: anything else is not its message', () => {
    const engine = new Ledger({ graceMs: GRACE, lossMs: LOSS }, { count: () => {}, histogram: () => {} });
    expect(engine.sent(1_000, 0, 3)).toBe(0);
    expect(engine.sent(1_100, 0, 3)).toBe(1);
    expect(engine.delivery(1, 1_150)).toBe(true);
    expect(engine.delivery(2, 1_150)).toBe(false);
    expect(engine.delivery(2 ** 53, 1_150)).toBe(false);
  });
});
