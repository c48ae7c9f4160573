import type { IdleRule, PassedLimit, QuotaAttribution, QuotaExpectation } from '../../contracts/quotas-schema.ts';
import { formatDuration } from '../../contracts/duration.ts';
import { quotaSourceText, quotaValueText } from '../../metrics/results/quota-value-text.ts';
import { fmtInt } from '../../number-format.ts';

/**
 * The words of the quotas a run was held against: the plan's findings (what the scenario would
 * pass, before any load) and the attribution of its refusals and closes, one line each, said the
 * same way by the run's warnings, `run --dry-run`, the console, summary.md and index.html. A line
 * already text (what the target could not read, a queued path's line, an older run's) is said as
 * it is.
 */

/** A passed limit as the plan names it: "the sendMessage route's throttle of 20 requests/s (read from the account), burst 5". */
function passedText(o: PassedLimit): string {
  const burst = o.burst ? `, burst ${fmtInt(o.burst.value)}` : '';
  if ('route' in o) return `the ${o.route} route's throttle of ${fmtInt(o.value.value)} requests/s (${quotaSourceText(o.value)})${burst}`;
  return `${quotaValueText(o.limit, o.value)}${burst}`;
}

const IDLE_RULE_TEXT: Record<IdleRule, string> = {
  either: 'traffic either way resets the idle timer',
  client: "only a client's own messages reset the idle timer",
};

const EXPECTATION_TEXT: { [K in QuotaExpectation['kind']]: (e: Extract<QuotaExpectation, { kind: K }>, over: string) => string } = {
  'connect-rate': (e, over) =>
    `connect phase "${e.phase}" opens ${fmtInt(e.connectsPerSecond)} connections/s, over ${over}${'limit' in e.over && e.over.limit === 'newConnectionsPerSecond' ? '' : ' ($connect is one of its routes)'}: expect 429s at handshake`,
  'join-rate': (e, over) => `join phase "${e.phase}" sends ${fmtInt(e.joinsPerSecond)} joinRoom messages/s, over ${over}: expect 429s ("Too Many Requests") on joins`,
  'in-flight': (e, over) =>
    `${e.phaseKind} phase "${e.phase}" keeps up to ${fmtInt(e.maxInFlight)} invocations running (maxInFlight), over ${over}: expect throttled invocations (${e.phaseKind === 'connect' ? '500 at handshake' : 'errors on join'})`,
  'frame-size': (e, over) =>
    `send phase "${e.phase}": ${fmtInt(e.payloadBytes)} bytes make a ${fmtInt(e.frameBytes)}-byte sendMessage frame, over ${over}: the emulator does not refuse frames, AWS would`,
  'message-size': (e, over) => `send phase "${e.phase}" sends ${fmtInt(e.frameBytes)}-byte messages, over ${over}: expect closes with 1009 (message too big)`,
  'message-rate': (e, over) =>
    `send phase "${e.phase}" sends ${fmtInt(e.messagesPerSecond)} messages/s, over ${over}: expect 429s ("Too Many Requests") on messages; @connections posts do not count against it`,
  'account-rate': (e, over) =>
    `send phase "${e.phase}" makes about ${fmtInt(e.messagesPerSecond + e.postsPerSecond)} requests/s (${fmtInt(e.messagesPerSecond)} messages/s + ${fmtInt(e.postsPerSecond)} @connections posts/s = rate × room size), over ${over}, which messages and posts share: expect 429s on messages and LimitExceededException on posts`,
  idle: (e, over) =>
    `clients stay quiet (${e.rule === 'either' ? 'no message of their own, none delivered to them' : 'no message of their own'}) for about ${formatDuration(e.quietMs)} (${e.phases.join(', ')}), over ${over}: expect closes with 1001 (going away) (${e.ruleSource === 'assumed' ? 'assumed' : "the emulator's rule"}: ${IDLE_RULE_TEXT[e.rule]}; AWS does not document which)`,
  lifetime: (e, over) => `the run lasts about ${formatDuration(e.lengthMs)}, over ${over}: expect closes with 1001 (going away) at that age`,
};

/** One line of the plan: "quota: connect phase "connect" opens 800 connections/s, over …: expect 429s at handshake". */
export function quotaPlanLine(entry: QuotaExpectation | string): string {
  if (typeof entry === 'string') return entry;
  const text = EXPECTATION_TEXT[entry.kind] as (e: QuotaExpectation, over: string) => string;
  return `quota: ${text(entry, passedText(entry.over))}`;
}

const ATTRIBUTION_TEXT: Record<QuotaAttribution['evidence'], (a: QuotaAttribution, limit: string) => string> = {
  'handshake-429': (a, limit) =>
    `${fmtInt(a.count)} connects refused with 429 at handshake: ${a.limit === 'newConnectionsPerSecond' ? `the new-connection quota, ${limit}` : `${limit}, which holds $connect as one of its routes`}`,
  'message-429': (a, limit) =>
    `${fmtInt(a.count)} messages answered "Too Many Requests" (429): ${limit}, ${a.limit === 'accountRequestsPerSecond' ? "which the clients' messages and the @connections posts share" : "which holds the clients' messages"}`,
  'close-1009': (a, limit) => `${fmtInt(a.count)} connections closed with 1009 (message too big): ${limit}`,
  'close-1001-age': (a, limit) => `${fmtInt(a.count)} connections closed with 1001 (going away) at the end of their life: ${limit}`,
  'close-1001-quiet': (a, limit) => `${fmtInt(a.count)} connections closed with 1001 (going away) after a quiet stretch: ${limit}`,
};

/** One refusal or close attributed: "12 connects refused with 429 at handshake: the new-connection quota, …". */
export function quotaAttributionLine(a: QuotaAttribution | string): string {
  return typeof a === 'string' ? a : ATTRIBUTION_TEXT[a.evidence](a, quotaValueText(a.limit, a.value));
}
