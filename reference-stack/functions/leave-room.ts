import type { MessageEvent } from './shared/events.ts';
import { RoomRequest } from './shared/protocol.ts';
import { parseRequest } from './shared/request.ts';
import { fail, ok } from './shared/respond.ts';
import { removeMember } from './shared/rooms.ts';
import { wsRoute } from './shared/route.ts';

/** leaveRoom {room} → {"type":"left","room"}; NOT_A_MEMBER if not in it. 1 SDK call (conditional DeleteItem). */
export const handler = wsRoute<MessageEvent>(async (event) => {
  const req = parseRequest(event, RoomRequest, 'leaveRoom');
  if (!req.ok) return req.response;
  const { room } = req.data;
  if (!(await removeMember(room, event.requestContext.connectionId))) {
    return fail('NOT_A_MEMBER', `not a member of room "${room}"`, 'leaveRoom');
  }
  return ok({ type: 'left', room });
});
