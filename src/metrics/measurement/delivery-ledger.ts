import { StaleTally, type StaleResult } from './stale-report.ts';
import type { HarnessDrops } from './harness-drops.ts';
import type { ReconnectAbsences } from './reconnect-absences.ts';

/**
 * The parent's account of every message: what the sender's shard says (sent at its intended
 * time, acknowledged with `recipients` and `gone`, or failed) and what every shard received.
 *   expected = max(recipients − gone, members)
 *   received = unique deliveries, at most `expected`;  lost = expected − received
 * where recipients − gone is what the system says it posted to without a 410, and `members` is
 * the harness's own count of its room's open, joined clients when it was sent. The target's claim
 * alone cannot be trusted: a stack that skips a member and reports fewer recipients would show
 * nothing lost. When it claims fewer than the harness knows, the shortfall is `underreported`.
 * A protocol without our `sent` ack makes no claim (NO_CLAIM): expected = members alone, and a
 * fire-and-forget send is settled as if answered at its intended send time, so its loss timeout
 * and grace run from there.
 *
 * When a message is settled (final):
 * - acknowledged: as soon as every expected delivery arrived (complete; its fan-out completion,
 *   send → last member, is recorded), else `lossMs` after its ack: what has not arrived by then
 *   is lost. A delivery that arrives before that is received, however slow: one arriving more
 *   than `graceMs` after the ack is also counted `late` (an asynchronous fan-out, a cold start).
 * - failed (error answer or ack timeout): `graceMs` after the failure (a late ack still rescues
 *   it until then); its deliveries are `unacknowledged`.
 * - never answered: at the end of the run, as failed.
 * Deliveries of a settled message: `unacknowledged` if its send failed, `surplus` if it was
 * complete, `afterLossTimeout` if it was lost (it stays lost). Messages settled before their loss
 * timeout ran out (the run ended first, or the window below was full) count what they missed as
 * lost and also as `lostEarly`. Deliveries of unique receipts beyond `expected` are `surplus`.
 *
 * A member away in reconnect (the server closed it; reconnect-absences.ts) while a message went
 * out could not receive it: when an acknowledged message settles with deliveries missing, up to
 * the count of its room's members away between its send and its ack are taken out of expected
 * and counted `missedDuringReconnect` instead of lost. Likewise members the harness itself dropped
 * (a `drop` phase) after the message left and before it settled (harness-drops.ts): counted
 * `missedByDrop`, not lost.
 *
 * Lateness is decided per receipt record: a shard reports, once a flush, how many deliveries of a
 * message it received and when the latest of them arrived; the record is late when that latest
 * arrival is more than `graceMs` after the ack. Records read before the ack itself arrived are on
 * time (they arrived before the sender saw its ack).
 */
const NONE = 0;
const SENT = 1;
const ACKED = 2;
const FAILED = 3;
const FINAL = 4;

/**
 * `recipients` of a message the target settled without saying whom it posted to: a protocol
 * without our `sent` ack (fire-and-forget: settled at its intended send time; or an ack that
 * carries no counts). Its expected deliveries are the harness's member count alone.
 */
export const NO_CLAIM = -2;
/** `recipients` of a final message whose send failed or was never answered */
const FAILED_MARK = -1;
/** `recipients` of a failed message whose socket the server closed while its sender reconnects (until final) */
const CUT_OFF_MARK = -3;

export interface DeliveryTotals {
  expected: number;
  received: number;
  lost: number;
  /** received more than the grace after the ack (within received) */
  late: number;
  /** of lost: missed by messages settled before their loss timeout ran out */
  lostEarly: number;
  /** arrived after their message was settled lost (or forgotten: settled and RETAIN_MS old) */
  afterLossTimeout: number;
  unacknowledged: number;
  surplus: number;
  /** messages whose every expected delivery arrived within the loss timeout */
  complete: number;
  /** acknowledged messages with at least one delivery lost */
  incomplete: number;
  acked: number;
  failed: number;
  /** sends on the wire when the server closed their socket and their sender went on to reconnect: unanswered, not failed */
  cutOffByReconnect: number;
  recipients: number;
  gone: number;
  /** Σ members − (recipients − gone) over messages where the target claimed fewer than the harness knows */
  underreported: number;
  /** deliveries to members away in reconnect while their message went out (not in expected, nor lost) */
  missedDuringReconnect: number;
  /** deliveries owed to members the harness dropped while their message was on its way (not in expected, nor lost) */
  missedByDrop: number;
}

export function zeroTotals(): DeliveryTotals {
  return {
    expected: 0,
    received: 0,
    lost: 0,
    late: 0,
    lostEarly: 0,
    afterLossTimeout: 0,
    unacknowledged: 0,
    surplus: 0,
    complete: 0,
    incomplete: 0,
    acked: 0,
    failed: 0,
    cutOffByReconnect: 0,
    recipients: 0,
    gone: 0,
    underreported: 0,
    missedDuringReconnect: 0,
    missedByDrop: 0,
  };
}

/**
 * One origin's messages, by slot (slots are dense and rise with the intended send time). Only a
 * window of slots is kept: [offset, size). Slots below the cursor are final; those whose intended
 * time is RETAIN_MS old are dropped (the arrays shift down), so memory follows the send rate
 * times the longer of RETAIN_MS and the loss timeout (an unsettled message holds the window), up
 * to HELD_MAX slots.
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
  /** the sender's room, client id and its sequence number (-1: not said): where a loss is named */
  room = new Int32Array(1024);
  sender = new Int32Array(1024);
  seq = new Int32Array(1024);
  received = new Uint32Array(1024);
  /** of received: deliveries in records whose latest arrival was past ack + grace */
  late = new Uint32Array(1024);
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
    this.room = move(this.room);
    this.sender = move(this.sender);
    this.seq = move(this.seq);
    this.received = move(this.received);
    this.late = move(this.late);
    this.latest = move(this.latest);
  }
}

/**
 * Final messages are dropped once their intended time is this old (ms). A delivery of a dropped
 * message counts as afterLossTimeout, in the run's totals (its phase is no longer known).
 */
export const RETAIN_MS = 60_000;

/**
 * The most slots one origin keeps after a settle (its arrays, about 59 bytes a slot, hold at most
 * twice that between settles: under 64 MB). Past it the oldest unsettled messages are settled at
 * once, before their loss timeout (`lostEarly`), and final ones dropped before RETAIN_MS: the
 * bound holds for any loss timeout and send rate. It takes 8,700 sends/s per shard to fill it
 * with settled messages, 17,000/s with messages waiting out the default 30 s loss timeout.
 */
export const HELD_MAX = 1 << 19;

/** A complete message's fan-out completion, and the message (its origin shard and slot). */
export type CompletionSink = (phase: number, micros: number, origin: number, slot: number) => void;

/** An acknowledged message settled with deliveries lost (lost-deliveries.ts keeps them). */
export interface LostMessage {
  phase: number;
  /** -1 when the sender's room, id or sequence number was not said (sent()) */
  room: number;
  sender: number;
  seq: number;
  origin: number;
  slot: number;
  /** epoch ms */
  intended: number;
  ackAt: number;
  expected: number;
  received: number;
}

export type LossSink = (m: LostMessage) => void;

export interface LedgerTimeouts {
  /** a delivery more than this after its message's ack is late (and a failed send final) */
  graceMs: number;
  /** an acknowledged message's missing deliveries are lost this long after its ack */
  lossMs: number;
}

export class DeliveryLedger {
  private readonly origins: OriginColumns[] = [];
  readonly totals = zeroTotals();
  readonly byPhase: DeliveryTotals[] = [];
  private stale: StaleTally | undefined;
  private readonly graceMs: number;
  private readonly lossMs: number;
  private unsettledCount = 0;

  constructor(
    timeouts: LedgerTimeouts,
    private readonly onCompletion: CompletionSink = () => {},
    private readonly onLoss: LossSink = () => {},
    private readonly absences?: ReconnectAbsences,
    private readonly drops?: HarnessDrops,
  ) {
    this.graceMs = timeouts.graceMs;
    this.lossMs = timeouts.lossMs;
  }

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

  /** The intended time of the last message after the first drop that reached the target; undefined without one (or without watchStale()). */
  lastSentAfterDrop(): number | undefined {
    return this.stale?.lastSentAfterDrop();
  }

  /** Array entries held per message column, over all origins (what the ledger's memory follows). */
  capacity(): number {
    return this.origins.reduce((n, c) => n + (c ? c.state.length : 0), 0);
  }

  /**
   * Messages sent and not settled yet: waiting for their ack, or for deliveries within the loss
   * timeout. None of them is counted received or lost yet.
   */
  unsettled(): number {
    return this.unsettledCount;
  }

  /**
   * `members`: the harness's count of the sender's room (open, joined clients) at send time;
   * `room`, `sender`, `seq`: the sender's room, client id and sequence number, for naming a loss.
   */
  sent(origin: number, slot: number, intended: number, phase: number, members = 0, room = -1, sender = -1, seq = -1): void {
    const c = this.col(origin);
    const i = c.index(slot);
    if (i < 0 || c.state[i] !== NONE) return;
    c.state[i] = SENT;
    c.intended[i] = intended;
    c.phase1[i] = phase + 1;
    c.members[i] = members;
    c.room[i] = room;
    c.sender[i] = sender;
    c.seq[i] = seq;
    this.unsettledCount++;
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

  /** (origin, slot) failed at `at`; `cutOff`: its socket closed and its sender reconnects (counted apart from failed) */
  failed(origin: number, slot: number, at: number, cutOff = false): void {
    const c = this.col(origin);
    const i = c.index(slot);
    if (i < 0 || c.state[i] === FINAL || c.state[i] === ACKED) return;
    c.state[i] = FAILED;
    c.doneAt[i] = at;
    if (cutOff) c.recipients[i] = CUT_OFF_MARK;
  }

  /** `count` unique deliveries of (origin, slot), the latest at `latest`. */
  receipts(origin: number, slot: number, count: number, latest: number): void {
    const c = this.col(origin);
    const i = c.index(slot);
    if (i < 0) {
      this.add('afterLossTimeout', -1, count); // settled long ago and dropped: phase no longer known
      return;
    }
    if (c.state[i] === FINAL) {
      const phase = c.phase1[i] - 1;
      if (c.recipients[i] === FAILED_MARK) this.add('unacknowledged', phase, count);
      else if (c.received[i] >= expectedOf(c, i)) this.add('surplus', phase, count);
      else this.add('afterLossTimeout', phase, count);
      return;
    }
    c.received[i] += count;
    if (latest > c.latest[i]) c.latest[i] = latest;
    if (c.state[i] === ACKED && latest - c.doneAt[i] > this.graceMs) c.late[i] += count;
  }

  /**
   * Settles the messages that are due (see the top of this file; all of them when `force`, at
   * the end of a run: a message never acknowledged by then counts as failed), then drops final
   * messages older than RETAIN_MS, and keeps each origin within HELD_MAX slots.
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
        if (!force && !this.due(c, i, now)) {
          advance = false;
          continue;
        }
        this.finish(o, c, i, now);
        if (advance) c.cursor = slot + 1;
      }
      let keepFrom = c.offset;
      while (keepFrom < c.cursor && now - c.intended[keepFrom - c.offset] >= RETAIN_MS) keepFrom++;
      if (c.size - c.offset > HELD_MAX) {
        // Over the bound: settle and drop down to half of it (half, so the drop is worth its copy).
        const upTo = c.size - HELD_MAX / 2;
        for (let slot = c.offset; slot < upTo; slot++) {
          if (c.state[slot - c.offset] !== FINAL) this.finish(o, c, slot - c.offset, now);
        }
        c.cursor = Math.max(c.cursor, upTo);
        keepFrom = Math.max(keepFrom, upTo);
      }
      c.dropBelow(keepFrom);
    }
  }

  private due(c: OriginColumns, i: number, now: number): boolean {
    const s = c.state[i];
    if (s === ACKED) return c.received[i] >= expectedOf(c, i) || now - c.doneAt[i] >= this.lossMs;
    if (s === FAILED) return now - c.doneAt[i] >= this.graceMs;
    return false;
  }

  private finish(origin: number, c: OriginColumns, i: number, now: number): void {
    const s = c.state[i];
    const phase = c.phase1[i] - 1;
    const rec = c.received[i];
    c.state[i] = FINAL;
    if (s !== NONE) this.unsettledCount--;
    if (s !== ACKED) {
      if (s !== NONE) this.add(c.recipients[i] === CUT_OFF_MARK ? 'cutOffByReconnect' : 'failed', phase, 1);
      c.recipients[i] = FAILED_MARK;
      this.add('unacknowledged', phase, rec);
      if (s !== NONE) this.stale?.add({ phase, intended: c.intended[i], ackAt: c.doneAt[i], acked: false, recipients: 0, gone: 0, received: rec });
      return;
    }
    const noClaim = c.recipients[i] === NO_CLAIM;
    const claimed = expectedOf(c, i);
    const away = rec < claimed && this.absences ? Math.min(claimed - rec, this.absences.awayDuring(c.room[i], c.intended[i], c.doneAt[i], this.graceMs)) : 0;
    this.add('missedDuringReconnect', phase, away);
    const dropped = rec < claimed - away && this.drops ? Math.min(claimed - away - rec, this.drops.droppedDuring(c.room[i], c.intended[i], now)) : 0;
    this.add('missedByDrop', phase, dropped);
    const expected = claimed - away - dropped;
    if (!noClaim) this.add('underreported', phase, Math.max(0, expected - Math.max(0, c.recipients[i] - c.gone[i])));
    const received = Math.min(rec, expected);
    // on-time deliveries fill `received` first: late ones beyond expected are surplus
    const late = received - Math.min(received, rec - c.late[i]);
    this.add('acked', phase, 1);
    if (!noClaim) {
      this.add('recipients', phase, c.recipients[i]);
      this.add('gone', phase, c.gone[i]);
    }
    this.add('expected', phase, expected);
    this.add('received', phase, received);
    this.add('late', phase, late);
    this.add('lost', phase, expected - received);
    if (now - c.doneAt[i] < this.lossMs) this.add('lostEarly', phase, expected - received);
    this.add('surplus', phase, rec - received);
    if (received === expected) {
      this.add('complete', phase, 1);
      if (expected > 0) this.onCompletion(phase, Math.max(0, Math.round((c.latest[i] - c.intended[i]) * 1000)), origin, c.offset + i);
    } else {
      this.add('incomplete', phase, 1);
      this.onLoss({
        phase,
        room: c.room[i],
        sender: c.sender[i],
        seq: c.seq[i],
        origin,
        slot: c.offset + i,
        intended: c.intended[i],
        ackAt: c.doneAt[i],
        expected,
        received,
      });
    }
    // without the target's counts there are no 410s to see here (the target's own view may have them: src/session/target-stale.ts)
    if (!noClaim) this.stale?.add({ phase, intended: c.intended[i], ackAt: c.doneAt[i], acked: true, recipients: c.recipients[i], gone: c.gone[i], received: rec });
    else this.stale?.sent(phase, c.intended[i]);
  }

  private add(field: keyof DeliveryTotals, phase: number, n: number): void {
    if (n === 0) return;
    this.totals[field] += n;
    if (phase >= 0) this.phaseTotals(phase)[field] += n;
  }
}

/** What an acknowledged message expects: the larger of the target's claim and the harness's own count. */
function expectedOf(c: OriginColumns, i: number): number {
  return Math.max(Math.max(0, c.recipients[i] - c.gone[i]), c.members[i]);
}
