import { z } from 'zod';

/**
 * results.json's `path`: a queued fan-out's path, hop by hop (the stack's HTTP and REST APIs, its
 * queues, topics, rules, the functions no route invokes and its event source mappings, as
 * CloudFormation and Lambda's API list them), each with what CloudWatch counted over the run's
 * window (AWS/ApiGateway, AWS/SQS, AWS/SNS, AWS/Events, AWS/Lambda and its event source mapping metrics) and, where a hop changes over
 * time, its series at the run's period. Absent: the stack has no such hop (or its path could not
 * be read: results.cloudwatch.notes say why).
 */

/** One series at the path's period: epoch ms of each period's start, and its value. */
export const PathSeries = z.object({ timestamps: z.array(z.number()), values: z.array(z.number()) });
export type PathSeries = z.infer<typeof PathSeries>;

const count = z.number().nonnegative();
const maybe = z.number().nullable();

export const QueueHop = z.object({
  kind: z.literal('queue'),
  /** QueueName (the CloudWatch dimension) */
  name: z.string(),
  url: z.string().optional(),
  fifo: z.boolean().optional(),
  /** RedrivePolicy: where a message received maxReceiveCount times goes */
  deadLetterQueue: z.object({ name: z.string(), maxReceiveCount: z.number().int().positive() }).optional(),
  /** the queue is another one's dead-letter queue */
  deadLetterOf: z.array(z.string()).optional(),
  totals: z.object({
    sent: count,
    received: count,
    deleted: count,
    /** ApproximateAgeOfOldestMessage, the largest period's Maximum, seconds */
    oldestAgeMaxSec: maybe,
    /** ApproximateNumberOfMessagesVisible, the largest period's Maximum */
    visibleMax: maybe,
    /**
     * a dead-letter queue: the messages its source queues moved to it, read as the rise of its depth
     * over the window (SQS's NumberOfMessagesSent counts a message sent to it, not one redriven;
     * a lower bound where something also drained it)
     */
    redriven: count.optional(),
  }),
  overTime: z.object({ oldestAgeSec: PathSeries.optional(), visible: PathSeries.optional() }).optional(),
});
export type QueueHop = z.infer<typeof QueueHop>;

/**
 * Deliveries of a topic or rule its target's resource-based policy refused (the queue's or topic's
 * policy, the function's AWS::Lambda::Permission), by target: read from the local emulator's
 * event-path log (common/event-path-log.ts); AWS keeps no such record, so absent there.
 */
export const DeliveryDenial = z.object({
  /** the queue's, topic's or function's ARN */
  target: z.string(),
  /** `sns.amazonaws.com` */
  principal: z.string(),
  action: z.string(),
  reason: z.enum(['no-policy', 'no-allow', 'explicit-deny']),
  /** what would allow it, as a template writes it (a policy statement, or an AWS::Lambda::Permission) */
  grant: z.record(z.string(), z.unknown()),
  count,
});
export type DeliveryDenial = z.infer<typeof DeliveryDenial>;

export const TopicHop = z.object({
  kind: z.literal('topic'),
  /** TopicName (the CloudWatch dimension) */
  name: z.string(),
  arn: z.string(),
  totals: z.object({ published: count, delivered: count, failed: count, filteredOut: count }),
  denied: z.array(DeliveryDenial).optional(),
});
export type TopicHop = z.infer<typeof TopicHop>;

export const RuleHop = z.object({
  kind: z.literal('rule'),
  /** RuleName (the CloudWatch dimension) */
  name: z.string(),
  /** its bus, where not `default` */
  bus: z.string().optional(),
  totals: z.object({ matched: count, invocations: count, failed: count }),
  denied: z.array(DeliveryDenial).optional(),
});
export type RuleHop = z.infer<typeof RuleHop>;

export const FunctionHop = z.object({
  kind: z.literal('function'),
  /** FunctionName */
  name: z.string(),
  totals: z.object({
    invocations: count,
    errors: count,
    throttles: count,
    durationP99Ms: maybe,
    /** Duration's Average over the window (the cost model bills invocations × it; absent in paths pulled before it was) */
    durationAvgMs: maybe.optional(),
    concurrencyMax: maybe,
    /** asynchronous invocation: events queued, the oldest one's age when it was read (ms), events dropped */
    asyncReceived: count,
    asyncAgeMaxMs: maybe,
    asyncDropped: count,
  }),
  /** MemorySize as GetFunctionConfiguration answered (absent: not read) */
  memoryMB: z.number().int().positive().optional(),
  architecture: z.enum(['x86_64', 'arm64']).optional(),
  /** its asynchronous invocation's MaximumEventAgeInSeconds, where the API said (absent: Lambda's default, 6 h) */
  maximumEventAgeSeconds: z.number().int().positive().optional(),
  overTime: z.object({ asyncAgeMs: PathSeries.optional() }).optional(),
});
export type FunctionHop = z.infer<typeof FunctionHop>;

export const MappingHop = z.object({
  kind: z.literal('mapping'),
  /** `<source> → <function>` */
  name: z.string(),
  uuid: z.string(),
  source: z.object({ kind: z.enum(['queue', 'stream', 'other']), name: z.string(), arn: z.string() }),
  functionName: z.string(),
  batchSize: z.number().int().positive().optional(),
  /** ScalingConfig.MaximumConcurrency */
  maximumConcurrency: z.number().int().positive().optional(),
  /** Lambda's State (Enabled, Disabled, …) */
  state: z.string().optional(),
  reportBatchItemFailures: z.boolean().optional(),
  totals: z.object({
    polled: count,
    invoked: count,
    failedInvoke: count,
    dropped: count,
    filteredOut: count,
    /** the function's invocations (the batches), for the mean batch */
    batches: count,
    /** batches at once: the first period's and the largest, where measured */
    concurrencyFirst: maybe,
    concurrencyMax: maybe,
  }),
  /**
   * where its concurrency came from: the emulator's own gauge of batches at once per mapping, or
   * (on AWS, which publishes none) its function's ConcurrentExecutions
   */
  concurrencySource: z.enum(['mapping', 'function']).optional(),
  overTime: z.object({ concurrency: PathSeries.optional() }).optional(),
});
export type MappingHop = z.infer<typeof MappingHop>;

/**
 * An HTTP or REST API of the stack (not its WebSocket API) and what CloudWatch counted on its
 * stage: AWS/ApiGateway by ApiId and Stage (HTTP) or ApiName and Stage (REST). Its requests are
 * where a server push enters (a backend's `POST /notify`); 4xx include API Gateway's throttling.
 */
export const ApiHop = z.object({
  kind: z.literal('api'),
  apiType: z.enum(['http', 'rest']),
  /** the API's name (REST's CloudWatch dimension) */
  name: z.string(),
  apiId: z.string(),
  stage: z.string(),
  totals: z.object({
    requests: count,
    /** 4xx (HTTP) or 4XXError (REST): the API's own refusals (no route, throttled, unauthorized) and the integration's 4xx */
    clientErrors: count,
    /** 5xx or 5XXError */
    serverErrors: count,
    latencyP99Ms: maybe,
    integrationLatencyP99Ms: maybe,
  }),
});
export type ApiHop = z.infer<typeof ApiHop>;

export const PathHop = z.discriminatedUnion('kind', [QueueHop, TopicHop, RuleHop, FunctionHop, MappingHop, ApiHop]);
export type PathHop = z.infer<typeof PathHop>;

export const StackPath = z.object({
  /** the CloudWatch window's period the series are at, seconds */
  periodSec: z.number().positive(),
  hops: z.array(PathHop),
  /** what could not be read of the path, one line each */
  notes: z.array(z.string()).optional(),
});
export type StackPath = z.infer<typeof StackPath>;
