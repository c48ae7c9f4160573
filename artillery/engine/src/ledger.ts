import { COUNTERS as C, HISTOGRAMS as H } from '../../../src/artillery-interop/metric-names.ts';
import { DeliveryLedger, zeroTotals, type DeliveryTotals, type LedgerTimeouts } from '../../../src/metrics/measurement/delivery-ledger.ts';
import type { StaleResult } from '../../../src/metrics/measurement/stale-report.ts';

/**
 * The worker's account of every message it sent: the harness's delivery ledger
 * (src/metrics/measurement/delivery-ledger.ts, its rules there), kept in one process. Every member
 * of a room is a socket of this worker, so each delivery is entered the moment it arrives (its own
 * receipt record: lateness is decided per delivery) and the worker's messages are one origin. What
 * each settle adds to the ledger's totals goes to Artillery as counters; a message's fan-out
 * completion as a histogram in ms.
 */
export interface Sink {
  count(name: string, n: number): void;
  histogram(name: string, ms: number): void;
}

const ORIGIN = 0;

/** The ledger's totals, as the Artillery counters they are reported as. */
const COUNTED: ReadonlyArray<readonly [keyof DeliveryTotals, string]> = [
  ['acked', C.sendsAcked],
  ['failed', C.sendsFailed],
  ['underreported', C.underreported],
  ['expected', C.expected],
  ['received', C.received],
  ['late', C.late],
  ['lost', C.lost],
  ['lostEarly', C.lostEarly],
  ['surplus', C.surplus],
  ['gone', C.gone410],
  ['afterLossTimeout', C.afterLossTimeout],
  ['unacknowledged', C.unacknowledged],
];

export class Ledger {
  private readonly ledger: DeliveryLedger;
  /** the totals already counted to Artillery */
  private readonly counted = zeroTotals();
  private nextSlot = 0;

  constructor(
    timeouts: LedgerTimeouts,
    private readonly sink: Sink,
  ) {
    this.ledger = new DeliveryLedger(timeouts, (_phase, micros) => sink.histogram(H.fanoutCompletion, micros / 1000));
  }

  /** A new message of plan phase `phase` to a room of `members` open, joined members; returns its slot. */
  sent(intended: number, phase: number, members: number): number {
    const slot = this.nextSlot++;
    this.ledger.sent(ORIGIN, slot, intended, phase, members);
    return slot;
  }

  acked(slot: number, at: number, recipients: number, gone: number): void {
    this.ledger.acked(ORIGIN, slot, at, recipients, gone);
  }

  failed(slot: number, at: number): void {
    this.ledger.failed(ORIGIN, slot, at);
  }

  /** One unique delivery of `slot` at `at`; false when the slot names no message of this worker. */
  delivery(slot: number, at: number): boolean {
    if (!Number.isSafeInteger(slot) || slot >= this.nextSlot) return false;
    this.ledger.receipts(ORIGIN, slot, 1, at);
    return true;
  }

  /**
   * Settles what is due (everything when `force`, at the end of the run) and counts what that
   * and the deliveries since the last settle added.
   */
  settle(now: number, force = false): void {
    this.ledger.finalize(now, force);
    const totals = this.ledger.totals;
    for (const [field, name] of COUNTED) {
      const n = totals[field] - this.counted[field];
      if (n !== 0) this.sink.count(name, n);
      this.counted[field] = totals[field];
    }
  }

  /** Messages sent and not settled yet. */
  get unsettled(): number {
    return this.ledger.unsettled();
  }

  /** From now on, keep the stale-connection cleanup account of messages of phases after `dropPhase`. */
  watchStale(dropPhase: number): void {
    this.ledger.watchStale(dropPhase);
  }

  /** The stale-connection cleanup after the first drop (undefined without one); call after the last settle. */
  staleResult(): Pick<StaleResult, 'wastedPosts' | 'timeToCleanMs'> | undefined {
    return this.ledger.staleResult(0);
  }
}
