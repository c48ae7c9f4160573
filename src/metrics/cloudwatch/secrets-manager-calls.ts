import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { toMetricDataQuery, type MetricRequest } from './cloudwatch-queries.ts';
import { getMetricData, listMetrics } from './metric-data-fetch.ts';
import { wholeWindow } from './path-pull.ts';

/**
 * Secrets Manager's API calls over the pull's window, by operation, asked the same way of AWS and
 * of the emulator: AWS publishes each call as AWS/Usage `CallCount` with dimensions Service
 * "Secrets Manager", Type "API", Resource the operation, Class "None"; ListMetrics names the
 * operations called, then one GetMetricData sums each over the whole window. Throws what
 * CloudWatch throws (the caller says it).
 */
export const SECRETS_MANAGER_USAGE = { namespace: 'AWS/Usage', metric: 'CallCount', dimensions: { Service: 'Secrets Manager', Type: 'API' } } as const;

export async function pullSecretsManagerCalls(cloudwatch: CloudWatchClient, window: { startMs: number; endMs: number; periodSec: number }): Promise<Record<string, number>> {
  const listed = await listMetrics(cloudwatch, { namespace: SECRETS_MANAGER_USAGE.namespace, metricName: SECRETS_MANAGER_USAGE.metric, dimensions: { ...SECRETS_MANAGER_USAGE.dimensions } });
  const requests: MetricRequest[] = listed
    .filter((m) => m.dimensions.Resource)
    .map((m) => ({ namespace: SECRETS_MANAGER_USAGE.namespace, metric: SECRETS_MANAGER_USAGE.metric, stat: 'Sum', dimensions: m.dimensions, kind: 'totals' }));
  if (requests.length === 0) return {};
  const w = wholeWindow(window);
  const data = await getMetricData(
    cloudwatch,
    requests.map((r, i) => toMetricDataQuery(`q${i}`, r, w)),
    w,
  );
  const calls: Record<string, number> = {};
  requests.forEach((r, i) => {
    const sum = (data.get(`q${i}`)?.values ?? []).reduce((n, v) => n + v, 0);
    if (sum > 0) calls[r.dimensions.Resource] = (calls[r.dimensions.Resource] ?? 0) + sum;
  });
  return calls;
}
