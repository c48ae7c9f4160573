import type { Results } from '../contracts/results-schema.ts';
import { fmtInt, fmtMs, fmtNum, fmtShare } from '../number-format.ts';
import { unexpectedErrors } from '../contracts/unexpected-errors.ts';
import type { Check } from '../contracts/verdict-schema.ts';

/**
 * The built-in checks of a run: it completed, its sends went out, nothing was lost, the harness
 * kept up, no unexpected errors. Part of every verdict (evaluate.ts), with or without thresholds.
 */
export type { Check };

/**
 * The share of intended sends that may be skipped (no open, joined sender) or fail before the run
 * is judged not to have loaded the target as planned: 1 %. A few failures under load are measured
 * behaviour; beyond that the latency and delivery numbers describe a different, lighter run.
 */
export const MAX_UNSENT_SHARE = 0.01;

/** The check that fails when the harness itself was the bottleneck (see slo-met.ts for what it does not decide). */
export const HARNESS_CHECK = 'harness not saturated';

/** skippedWhy's kind for a slot whose sender was away in reconnect (client-group.ts notReadyWhy) */
const RECONNECTING = 'reconnecting';

function sendsWentOut(results: Results): Check {
  const { intended, sent, failed, skippedWhy, standIns } = results.sends;
  const skipped = results.sends.skipped ?? Math.max(0, intended - sent);
  // a sender away in reconnect is what the scenario's `reconnect` asked for, not a send that failed
  const awaySkipped = skippedWhy?.[RECONNECTING] ?? 0;
  const cutOff = results.sends.cutOffByReconnect ?? 0;
  const unsent = skipped - awaySkipped + failed;
  const otherWhy = Object.entries(skippedWhy ?? {}).filter(([k]) => k !== RECONNECTING);
  const why = skipped > awaySkipped && otherWhy.length > 0 ? ` (skipped: no member of the sender's room open and joined; the sender's state: ${tallyText(otherWhy.sort((a, b) => b[1] - a[1]))})` : '';
  const stood = standIns ? `; ${fmtInt(standIns.total)} sender${standIns.total === 1 ? '' : 's'} not open stood in for by a member of the room` : '';
  const away =
    awaySkipped + cutOff > 0
      ? `; not counted: ${fmtInt(awaySkipped + cutOff)} skipped during reconnect (the sender away, as the scenario's reconnect lets it be: ${fmtInt(awaySkipped)} with no member of its room back to stand in, ${fmtInt(cutOff)} on the wire when the server closed the socket)`
      : '';
  return {
    name: 'sends went out',
    passed: unsent <= intended * MAX_UNSENT_SHARE,
    detail:
      intended === 0
        ? 'no sends were scheduled'
        : `${fmtInt(skipped - awaySkipped)} skipped and ${fmtInt(failed)} failed of ${fmtInt(intended)} intended sends (${fmtShare(unsent / intended)}; at most ${fmtShare(MAX_UNSENT_SHARE)} allowed)${why}${stood}${away}`,
  };
}

/** Kinds and their counts as the checks say them: "handshake:500 ×8, dropped ×2". */
function tallyText(counts: readonly (readonly [string, number])[]): string {
  return counts.map(([k, n]) => `${k} ×${fmtInt(n)}`).join(', ');
}

export function runChecks(results: Results): Check[] {
  const { deliveries, harness } = results;
  const unexpected = unexpectedErrors(results);
  const unexpectedTotal = unexpected.reduce((n, [, c]) => n + c, 0);
  return [
    {
      name: 'run completed',
      passed: results.status === 'completed',
      detail: results.status === 'completed' ? 'the run completed' : `status ${results.status}${results.statusReason ? `: ${results.statusReason}` : ''}`,
    },
    sendsWentOut(results),
    {
      name: 'no lost deliveries',
      passed: deliveries.lost === 0,
      detail:
        deliveries.lost === 0
          ? `${fmtInt(deliveries.received)} of ${fmtInt(deliveries.expected)} expected deliveries received`
          : `${fmtInt(deliveries.lost)} of ${fmtInt(deliveries.expected)} expected deliveries lost (${fmtShare(deliveries.lost / deliveries.expected)})`,
    },
    {
      name: HARNESS_CHECK,
      passed: !harness.saturated,
      detail: harness.saturated
        ? `the harness was the bottleneck: its numbers are not trustworthy${harness.warnings.length ? ` (${harness.warnings.join('; ')})` : ''}`
        : `event-loop lag p99 ${fmtMs(harness.eventLoopLagP99Ms)}, peak CPU ${fmtNum(harness.cpuCoresMax)} cores`,
    },
    {
      name: 'no unexpected errors',
      passed: unexpectedTotal === 0,
      detail:
        unexpectedTotal === 0
          ? 'no unexpected errors'
          : `${fmtInt(unexpectedTotal)} unexpected errors: ${tallyText(unexpected.slice(0, 5))}${unexpected.length > 5 ? `, and ${unexpected.length - 5} more kinds` : ''}`,
    },
  ];
}
