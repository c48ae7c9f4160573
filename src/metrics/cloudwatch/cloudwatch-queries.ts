import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { RESOLUTION_TIERS, servedPeriodSec } from '../../../common/cloudwatch-resolution.ts';
import { LOCAL_HOST_METRIC, LOCAL_HOST_NAMESPACE } from '../../../common/local-host-metrics.ts';

const DAY_MS = 86_400_000;

/**
 * The metric statistics the puller asks for. Each is asked twice over: once per period (the time
 * series drawn beside the client-side series) and, for averages and percentiles, once with a
 * single period spanning the whole window (a p99 of per-period p99s would be meaningless; sums
 * and maxima come from the series).
 */
export interface MetricRequest {
  namespace: string;
  metric: string;
  stat: string;
  dimensions: Record<string, string>;
  /** series: one value per period; totals: one period over the whole window */
  kind: 'series' | 'totals';
}

export interface QueryWindow {
  startMs: number;
  endMs: number;
  periodSec: number;
  /** a period covering the whole window (a multiple of 60, and of periodSec when that is one) */
  totalsPeriodSec: number;
  /** the period asked for, when CloudWatch serves the window's start only coarser (periodSec is then that coarser period) */
  coarsenedFromSec?: number;
}

/**
 * The queries are asked a little after their window is chosen (discovery, paging, the REPORT
 * lines): a start this close to an age limit is taken as past it, so that no query lands on the
 * far side of the limit and comes back empty.
 */
export const AGE_SLACK_MS = 10 * 60_000;

/**
 * The run window widened by `marginSec` each side. The start is aligned to the target's period:
 * the minute on AWS (which rounds StartTime down to the minute anyway), the second on the
 * emulator's per-second metrics (which keeps StartTime to the second). The totals period is a
 * whole number of minutes (a valid CloudWatch period) covering the window: one datapoint each.
 *
 * A late pull (`report --repull`, or any window whose start is hours or days old at `nowMs`) gets
 * the period CloudWatch still serves for data that old (common/cloudwatch-resolution.ts): a
 * multiple of 60 s past 3 hours, of 300 s past 15 days, of 3600 s past 63 days, for the series
 * and the totals alike, with the window aligned to it. Any finer period would come back with no
 * data points at all. Pure: the same window and `nowMs` give the same answer.
 */
export function queryWindow(run: { startMs: number; endMs: number }, periodSec: number, marginSec: number, nowMs: number): QueryWindow {
  let period = periodSec;
  let aligned = alignWindow(run, period, marginSec);
  // aligning to a coarser period moves the start back, which can pass the next limit: at most three steps
  for (;;) {
    const served = servedPeriodSec(aligned.startMs, nowMs + AGE_SLACK_MS);
    if (period % served === 0) break;
    period = Math.ceil(period / served) * served;
    aligned = alignWindow(run, period, marginSec);
  }
  const { startMs, endMs } = aligned;
  const unitSec = period % 60 === 0 ? period : 60;
  const totalsPeriodSec = Math.max(unitSec, Math.ceil((endMs - startMs) / (unitSec * 1000)) * unitSec);
  return { startMs, endMs, periodSec: period, totalsPeriodSec, ...(period !== periodSec ? { coarsenedFromSec: periodSec } : {}) };
}

function alignWindow(run: { startMs: number; endMs: number }, periodSec: number, marginSec: number): { startMs: number; endMs: number } {
  const alignMs = periodSec * 1000;
  return {
    startMs: Math.floor((run.startMs - marginSec * 1000) / alignMs) * alignMs,
    endMs: Math.ceil((run.endMs + marginSec * 1000) / alignMs) * alignMs,
  };
}

/**
 * The note a coarsened window leaves in results.cloudwatch.notes, so that the reports say why the
 * series are coarser than the pull first asked for (a repull's first pull, say).
 */
export function coarsenedNote(window: QueryWindow, nowMs: number): string | undefined {
  if (window.coarsenedFromSec === undefined) return undefined;
  const ageMs = nowMs - window.startMs;
  // the coarsest limit the period was raised to (the tiers run oldest first)
  const tier = RESOLUTION_TIERS.find((t) => window.periodSec % t.periodSec === 0) ?? RESOLUTION_TIERS[RESOLUTION_TIERS.length - 1];
  const age = ageMs >= 2 * DAY_MS ? `${Math.floor(ageMs / DAY_MS)} days` : `${Math.floor(ageMs / 3_600_000)} hours`;
  return (
    `the window starts ${age} ago, and CloudWatch serves data older than ${tier.label} only in periods of ${tier.periodSec} s or a multiple: ` +
    `the series and totals were asked at ${window.periodSec} s (not ${window.coarsenedFromSec} s) over the window widened to whole periods, so they are coarser than first asked`
  );
}

const series = (namespace: string, metric: string, stat: string, dimensions: Record<string, string>): MetricRequest => ({
  namespace,
  metric,
  stat,
  dimensions,
  kind: 'series',
});
const totals = (r: MetricRequest): MetricRequest => ({ ...r, kind: 'totals' });

/** The statistics whose whole-window value must be asked for rather than derived from the series. */
const WINDOW_STATS = ['Average', 'p50', 'p99', 'SampleCount'];

function withTotals(requests: MetricRequest[], totalsFor: (r: MetricRequest) => boolean): MetricRequest[] {
  const out = [...requests];
  const done = new Set<string>();
  for (const r of requests) {
    if (!totalsFor(r)) continue;
    for (const stat of WINDOW_STATS) {
      const key = `${r.metric}|${stat}|${JSON.stringify(r.dimensions)}`;
      if (done.has(key)) continue;
      done.add(key);
      out.push(totals({ ...r, stat }));
    }
  }
  return out;
}

/** Lambda Insights' namespace and its CPU metric (ms per invocation). */
export const INSIGHTS_NAMESPACE = 'LambdaInsights';
export const INSIGHTS_CPU_METRIC = 'cpu_total_time';
export const INSIGHTS_CPU_STATS = ['SampleCount', 'p50', 'p99', 'Minimum', 'Maximum'] as const;

export function lambdaRequests(functions: readonly string[]): MetricRequest[] {
  const base: MetricRequest[] = [];
  for (const fn of functions) {
    const d = { FunctionName: fn };
    for (const metric of ['Invocations', 'Errors', 'Throttles']) base.push(series('AWS/Lambda', metric, 'Sum', d));
    for (const stat of ['Average', 'p50', 'p99']) base.push(series('AWS/Lambda', 'Duration', stat, d));
    base.push(series('AWS/Lambda', 'ConcurrentExecutions', 'Maximum', d));
  }
  // The CPU its invocations used, where the function has Lambda Insights (one event per
  // invocation, namespace LambdaInsights by function_name): none published costs one empty answer.
  for (const fn of functions) {
    for (const stat of INSIGHTS_CPU_STATS) base.push(totals(series(INSIGHTS_NAMESPACE, INSIGHTS_CPU_METRIC, stat, { function_name: fn })));
  }
  // Account-wide concurrency: AWS may publish per-function ConcurrentExecutions only for some
  // functions; the account series then still shows the peak (it includes other workloads).
  base.push(series('AWS/Lambda', 'ConcurrentExecutions', 'Maximum', {}));
  return withTotals(base, (r) => r.metric === 'Duration' && r.stat === 'Average');
}

export function apiGatewayRequests(api: { apiId: string; stage: string }): MetricRequest[] {
  const d = { ApiId: api.apiId, Stage: api.stage };
  const base = ['ConnectCount', 'MessageCount', 'IntegrationError', 'ClientError', 'ExecutionError'].map((m) =>
    series('AWS/ApiGateway', m, 'Sum', d),
  );
  base.push(series('AWS/ApiGateway', 'IntegrationLatency', 'Average', d), series('AWS/ApiGateway', 'IntegrationLatency', 'p99', d));
  return withTotals(base, (r) => r.metric === 'IntegrationLatency' && r.stat === 'Average');
}

/** One per-route dimension set API Gateway publishes (found by ListMetrics), and the route it is: its Resource. */
export interface RouteDimensionSet {
  route: string;
  dimensions: Record<string, string>;
}

/**
 * Per route: AWS/ApiGateway under each per-route dimension set ListMetrics showed for the API
 * (AWS documents `ApiId, Method, Resource, Stage` for WebSocket APIs, published with detailed
 * metrics on; the route is named by the Resource listed). Asked as listed, never built from a guess.
 */
export function apiGatewayRouteRequests(sets: readonly RouteDimensionSet[]): MetricRequest[] {
  const base: MetricRequest[] = [];
  for (const { dimensions: d } of sets) {
    for (const metric of ['MessageCount', 'IntegrationError', 'ExecutionError']) base.push(series('AWS/ApiGateway', metric, 'Sum', d));
    base.push(series('AWS/ApiGateway', 'IntegrationLatency', 'Average', d), series('AWS/ApiGateway', 'IntegrationLatency', 'p99', d));
  }
  return withTotals(base, (r) => r.metric === 'IntegrationLatency' && r.stat === 'Average');
}

/** What to ask of AWS/DynamoDB for one table: its global indexes and the operations it served. */
export interface DynamoTablePlan {
  table: string;
  indexes: readonly string[];
  operations: readonly string[];
}

/**
 * AWS/DynamoDB, one whole-window Sum (or SampleCount) per table, index and operation: units and
 * request counts are work totals, drawn nowhere as a time series.
 */
export function dynamoRequests(plans: readonly DynamoTablePlan[]): MetricRequest[] {
  const out: MetricRequest[] = [];
  const add = (metric: string, stat: string, dimensions: Record<string, string>) => out.push(totals(series('AWS/DynamoDB', metric, stat, dimensions)));
  for (const { table, indexes, operations } of plans) {
    const t = { TableName: table };
    add('ConsumedReadCapacityUnits', 'Sum', t);
    add('ConsumedWriteCapacityUnits', 'Sum', t);
    add('ConditionalCheckFailedRequests', 'Sum', t);
    add('ReadThrottleEvents', 'Sum', t);
    add('WriteThrottleEvents', 'Sum', t);
    for (const index of indexes) {
      const d = { TableName: table, GlobalSecondaryIndexName: index };
      add('ConsumedReadCapacityUnits', 'Sum', d);
      add('ConsumedWriteCapacityUnits', 'Sum', d);
      add('ReadThrottleEvents', 'Sum', d);
      add('WriteThrottleEvents', 'Sum', d);
    }
    for (const operation of operations) {
      const d = { TableName: table, Operation: operation };
      add('SuccessfulRequestLatency', 'SampleCount', d);
      add('ThrottledRequests', 'Sum', d);
      if (operation === 'Query' || operation === 'Scan') add('ReturnedItemCount', 'Sum', d);
    }
  }
  return out;
}

/**
 * The local emulator's account of its host (local-host.ts), asked of the local target
 * only: host busy and stack CPU per second, and per function the invocations the host held back
 * (per second for the chart; their wait's percentiles over the whole window).
 */
export function localHostRequests(functions: readonly string[]): MetricRequest[] {
  const ns = LOCAL_HOST_NAMESPACE;
  const out = [series(ns, LOCAL_HOST_METRIC.hostBusyPercent, 'Average', {}), series(ns, LOCAL_HOST_METRIC.stackCpuMs, 'Sum', {})];
  for (const fn of functions) {
    const d = { FunctionName: fn };
    out.push(series(ns, LOCAL_HOST_METRIC.heldBackMs, 'SampleCount', d), series(ns, LOCAL_HOST_METRIC.heldBackMs, 'Sum', d));
    for (const stat of ['p50', 'p99', 'Maximum']) out.push(totals(series(ns, LOCAL_HOST_METRIC.heldBackMs, stat, d)));
  }
  return out;
}

/** One EMF metric of a stack's, with one of the dimension sets it is published under. */
export interface EmfMetric {
  namespace: string;
  /** the service the stack's functions publish as (EmfSource), where they name one */
  service?: string;
  metric: string;
  dimensions: Record<string, string>;
}

/** Counts are summed; a duration metric (unit ms) gets an average and a p99 as well. */
export function emfRequests(metrics: readonly EmfMetric[]): MetricRequest[] {
  const base: MetricRequest[] = [];
  for (const { namespace, metric, dimensions } of metrics) {
    base.push(series(namespace, metric, 'Sum', dimensions));
    if (/Ms$|Duration/.test(metric)) base.push(series(namespace, metric, 'Average', dimensions), series(namespace, metric, 'p99', dimensions));
  }
  return withTotals(base, (r) => r.stat === 'Average');
}

export function toMetricDataQuery(id: string, r: MetricRequest, window: QueryWindow): MetricDataQuery {
  return {
    Id: id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: r.namespace,
        MetricName: r.metric,
        Dimensions: Object.entries(r.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: r.kind === 'series' ? window.periodSec : window.totalsPeriodSec,
      Stat: r.stat,
    },
  };
}
