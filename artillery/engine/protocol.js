// @ts-check
/**
 * The chat protocol v1 as fanout-bench speaks it, in plain JavaScript for Artillery's workers
 * (they load no TypeScript). The frames and the probe are the harness's own
 * (src/fleet/chat-protocol.ts); test/artillery/engine-protocol.test.ts holds the two to the same
 * bytes.
 *
 * Every message carries a probe as its payload, a JSON string:
 *   "fb1|<origin>|<slot>|<sender client>|<sender seq>|<intended send time, epoch µs>|xxxx…"
 * Deliveries are the hot path: the scanner reads the probe and the `cold` flag from the frame's
 * bytes without JSON.parse; anything else takes the JSON path.
 */

export const PROBE_PREFIX = 'fb1|';

/**
 * @typedef {{ origin: number, slot: number, sender: number, seq: number, intended: number, cold: boolean }} Probe
 * `intended` is epoch ms.
 */

/** @returns {Probe} */
export function newProbe() {
  return { origin: 0, slot: 0, sender: 0, seq: 0, intended: 0, cold: false };
}

/**
 * The payload string for one message, padded with 'x' to `payloadBytes` when that is longer.
 * @param {{ origin: number, slot: number, sender: number, seq: number, intended: number }} p
 * @param {number} payloadBytes
 * @returns {string}
 */
export function encodeProbe(p, payloadBytes) {
  const head = `${PROBE_PREFIX}${p.origin}|${p.slot}|${p.sender}|${p.seq}|${Math.round(p.intended * 1000)}|`;
  return head.length >= payloadBytes ? head : head + 'x'.repeat(payloadBytes - head.length);
}

/**
 * Reads a probe from a payload that went through JSON.parse (the slow path).
 * @param {unknown} payload
 * @param {boolean} cold
 * @param {Probe} out
 * @returns {boolean}
 */
export function decodeProbe(payload, cold, out) {
  if (typeof payload !== 'string' || !payload.startsWith(PROBE_PREFIX)) return false;
  const parts = payload.split('|', 6);
  if (parts.length < 6) return false;
  const nums = parts.slice(1).map(Number);
  if (nums.some((n) => !Number.isInteger(n) || n < 0)) return false;
  out.origin = nums[0];
  out.slot = nums[1];
  out.sender = nums[2];
  out.seq = nums[3];
  out.intended = nums[4] / 1000;
  out.cold = cold;
  return true;
}

const MARK = Buffer.from(`"${PROBE_PREFIX}`);
const COLD = Buffer.from('"cold":');
const TYPE_MESSAGE = Buffer.from('"type":"message"');
const TYPE_BROADCAST = Buffer.from('"type":"broadcast"');
const PIPE = 0x7c;
const ZERO = 0x30;
const SPACE = 0x20;
const LETTER_T = 0x74;

/**
 * Fast path: fills `out` from a delivery frame's bytes, or returns false when the frame is not a
 * message/broadcast frame carrying a probe (the caller then parses it as JSON).
 * @param {Buffer} buf
 * @param {Probe} out
 * @returns {boolean}
 */
export function scanDelivery(buf, out) {
  const at = buf.indexOf(MARK);
  if (at < 0) return false;
  if (buf.indexOf(TYPE_MESSAGE) < 0 && buf.indexOf(TYPE_BROADCAST) < 0) return false;
  let i = at + MARK.length;
  let field = 0;
  let v = 0;
  let digits = 0;
  while (i < buf.length && field < 5) {
    const c = buf[i++];
    if (c === PIPE) {
      if (digits === 0) return false;
      if (field === 0) out.origin = v;
      else if (field === 1) out.slot = v;
      else if (field === 2) out.sender = v;
      else if (field === 3) out.seq = v;
      else out.intended = v / 1000;
      field++;
      v = 0;
      digits = 0;
    } else {
      const d = c - ZERO;
      if (d < 0 || d > 9) return false;
      v = v * 10 + d;
      digits++;
    }
  }
  if (field < 5) return false;
  const c = buf.indexOf(COLD);
  let cold = false;
  if (c >= 0) {
    let j = c + COLD.length;
    while (j < buf.length && buf[j] === SPACE) j++;
    cold = buf[j] === LETTER_T;
  }
  out.cold = cold;
  return true;
}

/** @param {string} room */
export function createRoomFrame(room) {
  return JSON.stringify({ action: 'createRoom', room });
}

/** @param {string} room */
export function joinRoomFrame(room) {
  return JSON.stringify({ action: 'joinRoom', room });
}

/**
 * Everything of a sendMessage frame before the payload string; the room never needs escaping.
 * @param {string} room
 */
export function sendMessagePrefix(room) {
  return `{"action":"sendMessage","room":${JSON.stringify(room)},"payload":"`;
}

/**
 * @param {string} prefix
 * @param {string} probe
 */
export function sendMessageFrame(prefix, probe) {
  return `${prefix}${probe}"}`;
}

/**
 * @typedef {{ kind: 'sent', messageId: string, recipients: number, gone: number }
 *   | { kind: 'joined', members: number }
 *   | { kind: 'roomCreated' }
 *   | { kind: 'delivery', messageId: string, payload: unknown, cold: boolean }
 *   | { kind: 'error', errorKind: string, action?: string }
 *   | { kind: 'other' }} ControlFrame
 */

/**
 * Classifies a frame the fast path did not take. Error kinds name what the system said, as the
 * harness names them: `frame:<CODE>`, `frame:<message>` for API Gateway's own answers,
 * `throttle:<message>` for its throttles.
 * @param {string} text
 * @returns {ControlFrame}
 */
export function parseControl(text) {
  let v;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'error', errorKind: 'frame:not-json' };
  }
  if (typeof v !== 'object' || v === null) return { kind: 'other' };
  const f = /** @type {Record<string, unknown>} */ (v);
  switch (f.type) {
    case 'sent':
      return { kind: 'sent', messageId: String(f.messageId ?? ''), recipients: toCount(f.recipients), gone: toCount(f.gone) };
    case 'joined':
      return { kind: 'joined', members: toCount(f.members) };
    case 'roomCreated':
      return { kind: 'roomCreated' };
    case 'message':
    case 'broadcast':
      return { kind: 'delivery', messageId: String(f.messageId ?? ''), payload: f.payload, cold: f.cold === true };
    case 'error':
      return { kind: 'error', errorKind: `frame:${String(f.code ?? 'unknown')}`, action: typeof f.action === 'string' ? f.action : undefined };
  }
  if (typeof f.message === 'string') {
    const m = f.message;
    const throttled = /too many requests|limit exceeded|throttl/i.test(m);
    return { kind: 'error', errorKind: `${throttled ? 'throttle' : 'frame'}:${m}` };
  }
  return { kind: 'other' };
}

/** @param {unknown} v */
function toCount(v) {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0;
}

const MESSAGE_ID = Buffer.from('"messageId":"');

/**
 * The messageId of a delivery frame (a sender's own copy matches its ack through it).
 * @param {Buffer} buf
 * @returns {string | undefined}
 */
export function scanMessageId(buf) {
  const at = buf.indexOf(MESSAGE_ID);
  if (at < 0) return undefined;
  const start = at + MESSAGE_ID.length;
  const end = buf.indexOf(0x22, start);
  return end < 0 ? undefined : buf.toString('latin1', start, end);
}

/**
 * How a failed connect is named, as the harness names it: `handshake:<status>`, `timeout:connect`,
 * `connect:<code>`.
 * @param {Error & { code?: string }} err
 */
export function connectErrorKind(err) {
  const status = /Unexpected server response: (\d+)/.exec(err.message);
  if (status) return `handshake:${status[1]}`;
  if (/handshake has timed out/i.test(err.message)) return 'timeout:connect';
  return `connect:${err.code ?? err.message}`;
}

/**
 * The URL and headers of one handshake: the token in the `x-api-key` header or the `token` query
 * parameter of a $connect authorizer. Only the handshake carries it; nothing records it.
 * @param {string} url
 * @param {{ token: string, in: 'header' | 'query' } | undefined} token
 * @returns {{ url: string, headers?: Record<string, string> }}
 */
export function handshakeWith(url, token) {
  if (!token) return { url };
  if (token.in === 'header') return { url, headers: { 'x-api-key': token.token } };
  const u = new URL(url);
  u.searchParams.set('token', token.token);
  return { url: u.toString() };
}
