import { PROBE_PREFIX, type Probe } from './chat-v1.ts';

/**
 * The probe found in any frame, wherever it sits: text or binary, JSON or not. The probe's own
 * marker (`fb1|`, then five decimal fields each ending in `|`) is searched for in the bytes, so a
 * stack that posts the payload raw, nests it in its own JSON or adds a prefix is read the same;
 * the frame is never decoded. A stack that re-encodes the payload (base64, escapes) hides it.
 */
const MARK = Buffer.from(PROBE_PREFIX);
const PIPE = 0x7c;
const ZERO = 0x30;

export function scanProbe(buf: Buffer, out: Probe): boolean {
  let at = buf.indexOf(MARK);
  // a marker-like text before the real probe (rare): try the next one, a bounded number of times
  for (let tries = 0; at >= 0 && tries < 4; tries++) {
    if (readProbeAt(buf, at + MARK.length, out)) return true;
    at = buf.indexOf(MARK, at + 1);
  }
  return false;
}

/** Reads the five fields from `i` on; false when they are not five `|`-terminated numbers. */
export function readProbeAt(buf: Buffer, i: number, out: Probe): boolean {
  const end = buf.length;
  let field = 0;
  let v = 0;
  let digits = 0;
  while (i < end && field < 5) {
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
  out.cold = false;
  return true;
}
