import { z } from 'zod';

/**
 * Milliseconds summary of a microsecond HDR histogram (what latency-summary.ts `summarize`
 * returns): the same shape as the results' LatencySummary, declared again here because
 * results-schema.ts imports the CloudWatch schema, and importing back would make the two
 * modules circular.
 */
export const MillisSummary = z.object({
  count: z.number().int().nonnegative(),
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
});
export type MillisSummary = z.infer<typeof MillisSummary>;
