import { z } from 'zod';
import { MillisSummary } from './millis-summary.ts';

/** results.cloudwatch — what the CloudWatch puller brought back for the run window. */

/** One metric statistic over the window, one value per period. */
export const CloudWatchSeries = z.object({
  namespace: z.string(),
  metric: z.string(),
  /** Sum, Average, Maximum, SampleCount, p50, p99 … */
  stat: z.string(),
  dimensions: z.record(z.string(), z.string()),
  /** period starts, epoch ms, ascending */
  timestamps: z.array(z.number()),
  values: z.array(z.number()),
  /** CloudWatch's StatusCode: Complete, PartialData, Forbidden, InternalError */
  status: z.string(),
});
export type CloudWatchSeries = z.infer<typeof CloudWatchSeries>;

/** AWS/Lambda totals for one function over the window. Null: CloudWatch had no datapoint. */
export const LambdaTotals = z.object({
  invocations: z.number().nonnegative(),
  errors: z.number().nonnegative(),
  throttles: z.number().nonnegative(),
  durationAvgMs: z.number().nullable(),
  durationP50Ms: z.number().nullable(),
  durationP99Ms: z.number().nullable(),
  concurrentExecutionsMax: z.number().nullable(),
  /**
   * LambdaInsights cpu_total_time over the window (Lambda Insights' per-invocation event): the CPU
   * its invocations used, ms. Absent where the function published none (no Insights extension).
   */
  cpuTime: z
    .object({ samples: z.number().nonnegative(), p50Ms: z.number().nullable(), p99Ms: z.number().nullable(), minMs: z.number().nullable(), maxMs: z.number().nullable() })
    .optional(),
});
export type LambdaTotals = z.infer<typeof LambdaTotals>;

export const ApiGatewayTotals = z.object({
  connectCount: z.number().nonnegative(),
  messageCount: z.number().nonnegative(),
  integrationError: z.number().nonnegative(),
  clientError: z.number().nonnegative(),
  executionError: z.number().nonnegative(),
  integrationLatencyAvgMs: z.number().nullable(),
  integrationLatencyP99Ms: z.number().nullable(),
});
export type ApiGatewayTotals = z.infer<typeof ApiGatewayTotals>;

/** AWS/ApiGateway totals for one route (detailed metrics: the sets ListMetrics shows with its Resource, AWS's ApiId, Method, Resource, Stage). */
export const ApiGatewayRouteTotals = z.object({
  messageCount: z.number().nonnegative(),
  integrationError: z.number().nonnegative(),
  executionError: z.number().nonnegative(),
  integrationLatencyAvgMs: z.number().nullable(),
  integrationLatencyP50Ms: z.number().nullable(),
  integrationLatencyP99Ms: z.number().nullable(),
});
export type ApiGatewayRouteTotals = z.infer<typeof ApiGatewayRouteTotals>;

/** One custom (EMF) metric in namespace FanoutBench, dimension service, over the window. */
export const EmfTotals = z.object({
  sum: z.number(),
  average: z.number().nullable(),
  p99: z.number().nullable(),
});
export type EmfTotals = z.infer<typeof EmfTotals>;

/**
 * Units consumed on a table itself or on one of its global secondary indexes, and the events its
 * provisioned capacity throttled there (Read/WriteThrottleEvents; absent in results written
 * before they were pulled).
 */
export const DynamoUnits = z.object({
  readUnits: z.number().nonnegative(),
  writeUnits: z.number().nonnegative(),
  readThrottleEvents: z.number().nonnegative().optional(),
  writeThrottleEvents: z.number().nonnegative().optional(),
});
export type DynamoUnits = z.infer<typeof DynamoUnits>;

/** AWS/DynamoDB totals for one table over the window (metrics DynamoDB did not publish count 0). */
export const DynamoTableTotals = DynamoUnits.extend({
  /** ConsumedRead/WriteCapacityUnits by TableName + GlobalSecondaryIndexName */
  indexes: z.record(z.string(), DynamoUnits),
  /** by Operation: successful requests (SuccessfulRequestLatency SampleCount), throttled, items returned (Query, Scan) */
  operations: z.record(
    z.string(),
    z.object({
      requests: z.number().nonnegative(),
      throttled: z.number().nonnegative(),
      returnedItems: z.number().nonnegative().optional(),
    }),
  ),
  conditionalCheckFailed: z.number().nonnegative(),
});
export type DynamoTableTotals = z.infer<typeof DynamoTableTotals>;

/** What the REPORT log lines of one function say (one line per invocation). */
export const ReportLineStats = z.object({
  invocations: z.number().int().nonnegative(),
  /** lines carrying "Init Duration" */
  coldStarts: z.number().int().nonnegative(),
  initDuration: MillisSummary.nullable(),
  /** base64 compressed HDR histogram of init durations, µs (like results.histograms) */
  initHistogram: z.string().optional(),
  duration: MillisSummary.nullable(),
  durationMsTotal: z.number().nonnegative(),
  billedDurationMsTotal: z.number().nonnegative(),
  initDurationMsTotal: z.number().nonnegative(),
  /** init time NOT already inside "Billed Duration" (ms, rounded up per line): billed since Aug 2025 */
  initNotInBilledMs: z.number().nonnegative(),
  memorySizeMB: z.number().nullable(),
  maxMemoryUsedMB: z.number().nullable(),
  /**
   * lines carrying "Restore Duration": a SnapStart environment restored on the request path (a cold
   * start as well, with no INIT in it), their Restore Duration and the part of it billed as duration
   * (absent in older results, and where no line had one)
   */
  restores: z.number().int().nonnegative().optional(),
  restoreDuration: MillisSummary.nullable().optional(),
  restoreDurationMsTotal: z.number().nonnegative().optional(),
  billedRestoreDurationMsTotal: z.number().nonnegative().optional(),
  /** cold starts per period (INITs and restores on the request path), on the same time axis as `series` */
  coldStartsOverTime: z.object({ timestamps: z.array(z.number()), values: z.array(z.number()) }),
  /** the log pull stopped at its page limit: counts are a lower bound */
  truncated: z.boolean(),
});
export type ReportLineStats = z.infer<typeof ReportLineStats>;

/**
 * One kind of error a function's own log names (src/metrics/cloudwatch/function-errors.ts), as
 * Lambda writes it: the Node runtime's `Invoke Error` / `Uncaught Exception` JSON, Python's
 * `[ERROR] Type: message` and traceback, `Task timed out after N.NN seconds`, and a REPORT line's
 * `Status: error` (Runtime.ExitError, out of memory).
 */
export const FunctionError = z.object({
  /** the error type as the runtime names it (Runtime.ImportModuleError, GoneException, KeyError), or `Task timed out`, `Runtime.OutOfMemory` */
  kind: z.string(),
  /** its message, the first seen (ids in it stay as logged) */
  message: z.string(),
  /** init: the function's INIT failed (its module did not load); invoke: an invocation failed */
  phase: z.enum(['init', 'invoke']),
  /** log events of this kind and message in the window */
  count: z.number().int().positive(),
  /** the frame nearest the error in the stack's own code ("app.py:14 in send_to_all"), where the log names one */
  firstFrame: z.string().nullable(),
  /** when it was first logged, epoch ms */
  firstAt: z.number(),
  /**
   * A call IAM denied, as its AccessDeniedException names it: who (the assumed role's session ARN),
   * what and on what (as the service wrote it; @connections masks the account and keeps
   * `{connectionId}` literal)
   */
  denied: z.object({ principal: z.string(), action: z.string(), resource: z.string() }).optional(),
  /**
   * Logged, not thrown: an error-level line the function's own code wrote and went on (Node's
   * `console.error`, Python's `logging` at ERROR or CRITICAL, the JSON log format's `level`, a
   * traceback printed without raising; src/metrics/cloudwatch/logged-errors.ts). Lambda counts no
   * error for it; what the code caught may still be what lost the run's work. Only in `loggedErrors`.
   */
  logged: z.literal(true).optional(),
});
export type FunctionError = z.infer<typeof FunctionError>;

/**
 * Requests API Gateway failed because it may not invoke a function (no AWS::Lambda::Permission),
 * as the stage's execution log says (src/metrics/cloudwatch/execution-log-failures.ts): "Execution
 * failed due to configuration error: Invalid permissions on Lambda function", per route and function.
 */
export const InvokePermissionFailure = z.object({
  /** the route key the request was on, where the log names it */
  route: z.string().nullable(),
  /** the function's ARN, from the request's Endpoint request URI line, where the log has it */
  functionArn: z.string().nullable(),
  /** the $connect authorizer's function ("Authorizer error" followed) */
  authorizer: z.boolean(),
  count: z.number().int().positive(),
  /** epoch ms */
  firstAt: z.number(),
});
export type InvokePermissionFailure = z.infer<typeof InvokePermissionFailure>;

/**
 * Requests an `AWS` integration failed, as the stage's execution log says
 * (src/metrics/cloudwatch/execution-log-failures.ts): the service the route's template called
 * refused the request (its status, error code and message), or API Gateway could not call it
 * ("Execution failed due to …"); per route, service, status and error code, with the first failed
 * request's message and the request the template built for it, where the log has it.
 */
export const IntegrationFailure = z.object({
  route: z.string().nullable(),
  /** the service called (sqs, sns, events, dynamodb, …), from the endpoint's host */
  service: z.string(),
  /** the status the service answered; null where API Gateway failed the call itself */
  status: z.number().int().nullable(),
  /** the service's error code ("InvalidParameterValue"), or API Gateway's failure ("Execution failed due to a timeout error") */
  code: z.string(),
  /** the first failed request's message (it may name that request's refused value) */
  message: z.string(),
  /** the first failed request's body, as the template built it */
  requestBody: z.string().optional(),
  count: z.number().int().positive(),
  /** epoch ms */
  firstAt: z.number(),
});
export type IntegrationFailure = z.infer<typeof IntegrationFailure>;

/** Invocations of one function the local host held back (FanoutBench/LocalHost HeldBackMs). */
export const HeldBackTotals = z.object({
  count: z.number().int().nonnegative(),
  totalMs: z.number().nonnegative(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  maxMs: z.number().nullable(),
});
export type HeldBackTotals = z.infer<typeof HeldBackTotals>;

/**
 * The emulator's account of its own host (namespace FanoutBench/LocalHost, local target only):
 * how busy the host's cores were, what the stack's process used, and which invocations the host
 * held back where AWS would have started an environment at once.
 */
export const LocalHostTotals = z.object({
  /** HostBusyPercent over the run's seconds: every process on the host, the harness too */
  hostBusyAvgPercent: z.number().nullable(),
  hostBusyPeakPercent: z.number().nullable(),
  /** StackCpuMs over the run's seconds */
  stackCpuMs: z.number().nonnegative(),
  /** by function name; functions the host never held back are absent */
  heldBack: z.record(z.string(), HeldBackTotals),
});
export type LocalHostTotals = z.infer<typeof LocalHostTotals>;

/** Something that could not be pulled, and why (error class name + message; never credentials). */
export const PullProblem = z.object({
  step: z.string(),
  errorName: z.string(),
  message: z.string(),
});
export type PullProblem = z.infer<typeof PullProblem>;

/** The families of metrics a pull brings back, each published on its own schedule. */
export const METRIC_FAMILIES = ['lambda', 'apiGateway', 'dynamodb', 'emf', 'reports'] as const;
export type MetricFamily = (typeof METRIC_FAMILIES)[number];

/**
 * Whether one family's metrics for the run's window were all published when they were pulled:
 * complete (its counts reached what the harness counted itself, and stopped changing), partial
 * (some published: `published` of `expected`), missing (none). `expected` is absent where the
 * harness cannot predict the count (DynamoDB units): then only stopping counts.
 */
export const FamilyCompleteness = z.object({
  status: z.enum(['complete', 'partial', 'missing']),
  published: z.number().nonnegative().optional(),
  /** what the harness's own counts say must be published, at least */
  expected: z.number().nonnegative().optional(),
  /** one line: what was compared, e.g. "fanout-send-message 380 of 410 invocations" */
  detail: z.string(),
});
export type FamilyCompleteness = z.infer<typeof FamilyCompleteness>;

export const Completeness = z.object(Object.fromEntries(METRIC_FAMILIES.map((f) => [f, FamilyCompleteness.optional()])) as Record<MetricFamily, z.ZodOptional<typeof FamilyCompleteness>>);
export type Completeness = z.infer<typeof Completeness>;

/** How long the pull waited for CloudWatch, by which rule, and whether the run's metrics were all in by then. */
export const MetricsWaitOutcome = z.object({
  rule: z.enum(['settle', 'published']),
  waitedMs: z.number().nonnegative(),
  /** the longest it would have waited (--metrics-wait) */
  maxMs: z.number().nonnegative().optional(),
  /** the counts reached what was expected and stopped changing within maxMs */
  done: z.boolean(),
});
export type MetricsWaitOutcome = z.infer<typeof MetricsWaitOutcome>;

export const CloudWatchResults = z.object({
  /** complete: every step answered and every family was published in full; partial: some step failed or some family is partial or missing; unavailable: nothing could be pulled */
  status: z.enum(['complete', 'partial', 'unavailable']),
  source: z.enum(['local', 'aws']),
  region: z.string(),
  /** the endpoint queried (local emulator); absent on AWS (the SDK's regional endpoint) */
  endpoint: z.string().optional(),
  /** the window queried: the run plus a margin on both sides, aligned to the period */
  window: z.object({ startMs: z.number(), endMs: z.number(), periodSec: z.number().int().positive() }),
  pulledAt: z.string(),
  functions: z.array(z.string()),
  apiGateway: z.object({ apiId: z.string(), stage: z.string() }).nullable(),
  series: z.array(CloudWatchSeries),
  /** by function name */
  lambda: z.record(z.string(), LambdaTotals),
  apiGatewayTotals: ApiGatewayTotals.nullable(),
  /**
   * by route key, where API Gateway published per-route (detailed) metrics: on AWS, for a stage
   * with detailed metrics on (absent otherwise, and from older results)
   */
  apiGatewayRoutes: z.record(z.string(), ApiGatewayRouteTotals).optional(),
  /** by metric name (ColdStart, FanoutDeliveries, StaleConnectionsRemoved, FanoutDurationMs …) */
  emf: z.record(z.string(), EmfTotals),
  /** AWS/DynamoDB by table name (absent in results written before it was pulled) */
  dynamodb: z.record(z.string(), DynamoTableTotals).optional(),
  /** the local emulator's host (absent on AWS, and in results written before it was pulled) */
  localHost: LocalHostTotals.optional(),
  /** by function name, from FilterLogEvents "REPORT" on /aws/lambda/<function> */
  reports: z.record(z.string(), ReportLineStats),
  /** by function name, the errors its log names, most first (the same FilterLogEvents pull; absent from older results) */
  functionErrors: z.record(z.string(), z.array(FunctionError)).optional(),
  /**
   * by function name, the error-level lines its code logged without failing the invocation (each
   * `logged: true`), most first; kept apart from functionErrors so that its counts stay failed
   * invocations (absent from older results, and where no function logged one)
   */
  loggedErrors: z.record(z.string(), z.array(FunctionError)).optional(),
  /** requests failed for a missing invoke permission, most first; absent where the stage has no execution log (or older results) */
  invokePermissionFailures: z.array(InvokePermissionFailure).optional(),
  /** requests an AWS integration failed, most first; absent where the stage has no execution log, none failed (or older results) */
  integrationFailures: z.array(IntegrationFailure).optional(),
  problems: z.array(PullProblem),
  notes: z.array(z.string()),
  /** per metric family, whether all of the run's metrics were published (absent from older results) */
  completeness: Completeness.optional(),
  /** the wait before the pull (absent from older results) */
  wait: MetricsWaitOutcome.optional(),
});
export type CloudWatchResults = z.infer<typeof CloudWatchResults>;
