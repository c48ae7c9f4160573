import { eventBridgeInvocationsQuota, eventBridgePutEventsQuota, PATH_QUOTAS, SNS_FIFO_TOPIC_MESSAGES_PER_SECOND, snsPublishQuota } from '../contracts/quotas-schema.ts';
import type { PlannedPhase, Scenario } from '../contracts/scenario-schema.ts';
import type { PathResources } from '../metrics/cloudwatch/path-queries.ts';
import { readStackPath } from '../targets/stack-path-pull.ts';
import type { Target } from '../targets/target.ts';
import { fmtInt } from '../number-format.ts';

/**
 * A queued path's quotas held against the scenario's planned rates before any load, one line each
 * where the rate would pass one, as the pre-flight names API Gateway's (quota-preflight.ts). The
 * path is the stack's as its own APIs list it (stack-path.ts: CloudFormation, Lambda, SQS), read
 * once the target answers (a local stack's are there only once it runs), so these lines come after
 * the target started and before the first measurement.
 *
 * Which hop a send phase's messages reach is the stack's code, unknown before a run: each client
 * message is taken to enter every queue a mapping reads, every topic and every bus of the path
 * once (one SendMessage, one Publish, one PutEvents call), and to match every rule of the bus it
 * enters, each sending it to at least one target; a publish phase names its resource, and only
 * that one is held. The account's quotas add up over the topics (buses) a message reaches. The
 * values are AWS's documented defaults in the stack's region (quotas-schema.ts PATH_QUOTAS,
 * snsPublishQuota, eventBridgePutEventsQuota, eventBridgeInvocationsQuota).
 */

/**
 * The shortest time a batch takes from poll to delete that the pre-flight holds a mapping to
 * (assumed: Lambda's invoke, the receive and the delete together take tens of milliseconds at the
 * least): a rate that leaves each batch less than this at the mapping's most batches at once is named.
 */
export const MIN_BATCH_MS = 100;


interface Entry {
  phase: string;
  rate: number;
  durationMs: number;
  /** what the phase reaches: every hop (a send), or the one resource a publish names */
  reaches: (kind: 'queue' | 'topic' | 'bus', name: string) => boolean;
  what: string;
}

function entries(scenario: Scenario): Entry[] {
  return scenario.phases.flatMap((p: PlannedPhase): Entry[] => {
    if (p.kind === 'send') return [{ phase: p.name, rate: p.rate, durationMs: p.durationMs, reaches: () => true, what: `send phase "${p.name}" sends ${fmtInt(p.rate)} messages/s` }];
    if (p.kind === 'publish') {
      const kind = p.via === 'sqs' ? 'queue' : p.via === 'sns' ? 'topic' : p.via === 'eventbridge' ? 'bus' : undefined;
      if (!kind) return [];
      const named = (k: string, name: string) => k === kind && (p.to === name || p.to.endsWith(`:${name}`) || p.to.endsWith(`/${name}`));
      return [{ phase: p.name, rate: p.rate, durationMs: p.durationMs, reaches: named, what: `publish phase "${p.name}" publishes ${fmtInt(p.rate)}/s to ${p.to}` }];
    }
    return [];
  });
}

/** The path's quota lines for a scenario in `region`. Pure. */
export function pathQuotaLines(scenario: Scenario, path: PathResources, region: string): string[] {
  const lines: string[] = [];
  const deadLetters = new Set(path.queues.flatMap((q) => (q.deadLetterQueue ? [q.deadLetterQueue.name] : [])));
  const mapped = (queue: string) => path.mappings.filter((m) => m.sourceArn.split(':').pop() === queue);
  const queues = path.queues.filter((q) => !deadLetters.has(q.name) && mapped(q.name).length > 0);
  const buses = [...new Set(path.rules.map((r) => r.bus ?? 'default'))];
  const putEvents = eventBridgePutEventsQuota(region);
  const invocations = eventBridgeInvocationsQuota(region);
  for (const e of entries(scenario)) {
    for (const q of queues.filter((x) => e.reaches('queue', x.name))) {
      const fifo = q.fifo ?? q.name.endsWith('.fifo');
      if (fifo && e.rate > PATH_QUOTAS.sqsFifoCallsPerAction) {
        const batched = e.rate > PATH_QUOTAS.sqsFifoMessagesBatched;
        lines.push(
          `quota: ${e.what} into FIFO queue ${q.name}, over SQS's ${fmtInt(PATH_QUOTAS.sqsFifoCallsPerAction)} API calls/s per action for a FIFO queue (AWS's documented default${batched ? `; ${fmtInt(PATH_QUOTAS.sqsFifoMessagesBatched)} messages/s even in batches of 10` : `: ${fmtInt(PATH_QUOTAS.sqsFifoMessagesBatched)} messages/s in batches of 10`}): expect throttled sends (ThrottlingException)${batched ? '' : ' unless they are sent in batches'}`,
        );
      }
      for (const m of mapped(q.name)) {
        const batch = m.batchSize ?? 10;
        const most = Math.min(PATH_QUOTAS.mappingConcurrency, m.maximumConcurrency ?? PATH_QUOTAS.mappingConcurrency);
        const budgetMs = ((most * batch) / e.rate) * 1000;
        if (budgetMs < MIN_BATCH_MS) {
          lines.push(
            `quota: ${e.what} into ${q.name}; its mapping to ${m.functionName} runs at most ${fmtInt(most)} batches of ${fmtInt(batch)} at once (${m.maximumConcurrency !== undefined && m.maximumConcurrency < PATH_QUOTAS.mappingConcurrency ? 'its MaximumConcurrency' : "an SQS mapping's 1,000"}): each batch would have to finish within ${Math.round(budgetMs)} ms, under the ${MIN_BATCH_MS} ms assumed for a poll, invoke and delete: expect the queue to grow (its age of oldest message rising)`,
          );
        }
        const inFlight = most * batch;
        const messages = (e.rate * e.durationMs) / 1000;
        if (!fifo && inFlight > PATH_QUOTAS.sqsStandardInFlight && messages > PATH_QUOTAS.sqsStandardInFlight) {
          lines.push(
            `quota: ${e.what} into ${q.name}, ${fmtInt(messages)} in all; its mapping to ${m.functionName} may hold up to ${fmtInt(inFlight)} messages in flight (${fmtInt(most)} batches of ${fmtInt(batch)}), over SQS's ${fmtInt(PATH_QUOTAS.sqsStandardInFlight)} in flight for a standard queue: expect OverLimit on receives`,
          );
        }
      }
    }
    const topics = path.topics.filter((t) => e.reaches('topic', t.name));
    const fifoTopics = topics.filter((t) => t.name.endsWith('.fifo'));
    // the account's quota is per message type: FIFO topics' column where every topic reached is one
    const sns = snsPublishQuota(region, topics.length > 0 && fifoTopics.length === topics.length);
    const publishes = e.rate * topics.length;
    if (publishes > sns) {
      const each = topics.length > 1 ? ` into ${topics.length} topics (${fmtInt(publishes)} publishes/s)` : '';
      lines.push(`quota: ${e.what}${each}, each an SNS Publish, over SNS's ${fmtInt(sns)} publishes/s per account in ${region} (AWS's documented default): expect throttled publishes (ThrottlingException)`);
    }
    for (const t of e.rate > SNS_FIFO_TOPIC_MESSAGES_PER_SECOND ? fifoTopics : []) {
      lines.push(
        `quota: ${e.what} into FIFO topic ${t.name}, over SNS's ${fmtInt(SNS_FIFO_TOPIC_MESSAGES_PER_SECOND)} messages/s per FIFO topic (AWS's documented default, FifoThroughputScope Topic; 300/s per message group): expect throttled publishes (ThrottlingException)`,
      );
    }
    const reached = buses.filter((b) => e.reaches('bus', b));
    const calls = e.rate * reached.length;
    if (calls > putEvents) {
      const each = reached.length > 1 ? ` onto ${reached.length} buses (${fmtInt(calls)} calls/s)` : '';
      lines.push(
        `quota: ${e.what}${each}, each a PutEvents call, over EventBridge's ${fmtInt(putEvents)} PutEvents/s per account in ${region} (AWS's documented default): expect throttled PutEvents (ThrottlingException) unless up to 10 events go in each call`,
      );
    }
    const rules = path.rules.filter((r) => reached.includes(r.bus ?? 'default')).length;
    const invoked = e.rate * rules;
    if (invoked > invocations) {
      lines.push(
        `quota: ${e.what}, matching ${rules} rule${rules === 1 ? '' : 's'} (${fmtInt(invoked)} target invocations/s at least, one target each), over EventBridge's ${fmtInt(invocations)} invocations/s per account in ${region} (AWS's documented default): expect delayed deliveries (throttled invocations are retried, not dropped)`,
      );
    }
  }
  // asynchronous invocation: a failed event is retried after 1 minute, then 2 minutes later; an older one is dropped
  const [first, second] = PATH_QUOTAS.asyncRetryDelaysSec;
  const consumers = new Set(path.mappings.map((m) => m.functionName));
  for (const f of path.functions) {
    const age = f.maximumEventAgeSeconds;
    if (age === undefined || consumers.has(f.name) || age >= first + second) continue;
    lines.push(
      `quota: ${f.name}'s MaximumEventAgeInSeconds is ${fmtInt(age)}: an event its function fails is dropped before ${age < first ? 'its first retry (1 minute after)' : 'its second retry (2 minutes after the first)'}, and one queued longer than that behind a throttled function too (AsyncEventsDropped)`,
    );
  }
  return lines;
}

/**
 * The path's lines for a started target: its path read through its stack's APIs, held against the
 * scenario. None where the target has no stack to read or no path; never throws (what could not be
 * read is the path's own note, said as a line).
 */
export async function pathPreflight(target: Target, scenario: Scenario): Promise<string[]> {
  const read = await readStackPath(target).catch(() => undefined);
  if (!read) return [];
  const region = target.endpoints.region ?? target.local?.region ?? 'us-east-1';
  return [...read.resources.notes.map((n) => `quota: the path's quotas not all checked: ${n}`), ...pathQuotaLines(scenario, read.resources, region)];
}
