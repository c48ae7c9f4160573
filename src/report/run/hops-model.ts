import type { HopLatency } from '../../contracts/hop-latency-schema.ts';
import { fmtInt, fmtNum } from '../../number-format.ts';

/**
 * The run page's delivery latency split by hop (results.hopLatency), worded once: one row per hop
 * in order of its p50 reach and the deliveries last, and the console's one line of the split
 * (`gateway:sendMessage +2 ms → lambda:fanout-send-message +38 ms → @connections +61 ms → delivered +63 ms`).
 * Pure; plain text (each renderer escapes).
 */
export interface HopRow {
  hop: string;
  count: string;
  p50: string;
  p99: string;
  step: string;
}

export interface HopsModel {
  rows: HopRow[];
  /** the split in one line: each hop's p50 reach from the send */
  line: string;
  notes: string[];
}

export const DELIVERED_HOP = 'delivered';

const ms = (v: number | null) => (v === null ? '–' : `${fmtNum(v)} ms`);
const plus = (v: number | null) => (v === null ? '?' : `+${fmtNum(v)} ms`);
const signed = (v: number | null) => (v === null ? '–' : `${v < 0 ? '−' : '+'}${fmtNum(Math.abs(v))} ms`);

export function hopsModel(h: HopLatency | undefined): HopsModel | undefined {
  if (!h) return undefined;
  const all = [...h.hops, { hop: DELIVERED_HOP, ...h.delivered }];
  const rows = all.map((x) => ({ hop: x.hop, count: fmtInt(x.count), p50: ms(x.p50Ms), p99: ms(x.p99Ms), step: signed(x.stepMs) }));
  const line = h.hops.length === 0 ? '' : `p50 from the send: ${all.map((x) => `${x.hop} ${plus(x.p50Ms)}`).join(' → ')}`;
  return { rows, line, notes: h.notes ?? [] };
}
