import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { PROBE_REACH_DIMENSION, PROBE_REACH_METRIC, PROBE_REACH_NAMESPACE } from '../../../common/probe-reach-metric.ts';
import type { HopLatency, HopReach } from '../../contracts/hop-latency-schema.ts';
import type { LatencySummary } from '../../contracts/latency-summary-schema.ts';
import { toMetricDataQuery, type MetricRequest } from './cloudwatch-queries.ts';
import { getMetricData, listMetrics, type MetricDataResult } from './metric-data-fetch.ts';
import { wholeWindow } from './path-pull.ts';
import { describeProblem } from './pull-problem.ts';

/**
 * The delivery latency split by hop (results.hopLatency): the hops the local emulator stamped a
 * probe's reach at (common/probe-reach-metric.ts), found with ListMetrics, each one's SampleCount,
 * p50 and p99 over the run's CloudWatch window (results.cloudwatch.window, as every other pull),
 * ordered by p50, then the deliveries. Only ever asked of the emulator: AWS has no such metric.
 * undefined: no hop was stamped. Never throws: a failed pull is the section's note.
 */
export async function pullHopLatency(
  cloudwatch: CloudWatchClient,
  window: { startMs: number; endMs: number; periodSec: number },
  delivered: LatencySummary | undefined,
): Promise<HopLatency | undefined> {
  try {
    const listed = await listMetrics(cloudwatch, { namespace: PROBE_REACH_NAMESPACE, metricName: PROBE_REACH_METRIC });
    const hops = [...new Set(listed.map((m) => m.dimensions[PROBE_REACH_DIMENSION]).filter((h): h is string => !!h))];
    if (hops.length === 0) return undefined;
    const requests = hops.flatMap((hop) => STATS.map((stat): MetricRequest => ({ namespace: PROBE_REACH_NAMESPACE, metric: PROBE_REACH_METRIC, stat, dimensions: { [PROBE_REACH_DIMENSION]: hop }, kind: 'totals' })));
    const w = wholeWindow(window);
    const data = await getMetricData(cloudwatch, requests.map((r, i) => toMetricDataQuery(`h${i}`, r, w)), w);
    const found = hopReaches(hops, data);
    return found.length === 0 ? undefined : hopLatency(found, delivered);
  } catch (error) {
    const p = describeProblem('GetMetricData (the hops)', error);
    return hopLatency([], delivered, [`the hops' probe reach could not be pulled: ${p.errorName} ${p.message}`]);
  }
}

const STATS = ['SampleCount', 'p50', 'p99'] as const;

/** Each hop's count, p50 and p99 from the answers to its three queries (`h<3i+k>`), the hops with no stamp in the window left out. */
export function hopReaches(hops: readonly string[], data: ReadonlyMap<string, MetricDataResult>): Array<Omit<HopReach, 'stepMs'>> {
  const value = (i: number) => {
    const v = data.get(`h${i}`)?.values ?? [];
    return v.length > 0 ? v[0]! : null;
  };
  return hops.flatMap((hop, h) => {
    const count = Math.round(value(3 * h) ?? 0);
    return count > 0 ? [{ hop, count, p50Ms: value(3 * h + 1), p99Ms: value(3 * h + 2) }] : [];
  });
}

/**
 * Where a tie of p50s puts a hop: the emulator stamps in whole milliseconds (Date.now()), so a hop
 * that follows another within the same millisecond (a topic's asynchronous invocation) reads the
 * same p50; then a message's entry into a service comes before a function runs on it, and a post last.
 */
const TIE_RANK: Record<string, number> = { gateway: 0, http: 0, rest: 0, sns: 1, events: 1, sqs: 2, dynamodb: 2, lambda: 3, '@connections': 4 };
const tieRank = (hop: string) => TIE_RANK[hop.split(':')[0]!] ?? 3;

/** The split: hops by p50 reach (a tie by the kind of hop, then by name), each with its step from the one before, the deliveries last. Pure. */
export function hopLatency(hops: ReadonlyArray<Omit<HopReach, 'stepMs'>>, delivered: LatencySummary | undefined, notes: string[] = []): HopLatency {
  const ordered = [...hops].sort((a, b) => (a.p50Ms ?? Infinity) - (b.p50Ms ?? Infinity) || tieRank(a.hop) - tieRank(b.hop) || a.hop.localeCompare(b.hop));
  let previous: number | null = 0;
  const step = (p50: number | null) => {
    const s = p50 === null || previous === null ? null : p50 - previous;
    previous = p50;
    return s;
  };
  const out: HopReach[] = ordered.map((h) => ({ ...h, stepMs: step(h.p50Ms) }));
  const d = delivered && delivered.count > 0 ? delivered : undefined;
  return {
    hops: out,
    delivered: { count: d?.count ?? 0, p50Ms: d?.p50 ?? null, p99Ms: d?.p99 ?? null, stepMs: step(d?.p50 ?? null) },
    ...(notes.length > 0 ? { notes } : {}),
  };
}
