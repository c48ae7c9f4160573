import type { RoomCreatedFrame } from '../../common/chat-protocol.ts';
import type { MessageEvent } from './shared/events.ts';
import { RoomRequest } from './shared/protocol.ts';
import { parseRequest } from './shared/request.ts';
import { ok } from './shared/respond.ts';
import { createRoom } from './shared/rooms.ts';
import { wsRoute } from './shared/route.ts';

/**
 * createRoom {room} → {"type":"roomCreated","room"}, idempotent: a room that already exists is
 * the same success. 1 SDK call (conditional PutItem).
 */
export const handler = wsRoute<MessageEvent>(async (event) => {
  const req = parseRequest(event, RoomRequest, 'createRoom');
  if (!req.ok) return req.response;
  await createRoom(req.data.room, event.requestContext.connectionId, Date.now());
  return ok({ type: 'roomCreated', room: req.data.room } satisfies RoomCreatedFrame);
});
