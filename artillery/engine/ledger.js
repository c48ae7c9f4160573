// @ts-check
import { COUNTERS as C, HISTOGRAMS as H } from './metric-names.js';

/**
 * The worker's account of every message it sent, with the harness's rules
 * (src/metrics/delivery-ledger.ts), kept in one process: every member of a room is a socket of
 * this worker, so a delivery is matched to its message the moment it arrives.
 *   expected = max(recipients − gone, members)   (members: our own count of the room's open,
 *              joined clients when the message was sent; the target's claim alone cannot hide a
 *              member it skipped — the shortfall is `underreported`)
 *   received = unique deliveries, at most expected;  lost = expected − received
 * A message is settled once all its deliveries arrived, or `lossMs` after its ack (what has not
 * arrived is lost); a failed send `graceMs` after the failure (its deliveries are
 * `unacknowledged`); at the end of the run everything left, as failed if never answered (and
 * what a message missed before its loss timeout ran out is also `lostEarly`). A delivery more
 * than `graceMs` after its message's ack is received and also `late` (decided per delivery; one
 * arriving before the ack is on time). Deliveries of a settled message are `surplus` (it was
 * complete), `afterLossTimeout` (it was lost: it stays lost) or `unacknowledged`.
 *
 * Settled messages are forgotten RETAIN_MS after their intended time; a delivery of a forgotten
 * slot counts as afterLossTimeout. Counters go to `sink` as messages settle.
 */
export const RETAIN_MS = 60_000;

const SENT = 1;
const ACKED = 2;
const FAILED = 3;
const FINAL = 4;

/**
 * @typedef {{ count(name: string, n: number): void, histogram(name: string, ms: number): void }} Sink
 * @typedef {{ state: number, phase: number, intended: number, doneAt: number, recipients: number,
 *   gone: number, members: number, received: number, late: number, latest: number }} Message
 */

export class Ledger {
  /**
   * @param {{ graceMs: number, lossMs: number }} timeouts
   * @param {Sink} sink
   */
  constructor(timeouts, sink) {
    this.graceMs = timeouts.graceMs;
    this.lossMs = timeouts.lossMs;
    this.sink = sink;
    /** @type {Map<number, Message>} by slot, in slot order */
    this.messages = new Map();
    this.nextSlot = 0;
    this.unsettled = 0;
    /** @type {StaleTally | undefined} */
    this.stale = undefined;
  }

  /**
   * From now on, keep the stale-cleanup account of messages of phases after `dropPhase`.
   * @param {number} dropPhase
   */
  watchStale(dropPhase) {
    this.stale ??= new StaleTally(dropPhase);
  }

  /**
   * A new message; returns its slot.
   * @param {number} intended
   * @param {number} phase
   * @param {number} members
   */
  sent(intended, phase, members) {
    const slot = this.nextSlot++;
    this.messages.set(slot, { state: SENT, phase, intended, doneAt: 0, recipients: 0, gone: 0, members, received: 0, late: 0, latest: 0 });
    this.unsettled++;
    return slot;
  }

  /**
   * @param {number} slot
   * @param {number} at
   * @param {number} recipients
   * @param {number} gone
   */
  acked(slot, at, recipients, gone) {
    const m = this.messages.get(slot);
    if (!m || m.state === FINAL || m.state === ACKED) return;
    m.state = ACKED;
    m.doneAt = at;
    m.recipients = recipients;
    m.gone = gone;
  }

  /**
   * @param {number} slot
   * @param {number} at
   */
  failed(slot, at) {
    const m = this.messages.get(slot);
    if (!m || m.state === FINAL || m.state === ACKED) return;
    m.state = FAILED;
    m.doneAt = at;
  }

  /**
   * One unique delivery of `slot` at `at`; false when the slot names no message of this worker.
   * @param {number} slot
   * @param {number} at
   */
  delivery(slot, at) {
    if (!Number.isSafeInteger(slot) || slot >= this.nextSlot) return false;
    const m = this.messages.get(slot);
    if (!m) {
      this.sink.count(C.afterLossTimeout, 1);
      return true;
    }
    if (m.state === FINAL) {
      if (m.recipients < 0) this.sink.count(C.unacknowledged, 1);
      else if (m.received >= expectedOf(m)) this.sink.count(C.surplus, 1);
      else this.sink.count(C.afterLossTimeout, 1);
      return true;
    }
    m.received++;
    if (at > m.latest) m.latest = at;
    if (m.state === ACKED && at - m.doneAt > this.graceMs) m.late++;
    return true;
  }

  /**
   * Settles what is due (everything when `force`, at the end of the run), then forgets settled
   * messages RETAIN_MS old.
   * @param {number} now
   * @param {boolean} [force]
   */
  settle(now, force = false) {
    for (const [slot, m] of this.messages) {
      if (m.state !== FINAL && (force || this.due(m, now))) this.finish(m, now);
      if (m.state === FINAL && now - m.intended >= RETAIN_MS) this.messages.delete(slot);
    }
  }

  /**
   * @param {Message} m
   * @param {number} now
   */
  due(m, now) {
    if (m.state === ACKED) return m.received >= expectedOf(m) || now - m.doneAt >= this.lossMs;
    if (m.state === FAILED) return now - m.doneAt >= this.graceMs;
    return false;
  }

  /**
   * @param {Message} m
   * @param {number} now
   */
  finish(m, now) {
    const s = m.state;
    const count = this.sink.count.bind(this.sink);
    m.state = FINAL;
    this.unsettled--;
    if (s !== ACKED) {
      m.recipients = -1;
      count(C.sendsFailed, 1);
      count(C.unacknowledged, m.received);
      this.stale?.add({ phase: m.phase, intended: m.intended, ackAt: m.doneAt, acked: false, recipients: 0, gone: 0, received: m.received });
      return;
    }
    const claimed = Math.max(0, m.recipients - m.gone);
    const expected = expectedOf(m);
    const received = Math.min(m.received, expected);
    // on-time deliveries fill `received` first: late ones beyond expected are surplus
    const late = received - Math.min(received, m.received - m.late);
    count(C.sendsAcked, 1);
    count(C.underreported, expected - claimed);
    count(C.expected, expected);
    count(C.received, received);
    count(C.late, late);
    count(C.lost, expected - received);
    if (now - m.doneAt < this.lossMs) count(C.lostEarly, expected - received);
    count(C.surplus, m.received - received);
    count(C.gone410, m.gone);
    if (received === expected && expected > 0) this.sink.histogram(H.fanoutCompletion, Math.max(0, m.latest - m.intended));
    this.stale?.add({ phase: m.phase, intended: m.intended, ackAt: m.doneAt, acked: true, recipients: m.recipients, gone: m.gone, received: m.received });
  }
}

/**
 * What an acknowledged message expects: the larger of the target's claim and our own count.
 * @param {Message} m
 */
function expectedOf(m) {
  return Math.max(Math.max(0, m.recipients - m.gone), m.members);
}

/**
 * Stale-connection cleanup after a drop, as the harness reads it (src/metrics/stale-report.ts):
 * time to clean runs from the first message sent after the drop to the ack of the last message
 * that still hit a stale connection, if a later message was seen clean (null: never clean);
 * wasted posts are Σ (recipients − received) over acknowledged messages after the drop.
 */
export class StaleTally {
  /** @param {number} dropPhase */
  constructor(dropPhase) {
    this.dropPhase = dropPhase;
    this.wastedPosts = 0;
    this.firstAfter = Infinity;
    this.ackedAfter = 0;
    /** @type {{ intended: number, ackAt: number } | undefined} */
    this.lastHit = undefined;
    this.lastClean = -Infinity;
  }

  /** @param {{ phase: number, intended: number, ackAt: number, acked: boolean, recipients: number, gone: number, received: number }} m */
  add(m) {
    if (m.phase <= this.dropPhase) return;
    this.firstAfter = Math.min(this.firstAfter, m.intended);
    if (!m.acked) return;
    this.ackedAfter++;
    this.wastedPosts += Math.max(0, m.recipients - m.received);
    if (m.gone > 0) {
      if (!this.lastHit || m.intended > this.lastHit.intended) this.lastHit = { intended: m.intended, ackAt: m.ackAt };
    } else {
      this.lastClean = Math.max(this.lastClean, m.intended);
    }
  }

  /** @returns {{ wastedPosts: number, timeToCleanMs: number | null }} */
  result() {
    let timeToCleanMs = null;
    if (this.ackedAfter > 0) {
      if (!this.lastHit) timeToCleanMs = 0;
      else if (this.lastClean > this.lastHit.intended) timeToCleanMs = Math.max(0, this.lastHit.ackAt - this.firstAfter);
    }
    return { wastedPosts: this.wastedPosts, timeToCleanMs };
  }
}
