import { StaleTally, type StaleResult } from './stale-report.ts';

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

/**
 * One origin's messages, by slot (slots are dense and rise with the intended send time). Only a
 * window of slots is kept: [offset, size). Slots below the cursor are final; those whose intended
 * time is RETAIN_MS old are dropped (the arrays shift down), so memory follows the send rate,
 * not the length of the run.
 */
class OriginColumns {
  /** first slot still held; index = slot − offset */
  offset = 0;
  /** one past the highest slot seen */
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

  /** The index of `slot`, made room for; -1 if it was already dropped. */
  index(slot: number): number {
    const i = slot - this.offset;
    if (i < 0) return -1;
    if (i >= this.state.length) {
      let cap = this.state.length;
      while (cap <= i) cap *= 2;
      this.resize(cap, 0);
    }
    if (slot >= this.size) this.size = slot + 1;
    return i;
  }

  /** Drops the slots below `upTo` (all final), once enough of them have gathered to make it worth a copy. */
  dropBelow(upTo: number): void {
    const n = upTo - this.offset;
    if (n < 1024 || n < (this.size - this.offset) / 2) return;
    this.resize(this.state.length, n);
    this.offset = upTo;
  }

  /** New arrays of `cap` entries holding the entries from index `from` on (fresh ones are zero). */
  private resize(cap: number, from: number): void {
    const used = this.size - this.offset;
    const move = <T extends Uint8Array | Int16Array | Int32Array | Uint32Array | Float64Array>(a: T): T => {
      if (cap === a.length) {
        a.copyWithin(0, from, used);
        a.fill(0, used - from);
        return a;
      }
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a.subarray(from, used));
      return b;
    };
    this.state = move(this.state);
    this.phase1 = move(this.phase1);
    this.intended = move(this.intended);
    this.doneAt = move(this.doneAt);
    this.recipients = move(this.recipients);
    this.gone = move(this.gone);
    this.members = move(this.members);
    this.received = move(this.received);
    this.latest = move(this.latest);
  }
}

/**
 * Final messages are dropped once their intended time is this old (ms). A delivery of a dropped
 * message still counts as late, in the run's totals (its phase is no longer known).
 */
export const RETAIN_MS = 60_000;

export type CompletionSink = (phase: number, micros: number) => void;

export class DeliveryLedger {
  private readonly origins: OriginColumns[] = [];
  readonly totals = zeroTotals();
  readonly byPhase: DeliveryTotals[] = [];
  private stale: StaleTally | undefined;

  constructor(
    private readonly graceMs: number,
    private readonly onCompletion: CompletionSink = () => {},
  ) {}

  private col(origin: number): OriginColumns {
    return (this.origins[origin] ??= new OriginColumns());
  }

  private phaseTotals(phase: number): DeliveryTotals {
    return (this.byPhase[phase] ??= zeroTotals());
  }

  /**
   * From now on, keep the stale-cleanup account of messages of phases after `dropPhase` (the
   * first drop). Call it when that phase begins: its messages are all final later than that.
   */
  watchStale(dropPhase: number): void {
    this.stale ??= new StaleTally(dropPhase);
  }

  /** The stale-cleanup report; undefined without watchStale(). Call after the final finalize. */
  staleResult(dropped: number): StaleResult | undefined {
    if (!this.stale) return undefined;
    // Σ gone of every acknowledged message of the run, before the drop too (totals has them all).
    return { ...this.stale.result(dropped), gone410: this.totals.gone };
  }

  /** Array entries held per message column, over all origins (what the ledger's memory follows). */
  capacity(): number {
    return this.origins.reduce((n, c) => n + (c ? c.state.length : 0), 0);
  }

  /** `members`: the harness's count of the sender's room (open, joined clients) at send time. */
  sent(origin: number, slot: number, intended: number, phase: number, members = 0): void {
    const c = this.col(origin);
    const i = c.index(slot);
    if (i < 0 || c.state[i] !== NONE) return;
    c.state[i] = SENT;
    c.intended[i] = intended;
    c.phase1[i] = phase + 1;
    c.members[i] = members;
  }

  acked(origin: number, slot: number, at: number, recipients: number, gone: number): void {
    const c = this.col(origin);
    const i = c.index(slot);
    if (i < 0 || c.state[i] === FINAL || c.state[i] === ACKED) return;
    c.state[i] = ACKED;
    c.doneAt[i] = at;
    c.recipients[i] = recipients;
    c.gone[i] = gone;
  }

  failed(origin: number, slot: number, at: number): void {
    const c = this.col(origin);
    const i = c.index(slot);
    if (i < 0 || c.state[i] === FINAL || c.state[i] === ACKED) return;
    c.state[i] = FAILED;
    c.doneAt[i] = at;
  }

  /** `count` unique deliveries of (origin, slot), the latest at `latest`. */
  receipts(origin: number, slot: number, count: number, latest: number): void {
    const c = this.col(origin);
    const i = c.index(slot);
    if (i < 0) {
      this.add('late', -1, count); // final long ago and dropped: late, phase no longer known
      return;
    }
    if (c.state[i] === FINAL) {
      if (c.recipients[i] >= 0) this.add('late', c.phase1[i] - 1, count);
      else this.add('unacknowledged', c.phase1[i] - 1, count);
      return;
    }
    c.received[i] += count;
    if (latest > c.latest[i]) c.latest[i] = latest;
  }

  /**
   * Finalizes messages whose grace has passed (all of them when `force`, at the end of a run:
   * a message never acknowledged by then counts as failed), then drops final messages older than
   * RETAIN_MS.
   */
  finalize(now: number, force = false): void {
    for (let o = 0; o < this.origins.length; o++) {
      const c = this.origins[o];
      if (!c) continue;
      let advance = true;
      for (let slot = c.cursor; slot < c.size; slot++) {
        const i = slot - c.offset;
        const s = c.state[i];
        if (s === FINAL) {
          if (advance) c.cursor = slot + 1;
          continue;
        }
        const due = (s === ACKED || s === FAILED) && now - c.doneAt[i] >= this.graceMs;
        if (!due && !force) {
          advance = false;
          continue;
        }
        this.finish(c, i);
        if (advance) c.cursor = slot + 1;
      }
      let keepFrom = c.offset;
      while (keepFrom < c.cursor && now - c.intended[keepFrom - c.offset] >= RETAIN_MS) keepFrom++;
      c.dropBelow(keepFrom);
    }
  }

  private finish(c: OriginColumns, i: number): void {
    const s = c.state[i];
    const phase = c.phase1[i] - 1;
    const rec = c.received[i];
    c.state[i] = FINAL;
    if (s !== ACKED) {
      c.recipients[i] = -1;
      if (s !== NONE) this.add('failed', phase, 1);
      this.add('unacknowledged', phase, rec);
      if (s !== NONE) this.stale?.add({ phase, intended: c.intended[i], ackAt: c.doneAt[i], acked: false, recipients: 0, gone: 0, received: rec });
      return;
    }
    const claimed = Math.max(0, c.recipients[i] - c.gone[i]);
    const expected = Math.max(claimed, c.members[i]);
    this.add('underreported', phase, expected - claimed);
    const received = Math.min(rec, expected);
    this.add('acked', phase, 1);
    this.add('recipients', phase, c.recipients[i]);
    this.add('gone', phase, c.gone[i]);
    this.add('expected', phase, expected);
    this.add('received', phase, received);
    this.add('lost', phase, expected - received);
    this.add('surplus', phase, rec - received);
    if (received === expected) {
      this.add('complete', phase, 1);
      if (expected > 0) this.onCompletion(phase, Math.max(0, Math.round((c.latest[i] - c.intended[i]) * 1000)));
    } else {
      this.add('incomplete', phase, 1);
    }
    this.stale?.add({ phase, intended: c.intended[i], ackAt: c.doneAt[i], acked: true, recipients: c.recipients[i], gone: c.gone[i], received: rec });
  }

  private add(field: keyof DeliveryTotals, phase: number, n: number): void {
    if (n === 0) return;
    this.totals[field] += n;
    if (phase >= 0) this.phaseTotals(phase)[field] += n;
  }
}
