import * as hdr from 'hdr-histogram-js';
import type { Histogram, JsHistogram } from 'hdr-histogram-js';

/**
 * One way to make, ship and merge latency histograms. Values are whole microseconds; the
 * histogram resizes itself for anything above an hour, keeps 3 significant digits, and crosses
 * process boundaries as hdr-histogram-js's compressed base64 (never as percentiles).
 */
export type { Histogram };

const INITIAL_HIGHEST_US = 60_000_000;

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: INITIAL_HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
}

/** One empty histogram for each of `metrics`. */
export function newHistograms<M extends string>(metrics: readonly M[]): Record<M, Histogram> {
  return Object.fromEntries(metrics.map((m) => [m, newHistogram()])) as Record<M, Histogram>;
}

/** null for an empty histogram: nothing to ship. */
export function encodeHistogram(h: Histogram): string | null {
  return h.totalCount === 0 ? null : hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): Histogram {
  const h = hdr.decodeFromCompressedBase64(encoded, 32, false);
  h.autoResize = true;
  return h;
}

/** Adds an encoded histogram into `into` (merge of counts: the only correct way to combine). */
export function addEncoded(into: Histogram, encoded: string | null | undefined): void {
  if (!encoded) return;
  const h = decodeHistogram(encoded);
  into.add(h);
  h.destroy();
}

/**
 * `getValueAtPercentile` for many percentiles (ascending) in one walk over the counts: the library
 * walks them from the start for each one, which for a report's percentile curves (about 120
 * points on each of 20-30 histograms) was a quarter of a second per run. Same rounding as the
 * library (the count at a percentile rounded up, less one ulp of floating-point error).
 */
export function valuesAtPercentiles(h: Histogram, percentiles: readonly number[]): number[] {
  const js = h as unknown as JsHistogram;
  const out: number[] = [];
  let i = 0;
  let total = 0;
  for (const percentile of percentiles) {
    const fp = (Math.min(percentile, 100) / 100) * h.totalCount;
    const atCount = Math.max(fp > 0 ? Math.ceil(fp - 2 ** (Math.floor(Math.log2(fp)) - 52)) : 0, 1);
    while (i < js.countsArrayLength && total + js.getCountAtIndex(i) < atCount) total += js.getCountAtIndex(i++);
    if (i >= js.countsArrayLength) {
      out.push(0);
      continue;
    }
    const value = js.valueFromIndex(i);
    out.push(percentile === 0 ? js.lowestEquivalentValue(value) : js.highestEquivalentValue(value));
  }
  return out;
}
