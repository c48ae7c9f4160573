import { median } from '../../median.ts';
import type { MedianRange } from './compare-schema.ts';

/**
 * A quantity over the repeats of one size: the median (the middle value; the mean of the two
 * middle ones for an even count) and the min–max range. Repeats without the quantity (null) are
 * left out; none with it → null.
 */
export function medianRange(values: ReadonlyArray<number | null | undefined>): MedianRange | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const m = median(xs);
  return m === null ? null : { median: m, min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
}

/** The two ranges share at least one value: the order of their medians is within the noise. */
export function rangesOverlap(a: MedianRange, b: MedianRange): boolean {
  return a.min <= b.max && b.min <= a.max;
}
