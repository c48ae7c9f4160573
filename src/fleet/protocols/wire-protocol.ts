import type { Probe } from './chat-v1.ts';

/**
 * A protocol as the client group speaks it, whatever it was written as (chat-v1, a description,
 * a module): how a client connects, joins and sends, and how a received frame is read. The hot
 * path is `scan`: one call per delivery, on the frame's bytes, without JSON.parse or allocation.
 */
export type MembershipModel = 'join' | 'connect' | 'all';
export type Recipients = 'room' | 'others';

export interface Handshake {
  url: string;
  protocols?: string[];
  headers?: Record<string, string>;
}

/** What a frame that carries no readable probe means to the client that received it. */
export type Answer =
  | { kind: 'sent'; messageId: string; recipients: number; gone: number }
  | { kind: 'joined' }
  | { kind: 'roomCreated' }
  /** a delivery read through JSON (the fast path did not take it) */
  | { kind: 'delivery'; messageId: string; payload: unknown; cold: boolean }
  | { kind: 'error'; errorKind: string; action?: string }
  | { kind: 'other' };

/** What the client is waiting for when a frame arrives (an answer matcher only looks for what is awaited). */
export interface Awaiting {
  join: boolean;
  ack: boolean;
}

export interface WireProtocol {
  readonly name: string;
  readonly membership: MembershipModel;
  readonly recipients: Recipients;
  /** rooms are created once before any join (chat-v1's createRoom) */
  readonly createsRooms: boolean;
  /** joins are answered; otherwise they are fire-and-forget and the join step waits `joinSettleMs` at its end */
  readonly joinAnswered: boolean;
  readonly joinSettleMs: number;
  /** sends are acknowledged; otherwise fire-and-forget, settled from their intended send time */
  readonly acksSends: boolean;
  /** acks say whom the target posted to (`recipients`, `gone`: chat-v1's `sent`) */
  readonly acksCount: boolean;
  /** connects say whether $connect ran cold (the subprotocol chat-v1 offers, when the target answers it) */
  readonly coldConnects: boolean;
  /** deliveries carry the chat-v1 `messageId` that matches a sender's ack to its own copy */
  readonly ownCopyIds: boolean;
  /**
   * The handshake of client `client` of room `room`; with `connection` (which of the client's
   * connections: 0 the first) it carries the client's User-Agent (user-agent.ts), without it none
   * (a handshake of no fleet client's, such as the first probe).
   */
  handshake(room: string, client: number, connection?: number): Handshake;
  createFrame(room: string): string;
  joinFrame(room: string, client: number): string;
  sendFrame(room: string, client: number, probe: string): string;
  /** a frame that keeps an idle connection open and changes nothing (undefined: the protocol has none) */
  readonly keepAliveFrame?: string;
  /** The hot path: fills `out` from a delivery frame's bytes, or false (the frame is read by `answer`). */
  scan(buf: Buffer, out: Probe): boolean;
  /** a frame `scan` did not take */
  answer(buf: Buffer, awaiting: Awaiting): Answer;
}
