import { lambdaNameOf, lambdaQualifierOf } from './physical-ids.ts';
import { z } from 'zod';
import { cfnBoolean, cfnInteger, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { EventSourceMappingDescription, QueueDescription, TableDescription } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * AWS::Lambda::EventSourceMapping from an SQS queue or a DynamoDB table's stream of the stack to a
 * function of the stack, with Lambda's defaults and its ranges: a value Lambda's
 * CreateEventSourceMapping would refuse is refused here, naming the resource and the property.
 * - SQS: BatchSize 1–10,000 (default 10), at most 10 from a FIFO queue, above 10 from a standard
 *   queue only with MaximumBatchingWindowInSeconds ≥ 1; the window 0–300 s, none on FIFO;
 *   ScalingConfig.MaximumConcurrency 2–1,000; no stream settings.
 * - DynamoDB streams: StartingPosition TRIM_HORIZON or LATEST (required), BatchSize 1–10,000
 *   (default 100), the window 0–300 s, ParallelizationFactor 1–10, MaximumRetryAttempts -1 or
 *   0–10,000, MaximumRecordAgeInSeconds -1 or 60–604,800, BisectBatchOnFunctionError,
 *   DestinationConfig.OnFailure (an SQS queue or SNS topic).
 * Both: Enabled, FunctionResponseTypes [ReportBatchItemFailures], FilterCriteria (each Pattern JSON).
 * A mapping from Kinesis, MSK, Amazon MQ, DocumentDB or self-managed Kafka, or from a queue or
 * table outside the stack, is not read: it is listed as not emulated, and not-emulated-paths.ts
 * names its path.
 */
const TYPE = 'AWS::Lambda::EventSourceMapping';

const mappingSchema = z
  .object({
    FunctionName: z.string().min(1),
    EventSourceArn: z.string().optional(),
    BatchSize: cfnInteger.pipe(z.number().min(1).max(10_000)).optional(),
    MaximumBatchingWindowInSeconds: cfnInteger.pipe(z.number().min(0).max(300)).optional(),
    Enabled: cfnBoolean.optional(),
    FunctionResponseTypes: z.array(z.literal('ReportBatchItemFailures')).max(1).optional(),
    FilterCriteria: z.object({ Filters: z.array(z.object({ Pattern: z.string().max(4096) }).loose()).max(10).optional() }).loose().optional(),
    ScalingConfig: z.object({ MaximumConcurrency: cfnInteger.pipe(z.number().min(2).max(1_000)).optional() }).loose().optional(),
    StartingPosition: z.enum(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']).optional(),
    ParallelizationFactor: cfnInteger.pipe(z.number().min(1).max(10)).optional(),
    BisectBatchOnFunctionError: cfnBoolean.optional(),
    MaximumRetryAttempts: cfnInteger.pipe(z.number().min(-1).max(10_000)).optional(),
    MaximumRecordAgeInSeconds: cfnInteger.pipe(z.number().min(-1).max(604_800)).optional(),
    DestinationConfig: z.object({ OnFailure: z.object({ Destination: z.string().optional() }).loose().optional() }).loose().optional(),
    TumblingWindowInSeconds: cfnInteger.pipe(z.number().min(0).max(900)).optional(),
  })
  .loose();

/** Where a mapping's records come from, by its EventSourceArn (or the properties naming a Kafka cluster). */
export function eventSourceKind(eventSourceArn: unknown, properties: Record<string, unknown> = {}): 'sqs' | 'dynamodb-stream' | { notEmulated: string } {
  const arn = typeof eventSourceArn === 'string' ? eventSourceArn : '';
  if (/^arn:[^:]+:sqs:/.test(arn)) return 'sqs';
  if (/^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+\/stream\//.test(arn)) return 'dynamodb-stream';
  const service = arn.split(':')[2];
  if (service === 'kinesis') return { notEmulated: 'Kinesis stream' };
  if (service === 'kafka') return { notEmulated: 'Kafka cluster' };
  if (service === 'mq') return { notEmulated: 'Amazon MQ broker' };
  if (service === 'rds') return { notEmulated: 'DocumentDB change stream' };
  if (properties.SelfManagedEventSource !== undefined) return { notEmulated: 'Kafka cluster' };
  return { notEmulated: 'event source' };
}

export interface MappingsRead {
  mappings: EventSourceMappingDescription[];
  /** their functions' logical ids: they run here */
  functionIds: Set<string>;
  read: string[];
}

export function readEventSourceMappings(t: StackTemplate, functionIdsByName: ReadonlyMap<string, string>, queues: QueueDescription[], tables: TableDescription[]): MappingsRead {
  const out: MappingsRead = { mappings: [], functionIds: new Set(), read: [] };
  for (const id of t.ofType(TYPE)) {
    const source = t.property(id, 'EventSourceArn');
    const kind = eventSourceKind(source, t.resources[id]?.Properties ?? {});
    if (typeof kind !== 'string') continue;
    const queue = kind === 'sqs' ? queues.find((q) => q.arn === source) : undefined;
    const table = kind === 'dynamodb-stream' ? tables.find((tb) => tb.stream?.arn === source) : undefined;
    if (kind === 'dynamodb-stream' && !table) {
      const streamless = tables.find((tb) => String(source).includes(`:table/${tb.definition.TableName}/stream/`));
      if (streamless) throw templateError(t.file, ['Resources', id, 'Properties', 'EventSourceArn'], `table ${streamless.logicalId} has no stream (StreamSpecification)`);
    }
    // a queue or stream of another stack: nothing here feeds it
    if (!queue && !table) continue;
    const p = parseProperties(t.file, id, mappingSchema, t.properties(id));
    const functionId = functionIdsByName.get(lambdaNameOf(p.FunctionName));
    if (functionId === undefined) throw templateError(t.file, ['Resources', id, 'Properties', 'FunctionName'], `${p.FunctionName} is not a function of this stack: the emulator runs the stack's own functions`);
    const functionName = t.name(functionId);
    // an alias or version named stays named: the mapping invokes it
    const qualifier = lambdaQualifierOf(p.FunctionName);
    const mapping = queue ? sqsMapping(t, id, functionName, p, queue) : streamMapping(t, id, functionName, p);
    out.mappings.push(qualifier === undefined ? mapping : { ...mapping, qualifier });
    out.functionIds.add(functionId);
    out.read.push(id);
  }
  return out;
}


type MappingProperties = z.infer<typeof mappingSchema>;

function common(id: string, functionName: string, p: MappingProperties, at: (key: string) => (string | number)[], file: string) {
  const filters = (p.FilterCriteria?.Filters ?? []).map((f, i) => {
    try {
      const v: unknown = JSON.parse(f.Pattern);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw templateError(file, [...at('FilterCriteria'), 'Filters', i, 'Pattern'], 'must be a JSON object (an event pattern)');
  });
  return {
    logicalId: id,
    functionName,
    enabled: p.Enabled ?? true,
    reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    ...(filters.length ? { filters } : {}),
  };
}

function sqsMapping(t: StackTemplate, id: string, functionName: string, p: MappingProperties, queue: QueueDescription): EventSourceMappingDescription {
  const at = (key: string) => ['Resources', id, 'Properties', key];
  for (const key of ['StartingPosition', 'ParallelizationFactor', 'BisectBatchOnFunctionError', 'MaximumRetryAttempts', 'MaximumRecordAgeInSeconds', 'DestinationConfig', 'TumblingWindowInSeconds'] as const) {
    if (p[key] !== undefined) throw templateError(t.file, at(key), 'not for an SQS queue (a stream setting): Lambda refuses it');
  }
  const batchSize = p.BatchSize ?? 10;
  const window = p.MaximumBatchingWindowInSeconds ?? 0;
  if (queue.fifo && batchSize > 10) throw templateError(t.file, at('BatchSize'), `${batchSize}: at most 10 from a FIFO queue (${queue.logicalId})`);
  if (queue.fifo && window > 0) throw templateError(t.file, at('MaximumBatchingWindowInSeconds'), `${window}: a FIFO queue (${queue.logicalId}) takes no batching window`);
  if (!queue.fifo && batchSize > 10 && window < 1) throw templateError(t.file, at('MaximumBatchingWindowInSeconds'), `${window}: a BatchSize above 10 (${batchSize}) needs a batching window of at least 1 s`);
  return {
    ...common(id, functionName, p, at, t.file),
    kind: 'sqs',
    sourceArn: queue.arn,
    batchSize,
    maximumBatchingWindowSeconds: window,
    ...(p.ScalingConfig?.MaximumConcurrency !== undefined ? { maximumConcurrency: p.ScalingConfig.MaximumConcurrency } : {}),
  };
}

function streamMapping(t: StackTemplate, id: string, functionName: string, p: MappingProperties): EventSourceMappingDescription {
  const at = (key: string) => ['Resources', id, 'Properties', key];
  if (p.ScalingConfig !== undefined) throw templateError(t.file, at('ScalingConfig'), 'for an SQS queue only: Lambda refuses it on a stream');
  if (p.StartingPosition === undefined) throw templateError(t.file, at('StartingPosition'), 'missing: a stream mapping starts at TRIM_HORIZON or LATEST');
  if (p.StartingPosition === 'AT_TIMESTAMP') throw templateError(t.file, at('StartingPosition'), 'AT_TIMESTAMP is for Kinesis: a DynamoDB stream starts at TRIM_HORIZON or LATEST');
  if (p.TumblingWindowInSeconds !== undefined && p.TumblingWindowInSeconds > 0) throw templateError(t.file, at('TumblingWindowInSeconds'), 'tumbling windows (stateful aggregation) are not emulated');
  if (p.MaximumRetryAttempts !== undefined && p.MaximumRetryAttempts < -1) throw templateError(t.file, at('MaximumRetryAttempts'), `${p.MaximumRetryAttempts}: -1 (infinite) or 0 to 10,000`);
  const age = p.MaximumRecordAgeInSeconds;
  if (age !== undefined && age !== -1 && age < 60) throw templateError(t.file, at('MaximumRecordAgeInSeconds'), `${age}: -1 (infinite) or 60 to 604,800`);
  const onFailure = p.DestinationConfig?.OnFailure?.Destination;
  if (onFailure !== undefined && !/^arn:[^:]+:(sqs|sns):/.test(onFailure)) throw templateError(t.file, [...at('DestinationConfig'), 'OnFailure', 'Destination'], `${onFailure}: an SQS queue's or SNS topic's ARN`);
  return {
    ...common(id, functionName, p, at, t.file),
    kind: 'dynamodb-stream',
    sourceArn: String(p.EventSourceArn),
    batchSize: p.BatchSize ?? 100,
    maximumBatchingWindowSeconds: p.MaximumBatchingWindowInSeconds ?? 0,
    startingPosition: p.StartingPosition,
    parallelizationFactor: p.ParallelizationFactor ?? 1,
    bisectBatchOnFunctionError: p.BisectBatchOnFunctionError ?? false,
    maximumRetryAttempts: p.MaximumRetryAttempts ?? -1,
    maximumRecordAgeSeconds: age ?? -1,
    ...(onFailure !== undefined ? { onFailure } : {}),
  };
}
