import type { MessageView } from './delivery-ledger.ts';

/**
 * Stale-connection cleanup, read from the ledger after a drop: clients vanished without a close
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

export function staleReport(messages: Iterable<MessageView>, dropPhase: number, dropped: number): StaleResult {
  let gone410 = 0;
  let wastedPosts = 0;
  let firstAfter = Infinity;
  let lastHit: MessageView | undefined;
  const after: MessageView[] = [];
  for (const m of messages) {
    if (m.acked) gone410 += m.gone;
    if (m.phase <= dropPhase) continue;
    firstAfter = Math.min(firstAfter, m.intended);
    if (!m.acked) continue;
    after.push(m);
    wastedPosts += Math.max(0, m.recipients - m.received);
    if (m.gone > 0 && (!lastHit || m.intended > lastHit.intended)) lastHit = m;
  }
  let timeToCleanMs: number | null = null;
  if (after.length > 0) {
    if (!lastHit) timeToCleanMs = 0;
    else if (after.some((m) => m.gone === 0 && m.intended > lastHit!.intended)) {
      timeToCleanMs = Math.max(0, Math.round((lastHit.ackAt - firstAfter) * 1000) / 1000);
    }
  }
  return { dropped, gone410, timeToCleanMs, wastedPosts };
}
