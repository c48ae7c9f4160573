/**
 * The parent's account of every message: what the sender's shard says (sent at its intended
 * time, acknowledged with `recipients` and `gone`, or failed) and what every shard received.
 * A message is final `graceMs` after its ack; then
 *   expected = max(recipients − gone, members)
 *   received = unique deliveries, at most `expected`;  lost = expected − received
 * where recipients − gone is what the system says it posted to without a 410, and `members` is
 * the harness's own count of its room's open, joined clients when it was sent. The target's claim
 * alone cannot be trusted: a stack that skips a member and reports fewer recipients would show
 * nothing lost. When it claims fewer than the harness knows, the shortfall is `underreported`.
 * and its fan-out completion (send → last member) is known if nothing was lost. Deliveries that
 * arrive after a message is final are `late` (it stays counted as lost); deliveries of messages
 * that were never acknowledged are `unacknowledged`; surplus deliveries are `surplus`.
 */
const NONE = 0;
const SENT = 1;
const ACKED = 2;
const FAILED = 3;
const FINAL = 4;

export interface DeliveryTotals {
  expected: number;
  received: number;
  lost: number;
  late: number;
  unacknowledged: number;
  surplus: number;
  /** messages whose every expected delivery arrived in time */
  complete: number;
  /** acknowledged messages with at least one delivery lost */
  incomplete: number;
  acked: number;
  failed: number;
  recipients: number;
  gone: number;
  /** Σ members − (recipients − gone) over messages where the target claimed fewer than the harness knows */
  underreported: number;
}

export function zeroTotals(): DeliveryTotals {
  return {
    expected: 0,
    received: 0,
    lost: 0,
    late: 0,
    unacknowledged: 0,
    surplus: 0,
    complete: 0,
    incomplete: 0,
    acked: 0,
    failed: 0,
    recipients: 0,
    gone: 0,
    underreported: 0,
  };
}

/** One message as the stale-cleanup analysis reads it. */
export interface MessageView {
  phase: number;
  intended: number;
  ackAt: number;
  acked: boolean;
  recipients: number;
  gone: number;
  received: number;
}

class OriginColumns {
  size = 0;
  state = new Uint8Array(1024);
  /** phase index + 1 (0 = not known yet) */
  phase1 = new Int16Array(1024);
  intended = new Float64Array(1024);
  doneAt = new Float64Array(1024);
  recipients = new Int32Array(1024);
  gone = new Int32Array(1024);
  /** the harness's member count of the sender's room at send time */
  members = new Int32Array(1024);
  received = new Uint32Array(1024);
  latest = new Float64Array(1024);
  /** every slot below this is final */
  cursor = 0;

  ensure(slot: number): void {
    if (slot < this.state.length) {
      if (slot >= this.size) this.size = slot + 1;
      return;
    }
    let cap = this.state.length;
    while (cap <= slot) cap *= 2;
    const grow = <T extends Uint8Array | Int16Array | Int32Array | Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.state = grow(this.state);
    this.phase1 = grow(this.phase1);
    this.intended = grow(this.intended);
    this.doneAt = grow(this.doneAt);
    this.recipients = grow(this.recipients);
    this.gone = grow(this.gone);
    this.members = grow(this.members);
    this.received = grow(this.received);
    this.latest = grow(this.latest);
    this.size = slot + 1;
  }
}

export type CompletionSink = (phase: number, micros: number) => void;

export class DeliveryLedger {
  private readonly origins: OriginColumns[] = [];
  readonly totals = zeroTotals();
  readonly byPhase: DeliveryTotals[] = [];

  constructor(
    private readonly graceMs: number,
    private readonly onCompletion: CompletionSink = () => {},
  ) {}

  private col(origin: number, slot: number): OriginColumns {
    const c = (this.origins[origin] ??= new OriginColumns());
    c.ensure(slot);
    return c;
  }

  private phaseTotals(phase: number): DeliveryTotals {
    return (this.byPhase[phase] ??= zeroTotals());
  }

  /** `members`: the harness's count of the sender's room (open, joined clients) at send time. */
  sent(origin: number, slot: number, intended: number, phase: number, members = 0): void {
    const c = this.col(origin, slot);
    if (c.state[slot] !== NONE) return;
    c.state[slot] = SENT;
    c.intended[slot] = intended;
    c.phase1[slot] = phase + 1;
    c.members[slot] = members;
  }

  acked(origin: number, slot: number, at: number, recipients: number, gone: number): void {
    const c = this.col(origin, slot);
    if (c.state[slot] === FINAL || c.state[slot] === ACKED) return;
    c.state[slot] = ACKED;
    c.doneAt[slot] = at;
    c.recipients[slot] = recipients;
    c.gone[slot] = gone;
  }

  failed(origin: number, slot: number, at: number): void {
    const c = this.col(origin, slot);
    if (c.state[slot] === FINAL || c.state[slot] === ACKED) return;
    c.state[slot] = FAILED;
    c.doneAt[slot] = at;
  }

  /** `count` unique deliveries of (origin, slot), the latest at `latest`. */
  receipts(origin: number, slot: number, count: number, latest: number): void {
    const c = this.col(origin, slot);
    if (c.state[slot] === FINAL) {
      if (c.recipients[slot] >= 0) this.add('late', c.phase1[slot] - 1, count);
      else this.add('unacknowledged', c.phase1[slot] - 1, count);
      return;
    }
    c.received[slot] += count;
    if (latest > c.latest[slot]) c.latest[slot] = latest;
  }

  /**
   * Finalizes messages whose grace has passed (all of them when `force`, at the end of a run:
   * a message never acknowledged by then counts as failed).
   */
  finalize(now: number, force = false): void {
    for (let o = 0; o < this.origins.length; o++) {
      const c = this.origins[o];
      if (!c) continue;
      let advance = true;
      for (let slot = c.cursor; slot < c.size; slot++) {
        const s = c.state[slot];
        if (s === FINAL) {
          if (advance) c.cursor = slot + 1;
          continue;
        }
        const due = (s === ACKED || s === FAILED) && now - c.doneAt[slot] >= this.graceMs;
        if (!due && !force) {
          advance = false;
          continue;
        }
        this.finish(c, slot);
        if (advance) c.cursor = slot + 1;
      }
    }
  }

  private finish(c: OriginColumns, slot: number): void {
    const s = c.state[slot];
    const phase = c.phase1[slot] - 1;
    const rec = c.received[slot];
    c.state[slot] = FINAL;
    if (s !== ACKED) {
      c.recipients[slot] = -1;
      if (s !== NONE) this.add('failed', phase, 1);
      this.add('unacknowledged', phase, rec);
      return;
    }
    const claimed = Math.max(0, c.recipients[slot] - c.gone[slot]);
    const expected = Math.max(claimed, c.members[slot]);
    this.add('underreported', phase, expected - claimed);
    const received = Math.min(rec, expected);
    this.add('acked', phase, 1);
    this.add('recipients', phase, c.recipients[slot]);
    this.add('gone', phase, c.gone[slot]);
    this.add('expected', phase, expected);
    this.add('received', phase, received);
    this.add('lost', phase, expected - received);
    this.add('surplus', phase, rec - received);
    if (received === expected) {
      this.add('complete', phase, 1);
      if (expected > 0) this.onCompletion(phase, Math.max(0, Math.round((c.latest[slot] - c.intended[slot]) * 1000)));
    } else {
      this.add('incomplete', phase, 1);
    }
  }

  private add(field: keyof DeliveryTotals, phase: number, n: number): void {
    if (n === 0) return;
    this.totals[field] += n;
    if (phase >= 0) this.phaseTotals(phase)[field] += n;
  }

  /** Every message sent (final or not), in no particular order. */
  *messages(): Generator<MessageView> {
    for (const c of this.origins) {
      if (!c) continue;
      for (let slot = 0; slot < c.size; slot++) {
        if (c.state[slot] === NONE) continue;
        const state = c.state[slot];
        const acked = state === ACKED || (state === FINAL && c.recipients[slot] >= 0);
        yield {
          phase: c.phase1[slot] - 1,
          intended: c.intended[slot],
          ackAt: c.doneAt[slot],
          acked,
          recipients: Math.max(0, c.recipients[slot]),
          gone: c.gone[slot],
          received: c.received[slot],
        };
      }
    }
  }
}
