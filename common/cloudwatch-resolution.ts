/**
 * How finely CloudWatch still serves a metric as its data ages. AWS keeps sub-minute data points
 * for 3 hours, 1-minute ones for 15 days, 5-minute ones for 63 days and 1-hour ones for 455 days,
 * aggregating older data into the coarser periods. So GetMetricData answers a query by the age of
 * its StartTime: for a StartTime more than 3 hours ago the Period must be a multiple of 60 s, more
 * than 15 days ago a multiple of 300 s, more than 63 days ago a multiple of 3600 s, "or no data
 * points in that time range is returned" (no error). And it rounds StartTime down to the minute,
 * the 5 minutes or the hour by the same ages. Source: the CloudWatch API Reference, MetricStat
 * (Period) and GetMetricData (StartTime),
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html and
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html.
 *
 * The emulator answers by this rule (emulator/cloudwatch/metric-store.ts); the
 * harness asks by it (src/metrics/cloudwatch/cloudwatch-queries.ts).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Oldest first: the first tier a StartTime is older than decides. */
export const RESOLUTION_TIERS: ReadonlyArray<{ olderThanMs: number; periodSec: number; label: string }> = [
  { olderThanMs: 63 * DAY_MS, periodSec: 3600, label: '63 days' },
  { olderThanMs: 15 * DAY_MS, periodSec: 300, label: '15 days' },
  { olderThanMs: 3 * HOUR_MS, periodSec: 60, label: '3 hours' },
];

/** CloudWatch keeps nothing older (1-hour data points, the coarsest, for 455 days). */
export const LONGEST_RETENTION_MS = 455 * DAY_MS;

/**
 * The period a query starting at `startMs`, asked at `nowMs`, must be a multiple of: 1 (any
 * period) for the last 3 hours, then 60, 300 or 3600 s.
 */
export function servedPeriodSec(startMs: number, nowMs: number): number {
  const age = nowMs - startMs;
  return RESOLUTION_TIERS.find((t) => age > t.olderThanMs)?.periodSec ?? 1;
}
