import { CONNECT_COLD_SUBPROTOCOL, CONNECT_WARM_SUBPROTOCOL, type Action, type ReadFrame } from '../../../common/chat-protocol.ts';
import { PROBE_PREFIX, readProbeFields, type ProbeFields } from '../../../common/probe-text.ts';

/**
 * The chat protocol v1 as the harness speaks it (docs/design.md, "The chat protocol (v1)"): the frames it
 * sends, and a cheap scanner for the delivery frames it receives (the actions and frames both
 * sides share are common/chat-protocol.ts's).
 *
 * Every message the harness sends carries a probe as its payload, a JSON string (its text is
 * common/probe-text.ts's: "fb1|<origin shard>|<slot>|<sender client>|<sender seq>|<intended µs>|xxxx…"),
 * so any receiver, in any shard, can attribute a delivery to a message and time it from the
 * intended send time. Deliveries are the hot path (one per member per message): the scanner reads
 * the probe and the `cold` flag straight from the frame's bytes, without JSON.parse and without
 * allocating. Anything else (acks, errors, other stacks' formatting) takes the JSON path.
 */

/**
 * Offered on every handshake to a target that answers them: the reference stack's $connect
 * selects the one that says whether it ran in a new execution environment, so connects are
 * timed as cold or warm too. The protocol's own name comes first, so a server that echoes the
 * first subprotocol offered (ws's default) says nothing about cold starts.
 */
export const CONNECT_SUBPROTOCOLS = ['fanout-bench.v1', CONNECT_COLD_SUBPROTOCOL, CONNECT_WARM_SUBPROTOCOL];

export interface Probe extends ProbeFields {
  cold: boolean;
}

export function newProbe(): Probe {
  return { origin: 0, slot: 0, sender: 0, seq: 0, intended: 0, cold: false };
}

/** Reads a probe from a payload value that went through JSON.parse (the slow path). */
export function decodeProbe(payload: unknown, cold: boolean, out: Probe): boolean {
  if (typeof payload !== 'string' || !payload.startsWith(PROBE_PREFIX)) return false;
  if (!readProbeFields(Buffer.from(payload, 'latin1'), PROBE_PREFIX.length, out)) return false;
  out.cold = cold;
  return true;
}

const MARK = Buffer.from(`"${PROBE_PREFIX}`);
const COLD = Buffer.from('"cold":');
const TYPE_MESSAGE = Buffer.from('"type":"message"');
const TYPE_BROADCAST = Buffer.from('"type":"broadcast"');
const TYPE_MESSAGE_HEAD = Buffer.from('{"type":"message"');
const TYPE_BROADCAST_HEAD = Buffer.from('{"type":"broadcast"');
const SPACE = 0x20;
const LETTER_T = 0x74;
const LETTER_F = 0x66;
const LETTER_E = 0x65;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Fast path: fills `out` from a delivery frame's bytes and returns true, or returns false when
 * the frame is not a compactly serialized message/broadcast frame carrying a probe (the caller
 * then parses it as JSON).
 */
export function scanDelivery(buf: Buffer, out: Probe): boolean {
  const at = buf.indexOf(MARK);
  if (at < 0) return false;
  if (!startsWith(buf, TYPE_MESSAGE_HEAD) && !startsWith(buf, TYPE_BROADCAST_HEAD)) {
    if (buf.indexOf(TYPE_MESSAGE) < 0 && buf.indexOf(TYPE_BROADCAST) < 0) return false;
  }
  if (!readProbeFields(buf, at + MARK.length, out)) return false;
  out.cold = coldFlag(buf, at);
  return true;
}

/** The frame starts with these bytes (a JS loop: cheaper than a native call for a few bytes). */
function startsWith(buf: Buffer, head: Buffer): boolean {
  if (buf.length < head.length) return false;
  for (let k = 0; k < head.length; k++) if (buf[k] !== head[k]) return false;
  return true;
}

/**
 * The `cold` flag. Compact frames put it just before the payload (…"cold":true,"payload":"fb1|…),
 * read there without a search; any other layout is searched for.
 */
function coldFlag(buf: Buffer, at: number): boolean {
  // at-10 … at-1 is "payload": and at-11 the comma when the payload follows the flag directly.
  const e = at - 12;
  if (e >= 6 && buf[at - 11] === COMMA && buf[e] === LETTER_E) {
    if (buf[e - 3] === LETTER_T && buf[e - 4] === COLON) return true;
    if (buf[e - 4] === LETTER_F && buf[e - 5] === COLON) return false;
  }
  const c = buf.indexOf(COLD);
  if (c < 0) return false;
  let j = c + COLD.length;
  while (j < buf.length && buf[j] === SPACE) j++;
  return buf[j] === LETTER_T;
}

const CREATE_ROOM: Action = 'createRoom';
const JOIN_ROOM: Action = 'joinRoom';
const SEND_MESSAGE: Action = 'sendMessage';

export function createRoomFrame(room: string): string {
  return JSON.stringify({ action: CREATE_ROOM, room });
}

export function joinRoomFrame(room: string): string {
  return JSON.stringify({ action: JOIN_ROOM, room });
}

/** Everything of a sendMessage frame before the payload string; the room never needs escaping. */
export function sendMessagePrefix(room: string): string {
  return `{"action":"${SEND_MESSAGE}","room":${JSON.stringify(room)},"payload":"`;
}

export function sendMessageFrame(prefix: string, probe: string): string {
  return `${prefix}${probe}"}`;
}

/** What a control (non-delivery) frame means to the harness. */
export type ControlFrame =
  | { kind: 'sent'; messageId: string; recipients: number; gone: number }
  | { kind: 'joined'; members: number }
  | { kind: 'roomCreated' }
  | { kind: 'delivery'; messageId: string; payload: unknown; cold: boolean }
  | { kind: 'error'; errorKind: string; action?: string }
  | { kind: 'other' };

/**
 * Classifies a frame that the fast path did not take. Error kinds name what the system said:
 * `frame:<CODE>` for the stack's own codes, `frame:<message>` for API Gateway's
 * `{"message":"Forbidden"|"Internal server error"}`, `throttle:<message>` for its throttles.
 */
export function parseControl(text: string): ControlFrame {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'error', errorKind: 'frame:not-json' };
  }
  if (typeof v !== 'object' || v === null) return { kind: 'other' };
  const f = v as Record<string, unknown>;
  // typed as the frames the harness reads, so a frame type the protocol does not have fails the typecheck
  switch (f.type as ReadFrame['type']) {
    case 'sent':
      return {
        kind: 'sent',
        messageId: String(f.messageId ?? ''),
        recipients: toCount(f.recipients),
        gone: toCount(f.gone),
      };
    case 'joined':
      return { kind: 'joined', members: toCount(f.members) };
    case 'roomCreated':
      return { kind: 'roomCreated' };
    case 'message':
    case 'broadcast':
      return { kind: 'delivery', messageId: String(f.messageId ?? ''), payload: f.payload, cold: f.cold === true };
    case 'error':
      return {
        kind: 'error',
        errorKind: `frame:${String(f.code ?? 'unknown')}`,
        action: typeof f.action === 'string' ? f.action : undefined,
      };
  }
  if (typeof f.message === 'string') {
    const m = f.message;
    const throttled = /too many requests|limit exceeded|throttl/i.test(m);
    return { kind: 'error', errorKind: `${throttled ? 'throttle' : 'frame'}:${m}` };
  }
  return { kind: 'other' };
}

function toCount(v: unknown): number {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
}

/** The messageId of a delivery frame (only needed for a sender's own copy, to match its ack). */
const MESSAGE_ID = Buffer.from('"messageId":"');
export function scanMessageId(buf: Buffer): string | undefined {
  const at = buf.indexOf(MESSAGE_ID);
  if (at < 0) return undefined;
  const start = at + MESSAGE_ID.length;
  const end = buf.indexOf(0x22, start);
  return end < 0 ? undefined : buf.toString('latin1', start, end);
}
