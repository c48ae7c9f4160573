import { removeConnections } from './shared/connections.ts';
import type { DisconnectEvent } from './shared/events.ts';
import { logger, METRIC, MetricUnit } from './shared/observability.ts';
import { wsRoute } from './shared/route.ts';

/**
 * $disconnect: delete the connection row and all its room memberships. SDK calls: 1 Query of
 * the byConnection index + 1 BatchWriteItem per 25 rows (the row plus one per room), each retried
 * while DynamoDB throttles it.
 * API Gateway delivers $disconnect best-effort; rows it misses are removed by the 410 cleanup.
 */
export const handler = wsRoute<DisconnectEvent>(async (event, { metrics }) => {
  const { connectionId, disconnectStatusCode, disconnectReason } = event.requestContext;
  try {
    await removeConnections([connectionId]); // outlasts throttling (see throttling.ts)
  } catch (error) {
    // API Gateway never retries $disconnect: the rows stay until a fan-out meets this connection's 410.
    metrics.addMetric(METRIC.staleCleanupFailures, MetricUnit.Count, 1);
    throw error;
  }
  logger.debug('disconnected', { connectionId, disconnectStatusCode, disconnectReason });
  return { statusCode: 200 };
});
