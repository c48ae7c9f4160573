import type { JoinedFrame } from '../../common/chat-protocol.ts';
import type { MessageEvent } from './shared/events.ts';
import { RoomRequest } from './shared/protocol.ts';
import { parseRequest } from './shared/request.ts';
import { fail, ok } from './shared/respond.ts';
import { addMember, countMembers, roomExists } from './shared/rooms.ts';
import { wsRoute } from './shared/route.ts';

/**
 * joinRoom {room} → {"type":"joined","room","members":N}, idempotent; N counts members after the
 * join. SDK calls: GetItem (room exists? skipped for a room this environment already found) +
 * PutItem (member) + Query COUNT (1 per ~15,000 members).
 */
export const handler = wsRoute<MessageEvent>(async (event) => {
  const req = parseRequest(event, RoomRequest, 'joinRoom');
  if (!req.ok) return req.response;
  const { room } = req.data;
  if (!(await roomExists(room))) return fail('NO_SUCH_ROOM', `room "${room}" does not exist; createRoom first`, 'joinRoom');
  await addMember(room, event.requestContext.connectionId, Date.now());
  return ok({ type: 'joined', room, members: await countMembers(room) } satisfies JoinedFrame);
});
