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
 * Stale-connection cleanup, read from the messages after a drop: clients vanished without a close
 * frame and their $disconnect was lost, so the system still lists them until a fan-out's 410
 * makes it delete them.
 *   gone410       Σ gone in the acks (the whole run)
 *   timeToCleanMs from the first message sent after the drop until the ack of the last message
 *                 that still hit a stale connection, if a later message was seen clean; null if
 *                 broadcasts never stopped hitting stale connections
 *   wastedPosts   Σ (recipients − deliveries received) over acknowledged messages after the drop
 */
export interface StaleResult {
  dropped: number;
  gone410: number;
  timeToCleanMs: number | null;
  wastedPosts: number;
}

/**
 * The same, kept as messages become final (the ledger feeds it), so no message needs to be kept
 * until the end of the run: a few numbers, however long the run.
 */
export class StaleTally {
  private gone410 = 0;
  private wastedPosts = 0;
  private firstAfter = Infinity;
  private ackedAfter = 0;
  /** the last message (by intended time) after the drop that still hit a stale connection */
  private lastHit: { intended: number; ackAt: number } | undefined;
  /** the latest intended time of an acknowledged message after the drop that hit none */
  private lastClean = -Infinity;

  constructor(readonly dropPhase: number) {}

  add(m: MessageView): void {
    if (m.acked) this.gone410 += m.gone;
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

  result(dropped: number): StaleResult {
    let timeToCleanMs: number | null = null;
    if (this.ackedAfter > 0) {
      if (!this.lastHit) timeToCleanMs = 0;
      else if (this.lastClean > this.lastHit.intended) {
        timeToCleanMs = Math.max(0, Math.round((this.lastHit.ackAt - this.firstAfter) * 1000) / 1000);
      }
    }
    return { dropped, gone410: this.gone410, timeToCleanMs, wastedPosts: this.wastedPosts };
  }
}

export function staleReport(messages: Iterable<MessageView>, dropPhase: number, dropped: number): StaleResult {
  const tally = new StaleTally(dropPhase);
  for (const m of messages) tally.add(m);
  return tally.result(dropped);
}
