import { PROBE_PLACEHOLDER } from '../contracts/publish-phase.ts';

/**
 * A publish phase's payload template with the probe put where `{{probe}}` is: every string of the
 * value (keys too) with the placeholder replaced. The probe is digits and `|` only, so it needs no
 * escaping wherever it lands, JSON string or text.
 */
export function fillProbe<T>(template: T, probe: string): T {
  return fill(template, probe) as T;
}

function fill(v: unknown, probe: string): unknown {
  if (typeof v === 'string') return v.includes(PROBE_PLACEHOLDER) ? v.split(PROBE_PLACEHOLDER).join(probe) : v;
  if (Array.isArray(v)) return v.map((x) => fill(x, probe));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [fill(k, probe) as string, fill(x, probe)]));
  return v;
}

/** A body as it goes on the wire: text as it is, JSON compactly. */
export function bodyText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
