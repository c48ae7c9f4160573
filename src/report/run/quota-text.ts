import type { IdleRule, PassedLimit, PathLoad, PathQuotaExpectation, QuotaAttribution, QuotaExpectation } from '../../contracts/quotas-schema.ts';
import { formatDuration } from '../../contracts/duration.ts';
import { quotaSourceText, quotaValueText } from '../../metrics/results/quota-value-text.ts';
import { fmtInt } from '../../number-format.ts';

/**
 * The words of the quotas a run was held against: the plan's findings (what the scenario would
 * pass, before any load) and the attribution of its refusals and closes, one line each, said the
 * same way by the run's warnings, `run --dry-run`, the console, summary.md and index.html. A line
 * already text (what the target could not read, an older run's) is said as it is.
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

const EXPECTATION_TEXT: { [K in QuotaExpectation['kind']]: (e: Extract<QuotaExpectation, { kind: K }>) => string } = {
  'connect-rate': (e) =>
    `connect phase "${e.phase}" opens ${fmtInt(e.connectsPerSecond)} connections/s, over ${passedText(e.over)}${'limit' in e.over && e.over.limit === 'newConnectionsPerSecond' ? '' : ' ($connect is one of its routes)'}: expect 429s at handshake`,
  'join-rate': (e) => `join phase "${e.phase}" sends ${fmtInt(e.joinsPerSecond)} joinRoom messages/s, over ${passedText(e.over)}: expect 429s ("Too Many Requests") on joins`,
  'in-flight': (e) =>
    `${e.phaseKind} phase "${e.phase}" keeps up to ${fmtInt(e.maxInFlight)} invocations running (maxInFlight), over ${passedText(e.over)}: expect throttled invocations (${e.phaseKind === 'connect' ? '500 at handshake' : 'errors on join'})`,
  'frame-size': (e) =>
    `send phase "${e.phase}": ${fmtInt(e.payloadBytes)} bytes make a ${fmtInt(e.frameBytes)}-byte sendMessage frame, over ${passedText(e.over)}: the emulator does not refuse frames, AWS would`,
  'message-size': (e) => `send phase "${e.phase}" sends ${fmtInt(e.frameBytes)}-byte messages, over ${passedText(e.over)}: expect closes with 1009 (message too big)`,
  'message-rate': (e) =>
    `send phase "${e.phase}" sends ${fmtInt(e.messagesPerSecond)} messages/s, over ${passedText(e.over)}: expect 429s ("Too Many Requests") on messages; @connections posts do not count against it`,
  'account-rate': (e) =>
    `send phase "${e.phase}" makes about ${fmtInt(e.messagesPerSecond + e.postsPerSecond)} requests/s (${fmtInt(e.messagesPerSecond)} messages/s + ${fmtInt(e.postsPerSecond)} @connections posts/s = rate × room size), over ${passedText(e.over)}, which messages and posts share: expect 429s on messages and LimitExceededException on posts`,
  idle: (e) =>
    `clients stay quiet (${e.rule === 'either' ? 'no message of their own, none delivered to them' : 'no message of their own'}) for about ${formatDuration(e.quietMs)} (${e.phases.join(', ')}), over ${passedText(e.over)}: expect closes with 1001 (going away) (${e.ruleSource === 'assumed' ? 'assumed' : "the emulator's rule"}: ${IDLE_RULE_TEXT[e.rule]}; AWS does not document which)`,
  lifetime: (e) => `the run lasts about ${formatDuration(e.lengthMs)}, over ${passedText(e.over)}: expect closes with 1001 (going away) at that age`,
};

/** The phase a path finding holds: "send phase "send" sends 400 messages/s", "publish phase "p" publishes 50/s to jobs". */
function loadText(l: PathLoad): string {
  return l.phaseKind === 'send' ? `send phase "${l.phase}" sends ${fmtInt(l.perSecond)} messages/s` : `publish phase "${l.phase}" publishes ${fmtInt(l.perSecond)}/s to ${l.to}`;
}

const PATH_TEXT: { [K in PathQuotaExpectation['kind']]: (e: Extract<PathQuotaExpectation, { kind: K }>) => string } = {
  'sqs-fifo-calls': (e) =>
    `${loadText(e.load)} into FIFO queue ${e.queue}, over SQS's ${fmtInt(e.callsPerAction)} API calls/s per action for a FIFO queue (AWS's documented default${e.batched ? `; ${fmtInt(e.messagesBatched)} messages/s even in batches of 10` : `: ${fmtInt(e.messagesBatched)} messages/s in batches of 10`}): expect throttled sends (ThrottlingException)${e.batched ? '' : ' unless they are sent in batches'}`,
  'mapping-batch-time': (e) =>
    `${loadText(e.load)} into ${e.queue}; its mapping to ${e.functionName} runs at most ${fmtInt(e.batches)} batches of ${fmtInt(e.batchSize)} at once (${e.ownMaximum ? 'its MaximumConcurrency' : "an SQS mapping's 1,000"}): each batch would have to finish within ${fmtInt(e.budgetMs)} ms, under the ${fmtInt(e.minBatchMs)} ms assumed for a poll, invoke and delete: expect the queue to grow (its age of oldest message rising)`,
  'sqs-in-flight': (e) =>
    `${loadText(e.load)} into ${e.queue}, ${fmtInt(e.messages)} in all; its mapping to ${e.functionName} may hold up to ${fmtInt(e.batches * e.batchSize)} messages in flight (${fmtInt(e.batches)} batches of ${fmtInt(e.batchSize)}), over SQS's ${fmtInt(e.limit)} in flight for a standard queue: expect OverLimit on receives`,
  'sns-publishes': (e) =>
    `${loadText(e.load)}${e.topics > 1 ? ` into ${e.topics} topics (${fmtInt(e.publishesPerSecond)} publishes/s)` : ''}, each an SNS Publish, over SNS's ${fmtInt(e.limit)} publishes/s per account in ${e.region} (AWS's documented default): expect throttled publishes (ThrottlingException)`,
  'sns-fifo-topic': (e) =>
    `${loadText(e.load)} into FIFO topic ${e.topic}, over SNS's ${fmtInt(e.limit)} messages/s per FIFO topic (AWS's documented default, FifoThroughputScope Topic; 300/s per message group): expect throttled publishes (ThrottlingException)`,
  'put-events': (e) =>
    `${loadText(e.load)}${e.buses > 1 ? ` onto ${e.buses} buses (${fmtInt(e.callsPerSecond)} calls/s)` : ''}, each a PutEvents call, over EventBridge's ${fmtInt(e.limit)} PutEvents/s per account in ${e.region} (AWS's documented default): expect throttled PutEvents (ThrottlingException) unless up to 10 events go in each call`,
  'rule-invocations': (e) =>
    `${loadText(e.load)}, matching ${e.rules} rule${e.rules === 1 ? '' : 's'} (${fmtInt(e.invocationsPerSecond)} target invocations/s at least, one target each), over EventBridge's ${fmtInt(e.limit)} invocations/s per account in ${e.region} (AWS's documented default): expect delayed deliveries (throttled invocations are retried, not dropped)`,
  'event-age': (e) =>
    `${e.functionName}'s MaximumEventAgeInSeconds is ${fmtInt(e.maximumEventAgeSeconds)}: an event its function fails is dropped before ${e.maximumEventAgeSeconds < e.retryDelaysSeconds[0] ? 'its first retry (1 minute after)' : 'its second retry (2 minutes after the first)'}, and one queued longer than that behind a throttled function too (AsyncEventsDropped)`,
  'path-unchecked': (e) => `the path's quotas not all checked: ${e.reason}`,
};

const PLAN_TEXT = { ...EXPECTATION_TEXT, ...PATH_TEXT } as Record<(QuotaExpectation | PathQuotaExpectation)['kind'], (e: QuotaExpectation | PathQuotaExpectation) => string>;

/** One line of the plan: "quota: connect phase "connect" opens 800 connections/s, over …: expect 429s at handshake". */
export function quotaPlanLine(entry: QuotaExpectation | PathQuotaExpectation | string): string {
  return typeof entry === 'string' ? entry : `quota: ${PLAN_TEXT[entry.kind](entry)}`;
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
