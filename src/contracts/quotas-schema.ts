import { z } from 'zod';

/**
 * The quotas a run was held against (results.json's `quotas`): API Gateway's WebSocket quotas,
 * the stage's and each route's throttle (client messages, `$connect` included), the account's
 * throttle (client messages and `@connections` posts together), Lambda's account concurrency and
 * the idle rule assumed, each with its value and where that value came from, and the plan's lines
 * (one per limit the scenario would pass). Written by the run's pre-flight
 * (src/session/quota-preflight.ts); read by the attribution of refusals and closes
 * (src/metrics/results/quota-attribution.ts). docs/aws-facts.md lists the sources.
 */

export const QUOTA_LIMITS = [
  'newConnectionsPerSecond',
  'frameBytes',
  'messageBytes',
  'idleTimeoutSeconds',
  'connectionLifetimeSeconds',
  /** the stage's default route throttle (client messages; absent: the stage has none) */
  'requestsPerSecond',
  'requestBurst',
  /** the account's throttle in the region: client messages and @connections posts together */
  'accountRequestsPerSecond',
  'accountRequestBurst',
  'lambdaConcurrency',
  'lambdaUnreservedConcurrency',
] as const;
export type QuotaLimit = (typeof QUOTA_LIMITS)[number];

/**
 * AWS's documented defaults: API Gateway quotas for WebSocket APIs (500 new connections per
 * second per account and region, 32 KB frame, 128 KB message, 10-minute idle timeout, 2-hour
 * connection, the account throttle of 10,000 requests/s with a burst of 5,000 in most regions:
 * accountThrottleDefault, common/api-gateway-quotas.ts) and Lambda's account concurrency of 1,000. A stage has no throttle
 * of its own unless one is set: its default here is the account's, the limit its messages meet.
 */
export const AWS_DOCUMENTED_QUOTAS: Readonly<Record<QuotaLimit, number>> = {
  newConnectionsPerSecond: 500,
  frameBytes: 32_768,
  messageBytes: 131_072,
  idleTimeoutSeconds: 600,
  connectionLifetimeSeconds: 7_200,
  requestsPerSecond: 10_000,
  requestBurst: 5_000,
  accountRequestsPerSecond: 10_000,
  accountRequestBurst: 5_000,
  lambdaConcurrency: 1_000,
  lambdaUnreservedConcurrency: 1_000,
};

/**
 * What resets a connection's 10-minute idle timer. AWS documents the timeout, not the direction:
 * `either` (traffic either way, messages the server sends included: what those who run it report)
 * or `client` (the client's own messages only). Plans say which one they assumed.
 */
export const IdleRule = z.enum(['client', 'either']);
export type IdleRule = z.infer<typeof IdleRule>;
export const DEFAULT_IDLE_RULE: IdleRule = 'either';

/**
 * Where a value came from: AWS's documentation, AWS's documented default for the stack's region
 * (the dated table above), the account (GetStage, GetAccount, GetAccountSettings), or the
 * emulator's config.
 */
export const QuotaSource = z.enum(['aws-documented', 'aws-documented-region', 'account', 'emulator-config']);
export type QuotaSource = z.infer<typeof QuotaSource>;

export const QuotaValue = z.object({ value: z.number(), source: QuotaSource });
export type QuotaValue = z.infer<typeof QuotaValue>;

/**
 * The limit a planned figure passes: one of the run's known limits (with the burst it pairs
 * with, where the plan names it), or a route's own throttle (the stage's RouteSettings).
 */
export const PassedLimit = z.union([
  z.object({ limit: z.enum(QUOTA_LIMITS), value: QuotaValue, burst: QuotaValue.optional() }),
  z.object({ route: z.string(), value: QuotaValue, burst: QuotaValue.optional() }),
]);
export type PassedLimit = z.infer<typeof PassedLimit>;

/**
 * One limit the scenario would pass, and what the run should expect of it: the plan's finding,
 * with the phase and its figure. Worded once, for every output, by src/report/run/quota-text.ts.
 */
export const QuotaExpectation = z.discriminatedUnion('kind', [
  /** a connect phase's rate over the new-connection quota, or over the throttle $connect meets as a route */
  z.object({ kind: z.literal('connect-rate'), phase: z.string(), connectsPerSecond: z.number(), over: PassedLimit }),
  z.object({ kind: z.literal('join-rate'), phase: z.string(), joinsPerSecond: z.number(), over: PassedLimit }),
  /** invocations a connect or join phase keeps running (its maxInFlight) */
  z.object({ kind: z.literal('in-flight'), phaseKind: z.enum(['connect', 'join']), phase: z.string(), maxInFlight: z.number(), over: PassedLimit }),
  /** a frame over the frame size on a target that does not refuse it (one that does refuses the run) */
  z.object({ kind: z.literal('frame-size'), phase: z.string(), payloadBytes: z.number(), frameBytes: z.number(), over: PassedLimit }),
  z.object({ kind: z.literal('message-size'), phase: z.string(), frameBytes: z.number(), over: PassedLimit }),
  z.object({ kind: z.literal('message-rate'), phase: z.string(), messagesPerSecond: z.number(), over: PassedLimit }),
  /** messages and the @connections posts they fan out to, against the account's throttle they share */
  z.object({ kind: z.literal('account-rate'), phase: z.string(), messagesPerSecond: z.number(), postsPerSecond: z.number(), over: PassedLimit }),
  z.object({
    kind: z.literal('idle'),
    quietMs: z.number(),
    phases: z.array(z.string()),
    rule: IdleRule,
    ruleSource: z.enum(['assumed', 'emulator-config']),
    over: PassedLimit,
  }),
  z.object({ kind: z.literal('lifetime'), lengthMs: z.number(), over: PassedLimit }),
]);
export type QuotaExpectation = z.infer<typeof QuotaExpectation>;

/**
 * The phase a queued path's finding holds: a send phase's messages (each taken to reach every hop
 * of the path) or a publish phase's (to the one resource it names, `to`).
 */
export const PathLoad = z.object({ phase: z.string(), phaseKind: z.enum(['send', 'publish']), perSecond: z.number(), to: z.string().optional() });
export type PathLoad = z.infer<typeof PathLoad>;

/**
 * One of a queued path's quotas the scenario would pass (src/session/path-preflight.ts), with the
 * quota's value (AWS's documented default in the stack's region) and the figure that passes it.
 */
export const PathQuotaExpectation = z.discriminatedUnion('kind', [
  /** SQS FIFO's API calls per action (batched: over its messages/s in batches of 10 too) */
  z.object({ kind: z.literal('sqs-fifo-calls'), load: PathLoad, queue: z.string(), callsPerAction: z.number(), messagesBatched: z.number(), batched: z.boolean() }),
  /** a mapping's most batches at once leave each batch less time than a poll, invoke and delete take */
  z.object({
    kind: z.literal('mapping-batch-time'),
    load: PathLoad,
    queue: z.string(),
    functionName: z.string(),
    batches: z.number(),
    batchSize: z.number(),
    /** the most batches are the mapping's own MaximumConcurrency (not SQS's 1,000) */
    ownMaximum: z.boolean(),
    budgetMs: z.number(),
    minBatchMs: z.number(),
  }),
  /** a standard queue's messages in flight */
  z.object({
    kind: z.literal('sqs-in-flight'),
    load: PathLoad,
    queue: z.string(),
    messages: z.number(),
    functionName: z.string(),
    batches: z.number(),
    batchSize: z.number(),
    limit: z.number(),
  }),
  z.object({ kind: z.literal('sns-publishes'), load: PathLoad, topics: z.number(), publishesPerSecond: z.number(), limit: z.number(), region: z.string() }),
  z.object({ kind: z.literal('sns-fifo-topic'), load: PathLoad, topic: z.string(), limit: z.number() }),
  z.object({ kind: z.literal('put-events'), load: PathLoad, buses: z.number(), callsPerSecond: z.number(), limit: z.number(), region: z.string() }),
  z.object({ kind: z.literal('rule-invocations'), load: PathLoad, rules: z.number(), invocationsPerSecond: z.number(), limit: z.number(), region: z.string() }),
  /** an asynchronously invoked function whose event age ends before Lambda's retries */
  z.object({ kind: z.literal('event-age'), functionName: z.string(), maximumEventAgeSeconds: z.number(), retryDelaysSeconds: z.tuple([z.number(), z.number()]) }),
  /** what could not be read of the path (its reader's own words) */
  z.object({ kind: z.literal('path-unchecked'), reason: z.string() }),
]);
export type PathQuotaExpectation = z.infer<typeof PathQuotaExpectation>;

/** What a run's refusals or closes were, as the attribution tells them apart. */
export const QuotaEvidence = z.enum(['handshake-429', 'message-429', 'close-1009', 'close-1001-age', 'close-1001-quiet']);
export type QuotaEvidence = z.infer<typeof QuotaEvidence>;

/** Refusals or closes of one kind, attributed to the limit that caused them. */
export const QuotaAttribution = z.object({ limit: z.enum(QUOTA_LIMITS), value: QuotaValue, evidence: QuotaEvidence, count: z.number() });
export type QuotaAttribution = z.infer<typeof QuotaAttribution>;

export const Quotas = z.object({
  /** the values held against; a limit absent is not known for this target */
  limits: z.partialRecord(z.enum(QUOTA_LIMITS), QuotaValue),
  /** routes with a throttle of their own (the stage's RouteSettings), by route key */
  routes: z.record(z.string(), z.object({ rate: QuotaValue, burst: QuotaValue.optional() })).optional(),
  /** the idle rule the plan assumed, and where it came from (absent in older results) */
  idleRule: z.object({ rule: IdleRule, source: z.enum(['assumed', 'emulator-config']) }).optional(),
  /** whether the target refuses a frame over frameBytes (AWS does; the emulator enforces the message size only) */
  frameEnforced: z.boolean(),
  /** one sentence: where the values come from */
  note: z.string(),
  /**
   * the plan: one finding per limit the scenario would pass (API Gateway's and Lambda's, then a
   * queued path's); a line of text is what the target could not read (and the value used
   * instead), or an older run's line
   */
  plan: z.array(z.union([QuotaExpectation, PathQuotaExpectation, z.string()])),
  /** the run's refusals and closes attributed to the limit that caused them (quota-attribution.ts); lines of text in older results */
  attributed: z.array(z.union([QuotaAttribution, z.string()])).optional(),
});
export type Quotas = z.infer<typeof Quotas>;

/**
 * A queued path's quotas as AWS documents their defaults (docs/aws-facts.md, "Queues, topics,
 * buses and streams"): what the run's pre-flight (src/session/path-preflight.ts) and the plan's
 * headroom (src/analyses/plan/headroom.ts) hold the path's rates against.
 */
export const PATH_QUOTAS = {
  /** SQS FIFO, without high throughput: API calls per second per action (SendMessage, ReceiveMessage, DeleteMessage) */
  sqsFifoCallsPerAction: 300,
  /** SQS FIFO: messages per second with batching (10 messages per call) */
  sqsFifoMessagesBatched: 3_000,
  /** SQS standard: messages in flight (received, not deleted nor back) */
  sqsStandardInFlight: 120_000,
  /** SQS FIFO: messages in flight */
  sqsFifoInFlight: 120_000,
  /** an SQS event source mapping: concurrent batches at most (standard queues) */
  mappingConcurrency: 1_000,
  /** an SQS event source mapping: concurrent batches when it starts, and the most it adds a minute */
  mappingInitialConcurrency: 5,
  mappingScalingPerMinute: 300,
  /** Lambda asynchronous invocation: retries after a function error, the first after 1 minute, the second 2 minutes after it */
  asyncRetryDelaysSec: [60, 120],
  /** Lambda asynchronous invocation: the default maximum event age, 6 hours */
  asyncMaximumEventAgeSec: 21_600,
} as const;

/** As of when the regional tables below were read (AWS's SNS and EventBridge quota pages). */
export const PATH_REGION_QUOTAS_AS_OF = '2026-11-27';

/**
 * SNS Publish (and PublishBatch, each entry one message) per account and region, messages per
 * second, as the AWS General Reference's "Amazon SNS endpoints and quotas" lists them (read
 * 2026-11-27; adjustable): standard topics 30,000 in us-east-1, 9,000 in us-west-2 and eu-west-1,
 * 1,500 in the eight regions below, 300 in every other; FIFO topics 30,000, 9,000 and 3,000 in
 * all the others.
 */
export function snsPublishQuota(region: string, fifo = false): number {
  if (region === 'us-east-1') return 30_000;
  if (region === 'us-west-2' || region === 'eu-west-1') return 9_000;
  if (fifo) return 3_000;
  return SNS_1500_REGIONS.has(region) ? 1_500 : 300;
}
const SNS_1500_REGIONS: ReadonlySet<string> = new Set([
  'us-east-2',
  'us-west-1',
  'ap-south-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'eu-central-1',
]);

/**
 * An SNS FIFO topic's own throughput (FifoThroughputScope `Topic`): 3,000 messages per second or
 * 20 MB per second, whichever comes first (the same page; per message group 300 messages/s).
 */
export const SNS_FIFO_TOPIC_MESSAGES_PER_SECOND = 3_000;

/**
 * EventBridge PutEvents per account and region, transactions per second (a call of up to 10
 * entries is one), as the EventBridge quotas page lists them for Custom Event Bus - Classic (read
 * 2026-11-27; adjustable): the regions named, and 400 in "each of the other supported Regions".
 */
export function eventBridgePutEventsQuota(region: string): number {
  return PUT_EVENTS[region] ?? 400;
}
const PUT_EVENTS: Readonly<Record<string, number>> = {
  'us-east-1': 10_000,
  'us-east-2': 2_400,
  'us-west-1': 1_200,
  'us-west-2': 10_000,
  'ap-east-1': 600,
  'ap-northeast-1': 1_200,
  'ap-northeast-2': 600,
  'ap-south-1': 600,
  'ap-southeast-1': 1_200,
  'ap-southeast-2': 1_200,
  'ca-central-1': 600,
  'eu-central-1': 2_400,
  'eu-north-1': 600,
  'eu-south-2': 2_400,
  'eu-west-1': 10_000,
  'eu-west-2': 1_200,
  'eu-west-3': 600,
  'sa-east-1': 600,
};

/**
 * EventBridge target invocations per account and region, per second (an event matching a rule and
 * sent on to one of its targets is one): the same page's "Invocations throttle limit", 750 in each
 * region it does not name. Past it invocations are delayed, not dropped.
 */
export function eventBridgeInvocationsQuota(region: string): number {
  return INVOCATIONS[region] ?? 750;
}
const INVOCATIONS: Readonly<Record<string, number>> = {
  'us-east-1': 18_750,
  'us-east-2': 4_500,
  'us-west-1': 2_250,
  'us-west-2': 18_750,
  'ap-east-1': 1_100,
  'ap-northeast-1': 2_250,
  'ap-northeast-2': 1_100,
  'ap-south-1': 1_100,
  'ap-southeast-1': 2_250,
  'ap-southeast-2': 2_250,
  'ca-central-1': 1_100,
  'eu-central-1': 4_500,
  'eu-north-1': 1_100,
  'eu-south-2': 4_500,
  'eu-west-1': 18_750,
  'eu-west-2': 2_250,
  'eu-west-3': 1_100,
  'sa-east-1': 1_100,
};
