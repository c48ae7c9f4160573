import { randomUUID } from 'node:crypto';

/** An event as EventBridge hands it to rules and targets. */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** ISO 8601 to the second, as EventBridge writes it */
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** One PutEvents entry, as the API takes it. */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  /** epoch seconds (the SDK's timestamp) or an ISO text */
  Time?: number | string;
  TraceHeader?: string;
}

/** The envelope of an entry already checked (Source, DetailType, a JSON-object Detail). */
export function envelopeOf(entry: PutEventsEntry & { Source: string; DetailType: string; Detail: string }, account: string, region: string, now: number): EventEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType,
    source: entry.Source,
    account,
    time: isoSeconds(entry.Time === undefined ? now : typeof entry.Time === 'number' ? entry.Time * 1000 : Date.parse(entry.Time)),
    region,
    resources: entry.Resources ?? [],
    detail: JSON.parse(entry.Detail),
  };
}

const isoSeconds = (ms: number) => new Date(Number.isFinite(ms) ? ms : Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * An entry's size as EventBridge counts it against the PutEvents limit ("Calculating PutEvents
 * event entry size"): 14 bytes for a Time, and the UTF-8 bytes of Source, DetailType, Detail and
 * each Resource.
 */
export function entrySize(entry: PutEventsEntry): number {
  let size = entry.Time !== undefined ? 14 : 0;
  for (const text of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (typeof text === 'string') size += Buffer.byteLength(text, 'utf8');
  }
  return size;
}

/** The billed events of a payload: each 64 KB chunk is one. */
export const chunks64k = (bytes: number): number => Math.max(1, Math.ceil(bytes / 65_536));
