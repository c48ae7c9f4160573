import { eDivisive, type EDivisiveOptions } from './e-divisive.ts';
import { levelOf } from './segment-stats.ts';
import type { Level } from './trend-schema.ts';

/** A change in one metric's series, by index into the series (nulls: runs without the metric). */
export interface SeriesChange {
  /** the first run at the new level */
  index: number;
  /** the last run before it that had a value */
  lastBefore: number;
  before: Level;
  after: Level;
  method: 'e-divisive' | 'exact';
  pValue?: number;
}

/**
 * Work counts (DynamoDB units, invocations, posts per message, lost deliveries) do not depend on
 * how busy the host was: any difference from the previous run is a change, named at once.
 */
export function exactChanges(series: ReadonlyArray<number | null>): SeriesChange[] {
  const points = present(series);
  const changes: SeriesChange[] = [];
  let start = 0;
  for (let k = 1; k <= points.length; k++) {
    if (k < points.length && same(points[k].value, points[k - 1].value)) continue;
    if (start > 0) {
      const prev = changes.at(-1);
      if (prev) prev.after = levelOf(points.slice(start, k).map((p) => p.value));
    }
    if (k < points.length) {
      changes.push({
        index: points[k].index,
        lastBefore: points[k - 1].index,
        before: levelOf(points.slice(start, k).map((p) => p.value)),
        after: levelOf([points[k].value]),
        method: 'exact',
      });
    }
    start = k;
  }
  return changes;
}

/** Equal as work counts are: to a relative 1e-9 (ratios of integers printed and parsed back). */
function same(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Noisy metrics (latencies, Duration, cost, CPU): E-Divisive means with its permutation test
 * finds where the level changed, and a change is named only when its step, the difference of the
 * medians on either side, is more than `stepOverNoise` (default 4) times the night-to-night noise:
 * the runs' spread around the level of their stretch (1.4826 × the median absolute deviation
 * from it, an estimate of the standard deviation that one odd night does not inflate). Many
 * splits of many metrics are tried, so some pass the test by chance, short stretches at either
 * end most of all; such a split is no bigger than the noise and is not called a change, as the
 * verdict does not call a difference within the repeats' spread a regression.
 */
export function statisticalChanges(
  series: ReadonlyArray<number | null>,
  options: EDivisiveOptions & { stepOverNoise?: number } = {},
): SeriesChange[] {
  const stepOverNoise = options.stepOverNoise ?? STEP_OVER_NOISE;
  const points = present(series);
  const values = points.map((p) => p.value);
  let cuts = eDivisive(values, options);
  if (cuts.length === 0) return [];
  // dropping one merges its neighbours and changes the noise: the weakest goes first, until every step stands
  for (;;) {
    const bounds = [0, ...cuts.map((c) => c.index), values.length];
    const stretches = bounds.slice(1).map((end, i) => values.slice(bounds[i], end));
    const levels = stretches.map(levelOf);
    const noise = noiseAround(stretches, levels);
    const steps = cuts.map((_, i) => Math.abs(levels[i + 1].median - levels[i].median));
    const weakest = steps.reduce((w, step, i) => (step <= stepOverNoise * noise && (w < 0 || step < steps[w]) ? i : w), -1);
    if (weakest < 0) {
      return cuts.map((c, i) => ({
        index: points[c.index].index,
        lastBefore: points[c.index - 1].index,
        before: levels[i],
        after: levels[i + 1],
        method: 'e-divisive',
        pValue: c.pValue,
      }));
    }
    cuts = cuts.filter((_, i) => i !== weakest);
  }
}

/**
 * How many times the noise a step must exceed to be named. Over 40 synthetic nights with 2–3 %
 * noise and 16 metrics, 2 named a chance split in about half the trends, 3 in a few (short stretches at
 * the ends), 4 in none of 120 (test/metrics/trend-change-points.test.ts holds the 40-night case).
 */
export const STEP_OVER_NOISE = 4;

/** The runs' spread around their stretch's median, as a standard deviation (1.4826 × MAD). */
function noiseAround(stretches: ReadonlyArray<readonly number[]>, levels: readonly Level[]): number {
  const deviations = stretches.flatMap((s, i) => s.map((v) => Math.abs(v - levels[i].median)));
  return 1.4826 * levelOf(deviations).median;
}

function present(series: ReadonlyArray<number | null>): Array<{ index: number; value: number }> {
  return series.flatMap((value, index) => (value === null || !Number.isFinite(value) ? [] : [{ index, value }]));
}
