import { LatencySummary } from './latency-summary-schema.ts';

/**
 * Milliseconds summary of a microsecond HDR histogram (what latency-summary.ts `summarize`
 * returns): the results' LatencySummary, under the name the CloudWatch schema uses.
 */
export const MillisSummary = LatencySummary;
export type MillisSummary = LatencySummary;
