import { Int32Histogram } from 'hdr-histogram-js';

/**
 * HDR bucketing for metric values, from hdr-histogram-js: 3 significant digits (0.1% value
 * resolution) over integer micro-units, so 0.000001 .. ~9e9 are represented. A value maps to a
 * signed bucket key (negative values get negative keys, ordered so that sorting keys sorts values);
 * per-second buckets store {key → count} sparsely and periods merge those counts, never
 * percentiles.
 */
const SCALE = 1e6;
const MAX_SCALED = 2 ** 52;

// Only the index arithmetic of this histogram is used; it never records a value.
const layout = new Int32Histogram(1, 2, 3);

export function bucketKey(value: number): number {
  const scaled = Math.min(Math.round(Math.abs(value) * SCALE), MAX_SCALED);
  const index = layout.countsArrayIndex(scaled);
  return value < 0 ? -(index + 1) : index;
}

/**
 * The value a bucket stands for, as HDR's getValueAtPercentile reports it: the highest value
 * equivalent to the bucket (the value furthest from zero stays on the conservative side for
 * positive latencies; for negative values the bucket edge nearest zero).
 */
export function bucketValue(key: number): number {
  if (key >= 0) return layout.highestEquivalentValue(layout.valueFromIndex(key)) / SCALE;
  return -layout.valueFromIndex(-key - 1) / SCALE;
}
