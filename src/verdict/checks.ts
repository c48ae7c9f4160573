import type { Results } from '../contracts/results-schema.ts';
import { fmtCount, fmtInt, fmtMs, fmtNum, fmtShare } from '../number-format.ts';
import { unexpectedErrors } from '../contracts/unexpected-errors.ts';
import { notJudged, type Check } from '../contracts/verdict-schema.ts';
import { staleCleaned } from './stale-cleaned.ts';
import { harnessWarningLines } from '../diagnosis/saturation-text.ts';

/**
 * The built-in checks of a run: it completed, its sends went out, nothing was lost, (a scenario
 * that drops clients) the stack cleaned their stale connections, the harness kept up, no
 * unexpected errors. Part of every verdict (evaluate.ts), with or without thresholds.
 * A check with nothing to judge is not judged (verdict-schema.ts Check).
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
  if (intended === 0) return notJudged('sends went out', 'no sends were scheduled');
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
    detail: `${fmtInt(skipped - awaySkipped)} skipped and ${fmtInt(failed)} failed of ${fmtInt(intended)} intended sends (${fmtShare(unsent / intended)}; at most ${fmtShare(MAX_UNSENT_SHARE)} allowed)${why}${stood}${away}`,
  };
}

/**
 * Nothing lost, judged only where deliveries were owed. None owed: not judged where nothing went
 * out; a failure of its own where messages or publishes were accepted (no client was open and
 * joined in their rooms to receive them: nothing the run meant to measure was measured).
 */
function noLostDeliveries(results: Results): Check {
  const name = 'no lost deliveries';
  const { deliveries, sends } = results;
  if (deliveries.expected > 0) {
    return {
      name,
      passed: deliveries.lost === 0,
      detail:
        deliveries.lost === 0
          ? `${fmtInt(deliveries.received)} of ${fmtInt(deliveries.expected)} expected deliveries received`
          : `${fmtInt(deliveries.lost)} of ${fmtInt(deliveries.expected)} expected deliveries lost (${fmtShare(deliveries.lost / deliveries.expected)})`,
    };
  }
  // publishes are messages of the run's books (sends counts them): told apart, each as far as it got
  const publish = results.publish ?? [];
  const published = publish.reduce((n, p) => n + p.calls.acked, 0);
  const messages = sends.sent - publish.reduce((n, p) => n + p.calls.sent, 0);
  if (messages + published === 0) {
    return notJudged(name, sends.intended === 0 ? 'no message was sent or published, so no delivery was owed' : 'no message went out and no publish was accepted, so no delivery was owed');
  }
  const what = [
    messages > 0 ? `${fmtCount(messages, 'message')} ${messages === 1 ? 'was' : 'were'} sent` : '',
    published > 0 ? `${fmtCount(published, 'publish', 'publishes')} ${published === 1 ? 'was' : 'were'} accepted` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const rooms = publish
    .filter((p) => p.calls.acked > 0 && p.recipientsPerPublish === 0)
    .map((p) => `publish phase ${p.phase} to ${p.recipients === 'everyone' ? 'everyone' : `room ${p.recipients.room}`}`);
  return {
    name,
    passed: false,
    detail: `0 deliveries expected while ${what}: no client was open and joined where they went${rooms.length > 0 ? ` (${rooms.join('; ')})` : ''}, so nothing the run meant to deliver could be judged`,
  };
}

/** Kinds and their counts as the checks say them: "handshake:500 ×8, dropped ×2". */
function tallyText(counts: readonly (readonly [string, number])[]): string {
  return counts.map(([k, n]) => `${k} ×${fmtInt(n)}`).join(', ');
}

export function runChecks(results: Results): Check[] {
  const { harness } = results;
  const harnessSaid = harnessWarningLines(harness);
  const unexpected = unexpectedErrors(results);
  const unexpectedTotal = unexpected.reduce((n, [, c]) => n + c, 0);
  const stale = staleCleaned(results);
  return [
    {
      name: 'run completed',
      passed: results.status === 'completed',
      detail: results.status === 'completed' ? 'the run completed' : `status ${results.status}${results.statusReason ? `: ${results.statusReason}` : ''}`,
    },
    sendsWentOut(results),
    noLostDeliveries(results),
    ...(stale ? [stale] : []),
    {
      name: HARNESS_CHECK,
      passed: !harness.saturated,
      detail: harness.saturated
        ? `the harness was the bottleneck: its numbers are not trustworthy${harnessSaid.length ? ` (${harnessSaid.join('; ')})` : ''}`
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
