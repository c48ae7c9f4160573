import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';

/** Raw GetMetricData answers, by query id, merged over pages and sorted by time. */
export interface MetricDataResult {
  timestamps: number[];
  values: number[];
  status: string;
}

/** GetMetricData takes at most 500 queries per call. */
export const MAX_QUERIES_PER_CALL = 500;
const MAX_PAGES_PER_BATCH = 200;

export async function getMetricData(
  client: CloudWatchClient,
  queries: readonly MetricDataQuery[],
  window: { startMs: number; endMs: number },
): Promise<Map<string, MetricDataResult>> {
  const byId = new Map<string, { points: Map<number, number>; status: string }>();
  for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_CALL) {
    const batch = queries.slice(i, i + MAX_QUERIES_PER_CALL);
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: batch,
          StartTime: new Date(window.startMs),
          EndTime: new Date(window.endMs),
          ScanBy: 'TimestampAscending',
          NextToken: nextToken,
        }),
      );
      for (const r of out.MetricDataResults ?? []) {
        if (!r.Id) continue;
        let entry = byId.get(r.Id);
        if (!entry) byId.set(r.Id, (entry = { points: new Map(), status: r.StatusCode ?? 'Complete' }));
        // a later page's status wins only when it is worse than Complete
        if (r.StatusCode && r.StatusCode !== 'Complete') entry.status = r.StatusCode;
        const ts = r.Timestamps ?? [];
        const vs = r.Values ?? [];
        for (let k = 0; k < Math.min(ts.length, vs.length); k++) entry.points.set(ts[k].getTime(), vs[k]);
      }
      nextToken = out.NextToken;
    } while (nextToken && ++pages < MAX_PAGES_PER_BATCH);
  }
  const results = new Map<string, MetricDataResult>();
  for (const [id, { points, status }] of byId) {
    const sorted = [...points.entries()].sort((a, b) => a[0] - b[0]);
    results.set(id, { timestamps: sorted.map((p) => p[0]), values: sorted.map((p) => p[1]), status });
  }
  return results;
}

/** ListMetrics, paginated (bounded): each metric's name and dimensions. */
export async function listMetrics(
  client: CloudWatchClient,
  filter: { namespace: string; metricName?: string; dimensions?: Record<string, string> },
): Promise<Array<{ metric: string; dimensions: Record<string, string> }>> {
  const out: Array<{ metric: string; dimensions: Record<string, string> }> = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(
      new ListMetricsCommand({
        Namespace: filter.namespace,
        MetricName: filter.metricName,
        Dimensions: filter.dimensions ? Object.entries(filter.dimensions).map(([Name, Value]) => ({ Name, Value })) : undefined,
        NextToken: nextToken,
      }),
    );
    for (const m of page.Metrics ?? []) {
      if (!m.MetricName) continue;
      const dimensions: Record<string, string> = {};
      for (const d of m.Dimensions ?? []) if (d.Name) dimensions[d.Name] = d.Value ?? '';
      out.push({ metric: m.MetricName, dimensions });
    }
    nextToken = page.NextToken;
  } while (nextToken && ++pages < 50);
  return out;
}
