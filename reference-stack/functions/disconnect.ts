import { removeConnections } from './shared/connections.ts';
import type { DisconnectEvent } from './shared/events.ts';
import { logger } from './shared/observability.ts';
import { wsRoute } from './shared/route.ts';

/**
 * $disconnect: delete the connection row and all its room memberships. SDK calls: 1 Query of
 * the byConnection index + 1 BatchWriteItem per 25 rows (the row plus one per room).
 * API Gateway delivers $disconnect best-effort; rows it misses are removed by the 410 cleanup.
 */
export const handler = wsRoute<DisconnectEvent>(async (event) => {
  const { connectionId, disconnectStatusCode, disconnectReason } = event.requestContext;
  await removeConnections([connectionId]);
  logger.debug('disconnected', { connectionId, disconnectStatusCode, disconnectReason });
  return { statusCode: 200 };
});
