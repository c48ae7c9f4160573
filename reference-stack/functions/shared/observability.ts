import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Powertools Logger and Metrics. Metrics leave as EMF lines on stdout, which CloudWatch Logs (or
 * the emulator's log capture) turns into metrics in namespace FanoutBench, dimension service.
 * These functions run thousands of times per second: per-request detail is logged at DEBUG only;
 * the level comes from POWERTOOLS_LOG_LEVEL (default INFO).
 */
export const NAMESPACE = 'FanoutBench';
export const SERVICE = 'fanout-chat';

export const logger = new Logger({ serviceName: SERVICE });

/** The custom metrics the functions emit (besides Powertools' own ColdStart). */
export const METRIC = {
  /** Posts to @connections that succeeded (Count). */
  fanoutDeliveries: 'FanoutDeliveries',
  /** Posts that failed with anything but 410 Gone or a timeout (Count). */
  fanoutPostErrors: 'FanoutPostErrors',
  /** Posts aborted after POST_TIMEOUT_MS without an answer (Count). */
  fanoutPostTimeouts: 'FanoutPostTimeouts',
  /** Connections found gone (410) whose rows were deleted (Count). */
  staleConnectionsRemoved: 'StaleConnectionsRemoved',
  /** Dead connections whose rows could not all be deleted, even after retries (Count). */
  staleCleanupFailures: 'StaleCleanupFailures',
  /** DynamoDB calls answered with throttling, per attempt (the SDK's retries included) (Count). */
  dynamoDbThrottles: 'DynamoDbThrottles',
  /** Wall time of posting one message to all its recipients (Milliseconds). */
  fanoutDurationMs: 'FanoutDurationMs',
} as const;

export { MetricUnit };

/**
 * One Metrics buffer per handler (see route.ts): a handler's invocations run one at a time in
 * its execution environment, so its buffer never mixes two invocations.
 */
export function createMetrics(): Metrics {
  return new Metrics({ namespace: NAMESPACE, serviceName: SERVICE });
}

/** End-of-invocation flush; skipped when empty (Powertools would otherwise warn every time). */
export function flushMetrics(metrics: Metrics): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
