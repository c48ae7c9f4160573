import {
  eventBridgeInvocationsQuota,
  eventBridgePutEventsQuota,
  PATH_QUOTAS,
  type PathLoad,
  type PathQuotaExpectation,
  SNS_FIFO_TOPIC_MESSAGES_PER_SECOND,
  snsPublishQuota,
} from '../contracts/quotas-schema.ts';
import type { PlannedPhase, Scenario } from '../contracts/scenario-schema.ts';
import type { PathResources } from '../metrics/cloudwatch/path-queries.ts';
import { readStackPath } from '../targets/stack-path-pull.ts';
import type { Target } from '../targets/target.ts';

/**
 * A queued path's quotas held against the scenario's planned rates before any load, one finding
 * each where the rate would pass one, as the pre-flight finds API Gateway's (quota-preflight.ts). The
 * path is the stack's as its own APIs list it (stack-path.ts: CloudFormation, Lambda, SQS), read
 * once the target answers (a local stack's are there only once it runs), so these findings come after
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
  load: PathLoad;
  durationMs: number;
  /** what the phase reaches: every hop (a send), or the one resource a publish names */
  reaches: (kind: 'queue' | 'topic' | 'bus', name: string) => boolean;
}

function entries(scenario: Scenario): Entry[] {
  return scenario.phases.flatMap((p: PlannedPhase): Entry[] => {
    if (p.kind === 'send') return [{ load: { phase: p.name, phaseKind: 'send', perSecond: p.rate }, durationMs: p.durationMs, reaches: () => true }];
    if (p.kind === 'publish') {
      const kind = p.via === 'sqs' ? 'queue' : p.via === 'sns' ? 'topic' : p.via === 'eventbridge' ? 'bus' : undefined;
      if (!kind) return [];
      const named = (k: string, name: string) => k === kind && (p.to === name || p.to.endsWith(`:${name}`) || p.to.endsWith(`/${name}`));
      return [{ load: { phase: p.name, phaseKind: 'publish', perSecond: p.rate, to: p.to }, durationMs: p.durationMs, reaches: named }];
    }
    return [];
  });
}

/** The path's quotas a scenario would pass in `region`, one finding each (worded by report/run/quota-text.ts). Pure. */
export function pathQuotaPlan(scenario: Scenario, path: PathResources, region: string): PathQuotaExpectation[] {
  const found: PathQuotaExpectation[] = [];
  const deadLetters = new Set(path.queues.flatMap((q) => (q.deadLetterQueue ? [q.deadLetterQueue.name] : [])));
  const mapped = (queue: string) => path.mappings.filter((m) => m.sourceArn.split(':').pop() === queue);
  const queues = path.queues.filter((q) => !deadLetters.has(q.name) && mapped(q.name).length > 0);
  const buses = [...new Set(path.rules.map((r) => r.bus ?? 'default'))];
  const putEvents = eventBridgePutEventsQuota(region);
  const invocations = eventBridgeInvocationsQuota(region);
  for (const { load, durationMs, reaches } of entries(scenario)) {
    const rate = load.perSecond;
    for (const q of queues.filter((x) => reaches('queue', x.name))) {
      const fifo = q.fifo ?? q.name.endsWith('.fifo');
      if (fifo && rate > PATH_QUOTAS.sqsFifoCallsPerAction) {
        found.push({
          kind: 'sqs-fifo-calls',
          load,
          queue: q.name,
          callsPerAction: PATH_QUOTAS.sqsFifoCallsPerAction,
          messagesBatched: PATH_QUOTAS.sqsFifoMessagesBatched,
          batched: rate > PATH_QUOTAS.sqsFifoMessagesBatched,
        });
      }
      for (const m of mapped(q.name)) {
        const batchSize = m.batchSize ?? 10;
        const batches = Math.min(PATH_QUOTAS.mappingConcurrency, m.maximumConcurrency ?? PATH_QUOTAS.mappingConcurrency);
        const budgetMs = ((batches * batchSize) / rate) * 1000;
        if (budgetMs < MIN_BATCH_MS) {
          const ownMaximum = m.maximumConcurrency !== undefined && m.maximumConcurrency < PATH_QUOTAS.mappingConcurrency;
          found.push({ kind: 'mapping-batch-time', load, queue: q.name, functionName: m.functionName, batches, batchSize, ownMaximum, budgetMs, minBatchMs: MIN_BATCH_MS });
        }
        const messages = (rate * durationMs) / 1000;
        if (!fifo && batches * batchSize > PATH_QUOTAS.sqsStandardInFlight && messages > PATH_QUOTAS.sqsStandardInFlight) {
          found.push({ kind: 'sqs-in-flight', load, queue: q.name, messages, functionName: m.functionName, batches, batchSize, limit: PATH_QUOTAS.sqsStandardInFlight });
        }
      }
    }
    const topics = path.topics.filter((t) => reaches('topic', t.name));
    const fifoTopics = topics.filter((t) => t.name.endsWith('.fifo'));
    // the account's quota is per message type: FIFO topics' column where every topic reached is one
    const sns = snsPublishQuota(region, topics.length > 0 && fifoTopics.length === topics.length);
    const publishes = rate * topics.length;
    if (publishes > sns) found.push({ kind: 'sns-publishes', load, topics: topics.length, publishesPerSecond: publishes, limit: sns, region });
    for (const t of rate > SNS_FIFO_TOPIC_MESSAGES_PER_SECOND ? fifoTopics : []) {
      found.push({ kind: 'sns-fifo-topic', load, topic: t.name, limit: SNS_FIFO_TOPIC_MESSAGES_PER_SECOND });
    }
    const reached = buses.filter((b) => reaches('bus', b));
    const calls = rate * reached.length;
    if (calls > putEvents) found.push({ kind: 'put-events', load, buses: reached.length, callsPerSecond: calls, limit: putEvents, region });
    const rules = path.rules.filter((r) => reached.includes(r.bus ?? 'default')).length;
    const invoked = rate * rules;
    if (invoked > invocations) found.push({ kind: 'rule-invocations', load, rules, invocationsPerSecond: invoked, limit: invocations, region });
  }
  // asynchronous invocation: a failed event is retried after 1 minute, then 2 minutes later; an older one is dropped
  const [first, second] = PATH_QUOTAS.asyncRetryDelaysSec;
  const consumers = new Set(path.mappings.map((m) => m.functionName));
  for (const f of path.functions) {
    const age = f.maximumEventAgeSeconds;
    if (age === undefined || consumers.has(f.name) || age >= first + second) continue;
    found.push({ kind: 'event-age', functionName: f.name, maximumEventAgeSeconds: age, retryDelaysSeconds: [first, second] });
  }
  return found;
}

/**
 * The path's findings for a started target: its path read through its stack's APIs, held against
 * the scenario. None where the target has no stack to read or no path; never throws (what could
 * not be read is the path's own note, kept as a finding of its own).
 */
export async function pathPreflight(target: Target, scenario: Scenario): Promise<PathQuotaExpectation[]> {
  const read = await readStackPath(target).catch(() => undefined);
  if (!read) return [];
  const region = target.endpoints.region ?? target.local?.region ?? 'us-east-1';
  return [...read.resources.notes.map((reason): PathQuotaExpectation => ({ kind: 'path-unchecked', reason })), ...pathQuotaPlan(scenario, read.resources, region)];
}
