import { median } from '../../median.ts';
import type { Level } from './trend-schema.ts';

/** A value at quantile q of sorted values, interpolated between neighbours (as R's type 7). */
function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/**
 * The level of a stretch of runs between change points: the median of their values and the
 * middle half of them (the interquartile range), which one slow or fast night does not widen.
 */
export function levelOf(values: readonly number[]): Level {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = median(sorted);
  // a stretch between change points holds at least one run
  if (mid === null) throw new Error('levelOf: a stretch of no runs');
  return { median: mid, low: quantile(sorted, 0.25), high: quantile(sorted, 0.75), runs: sorted.length };
}
