import { findProbes, mayHoldProbe, type ProbeFields } from '../common/probe-text.ts';
import { PROBE_REACH_DIMENSION, PROBE_REACH_METRIC, PROBE_REACH_NAMESPACE } from '../common/probe-reach-metric.ts';
import type { MetricSink } from './cloudwatch/types.ts';

/**
 * The emulator's stamp of how far a message had come (common/probe-reach-metric.ts): a service
 * calls it where a message passes, with the hop's name and the message's text, bytes or event; each
 * distinct probe in it becomes one `ProbeReachMs` value, now minus the probe's intended send time.
 * Without the probe's prefix it costs one native search and nothing else.
 */

/** A probe intended this far in the future was never sent (a frame built only to be measured): no reach. */
const FUTURE_SLACK_MS = 1_000;
/** An event walked for probes stops after this many values (a pathological event is not read whole). */
const MAX_VALUES = 20_000;
/** Frozen and reused per hop: the store caches the series key of a frozen dimension set. */
const dimensionsOf = new Map<string, Record<string, string>>();

/** The reach of every probe in `input` (a message's text or bytes) at `hop`. */
export function stampReach(sink: MetricSink | undefined, hop: string, input: string | Buffer, now = Date.now()): void {
  if (sink === undefined || !mayHoldProbe(input)) return;
  put(sink, hop, findProbes(input), now);
}

/**
 * The reach of every probe in an event (a JSON-shaped value: a Lambda event, an SQS record, an
 * item), found in its strings, each distinct one once: one value per record of a batch.
 */
export function stampReachIn(sink: MetricSink | undefined, hop: string, value: unknown, now = Date.now()): void {
  if (sink === undefined) return;
  const probes: ProbeFields[] = [];
  const stack: unknown[] = [value];
  let seen = 0;
  while (stack.length > 0 && seen++ < MAX_VALUES) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (mayHoldProbe(v)) findProbes(v, probes);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    } else if (v !== null && typeof v === 'object') {
      if (Buffer.isBuffer(v) || v instanceof Uint8Array) continue;
      for (const k in v) stack.push((v as Record<string, unknown>)[k]);
    }
  }
  if (probes.length > 0) put(sink, hop, probes, now);
}

function put(sink: MetricSink, hop: string, probes: readonly ProbeFields[], now: number): void {
  let dimensions = dimensionsOf.get(hop);
  if (!dimensions) dimensionsOf.set(hop, (dimensions = Object.freeze({ [PROBE_REACH_DIMENSION]: hop }) as Record<string, string>));
  for (const p of probes) {
    const reach = now - p.intended;
    if (reach < -FUTURE_SLACK_MS) continue;
    // the intended time is µs, the stamp ms: a frame taken within the same ms reads a hair below zero
    sink.put({ namespace: PROBE_REACH_NAMESPACE, name: PROBE_REACH_METRIC, dimensions, value: Math.max(0, reach), unit: 'Milliseconds', timestamp: now });
  }
}
