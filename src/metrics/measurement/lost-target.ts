import type { RunRecorder } from './run-recorder.ts';

/**
 * Whether a run that went through all its phases had in fact lost its target (README: exit 1,
 * "failed (the target stopped answering mid-run)"). Without this a target that dies mid-run
 * yields "completed": its sends are merely skipped and its sockets merely closed.
 *
 * Either sign is enough:
 * - more than half of the connections that opened closed unexpectedly (`close:<code>` errors:
 *   the target or the network closed them; the scenario's own drops and the harness's closing at
 *   the end are not counted as errors);
 * - a send phase skipped more than half of its slots because the sockets of its senders, and of
 *   every member of their rooms that could stand in for them, had been closed unexpectedly
 *   (`close:<code>`). Slots skipped for clients that never connected (a handshake answered 500,
 *   say) are not this sign: the target answered them; the sends check names why instead.
 */
export const LOST_SHARE = 0.5;

/** The sign that the target was lost (worded by report/run/status-reason-text.ts). */
export type LostTarget = { sign: 'closed'; closed: number; opened: number } | { sign: 'skipped'; phase: string; skipped: number; intended: number };

export function lostTarget(rec: RunRecorder): LostTarget | undefined {
  const opened = rec.counts.connects;
  let closed = 0;
  for (const [kind, n] of Object.entries(rec.errors)) if (kind.startsWith('close:')) closed += n;
  if (opened > 0 && closed > opened * LOST_SHARE) return { sign: 'closed', closed, opened };
  for (const p of rec.phases) {
    if (p.kind !== 'send') continue;
    const { intended } = p.counts;
    let skippedClosed = 0;
    for (const [why, n] of Object.entries(p.skippedWhy)) if (why.startsWith('close:')) skippedClosed += n;
    if (intended > 0 && skippedClosed > intended * LOST_SHARE) return { sign: 'skipped', phase: p.name, skipped: skippedClosed, intended };
  }
  return undefined;
}
