import { randomUUID } from 'node:crypto';
import type { SentFrame } from '../../common/chat-protocol.ts';
import { removeConnections, scanConnections } from './shared/connections.ts';
import type { MessageEvent } from './shared/events.ts';
import { fanOut } from './shared/fanout.ts';
import { logger } from './shared/observability.ts';
import { serializePayload } from './shared/payload.ts';
import { BroadcastRequest, broadcastFrame, DEFAULT_NAME } from './shared/protocol.ts';
import { parseRequest } from './shared/request.ts';
import { ok } from './shared/respond.ts';
import { wsRoute } from './shared/route.ts';

/**
 * broadcast {payload} → every open connection gets the broadcast frame; the sender gets
 * {"type":"sent","messageId","recipients","gone"}.
 *
 * Seed 003's naive design, kept ON PURPOSE as the comparison point: it Scans the whole
 * connections table on every message, whatever rooms exist. SDK calls for C connections, G gone:
 *   1 Scan per 1 MB page (the sender's name comes from the same Scan)
 * + C PostToConnection
 * + G Query (each gone connection's rooms) + ceil(rows / 25) BatchWriteItem.
 */
export const handler = wsRoute<MessageEvent>(async (event, { cold, metrics }) => {
  const req = parseRequest(event, BroadcastRequest, 'broadcast');
  if (!req.ok) return req.response;
  const payloadJson = serializePayload(req.data.payload, 'broadcast');
  if (!payloadJson.ok) return payloadJson.response;

  const from = event.requestContext.connectionId;
  const connections = await scanConnections();
  const name = connections.find((c) => c.connectionId === from)?.name ?? DEFAULT_NAME;
  const messageId = randomUUID();
  const frame = broadcastFrame({ from, name, messageId, serverTime: Date.now(), cold }, payloadJson.json);

  const ids = connections.map((c) => c.connectionId);
  const fan = await fanOut(ids, frame, metrics, removeConnections);

  logger.debug('broadcast sent', { messageId, recipients: fan.recipients, gone: fan.gone, timedOut: fan.timedOut });
  return ok({ type: 'sent', messageId, recipients: fan.recipients, gone: fan.gone } satisfies SentFrame);
});
