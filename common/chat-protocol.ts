/**
 * The chat protocol v1 (docs/design.md, "The chat protocol (v1)") as both sides know it: the
 * actions a client sends, the frames a stack answers with (the fields the harness reads), the
 * error codes, and the subprotocols of the cold-start flag. The stack's request schemas and frame
 * builders (reference-stack/functions/shared/protocol.ts) and the harness's encoders and delivery
 * scanner (src/fleet/protocols/chat-v1.ts) are built on these.
 */

export const ERROR_CODES = ['BAD_REQUEST', 'UNKNOWN_ACTION', 'NOT_A_MEMBER', 'NO_SUCH_ROOM', 'PAYLOAD_TOO_LARGE'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Actions with a route of their own (anything else lands on $default). */
export const ACTIONS = ['setName', 'createRoom', 'joinRoom', 'leaveRoom', 'sendMessage', 'broadcast', 'whoami'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * The subprotocols a client may offer on its handshake to learn whether its $connect ran in a
 * new execution environment: $connect selects the one that says so, API Gateway returns it in
 * the 101 response (Sec-WebSocket-Protocol is the only header it passes back from $connect).
 */
export const CONNECT_COLD_SUBPROTOCOL = 'fanout-bench.cold';
export const CONNECT_WARM_SUBPROTOCOL = 'fanout-bench.warm';

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  action?: string;
}

/** Fields every delivered chat frame carries ahead of its payload. */
export interface DeliveryHead {
  from: string;
  name: string;
  messageId: string;
  serverTime: number;
  cold: boolean;
}

/** A room's message, to each member: {"type":"message","room",…head,"payload"}. */
export interface MessageFrame extends DeliveryHead {
  type: 'message';
  room: string;
  payload: unknown;
}

/** The naive broadcast, to every connection: {"type":"broadcast",…head,"payload"}. */
export interface BroadcastFrame extends DeliveryHead {
  type: 'broadcast';
  payload: unknown;
}

/** sendMessage's and broadcast's ack, to the sender: how many it was posted to, how many were gone. */
export interface SentFrame {
  type: 'sent';
  /** sendMessage's room (broadcast has none) */
  room?: string;
  messageId: string;
  recipients: number;
  gone: number;
}

/** joinRoom's ack: the room's members counted after the join. */
export interface JoinedFrame {
  type: 'joined';
  room: string;
  members: number;
}

/** createRoom's ack. */
export interface RoomCreatedFrame {
  type: 'roomCreated';
  room: string;
}

/** The frames of the chat protocol the harness reads (the stack sends others too: name, left, whoami). */
export type ReadFrame = MessageFrame | BroadcastFrame | SentFrame | JoinedFrame | RoomCreatedFrame | ErrorFrame;
