import { INSIGHTS_CPU_METRIC, INSIGHTS_NAMESPACE, type DynamoTablePlan, type EmfMetric, type MetricRequest, type RouteDimensionSet } from './cloudwatch-queries.ts';
import type { ApiGatewayRouteTotals, ApiGatewayTotals, CloudWatchResults, CloudWatchSeries, DynamoTableTotals, EmfTotals, LambdaTotals, LocalHostTotals, PullProblem } from '../../contracts/cloudwatch-schema.ts';
import { LOCAL_HOST_METRIC, LOCAL_HOST_NAMESPACE } from '../../../common/local-host-metrics.ts';
import type { MetricDataResult } from './metric-data-fetch.ts';

/**
 * From GetMetricData answers to the results' series and per-function / per-API / per-metric
 * totals. Sums and maxima come from the series; averages and percentiles from the whole-window
 * queries (a p99 of per-period p99s would mean nothing).
 */
export interface MetricTotalsInput {
  /** the requests, in the order their query ids q0, q1 … were given */
  requests: readonly MetricRequest[];
  data: Map<string, MetricDataResult>;
  functions: readonly string[];
  apiGateway: { apiId: string; stage: string } | null;
  /** the per-route dimension sets asked for, as ListMetrics showed them (none: no per-route totals) */
  routeSets?: readonly RouteDimensionSet[];
  emfMetrics: readonly EmfMetric[];
  /** AWS/DynamoDB: the tables asked about (none: no dynamodb totals) */
  dynamo?: readonly DynamoTablePlan[];
  /** the local host's metrics were asked for: averaged over the run's own seconds */
  localHost?: { run: { startMs: number; endMs: number } };
}

export type MetricTotals = Pick<CloudWatchResults, 'series' | 'lambda' | 'apiGatewayTotals' | 'apiGatewayRoutes' | 'emf' | 'dynamodb' | 'localHost' | 'problems' | 'notes'>;

function requestKey(r: Pick<MetricRequest, 'kind' | 'namespace' | 'metric' | 'stat' | 'dimensions'>): string {
  const dims = Object.entries(r.dimensions).sort(([a], [b]) => a.localeCompare(b));
  return `${r.kind}|${r.namespace}|${r.metric}|${r.stat}|${JSON.stringify(dims)}`;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

export function metricTotals(input: MetricTotalsInput): MetricTotals {
  const series: CloudWatchSeries[] = [];
  const problems: PullProblem[] = [];
  const notes: string[] = [];
  const byKey = new Map<string, MetricDataResult>();
  input.requests.forEach((r, i) => {
    const d = input.data.get(`q${i}`);
    if (!d) return;
    byKey.set(requestKey(r), d);
    if (d.status === 'Forbidden' || d.status === 'InternalError') {
      problems.push({ step: `GetMetricData ${r.namespace} ${r.metric} ${r.stat}`, errorName: d.status, message: 'CloudWatch returned no data for this query' });
    }
    if (r.kind === 'series' && d.timestamps.length > 0) {
      series.push({ namespace: r.namespace, metric: r.metric, stat: r.stat, dimensions: r.dimensions, timestamps: d.timestamps, values: d.values, status: d.status });
    }
  });
  const values = (namespace: string, metric: string, stat: string, dimensions: Record<string, string>, kind: MetricRequest['kind'] = 'series') =>
    byKey.get(requestKey({ kind, namespace, metric, stat, dimensions }))?.values ?? [];

  let spanned = false;
  /** A whole-window statistic over one or more dimension sets; the server may split it into periods. */
  const windowStat = (namespace: string, metric: string, dims: Array<Record<string, string>>, stat: 'Average' | 'p50' | 'p99') => {
    const vals = dims.flatMap((d) => values(namespace, metric, stat, d, 'totals'));
    if (vals.length === 0) return null;
    if (vals.length > 1) spanned = true;
    if (stat !== 'Average') return Math.max(...vals);
    const counts = dims.flatMap((d) => values(namespace, metric, 'SampleCount', d, 'totals'));
    if (counts.length !== vals.length || sum(counts) === 0) return sum(vals) / vals.length;
    return sum(vals.map((v, i) => v * counts[i])) / sum(counts);
  };

  const lambda: Record<string, LambdaTotals> = {};
  for (const fn of input.functions) {
    const d = { FunctionName: fn };
    const concurrency = values('AWS/Lambda', 'ConcurrentExecutions', 'Maximum', d);
    lambda[fn] = {
      invocations: sum(values('AWS/Lambda', 'Invocations', 'Sum', d)),
      errors: sum(values('AWS/Lambda', 'Errors', 'Sum', d)),
      throttles: sum(values('AWS/Lambda', 'Throttles', 'Sum', d)),
      durationAvgMs: windowStat('AWS/Lambda', 'Duration', [d], 'Average'),
      durationP50Ms: windowStat('AWS/Lambda', 'Duration', [d], 'p50'),
      durationP99Ms: windowStat('AWS/Lambda', 'Duration', [d], 'p99'),
      concurrentExecutionsMax: concurrency.length > 0 ? Math.max(...concurrency) : null,
    };
    const cpuTime = insightsCpu((stat) => values(INSIGHTS_NAMESPACE, INSIGHTS_CPU_METRIC, stat, { function_name: fn }, 'totals'));
    if (cpuTime) lambda[fn].cpuTime = cpuTime;
  }

  let apiGatewayTotals: ApiGatewayTotals | null = null;
  if (input.apiGateway) {
    const d = { ApiId: input.apiGateway.apiId, Stage: input.apiGateway.stage };
    const total = (metric: string) => sum(values('AWS/ApiGateway', metric, 'Sum', d));
    apiGatewayTotals = {
      connectCount: total('ConnectCount'),
      messageCount: total('MessageCount'),
      integrationError: total('IntegrationError'),
      clientError: total('ClientError'),
      executionError: total('ExecutionError'),
      integrationLatencyAvgMs: windowStat('AWS/ApiGateway', 'IntegrationLatency', [d], 'Average'),
      integrationLatencyP99Ms: windowStat('AWS/ApiGateway', 'IntegrationLatency', [d], 'p99'),
    };
  }

  // Per route (its Resource), summed over the sets listed for it; only routes with data.
  let apiGatewayRoutes: Record<string, ApiGatewayRouteTotals> | undefined;
  if (input.apiGateway && input.routeSets && input.routeSets.length > 0) {
    apiGatewayRoutes = {};
    for (const route of new Set(input.routeSets.map((s) => s.route))) {
      const dims = input.routeSets.filter((s) => s.route === route).map((s) => s.dimensions);
      const sums = (metric: string) => dims.flatMap((d) => values('AWS/ApiGateway', metric, 'Sum', d));
      const published = ['MessageCount', 'IntegrationError', 'ExecutionError'].some((m) => sums(m).length > 0);
      const latencyAvg = windowStat('AWS/ApiGateway', 'IntegrationLatency', dims, 'Average');
      if (!published && latencyAvg === null) continue;
      apiGatewayRoutes[route] = {
        messageCount: sum(sums('MessageCount')),
        integrationError: sum(sums('IntegrationError')),
        executionError: sum(sums('ExecutionError')),
        integrationLatencyAvgMs: latencyAvg,
        integrationLatencyP50Ms: windowStat('AWS/ApiGateway', 'IntegrationLatency', dims, 'p50'),
        integrationLatencyP99Ms: windowStat('AWS/ApiGateway', 'IntegrationLatency', dims, 'p99'),
      };
    }
    if (Object.keys(apiGatewayRoutes).length === 0) apiGatewayRoutes = undefined;
  }

  // Per namespace and metric: the sets with `service` alone when published (no double counting of
  // a datum emitted under several dimension sets), else the sum over its sets (e.g. per
  // function_name). A name several namespaces publish (Powertools' ColdStart) is keyed by its
  // namespace as well: their averages cannot be joined.
  const emf: Record<string, EmfTotals> = {};
  const groups = new Map<string, EmfMetric[]>();
  const namespacesOf = new Map<string, Set<string>>();
  for (const m of input.emfMetrics) {
    const key = `${m.namespace}\u0000${m.metric}`;
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
    namespacesOf.set(m.metric, (namespacesOf.get(m.metric) ?? new Set()).add(m.namespace));
  }
  for (const group of groups.values()) {
    const { namespace, metric, service } = group[0]!;
    const sets = group.map((m) => m.dimensions);
    const serviceOnly = sets.filter((s) => Object.keys(s).length === 1 && s.service !== undefined && (service === undefined || s.service === service));
    const chosen = serviceOnly.length > 0 ? serviceOnly : sets;
    const sums = chosen.flatMap((s) => values(namespace, metric, 'Sum', s));
    if (sums.length === 0) continue;
    const key = namespacesOf.get(metric)!.size > 1 ? `${namespace}/${metric}` : metric;
    emf[key] = { sum: sum(sums), average: windowStat(namespace, metric, chosen, 'Average'), p99: windowStat(namespace, metric, chosen, 'p99') };
  }

  let dynamodb: Record<string, DynamoTableTotals> | undefined;
  if (input.dynamo && input.dynamo.length > 0) {
    dynamodb = {};
    const total = (metric: string, stat: string, dimensions: Record<string, string>) => sum(values('AWS/DynamoDB', metric, stat, dimensions, 'totals'));
    for (const { table, indexes, operations } of input.dynamo) {
      const t = { TableName: table };
      const totals: DynamoTableTotals = {
        readUnits: total('ConsumedReadCapacityUnits', 'Sum', t),
        writeUnits: total('ConsumedWriteCapacityUnits', 'Sum', t),
        readThrottleEvents: total('ReadThrottleEvents', 'Sum', t),
        writeThrottleEvents: total('WriteThrottleEvents', 'Sum', t),
        indexes: {},
        operations: {},
        conditionalCheckFailed: total('ConditionalCheckFailedRequests', 'Sum', t),
      };
      for (const index of indexes) {
        const d = { TableName: table, GlobalSecondaryIndexName: index };
        totals.indexes[index] = {
          readUnits: total('ConsumedReadCapacityUnits', 'Sum', d),
          writeUnits: total('ConsumedWriteCapacityUnits', 'Sum', d),
          readThrottleEvents: total('ReadThrottleEvents', 'Sum', d),
          writeThrottleEvents: total('WriteThrottleEvents', 'Sum', d),
        };
      }
      for (const operation of operations) {
        const d = { TableName: table, Operation: operation };
        const requests = total('SuccessfulRequestLatency', 'SampleCount', d);
        const throttled = total('ThrottledRequests', 'Sum', d);
        if (requests === 0 && throttled === 0) continue;
        totals.operations[operation] = {
          requests,
          throttled,
          ...(operation === 'Query' || operation === 'Scan' ? { returnedItems: total('ReturnedItemCount', 'Sum', d) } : {}),
        };
      }
      dynamodb[table] = totals;
    }
  }

  let localHost: LocalHostTotals | undefined;
  if (input.localHost) {
    const { startMs, endMs } = input.localHost.run;
    const during = (metric: string, stat: string) => {
      const d = byKey.get(requestKey({ kind: 'series', namespace: LOCAL_HOST_NAMESPACE, metric, stat, dimensions: {} }));
      return d ? d.values.filter((_, i) => d.timestamps[i] >= startMs && d.timestamps[i] < endMs) : [];
    };
    const busy = during(LOCAL_HOST_METRIC.hostBusyPercent, 'Average');
    localHost = {
      hostBusyAvgPercent: busy.length > 0 ? sum(busy) / busy.length : null,
      hostBusyPeakPercent: busy.length > 0 ? Math.max(...busy) : null,
      stackCpuMs: sum(during(LOCAL_HOST_METRIC.stackCpuMs, 'Sum')),
      heldBack: {},
    };
    for (const fn of input.functions) {
      const d = { FunctionName: fn };
      const count = sum(values(LOCAL_HOST_NAMESPACE, LOCAL_HOST_METRIC.heldBackMs, 'SampleCount', d));
      if (count === 0) continue;
      const window = (stat: string) => {
        const v = values(LOCAL_HOST_NAMESPACE, LOCAL_HOST_METRIC.heldBackMs, stat, d, 'totals');
        return v.length > 0 ? Math.max(...v) : null;
      };
      localHost.heldBack[fn] = {
        count,
        totalMs: sum(values(LOCAL_HOST_NAMESPACE, LOCAL_HOST_METRIC.heldBackMs, 'Sum', d)),
        p50Ms: window('p50'),
        p99Ms: window('p99'),
        maxMs: window('Maximum'),
      };
    }
  }

  if (spanned) {
    notes.push('whole-window statistics came back in several periods: averages are weighted by sample count, p50/p99 are the highest period value (an upper bound)');
  }
  return {
    series,
    lambda,
    apiGatewayTotals,
    ...(apiGatewayRoutes ? { apiGatewayRoutes } : {}),
    emf,
    ...(dynamodb ? { dynamodb } : {}),
    ...(localHost ? { localHost } : {}),
    problems,
    notes,
  };
}

/**
 * LambdaInsights cpu_total_time over the window, from its whole-window statistics (the server may
 * split the window into periods: percentiles then the largest, as for Duration); undefined when
 * no invocation published one.
 */
function insightsCpu(values: (stat: string) => number[]): NonNullable<LambdaTotals['cpuTime']> | undefined {
  const samples = sum(values('SampleCount'));
  if (samples === 0) return undefined;
  const most = (xs: number[]) => (xs.length > 0 ? Math.max(...xs) : null);
  const least = values('Minimum');
  return { samples, p50Ms: most(values('p50')), p99Ms: most(values('p99')), minMs: least.length > 0 ? Math.min(...least) : null, maxMs: most(values('Maximum')) };
}
