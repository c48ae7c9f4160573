import { GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import pLimit from 'p-limit';
import { connectionsApi } from './connections-api-client.ts';
import { config } from './env.ts';
import { logger, METRIC, MetricUnit } from './observability.ts';
import { isPostTimeout } from './post-retry.ts';

/** Posting one frame to many connections through @connections, and cleaning up after 410s. */

export interface PostOutcome {
  /** Posts attempted: one per connection. */
  recipients: number;
  delivered: number;
  /** Connections that answered 410 Gone. */
  gone: string[];
  /** Posts given up after POST_TIMEOUT_MS without an answer (stuck; the connection may be alive). */
  timedOut: number;
  /** Posts that failed otherwise (throttled, too large, network…). */
  failed: number;
  /** The first error that was neither a 410 nor a timeout, for the log line. */
  firstError?: Error;
  durationMs: number;
}

export function isGone(error: unknown): boolean {
  return error instanceof GoneException || (error as { name?: string } | null)?.name === 'GoneException';
}

/**
 * Posts `frame` to every connection with at most FANOUT_CONCURRENCY posts in flight. One SDK call
 * per connection; the frame is encoded once and the same bytes go to everyone. An attempt without
 * an answer ends after POST_TIMEOUT_MS and is not retried (connections-api-client.ts). No per-call
 * options: the client's cached middleware stack depends on it. Never throws.
 */
export async function postToAll(connectionIds: readonly string[], frame: string): Promise<PostOutcome> {
  const data = Buffer.from(frame, 'utf8');
  const started = performance.now();
  const outcome: PostOutcome = { recipients: connectionIds.length, delivered: 0, gone: [], timedOut: 0, failed: 0, durationMs: 0 };
  await pLimit(config.fanoutConcurrency).map(connectionIds, async (connectionId) => {
    try {
      await connectionsApi.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      outcome.delivered++;
    } catch (error) {
      if (isGone(error)) {
        outcome.gone.push(connectionId);
      } else if (isPostTimeout(error)) {
        outcome.timedOut++;
      } else {
        outcome.failed++;
        outcome.firstError ??= error as Error;
      }
    }
  });
  outcome.durationMs = performance.now() - started;
  return outcome;
}

export interface FanoutSummary {
  recipients: number;
  delivered: number;
  gone: number;
  timedOut: number;
  failed: number;
}

/**
 * Post, then delete what was found gone (`removeGone` gets the 410'd ids), then record the
 * fan-out metrics. Problems are logged once per fan-out, not per post (thousands per second).
 */
export async function fanOut(
  connectionIds: readonly string[],
  frame: string,
  metrics: Metrics,
  removeGone: (goneIds: readonly string[]) => Promise<void>,
): Promise<FanoutSummary> {
  const outcome = await postToAll(connectionIds, frame);
  let removed = 0;
  let cleanupFailed = 0;
  if (outcome.gone.length > 0) {
    try {
      await removeGone(outcome.gone);
      removed = outcome.gone.length;
      logger.debug('removed stale connections', { count: removed });
    } catch (error) {
      // Retried already (throttling outlasted as long as is reasonable): the rows stay until a
      // later fan-out meets the same 410. Counted, so it cannot go unnoticed.
      cleanupFailed = outcome.gone.length;
      logger.error('stale connection cleanup failed', { gone: outcome.gone.length, error: error as Error });
    }
  }
  if (outcome.timedOut > 0) {
    logger.warn('posts to connections timed out', {
      timedOut: outcome.timedOut,
      recipients: outcome.recipients,
      postTimeoutMs: config.postTimeoutMs,
    });
  }
  if (outcome.failed > 0) {
    logger.warn('posts to connections failed', {
      failed: outcome.failed,
      recipients: outcome.recipients,
      firstError: outcome.firstError,
    });
  }
  metrics.addMetric(METRIC.fanoutDeliveries, MetricUnit.Count, outcome.delivered);
  metrics.addMetric(METRIC.fanoutPostErrors, MetricUnit.Count, outcome.failed);
  metrics.addMetric(METRIC.fanoutPostTimeouts, MetricUnit.Count, outcome.timedOut);
  metrics.addMetric(METRIC.staleConnectionsRemoved, MetricUnit.Count, removed);
  if (cleanupFailed > 0) metrics.addMetric(METRIC.staleCleanupFailures, MetricUnit.Count, cleanupFailed);
  metrics.addMetric(METRIC.fanoutDurationMs, MetricUnit.Milliseconds, Math.round(outcome.durationMs * 1000) / 1000);
  return {
    recipients: outcome.recipients,
    delivered: outcome.delivered,
    gone: outcome.gone.length,
    timedOut: outcome.timedOut,
    failed: outcome.failed,
  };
}
