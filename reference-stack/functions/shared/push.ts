import type { EventBridgeEvent } from 'aws-lambda';
import { z } from 'zod';
import { scanConnections } from './connections.ts';
import { logger } from './observability.ts';
import { serializePayload } from './payload.ts';
import { broadcastFrame, messageFrame, Payload, RoomName } from './protocol.ts';
import { listMembers } from './rooms.ts';

/**
 * A server push (manifest.ts PUSH_EVENT) as both of its paths read it: the event's detail, the
 * frame every recipient gets, and who the recipients are. The direct push posts the frame itself;
 * the queued fan-out puts it in the queue's messages for the workers to post.
 */

/** `{ room, payload }` or `{ everyone: true, payload }`. */
const PushDetail = z.union(
  [z.strictObject({ room: RoomName, payload: Payload }), z.strictObject({ everyone: z.literal(true), payload: Payload })],
  { error: 'must be { room, payload } or { everyone: true, payload }' },
);

export type PushEvent = EventBridgeEvent<string, unknown>;

export interface Push {
  /** the room, or undefined for every connection */
  room: string | undefined;
  /** the frame every recipient gets, encoded once */
  frame: string;
  /** the EventBridge event's id: the delivered frame's messageId */
  messageId: string;
}

/** Who sent it, in the frame's `from` and `name`: no connection did. */
const FROM = 'push';

/**
 * The push an event asks for, or undefined (logged once, WARN) when its detail is not one: a
 * retry could not make it valid, so the event is not failed.
 */
export function readPush(event: PushEvent, cold: boolean): Push | undefined {
  const detail = PushDetail.safeParse(event.detail);
  if (!detail.success) {
    logger.warn('push event ignored', { id: event.id, problem: detail.error.issues[0]?.message });
    return undefined;
  }
  const payloadJson = serializePayload(detail.data.payload, 'push');
  if (!payloadJson.ok) {
    logger.warn('push event ignored', { id: event.id, problem: payloadJson.response.body });
    return undefined;
  }
  const room = 'room' in detail.data ? detail.data.room : undefined;
  const head = { from: FROM, name: event.source, messageId: event.id, serverTime: Date.now(), cold };
  const frame = room === undefined ? broadcastFrame(head, payloadJson.json) : messageFrame(room, head, payloadJson.json);
  return { room, frame, messageId: event.id };
}

/** The recipients' connection ids: the room's members (a Query), or every connection (a Scan, as broadcast). */
export async function pushRecipients(room: string | undefined): Promise<string[]> {
  if (room !== undefined) return listMembers(room);
  return (await scanConnections()).map((c) => c.connectionId);
}
