import { PROBE_PLACEHOLDER, ROOM_PLACEHOLDER } from '../contracts/publish-phase.ts';

/**
 * A publish phase's payload template with the probe put where `{{probe}}` is: every string of the
 * value (keys too) with the placeholder replaced. The probe is digits and `|` only, so it needs no
 * escaping wherever it lands, JSON string or text.
 */
export function fillProbe<T>(template: T, probe: string): T {
  return fill(template, PROBE_PLACEHOLDER, probe) as T;
}

/**
 * The template with the recipients' room named where `{{room}}` is, once per phase (room names
 * are letters, digits, `-` and `_`: src/session/room-names.ts, no escaping either).
 */
export function fillRoom<T>(template: T, room: string): T {
  return fill(template, ROOM_PLACEHOLDER, room) as T;
}

function fill(v: unknown, placeholder: string, value: string): unknown {
  if (typeof v === 'string') return v.includes(placeholder) ? v.split(placeholder).join(value) : v;
  if (Array.isArray(v)) return v.map((x) => fill(x, placeholder, value));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [fill(k, placeholder, value) as string, fill(x, placeholder, value)]));
  return v;
}

/** A body as it goes on the wire: text as it is, JSON compactly. */
export function bodyText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
