import { PROBE_PREFIX, readProbeFields } from '../../../common/probe-text.ts';
import type { Probe } from './chat-v1.ts';

/**
 * The probe found in any frame, wherever it sits: text or binary, JSON or not. The probe's own
 * marker (`fb1|`, then five decimal fields each ending in `|`) is searched for in the bytes, so a
 * stack that posts the payload raw, nests it in its own JSON or adds a prefix is read the same;
 * the frame is never decoded. A stack that re-encodes the payload (base64, escapes) hides it.
 */
const MARK = Buffer.from(PROBE_PREFIX);

export function scanProbe(buf: Buffer, out: Probe): boolean {
  let at = buf.indexOf(MARK);
  // a marker-like text before the real probe (rare): try the next one, a bounded number of times
  for (let tries = 0; at >= 0 && tries < 4; tries++) {
    if (readProbeAt(buf, at + MARK.length, out)) return true;
    at = buf.indexOf(MARK, at + 1);
  }
  return false;
}

/** Reads the five fields from `i` on; false when they are not five `|`-terminated numbers. No cold flag: only chat-v1 frames carry one. */
export function readProbeAt(buf: Buffer, i: number, out: Probe): boolean {
  if (!readProbeFields(buf, i, out)) return false;
  out.cold = false;
  return true;
}
