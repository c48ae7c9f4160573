import type { MetricRequest } from './cloudwatch-queries.ts';

/**
 * What a stack's queued path is made of, as the stack's own APIs list it (src/targets/stack-path.ts
 * finds it: CloudFormation's resources, Lambda's event source mappings, SQS's redrive policies),
 * and the CloudWatch metrics asked of each hop: AWS/ApiGateway by ApiId and Stage (an HTTP API)
 * or ApiName and Stage (a REST API), AWS/SQS by QueueName, AWS/SNS by TopicName,
 * AWS/Events by RuleName (and EventBusName on a bus of its own), AWS/Lambda by FunctionName (its
 * asynchronous invocation's too) and by EventSourceMappingUUID (the mapping's event counts, which
 * AWS publishes where the mapping's MetricsConfig asks for EventCount).
 */
export interface PathResources {
  /** the stack's HTTP and REST APIs (not its WebSocket API), each with the stage CloudWatch counts it by */
  apis?: Array<{ apiType: 'http' | 'rest'; apiId: string; name: string; stage: string }>;
  queues: Array<{ name: string; url?: string; fifo?: boolean; deadLetterQueue?: { name: string; maxReceiveCount: number } }>;
  topics: Array<{ name: string; arn: string }>;
  rules: Array<{ name: string; bus?: string }>;
  /** the functions no route invokes, and every mapping's */
  functions: Array<{ name: string; maximumEventAgeSeconds?: number; memoryMB?: number; architecture?: 'x86_64' | 'arm64' }>;
  mappings: Array<{
    uuid: string;
    sourceArn: string;
    functionName: string;
    batchSize?: number;
    maximumConcurrency?: number;
    state?: string;
    reportBatchItemFailures?: boolean;
  }>;
  /** what could not be read of the path, one line each */
  notes: string[];
}

/**
 * The emulator's own gauge of an event source mapping's batches at once (the most in each second),
 * by EventSourceMappingUUID and FunctionName, in a namespace of its own: AWS publishes nothing like
 * it. On AWS the function's ConcurrentExecutions stands in for it.
 */
export const MAPPING_CONCURRENCY = { namespace: 'FanoutBench/Emulator', metric: 'EventSourceMappingConcurrency' } as const;

/** Lambda's event source mapping event counts (Lambda developer guide, "Event source mapping metrics"). */
export const MAPPING_COUNTS = ['PolledEventCount', 'InvokedEventCount', 'FailedInvokeEventCount', 'DroppedEventCount', 'FilteredOutEventCount'] as const;

const req = (namespace: string, metric: string, stat: string, dimensions: Record<string, string>, kind: MetricRequest['kind'] = 'series'): MetricRequest => ({
  namespace,
  metric,
  stat,
  dimensions,
  kind,
});

/** Every query of the path: per period (series) where a hop is drawn or summed, whole-window where a percentile is asked. */
export function pathRequests(p: PathResources): MetricRequest[] {
  const out: MetricRequest[] = [];
  for (const a of p.apis ?? []) {
    const d = apiDimensions(a);
    for (const m of a.apiType === 'http' ? ['Count', '4xx', '5xx'] : ['Count', '4XXError', '5XXError']) out.push(req('AWS/ApiGateway', m, 'Sum', d));
    for (const m of ['Latency', 'IntegrationLatency']) out.push(req('AWS/ApiGateway', m, 'p99', d, 'totals'));
  }
  for (const q of p.queues) {
    const d = { QueueName: q.name };
    for (const m of ['NumberOfMessagesSent', 'NumberOfMessagesReceived', 'NumberOfMessagesDeleted']) out.push(req('AWS/SQS', m, 'Sum', d));
    for (const m of ['ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible']) out.push(req('AWS/SQS', m, 'Maximum', d));
  }
  for (const t of p.topics) {
    const d = { TopicName: t.name };
    for (const m of ['NumberOfMessagesPublished', 'NumberOfNotificationsDelivered', 'NumberOfNotificationsFailed', 'NumberOfNotificationsFilteredOut']) out.push(req('AWS/SNS', m, 'Sum', d));
  }
  for (const r of p.rules) {
    const d = ruleDimensions(r);
    for (const m of ['MatchedEvents', 'Invocations', 'FailedInvocations']) out.push(req('AWS/Events', m, 'Sum', d));
  }
  for (const f of p.functions) {
    const d = { FunctionName: f.name };
    for (const m of ['Invocations', 'Errors', 'Throttles', 'AsyncEventsReceived', 'AsyncEventsDropped']) out.push(req('AWS/Lambda', m, 'Sum', d));
    out.push(req('AWS/Lambda', 'ConcurrentExecutions', 'Maximum', d), req('AWS/Lambda', 'AsyncEventAge', 'Maximum', d), req('AWS/Lambda', 'Duration', 'p99', d, 'totals'), req('AWS/Lambda', 'Duration', 'Average', d, 'totals'));
  }
  for (const m of p.mappings) {
    const d = { EventSourceMappingUUID: m.uuid };
    for (const metric of MAPPING_COUNTS) out.push(req('AWS/Lambda', metric, 'Sum', d));
    out.push(req(MAPPING_CONCURRENCY.namespace, MAPPING_CONCURRENCY.metric, 'Maximum', { EventSourceMappingUUID: m.uuid, FunctionName: m.functionName }));
  }
  return out;
}

/** An API's AWS/ApiGateway stage dimensions: an HTTP API's ApiId and Stage, a REST API's ApiName and Stage. */
export function apiDimensions(a: { apiType: 'http' | 'rest'; apiId: string; name: string; stage: string }): Record<string, string> {
  return a.apiType === 'http' ? { ApiId: a.apiId, Stage: a.stage } : { ApiName: a.name, Stage: a.stage };
}

/** A rule's AWS/Events dimensions: RuleName on the default bus, EventBusName and RuleName on a bus of its own. */
export function ruleDimensions(r: { name: string; bus?: string }): Record<string, string> {
  return r.bus && r.bus !== 'default' ? { EventBusName: r.bus, RuleName: r.name } : { RuleName: r.name };
}
