import { putConnection } from './shared/connections.ts';
import { headerValue, type ConnectEvent } from './shared/events.ts';
import { logger } from './shared/observability.ts';
import { connectSubprotocol, DEFAULT_NAME, DisplayName } from './shared/protocol.ts';
import { wsRoute } from './shared/route.ts';

/**
 * $connect: record the connection (name from the `name` query parameter, else "anonymous").
 * 1 SDK call (PutItem). A bad name refuses the handshake with 400. A client that offered the
 * cold/warm subprotocols gets the one that says whether this invocation was a cold start.
 */
export const handler = wsRoute<ConnectEvent>(async (event, { cold }) => {
  const { connectionId, connectedAt } = event.requestContext;
  const requested = event.queryStringParameters?.name;
  const name = requested === undefined ? { success: true as const, data: DEFAULT_NAME } : DisplayName.safeParse(requested);
  if (!name.success) {
    logger.debug('connect refused: bad name', { connectionId });
    return { statusCode: 400 };
  }
  await putConnection({ connectionId, connectedAt, name: name.data });
  logger.debug('connected', { connectionId });
  const subprotocol = connectSubprotocol(headerValue(event.headers, 'Sec-WebSocket-Protocol'), cold);
  return subprotocol ? { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': subprotocol } } : { statusCode: 200 };
});
