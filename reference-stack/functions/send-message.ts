import { randomUUID } from 'node:crypto';
import type { SentFrame } from '../../common/chat-protocol.ts';
import { getConnectionName, removeConnections } from './shared/connections.ts';
import type { MessageEvent } from './shared/events.ts';
import { fanOut } from './shared/fanout.ts';
import { putMessage } from './shared/history.ts';
import { logger } from './shared/observability.ts';
import { serializePayload } from './shared/payload.ts';
import { DEFAULT_NAME, messageFrame, SendMessageRequest } from './shared/protocol.ts';
import { parseRequest } from './shared/request.ts';
import { fail, ok } from './shared/respond.ts';
import { listMembers } from './shared/rooms.ts';
import { wsRoute } from './shared/route.ts';

/**
 * sendMessage {room, payload} → every member (sender included) gets the message frame; the sender
 * gets {"type":"sent","room","messageId","recipients","gone"}.
 *
 * SDK calls for one message to a room of N members, G of them gone (each ~0.55 ms of CPU):
 *   1 Query per ~15,000 members (membership is checked in it) and, in parallel, 1 GetItem
 *   (sender name)
 * + N PostToConnection (FANOUT_CONCURRENCY in flight) and, alongside, 1 PutItem (history)
 * + G Query (each gone connection's rooms) + ceil(rows / 25) BatchWriteItem (its connection row
 *   and every membership, so a dead connection leaves no row in any room)
 * = N + 3 in the common case.
 */
export const handler = wsRoute<MessageEvent>(async (event, { cold, metrics }) => {
  const req = parseRequest(event, SendMessageRequest, 'sendMessage');
  if (!req.ok) return req.response;
  const { room, payload } = req.data;
  const payloadJson = serializePayload(payload, 'sendMessage');
  if (!payloadJson.ok) return payloadJson.response;

  const from = event.requestContext.connectionId;
  // The member list answers "is the sender a member?" too: one SDK call fewer per message than a
  // GetItem beside it (a non-member is refused after reading the room's rows instead).
  const [members, storedName] = await Promise.all([listMembers(room), getConnectionName(from)]);
  if (!members.includes(from)) return fail('NOT_A_MEMBER', `not a member of room "${room}"; joinRoom first`, 'sendMessage');

  const messageId = randomUUID();
  const serverTime = Date.now();
  const name = storedName ?? DEFAULT_NAME;
  const frame = messageFrame(room, { from, name, messageId, serverTime, cold }, payloadJson.json);

  // History is written while the fan-out runs; both settle before the handler returns.
  const [fan, stored] = await Promise.allSettled([
    fanOut(members, frame, metrics, (gone) => removeConnections(gone, room)),
    putMessage({ room, messageId, from, name, serverTime, payloadJson: payloadJson.json }),
  ]);
  if (fan.status === 'rejected') throw fan.reason;
  if (stored.status === 'rejected') throw stored.reason;

  logger.debug('message sent', { room, messageId, recipients: fan.value.recipients, gone: fan.value.gone, timedOut: fan.value.timedOut });
  return ok({ type: 'sent', room, messageId, recipients: fan.value.recipients, gone: fan.value.gone } satisfies SentFrame);
});
