import type { ColdWarmSplit } from '../../contracts/attribution-schema.ts';
import { newHistogram, type Histogram } from '../measurement/histogram.ts';
import { summarize } from '../measurement/latency-summary.ts';

/**
 * The figures of a cold/warm split, from histograms only (never samples): the penalty (cold p50 −
 * warm p50), the p99 of the attributed requests with and without the cold ones, and the tail's
 * cold share. Shared by the access-log join and the subprotocol's split, so both say the same.
 */

/** What JsHistogram has besides the Histogram interface (hdr-histogram-js's own histograms). */
interface Indexed {
  countsArrayLength: number;
  countsArrayIndex(value: number): number;
  getCountAtIndex(i: number): number;
}

/** Recorded values at or above `value`'s bucket. */
export function countAtOrAbove(h: Histogram, value: number): number {
  if (h.totalCount === 0) return 0;
  const x = h as unknown as Indexed;
  let n = 0;
  for (let i = Math.max(0, x.countsArrayIndex(value)); i < x.countsArrayLength; i++) n += x.getCountAtIndex(i);
  return n;
}

const ms = (us: number) => Math.round(us) / 1000;
/** Summaries are in ms to 3 decimals; a difference of two keeps that. */
const round = (v: number) => Math.round(v * 1000) / 1000;

export interface TailFigures {
  penaltyMs: number | null;
  tailColdShare: number | null;
  p99Ms: number | null;
  p99WithoutColdMs: number | null;
}

/**
 * The tail of the attributed requests (cold + warm): its p99, the share of the requests at or
 * above it that were cold, and the p99 without the cold ones (the warm ones' p99).
 */
export function tailFigures(cold: Histogram, warm: Histogram): TailFigures {
  const penaltyMs = cold.totalCount > 0 && warm.totalCount > 0 ? round(summarize(cold).p50 - summarize(warm).p50) : null;
  if (cold.totalCount + warm.totalCount === 0) return { penaltyMs, tailColdShare: null, p99Ms: null, p99WithoutColdMs: null };
  const attributed = newHistogram();
  attributed.add(cold);
  attributed.add(warm);
  const p99 = attributed.getValueAtPercentile(99);
  // at or above the p99's bucket: the slowest 1 % as the histogram sees it
  const tail = countAtOrAbove(attributed, p99);
  const coldTail = countAtOrAbove(cold, p99);
  attributed.destroy();
  return {
    penaltyMs,
    tailColdShare: tail === 0 ? null : coldTail / tail,
    p99Ms: ms(p99),
    p99WithoutColdMs: warm.totalCount > 0 ? ms(warm.getValueAtPercentile(99)) : null,
  };
}

/** One request kind's split: every timed request's latency, the cold and warm ones', and what the run could not attribute. */
export function coldWarmSplit(all: Histogram, cold: Histogram, warm: Histogram, unattributed: number): ColdWarmSplit {
  return {
    all: summarize(all),
    ...(cold.totalCount > 0 ? { cold: summarize(cold) } : {}),
    ...(warm.totalCount > 0 ? { warm: summarize(warm) } : {}),
    unattributed,
    ...tailFigures(cold, warm),
  };
}
