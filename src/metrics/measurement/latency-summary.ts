import type { LatencySummary } from '../../contracts/latency-summary-schema.ts';
import type { Histogram } from './histogram.ts';

/** Milliseconds summary of a microsecond histogram. */
export function summarize(h: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.totalCount,
    min: ms(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue),
    mean: Math.round(meanOf(h)) / 1000,
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

/** What JsHistogram has besides the Histogram interface (hdr-histogram-js's own histograms). */
interface Indexed {
  countsArrayLength: number;
  getCountAtIndex(i: number): number;
  valueFromIndex(i: number): number;
  highestEquivalentValue(v: number): number;
  medianEquivalentValue(v: number): number;
}

/**
 * hdr's `mean`, summed over the counts array directly: its getter walks an iterator that
 * allocates for every recorded value, which made it most of the parent's work per interval.
 * Same terms in the same order (each index's highest equivalent value, taken to its median), so
 * the same number.
 */
function meanOf(h: Histogram): number {
  const x = h as unknown as Indexed;
  let total = 0;
  let seen = 0;
  for (let i = 0; i < x.countsArrayLength && seen < h.totalCount; i++) {
    const c = x.getCountAtIndex(i);
    if (c === 0) continue;
    total += x.medianEquivalentValue(x.highestEquivalentValue(x.valueFromIndex(i))) * c;
    seen += c;
  }
  return total / h.totalCount;
}
