import type { Results } from '../../contracts/results-schema.ts';
import { formatDuration } from '../../contracts/duration.ts';
import { fmtInt } from '../../number-format.ts';

/**
 * The rule a run's `lost` count followed, in one plain-text sentence (renderers escape it), so a
 * reader knows what "lost" meant: the loss timeout that applied and what arrived late. Runs
 * written before the loss timeout existed counted a message final at its grace after the ack.
 */
export function lossRule(r: Results): string {
  const d = r.deliveries;
  if (d.lossTimeoutMs === undefined) {
    const t = r.config.timeouts as { graceMs?: unknown } | undefined;
    const grace = typeof t?.graceMs === 'number' ? formatDuration(t.graceMs) : 'the grace';
    const late = d.late ? `; ${fmtInt(d.late)} deliveries arrived after that and stayed counted as lost` : '';
    return `Older run: a message's deliveries were counted up to ${grace} after its ack${late}.`;
  }
  const parts = [`Lost = not arrived within the ${formatDuration(d.lossTimeoutMs)} loss timeout after the ack (timeouts.loss)`];
  if (d.graceMs !== undefined) {
    parts.push(`${fmtInt(d.late ?? 0)} late: arrived more than ${formatDuration(d.graceMs)} after the ack (timeouts.grace), counted as received`);
  }
  if (d.lostEarly) parts.push(`${fmtInt(d.lostEarly)} of the lost were counted before their loss timeout had passed (the run ended first)`);
  if (d.afterLossTimeout) parts.push(`${fmtInt(d.afterLossTimeout)} arrived after their message was counted lost (they stay lost)`);
  return `${parts.join('; ')}.`;
}

/** The loss timeout in a few words, for one-line summaries ("loss timeout 30s"). */
export function lossTimeoutLabel(r: Results): string | undefined {
  const ms = r.deliveries.lossTimeoutMs;
  return ms === undefined ? undefined : `loss timeout ${formatDuration(ms)}`;
}
