import { seededRandom, shuffle } from '../../random.ts';

/**
 * E-Divisive with means (Matteson & James 2014, "A nonparametric approach for multiple change
 * point analysis of multivariate data"), as MongoDB's performance CI used it (Daly et al., ICPE
 * 2020) and DataStax's Hunter does: the series is split where the energy distance between the
 * part before and the part after is largest, the split is kept when a permutation test says such
 * a distance is unlikely without a change, and each part is searched again, until no split is
 * significant. It assumes nothing about the noise's distribution (heavy tails, skew, outliers).
 *
 * Distances are |x − y| (the exponent α = 1). The permutations come from a seeded generator, so
 * the same series always gives the same change points.
 */
export interface EDivisiveOptions {
  /** a split is kept when its p-value is at most this (default 0.05) */
  significance?: number;
  /** permutations per test (default 999: p-values to 0.001) */
  permutations?: number;
  /** fewest values on either side of a split (default 2: one value is an outlier, not a level) */
  minSegment?: number;
  seed?: number;
}

export const E_DIVISIVE_DEFAULTS = { significance: 0.05, permutations: 999, minSegment: 2, seed: 1 } as const;

export interface Split {
  /** the first index after the change */
  index: number;
  /** the permutation test's p-value: (permutations at least as extreme + 1) / (permutations + 1) */
  pValue: number;
}

interface Best {
  index: number;
  q: number;
}

/** The change points of a series, in index order. */
export function eDivisive(values: readonly number[], options: EDivisiveOptions = {}): Split[] {
  const o = { ...E_DIVISIVE_DEFAULTS, ...options };
  const random = seededRandom(o.seed);
  const splits: Split[] = [];
  // the segments still searched, as [start, end)
  let segments: Array<[number, number]> = [[0, values.length]];
  for (;;) {
    let chosen: { segment: [number, number]; best: Best } | undefined;
    for (const segment of segments) {
      const best = bestSplit(values.slice(segment[0], segment[1]), o.minSegment);
      if (best && (!chosen || best.q > chosen.best.q)) chosen = { segment, best };
    }
    if (!chosen) break;
    const pValue = permutationPValue(values, segments, chosen.best.q, o, random);
    if (pValue > o.significance) break;
    const at = chosen.segment[0] + chosen.best.index;
    splits.push({ index: at, pValue });
    segments = segments.flatMap((s) => (s === chosen.segment ? [[s[0], at] as [number, number], [at, s[1]] as [number, number]] : [s]));
  }
  return splits.sort((a, b) => a.index - b.index);
}

/**
 * The permutation test: every segment shuffled on its own (a change between segments is already
 * found), the largest statistic of any segment's best split compared with the observed one. Stops
 * as soon as the p-value can no longer reach the significance level.
 */
function permutationPValue(
  values: readonly number[],
  segments: ReadonlyArray<[number, number]>,
  observed: number,
  o: Required<EDivisiveOptions>,
  random: () => number,
): number {
  const enough = Math.floor(o.significance * (o.permutations + 1));
  let asExtreme = 0;
  const parts = segments.map(([a, b]) => Float64Array.from(values.slice(a, b)));
  for (let r = 0; r < o.permutations; r++) {
    let q = -Infinity;
    for (const part of parts) {
      const best = bestSplit(shuffle(part, random), o.minSegment);
      if (best && best.q > q) q = best.q;
    }
    // a hair of tolerance: a permutation that reproduces the observed order ties it exactly
    if (q >= observed * (1 - 1e-12)) asExtreme++;
    if (asExtreme > enough) return (asExtreme + 1) / (r + 2);
  }
  return (asExtreme + 1) / (o.permutations + 1);
}

/**
 * The split of `x` with the largest divergence statistic
 *   q(τ) = (m·k / (m + k)) · (2/(m·k) Σ|xᵢ − yⱼ| − 2/(m(m−1)) Σ|xᵢ − xₗ| − 2/(k(k−1)) Σ|yⱼ − yₗ|)
 * over the left part x (m values) and the right part y (k values), each at least `minSegment`
 * long; undefined when the series is too short to split. O(n²).
 */
export function bestSplit(x: ArrayLike<number>, minSegment: number): Best | undefined {
  const n = x.length;
  if (n < 2 * minSegment) return undefined;
  // toLeft[t] = Σ_{i<t} |x_i − x_t|, toRight[t] = Σ_{j>t} |x_t − x_j|
  const toLeft = new Float64Array(n);
  const toRight = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.abs(x[i] - x[j]);
      toLeft[j] += d;
      toRight[i] += d;
      total += d;
    }
  }
  // within the left part [0, τ) and the right part [τ, n), grown and shrunk one value at a time
  let withinLeft = 0;
  let withinRight = total;
  let best: Best | undefined;
  for (let tau = 1; tau <= n - minSegment; tau++) {
    withinLeft += toLeft[tau - 1];
    withinRight -= toRight[tau - 1];
    if (tau < minSegment) continue;
    const m = tau;
    const k = n - tau;
    const between = total - withinLeft - withinRight;
    const e = (2 * between) / (m * k) - (m > 1 ? (2 * withinLeft) / (m * (m - 1)) : 0) - (k > 1 ? (2 * withinRight) / (k * (k - 1)) : 0);
    const q = ((m * k) / (m + k)) * e;
    if (!best || q > best.q) best = { index: tau, q };
  }
  return best;
}
