import { z } from 'zod';

/**
 * What `artillery run --output out.json` writes (Artillery v2; also what `run-fargate` and
 * `run-lambda --output` write after merging their workers): `aggregate`, the whole run, and
 * `intermediate`, one entry per 10-second period. Counters are sums. Histograms arrive only as
 * summaries (`summaries`, repeated as `histograms`): Artillery merges its workers' DDSketches
 * (1 % relative accuracy) and writes percentiles, not the sketches.
 */
export const ArtillerySummary = z.object({
  min: z.number(),
  max: z.number(),
  count: z.number().int().nonnegative(),
  mean: z.number(),
  p50: z.number(),
  p75: z.number().optional(),
  p90: z.number(),
  p95: z.number().optional(),
  p99: z.number(),
  p999: z.number(),
});
export type ArtillerySummary = z.infer<typeof ArtillerySummary>;

/** A period starts on a 10-second boundary, epoch ms; intermediate entries write it as a string. */
const EpochMs = z.union([z.number(), z.string().regex(/^\d+$/, 'must be epoch milliseconds')]).transform(Number);

export const ArtilleryPeriod = z.object({
  period: EpochMs,
  counters: z.record(z.string(), z.number()),
  summaries: z.record(z.string(), ArtillerySummary).default({}),
  firstMetricAt: z.number().optional(),
  lastMetricAt: z.number().optional(),
});
export type ArtilleryPeriod = z.infer<typeof ArtilleryPeriod>;

export const ArtilleryOutput = z.object({
  aggregate: ArtilleryPeriod,
  intermediate: z.array(ArtilleryPeriod),
});
export type ArtilleryOutput = z.infer<typeof ArtilleryOutput>;
