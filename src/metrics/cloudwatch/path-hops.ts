import type { FunctionHop, MappingHop, PathHop, PathSeries, QueueHop, StackPath } from '../../contracts/path-schema.ts';
import type { MetricRequest } from './cloudwatch-queries.ts';
import type { MetricDataResult } from './metric-data-fetch.ts';
import { apiDimensions, MAPPING_CONCURRENCY, ruleDimensions, type PathResources } from './path-queries.ts';

/**
 * The path's hops from GetMetricData's answers to pathRequests (path-queries.ts): per hop its
 * totals over the window (counts summed over the periods, gauges their largest period's Maximum,
 * Duration p99 from the whole-window query) and the series the report draws (a queue's age of
 * oldest message and depth, a mapping's batches at once, a function's async event age). Pure.
 * Order: the APIs (where a push enters), each queue with its mappings after it and its dead-letter queue last, then the topics,
 * the rules, the other mappings (streams) and the functions.
 */
export function pathHops(p: PathResources, requests: readonly MetricRequest[], data: ReadonlyMap<string, MetricDataResult>, periodSec: number): StackPath {
  const byKey = new Map<string, MetricDataResult>();
  requests.forEach((r, i) => {
    const d = data.get(`q${i}`);
    if (d) byKey.set(keyOf(r.namespace, r.metric, r.stat, r.dimensions, r.kind), d);
  });
  const got = (namespace: string, metric: string, stat: string, dimensions: Record<string, string>, kind: MetricRequest['kind'] = 'series') =>
    byKey.get(keyOf(namespace, metric, stat, dimensions, kind));
  const total = (namespace: string, metric: string, dimensions: Record<string, string>) => sum(got(namespace, metric, 'Sum', dimensions)?.values ?? []);
  const peak = (namespace: string, metric: string, dimensions: Record<string, string>, stat = 'Maximum') => {
    const v = got(namespace, metric, stat, dimensions)?.values ?? [];
    return v.length > 0 ? Math.max(...v) : null;
  };
  const series = (namespace: string, metric: string, dimensions: Record<string, string>): PathSeries | undefined => {
    const d = got(namespace, metric, 'Maximum', dimensions);
    return d && d.timestamps.length > 0 ? { timestamps: d.timestamps, values: d.values } : undefined;
  };

  const functionHop = (f: PathResources['functions'][number]): FunctionHop => {
    const d = { FunctionName: f.name };
    const age = series('AWS/Lambda', 'AsyncEventAge', d);
    return {
      kind: 'function',
      name: f.name,
      totals: {
        invocations: total('AWS/Lambda', 'Invocations', d),
        errors: total('AWS/Lambda', 'Errors', d),
        throttles: total('AWS/Lambda', 'Throttles', d),
        durationP99Ms: largest(got('AWS/Lambda', 'Duration', 'p99', d, 'totals')?.values ?? []),
        durationAvgMs: largest(got('AWS/Lambda', 'Duration', 'Average', d, 'totals')?.values ?? []),
        concurrencyMax: peak('AWS/Lambda', 'ConcurrentExecutions', d),
        asyncReceived: total('AWS/Lambda', 'AsyncEventsReceived', d),
        asyncAgeMaxMs: peak('AWS/Lambda', 'AsyncEventAge', d),
        asyncDropped: total('AWS/Lambda', 'AsyncEventsDropped', d),
      },
      ...(f.memoryMB !== undefined ? { memoryMB: f.memoryMB } : {}),
      ...(f.architecture ? { architecture: f.architecture } : {}),
      ...(f.maximumEventAgeSeconds !== undefined ? { maximumEventAgeSeconds: f.maximumEventAgeSeconds } : {}),
      ...(age ? { overTime: { asyncAgeMs: age } } : {}),
    };
  };

  const mappingHop = (m: PathResources['mappings'][number]): MappingHop => {
    const d = { EventSourceMappingUUID: m.uuid };
    const source = sourceOf(m.sourceArn);
    // the emulator's own gauge where published; on AWS, the function's ConcurrentExecutions
    const own = series(MAPPING_CONCURRENCY.namespace, MAPPING_CONCURRENCY.metric, { EventSourceMappingUUID: m.uuid, FunctionName: m.functionName });
    const fn = series('AWS/Lambda', 'ConcurrentExecutions', { FunctionName: m.functionName });
    const concurrency = own ?? fn;
    const first = concurrency?.values.find((v) => v > 0) ?? null;
    return {
      kind: 'mapping',
      name: `${source.name} → ${m.functionName}`,
      uuid: m.uuid,
      source,
      functionName: m.functionName,
      ...(m.batchSize !== undefined ? { batchSize: m.batchSize } : {}),
      ...(m.maximumConcurrency !== undefined ? { maximumConcurrency: m.maximumConcurrency } : {}),
      ...(m.state !== undefined ? { state: m.state } : {}),
      ...(m.reportBatchItemFailures !== undefined ? { reportBatchItemFailures: m.reportBatchItemFailures } : {}),
      totals: {
        polled: total('AWS/Lambda', 'PolledEventCount', d),
        invoked: total('AWS/Lambda', 'InvokedEventCount', d),
        failedInvoke: total('AWS/Lambda', 'FailedInvokeEventCount', d),
        dropped: total('AWS/Lambda', 'DroppedEventCount', d),
        filteredOut: total('AWS/Lambda', 'FilteredOutEventCount', d),
        batches: total('AWS/Lambda', 'Invocations', { FunctionName: m.functionName }),
        concurrencyFirst: first,
        concurrencyMax: concurrency && concurrency.values.length > 0 ? Math.max(...concurrency.values) : null,
      },
      ...(concurrency ? { concurrencySource: own ? ('mapping' as const) : ('function' as const), overTime: { concurrency } } : {}),
    };
  };

  const queueHop = (q: PathResources['queues'][number]): QueueHop => {
    const d = { QueueName: q.name };
    const age = series('AWS/SQS', 'ApproximateAgeOfOldestMessage', d);
    const visible = series('AWS/SQS', 'ApproximateNumberOfMessagesVisible', d);
    const deadLetterOf = p.queues.filter((x) => x.deadLetterQueue?.name === q.name).map((x) => x.name);
    // redriven messages: SQS counts none in NumberOfMessagesSent, its depth rises by them
    const depth = visible?.values ?? [];
    const redriven = deadLetterOf.length > 0 && depth.length > 0 ? Math.max(0, Math.max(...depth) - depth[0]!) : undefined;
    return {
      kind: 'queue',
      name: q.name,
      ...(q.url ? { url: q.url } : {}),
      ...(q.fifo !== undefined ? { fifo: q.fifo } : {}),
      ...(q.deadLetterQueue ? { deadLetterQueue: q.deadLetterQueue } : {}),
      ...(deadLetterOf.length > 0 ? { deadLetterOf } : {}),
      totals: {
        sent: total('AWS/SQS', 'NumberOfMessagesSent', d),
        received: total('AWS/SQS', 'NumberOfMessagesReceived', d),
        deleted: total('AWS/SQS', 'NumberOfMessagesDeleted', d),
        oldestAgeMaxSec: peak('AWS/SQS', 'ApproximateAgeOfOldestMessage', d),
        visibleMax: peak('AWS/SQS', 'ApproximateNumberOfMessagesVisible', d),
        ...(redriven !== undefined ? { redriven } : {}),
      },
      ...(age || visible ? { overTime: { ...(age ? { oldestAgeSec: age } : {}), ...(visible ? { visible } : {}) } } : {}),
    };
  };

  const hops: PathHop[] = [];
  // an API is where a server push enters the path: first
  for (const a of p.apis ?? []) {
    const d = apiDimensions(a);
    const rest = a.apiType === 'rest';
    hops.push({
      kind: 'api',
      apiType: a.apiType,
      name: a.name,
      apiId: a.apiId,
      stage: a.stage,
      totals: {
        requests: total('AWS/ApiGateway', 'Count', d),
        clientErrors: total('AWS/ApiGateway', rest ? '4XXError' : '4xx', d),
        serverErrors: total('AWS/ApiGateway', rest ? '5XXError' : '5xx', d),
        latencyP99Ms: largest(got('AWS/ApiGateway', 'Latency', 'p99', d, 'totals')?.values ?? []),
        integrationLatencyP99Ms: largest(got('AWS/ApiGateway', 'IntegrationLatency', 'p99', d, 'totals')?.values ?? []),
      },
    });
  }
  const mappingsOf = (arnName: string) => p.mappings.filter((m) => sourceOf(m.sourceArn).kind === 'queue' && sourceOf(m.sourceArn).name === arnName);
  const deadLetters = new Set(p.queues.flatMap((q) => (q.deadLetterQueue ? [q.deadLetterQueue.name] : [])));
  const placed = new Set<string>();
  for (const q of p.queues.filter((x) => !deadLetters.has(x.name))) {
    hops.push(queueHop(q));
    for (const m of mappingsOf(q.name)) {
      hops.push(mappingHop(m));
      placed.add(m.uuid);
    }
    const dlq = q.deadLetterQueue && p.queues.find((x) => x.name === q.deadLetterQueue!.name);
    if (dlq && !hops.some((h) => h.kind === 'queue' && h.name === dlq.name)) hops.push(queueHop(dlq));
  }
  for (const q of p.queues.filter((x) => deadLetters.has(x.name) && !hops.some((h) => h.kind === 'queue' && h.name === x.name))) hops.push(queueHop(q));
  for (const t of p.topics) {
    const d = { TopicName: t.name };
    hops.push({
      kind: 'topic',
      name: t.name,
      arn: t.arn,
      totals: {
        published: total('AWS/SNS', 'NumberOfMessagesPublished', d),
        delivered: total('AWS/SNS', 'NumberOfNotificationsDelivered', d),
        failed: total('AWS/SNS', 'NumberOfNotificationsFailed', d),
        filteredOut: total('AWS/SNS', 'NumberOfNotificationsFilteredOut', d),
      },
    });
  }
  for (const r of p.rules) {
    const d = ruleDimensions(r);
    hops.push({
      kind: 'rule',
      name: r.name,
      ...(r.bus && r.bus !== 'default' ? { bus: r.bus } : {}),
      totals: { matched: total('AWS/Events', 'MatchedEvents', d), invocations: total('AWS/Events', 'Invocations', d), failed: total('AWS/Events', 'FailedInvocations', d) },
    });
  }
  for (const m of p.mappings.filter((x) => !placed.has(x.uuid))) hops.push(mappingHop(m));
  for (const f of p.functions) hops.push(functionHop(f));
  return { periodSec, hops, ...(p.notes.length > 0 ? { notes: p.notes } : {}) };
}

/** What an event source ARN names: a queue (arn:aws:sqs:…:<name>), a table's stream (arn:aws:dynamodb:…:table/<name>/stream/…), or something else. */
export function sourceOf(arn: string): MappingHop['source'] {
  const parts = arn.split(':');
  if (parts[2] === 'sqs') return { kind: 'queue', name: parts[5] ?? arn, arn };
  const table = /:table\/([^/]+)\/stream\//.exec(arn);
  if (parts[2] === 'dynamodb' && table) return { kind: 'stream', name: table[1]!, arn };
  return { kind: 'other', name: parts.slice(5).join(':') || arn, arn };
}

function keyOf(namespace: string, metric: string, stat: string, dimensions: Record<string, string>, kind: MetricRequest['kind']): string {
  return `${kind}|${namespace}|${metric}|${stat}|${JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)))}`;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const largest = (xs: readonly number[]) => (xs.length > 0 ? Math.max(...xs) : null);
