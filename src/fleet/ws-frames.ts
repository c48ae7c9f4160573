import { randomFillSync } from 'node:crypto';

/**
 * RFC 6455 framing as a client needs it (fleet-socket.ts): frames it sends are masked and
 * unfragmented; frames it reads come unmasked from the server and may be fragmented, and control
 * frames (close, ping, pong) may come between a message's fragments. No extensions: the fleet
 * never offers permessage-deflate.
 */
const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** The largest message the fleet reads (ws's default maxPayload): more closes the socket with 1009. */
const MAX_PAYLOAD = 100 * 2 ** 20;

/**
 * Masking keys come from a random pool refilled when spent, as ws does: one getrandom call per
 * 2,048 frames rather than one per frame.
 */
const POOL_KEYS = 2048;
const pool = Buffer.alloc(4 * POOL_KEYS);
let poolAt = pool.length;

/** One masked frame (`fin` set) carrying `data`: a string goes as text (UTF-8), a Buffer as `opcode` (binary by default). */
export function clientFrame(data: string | Buffer, opcode = typeof data === 'string' ? OP_TEXT : OP_BINARY): Buffer {
  const len = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  const head = len < 126 ? 2 : len < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + 4 + len);
  out[0] = 0x80 | opcode;
  if (head === 2) out[1] = 0x80 | len;
  else if (head === 4) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    out.writeUInt32BE(len >>> 0, 6);
  }
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const m = head;
  pool.copy(out, m, poolAt, poolAt + 4);
  poolAt += 4;
  const p = m + 4;
  if (typeof data === 'string') out.write(data, p, 'utf8');
  else data.copy(out, p);
  for (let i = 0; i < len; i++) out[p + i] ^= out[m + (i & 3)];
  return out;
}

/** A close frame with `code` (none for 1005, "no status", which is never sent). */
export function closeFrame(code: number): Buffer {
  if (code === 1005) return clientFrame(Buffer.alloc(0), OP_CLOSE);
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(code, 0);
  return clientFrame(b, OP_CLOSE);
}

/** What reading a server's frames found, one call per frame (a message whole, fragments joined). */
export interface FrameSink {
  onMessage(data: Buffer): void;
  onPing(data: Buffer): void;
  /** a close frame: its code (1005 when it carried none) */
  onClose(code: number): void;
  /** the stream broke the protocol: close with `code` (1002 protocol error, 1009 too big) */
  onViolation(code: number, why: string): void;
}

/**
 * A reader's state between reads: bytes of a frame not yet whole, and the fragments of a message
 * not yet finished. A held client that is between frames holds neither.
 */
export interface FrameState {
  partial: Buffer | undefined;
  fragments: Buffer[] | undefined;
}

/**
 * Reads every whole frame of `chunk` (after what `s` kept from earlier reads) into `sink`, and
 * keeps the rest in `s`. It stops at a close frame or a violation (the sink is told): nothing
 * after it is read.
 */
export function readFrames(s: FrameState, chunk: Buffer, sink: FrameSink): void {
  let buf = chunk;
  if (s.partial) {
    buf = Buffer.concat([s.partial, chunk]);
    s.partial = undefined;
  }
  let at = 0;
  while (buf.length - at >= 2) {
    const b0 = buf[at];
    const b1 = buf[at + 1];
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) return fail(sink, 1002, 'a reserved bit is set');
    if ((b1 & 0x80) !== 0) return fail(sink, 1002, 'the server masked a frame');
    let len = b1 & 0x7f;
    let head = 2;
    if (len === 126) {
      if (buf.length - at < 4) break;
      len = buf.readUInt16BE(at + 2);
      head = 4;
    } else if (len === 127) {
      if (buf.length - at < 10) break;
      const hi = buf.readUInt32BE(at + 2);
      if (hi > 0) return fail(sink, 1009, 'a frame longer than 4 GB');
      len = buf.readUInt32BE(at + 6);
      head = 10;
    }
    if (len > MAX_PAYLOAD) return fail(sink, 1009, `a frame of ${len} bytes (at most ${MAX_PAYLOAD})`);
    if (buf.length - at < head + len) break;
    const payload = buf.subarray(at + head, at + head + len);
    at += head + len;
    if (opcode >= OP_CLOSE) {
      if (!fin || len > 125) return fail(sink, 1002, 'a fragmented or long control frame');
      if (opcode === OP_CLOSE) {
        if (len === 1) return fail(sink, 1002, 'a close frame of 1 byte');
        sink.onClose(len >= 2 ? payload.readUInt16BE(0) : 1005);
        return;
      }
      if (opcode === OP_PING) sink.onPing(payload);
      else if (opcode !== OP_PONG) return fail(sink, 1002, `opcode ${opcode}`);
      continue;
    }
    if (opcode === OP_CONTINUATION) {
      if (!s.fragments) return fail(sink, 1002, 'a continuation with no message begun');
      s.fragments.push(fin ? payload : Buffer.from(payload));
      if (fin) {
        const whole = Buffer.concat(s.fragments);
        s.fragments = undefined;
        if (whole.length > MAX_PAYLOAD) return fail(sink, 1009, `a message of ${whole.length} bytes (at most ${MAX_PAYLOAD})`);
        sink.onMessage(whole);
      }
      continue;
    }
    if (opcode !== OP_TEXT && opcode !== OP_BINARY) return fail(sink, 1002, `opcode ${opcode}`);
    if (s.fragments) return fail(sink, 1002, 'a new message inside a fragmented one');
    if (fin) sink.onMessage(payload);
    // a fragment's bytes are copied: the read buffer it sits in is not kept for it
    else s.fragments = [Buffer.from(payload)];
  }
  // copied for the same reason: a partial frame outlives this read
  if (at < buf.length) s.partial = Buffer.from(buf.subarray(at));
}

function fail(sink: FrameSink, code: number, why: string): void {
  sink.onViolation(code, why);
}
