import type { Results } from '../../contracts/results-schema.ts';
import { lookupMetric, type Metric } from '../../contracts/metric-catalogue.ts';
import { median } from '../../median.ts';

/**
 * The metrics a trend charts: by default the ones a nightly watches (broadcast p50 and p99,
 * connect p99, lost deliveries, cost per million deliveries, each function's mean Duration,
 * DynamoDB units, invocations and @connections posts per message, the cold-start share, the
 * harness's CPU), named as the metric catalogue names them (src/contracts/metric-catalogue.ts), or
 * those `--metric` names. Each is a catalogue metric with whether it is compared exactly: work
 * counts are, latencies and everything that follows the host's speed go through the change-point
 * test.
 */
export interface TrendMetricDef {
  metric: Metric;
  exact: boolean;
}

/** The trend's own name: the catalogue has a cold-start share per function only. */
const COLD_START_SHARE = 'lambda.coldStartShare';

export const DEFAULT_METRICS = [
  'broadcast.p50',
  'broadcast.p99',
  'connect.p99',
  'deliveries.lost',
  'cost.perMillionDeliveries',
  'lambda.<function>.durationMean',
  'dynamodb.readUnitsPerMessage',
  'dynamodb.writeUnitsPerMessage',
  'lambda.invocationsPerMessage',
  'fanout.postsPerMessage',
  COLD_START_SHARE,
  'harness.cpuSeconds',
];

/**
 * Cold starts over invocations of every function (REPORT lines): the catalogue has it per
 * function only (`lambda.<function>.coldStartShare`), a nightly wants the whole stack's.
 */
const coldStartShare: Metric = {
  name: COLD_START_SHARE,
  label: 'cold-start share (all functions)',
  unit: '%',
  noisy: true,
  read(r) {
    const reports = r.cloudwatch?.status === 'unavailable' ? undefined : r.cloudwatch?.reports;
    const all = Object.values(reports ?? {});
    const invocations = all.reduce((a, x) => a + x.invocations, 0);
    if (invocations === 0) return { missing: 'no REPORT log lines in this run' };
    return { value: (all.reduce((a, x) => a + x.coldStarts, 0) / invocations) * 100 };
  },
};

/** The catalogue guesses a plain number is a count; these follow the host's speed. */
const NOISY_PATHS = new Set(['harness.cpuSeconds', 'harness.parentCpuSeconds', 'harness.cpuCoresMax', 'harness.rssMB']);

/** A metric by name: the catalogue's, or the trend's own cold-start share; a problem is one line. */
export function trendMetric(name: string): TrendMetricDef | { problem: string } {
  if (name === coldStartShare.name) return { metric: coldStartShare, exact: false };
  const m = lookupMetric(name);
  if ('problem' in m) return m;
  return { metric: m, exact: !m.noisy && !NOISY_PATHS.has(m.name) };
}

/** The default list for these runs: `lambda.<function>.…` once per function any of them reported. */
export function defaultMetricNames(runs: readonly Results[]): string[] {
  const functions = new Set<string>();
  for (const r of runs) {
    const cw = r.cloudwatch;
    if (!cw || cw.status === 'unavailable') continue;
    for (const fn of [...Object.keys(cw.lambda), ...Object.keys(cw.reports)]) functions.add(fn);
  }
  return DEFAULT_METRICS.flatMap((n) => (n.includes('<function>') ? [...functions].sort().map((fn) => n.replace('<function>', fn)) : [n]));
}

export interface RunValue {
  value: number | null;
  /** the repeats' lowest and highest, with two or more */
  spread: [number, number] | null;
  repeats: number;
  missing?: string;
}

/**
 * One run's value of a metric: with repeats (`--repeat`), the median of each repeat's value as
 * its verdict recorded them, with their range; else the value in results.json.
 */
export function runValue(r: Results, m: Metric): RunValue {
  const recorded = r.verdict?.repeats?.values[m.name]?.filter((v): v is number => v !== null && Number.isFinite(v));
  if (recorded && recorded.length > 1) {
    return { value: median(recorded), spread: [Math.min(...recorded), Math.max(...recorded)], repeats: recorded.length };
  }
  const reading = m.read(r);
  if ('missing' in reading) return { value: null, spread: null, repeats: 1, missing: reading.missing };
  return { value: reading.value, spread: null, repeats: 1 };
}
