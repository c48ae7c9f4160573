import { z } from 'zod';
import {
  CONNECT_COLD_SUBPROTOCOL,
  CONNECT_WARM_SUBPROTOCOL,
  type BroadcastFrame,
  type DeliveryHead,
  type ErrorCode,
  type ErrorFrame,
  type MessageFrame,
} from '../../../common/chat-protocol.ts';

/**
 * The chat protocol v1 (docs/design.md, "The chat protocol (v1)") as the functions speak it:
 * request schemas and the frames they send, on the actions, frames and error codes both sides
 * share (common/chat-protocol.ts). Any stack that speaks these frames can be benchmarked.
 */

export const ROOM_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
export const MAX_NAME_LENGTH = 64;
export const DEFAULT_NAME = 'anonymous';

export const RoomName = z
  .string({ error: 'is required (a string)' })
  .regex(ROOM_NAME_PATTERN, 'must be 1-128 characters of A-Z a-z 0-9 _ . : -');

export const DisplayName = z
  .string({ error: 'is required (a string)' })
  .min(1, 'must not be empty')
  .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`);

/** Any JSON value; a parsed body can hold every JSON value but cannot hold undefined. */
export const Payload = z.unknown().refine((v) => v !== undefined, { error: 'is required (any JSON value)' });

const request = <T extends z.core.$ZodLooseShape>(shape: T) => z.object(shape, { error: 'must be a JSON object' });

export const SetNameRequest = request({ name: DisplayName });
export const RoomRequest = request({ room: RoomName });
export const SendMessageRequest = request({ room: RoomName, payload: Payload });
export const BroadcastRequest = request({ payload: Payload });

export function errorFrame(code: ErrorCode, message: string, action?: string): ErrorFrame {
  return action === undefined ? { type: 'error', code, message } : { type: 'error', code, message, action };
}

/** The subprotocol $connect answers with, if the client offered ours (else none: none was asked for). */
export function connectSubprotocol(offered: string | undefined, cold: boolean): string | undefined {
  if (!offered) return undefined;
  const mine = cold ? CONNECT_COLD_SUBPROTOCOL : CONNECT_WARM_SUBPROTOCOL;
  return offered.split(',').some((p) => p.trim() === mine) ? mine : undefined;
}

/**
 * Appends the payload's JSON text to a frame serialized without it, so a payload is serialized
 * once per message (it was already serialized to measure its size), not once per frame.
 */
function withPayload(head: object, payloadJson: string): string {
  return `${JSON.stringify(head).slice(0, -1)},"payload":${payloadJson}}`;
}

/** {"type":"message","room","from","name","messageId","serverTime","cold","payload"} */
export function messageFrame(room: string, head: DeliveryHead, payloadJson: string): string {
  const { from, name, messageId, serverTime, cold } = head;
  return withPayload({ type: 'message', room, from, name, messageId, serverTime, cold } satisfies Omit<MessageFrame, 'payload'>, payloadJson);
}

/** {"type":"broadcast","from","name","messageId","serverTime","cold","payload"} */
export function broadcastFrame(head: DeliveryHead, payloadJson: string): string {
  const { from, name, messageId, serverTime, cold } = head;
  return withPayload({ type: 'broadcast', from, name, messageId, serverTime, cold } satisfies Omit<BroadcastFrame, 'payload'>, payloadJson);
}

/** History sort key: serverTime zero-padded to 15 digits, then the message id (tables.ts). */
export function historySortKey(serverTime: number, messageId: string): string {
  return `${String(serverTime).padStart(15, '0')}#${messageId}`;
}

/** Sort key of a room's metadata item in the messages table. */
export const ROOM_METADATA_SK = '#room';
