import { z } from 'zod';

/**
 * Latency summary in milliseconds, computed from an HDR histogram (never from samples). Its own
 * module so results-schema.ts and the CloudWatch schema can both use it without importing each
 * other.
 */
export const LatencySummary = z.object({
  count: z.number().int().nonnegative(),
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
});
export type LatencySummary = z.infer<typeof LatencySummary>;
