import { z } from 'zod';

/**
 * The chat protocol v1 (docs/design.md, "The chat protocol (v1)"): request schemas, error codes and the
 * frames the functions send. Any stack that speaks these frames can be benchmarked.
 */

export const ERROR_CODES = ['BAD_REQUEST', 'UNKNOWN_ACTION', 'NOT_A_MEMBER', 'NO_SUCH_ROOM', 'PAYLOAD_TOO_LARGE'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Actions with a route of their own (anything else lands on $default). */
export const ACTIONS = ['setName', 'createRoom', 'joinRoom', 'leaveRoom', 'sendMessage', 'broadcast', 'whoami'] as const;
export type Action = (typeof ACTIONS)[number];

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
const Payload = z.unknown().refine((v) => v !== undefined, { error: 'is required (any JSON value)' });

const request = <T extends z.core.$ZodLooseShape>(shape: T) => z.object(shape, { error: 'must be a JSON object' });

export const SetNameRequest = request({ name: DisplayName });
export const RoomRequest = request({ room: RoomName });
export const SendMessageRequest = request({ room: RoomName, payload: Payload });
export const BroadcastRequest = request({ payload: Payload });

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  action?: string;
}

export function errorFrame(code: ErrorCode, message: string, action?: string): ErrorFrame {
  return action === undefined ? { type: 'error', code, message } : { type: 'error', code, message, action };
}

/**
 * The subprotocols a client may offer on its handshake to learn whether its $connect ran in a
 * new execution environment: $connect selects the one that says so, API Gateway returns it in
 * the 101 response (Sec-WebSocket-Protocol is the only header it passes back from $connect).
 */
export const CONNECT_COLD_SUBPROTOCOL = 'fanout-bench.cold';
export const CONNECT_WARM_SUBPROTOCOL = 'fanout-bench.warm';

/** The subprotocol $connect answers with, if the client offered ours (else none: none was asked for). */
export function connectSubprotocol(offered: string | undefined, cold: boolean): string | undefined {
  if (!offered) return undefined;
  const mine = cold ? CONNECT_COLD_SUBPROTOCOL : CONNECT_WARM_SUBPROTOCOL;
  return offered.split(',').some((p) => p.trim() === mine) ? mine : undefined;
}

/** Fields every delivered chat frame carries ahead of its payload. */
export interface DeliveryHead {
  from: string;
  name: string;
  messageId: string;
  serverTime: number;
  cold: boolean;
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
  return withPayload({ type: 'message', room, from, name, messageId, serverTime, cold }, payloadJson);
}

/** {"type":"broadcast","from","name","messageId","serverTime","cold","payload"} */
export function broadcastFrame(head: DeliveryHead, payloadJson: string): string {
  const { from, name, messageId, serverTime, cold } = head;
  return withPayload({ type: 'broadcast', from, name, messageId, serverTime, cold }, payloadJson);
}

/** History sort key: serverTime zero-padded to 15 digits, then the message id (tables.ts). */
export function historySortKey(serverTime: number, messageId: string): string {
  return `${String(serverTime).padStart(15, '0')}#${messageId}`;
}

/** Sort key of a room's metadata item in the messages table. */
export const ROOM_METADATA_SK = '#room';
