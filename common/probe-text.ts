/**
 * The probe text every message the harness sends or publishes carries, defined once for both
 * programs: the harness writes it and reads it back from deliveries (src/fleet/protocols/), the
 * emulator finds it wherever a message passes and stamps how long after its intended send the
 * message got there (emulator/probe-reach.ts). The text:
 *   fb1|<origin>|<slot>|<sender>|<seq>|<intended send time, epoch µs>|<padding…>
 * Five decimal fields, each ending in `|`, after the prefix. It holds no character JSON escapes,
 * so it reads the same in a raw body, a JSON string, or JSON inside a JSON string; a stack that
 * re-encodes the payload (base64, say) hides it.
 */

export const PROBE_PREFIX = 'fb1|';
const MARK = Buffer.from(PROBE_PREFIX);

export interface ProbeFields {
  origin: number;
  slot: number;
  sender: number;
  seq: number;
  /** intended send time, epoch ms */
  intended: number;
}

/** The probe text of one message, padded with 'x' to `payloadBytes` when that is longer. */
export function encodeProbe(p: ProbeFields, payloadBytes: number): string {
  const head = `${PROBE_PREFIX}${p.origin}|${p.slot}|${p.sender}|${p.seq}|${Math.round(p.intended * 1000)}|`;
  return head.length >= payloadBytes ? head : head + 'x'.repeat(payloadBytes - head.length);
}

const PIPE = 0x7c;
const ZERO = 0x30;

/**
 * Reads a probe's five fields (origin, slot, sender, seq, intended µs) from `i` on (just past the
 * prefix) into `out`; false when they are not five `|`-terminated numbers. Allocation-free: the
 * harness's delivery scanners call it once per delivery.
 */
export function readProbeFields(buf: Buffer, i: number, out: ProbeFields): boolean {
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
  return field === 5;
}

/** Whether `input` holds the probe prefix at all (one native search; nothing else when it does not). */
export function mayHoldProbe(input: string | Buffer): boolean {
  return typeof input === 'string' ? input.indexOf(PROBE_PREFIX) >= 0 : input.indexOf(MARK) >= 0;
}

/**
 * Every distinct probe in `input` (a message's text or bytes), each once however often it is
 * repeated (a probe is its origin, slot, sender and seq), appended to `into` unless already there:
 * one array can collect the probes of several texts (a batch event's records). A prefix not
 * followed by five fields is skipped. A string is read through its latin1 bytes (one byte per
 * UTF-16 unit, so positions keep): the probe is ASCII.
 */
export function findProbes(input: string | Buffer, into: ProbeFields[] = []): ProbeFields[] {
  const first = typeof input === 'string' ? input.indexOf(PROBE_PREFIX) : input.indexOf(MARK);
  if (first < 0) return into;
  const buf = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  let p: ProbeFields = { origin: 0, slot: 0, sender: 0, seq: 0, intended: 0 };
  for (let at = first; at >= 0; at = buf.indexOf(MARK, at + MARK.length)) {
    if (!readProbeFields(buf, at + MARK.length, p) || known(into, p)) continue;
    into.push(p);
    p = { origin: 0, slot: 0, sender: 0, seq: 0, intended: 0 };
  }
  return into;
}

function known(found: readonly ProbeFields[], p: ProbeFields): boolean {
  for (const q of found) if (q.origin === p.origin && q.slot === p.slot && q.sender === p.sender && q.seq === p.seq) return true;
  return false;
}
