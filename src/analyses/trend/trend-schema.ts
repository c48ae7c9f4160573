import { z } from 'zod';
import { MetricUnit } from '../../contracts/verdict-schema.ts';

/**
 * trend.json — many runs of one scenario against one target on one machine, in the order they
 * ran: every charted metric per run (with its repeats' spread), the baseline and thresholds drawn
 * beside it, the change points found, and the runs that could not be compared (set apart) or
 * read (skipped). `fanout-bench trend` writes it beside index.html and summary.md, which show it.
 * Bump TREND_SCHEMA_VERSION on any incompatible change.
 */
export const TREND_SCHEMA_VERSION = 1;

/** The level of the runs between two change points: their median and middle half (interquartile range). */
export const Level = z.object({ median: z.number(), low: z.number(), high: z.number(), runs: z.number().int().positive() });
export type Level = z.infer<typeof Level>;

export const TrendRun = z.object({
  runId: z.string(),
  /** the results.json it was read from, as given or found */
  file: z.string(),
  startedAt: z.string(),
  toolVersion: z.string(),
  commit: z.string().optional(),
  ref: z.string().optional(),
  /** tracked files differed from the commit */
  dirty: z.boolean().optional(),
  node: z.string(),
  /** measurements behind each value (--repeat) */
  repeats: z.number().int().positive(),
});
export type TrendRun = z.infer<typeof TrendRun>;

export const ChangePoint = z.object({
  metric: z.string(),
  label: z.string(),
  unit: MetricUnit,
  /** e-divisive: a noisy metric, by the statistical test; exact: a work count that differs from the previous run */
  method: z.enum(['e-divisive', 'exact']),
  /** index into runs of the first run at the new level */
  index: z.number().int().nonnegative(),
  runId: z.string(),
  /** the last run before it with a value: the commit range is lastBeforeCommit..commit */
  lastBeforeRunId: z.string(),
  lastBeforeCommit: z.string().optional(),
  commit: z.string().optional(),
  before: Level,
  after: Level,
  /** (after − before) / before × 100 of the medians; null when before is 0 */
  changePct: z.number().nullable(),
  /** the permutation test's p-value (e-divisive only) */
  pValue: z.number().optional(),
});
export type ChangePoint = z.infer<typeof ChangePoint>;

export const TrendMetric = z.object({
  name: z.string(),
  label: z.string(),
  unit: MetricUnit,
  /** compared exactly (work counts) rather than through the change-point test */
  exact: z.boolean(),
  /** per run (runs' order): the value, the median of its repeats when it had them; null: no data */
  values: z.array(z.number().nullable()),
  /** per run: the repeats' lowest and highest, null for a single measurement or no data */
  spread: z.array(z.tuple([z.number(), z.number()]).nullable()),
  /**
   * a latency with a stack figure (metric catalogue): per run, whose figure its value is, the
   * stack's (the local host's waits taken out) or the client's, where that run had no stack
   * figure; absent where no run had one (AWS, older results)
   */
  figures: z.array(z.enum(['stack', 'client']).nullable()).optional(),
  /** the --baseline run's value */
  baseline: z.number().nullable().optional(),
  /** each threshold on this metric, with the limit it had in each run (null: not in that run) */
  thresholds: z.array(z.object({ expression: z.string(), op: z.string(), limits: z.array(z.number().nullable()) })),
  /** why no run had it (the first run's reason), when none did */
  missing: z.string().optional(),
});
export type TrendMetric = z.infer<typeof TrendMetric>;

export const Trend = z.object({
  trendSchemaVersion: z.literal(TREND_SCHEMA_VERSION),
  createdAt: z.string(),
  tool: z.object({ name: z.string(), version: z.string() }),
  /** what every run of the trend shares */
  group: z.object({ scenario: z.string(), load: z.string(), target: z.string(), machine: z.string() }),
  runs: z.array(TrendRun),
  metrics: z.array(TrendMetric),
  /** newest first */
  changePoints: z.array(ChangePoint),
  /**
   * where the functions' configuration (memory per function) changed between two runs: the noisy
   * metrics are judged within each stretch of one configuration, never across (absent: none changed)
   */
  configChanges: z.array(z.object({ index: z.number().int().nonnegative(), runId: z.string(), lastBeforeRunId: z.string(), what: z.array(z.string()) })).optional(),
  baseline: z.object({ runId: z.string(), file: z.string(), startedAt: z.string() }).optional(),
  /** readable runs not in the trend: another scenario, target or machine, or a run that did not complete */
  setApart: z.array(z.object({ runId: z.string(), file: z.string(), startedAt: z.string(), reason: z.string() })),
  /** files that could not be read as results */
  skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
  /** the change-point test's settings (change-points.ts) */
  method: z.object({
    significance: z.number(),
    permutations: z.number().int(),
    minSegment: z.number().int(),
    seed: z.number().int(),
    stepOverNoise: z.number(),
  }),
  notes: z.array(z.string()),
});
export type Trend = z.infer<typeof Trend>;
