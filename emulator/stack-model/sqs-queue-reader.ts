import { z } from 'zod';
import { parsePolicyDocument } from '../../common/iam/policy-document.ts';
import { cfnBoolean, cfnInteger, cfnJsonObject, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import { QUEUE_DEFAULTS, type QueueDescription } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * AWS::SQS::Queue as SQS creates it: QueueName (or the name CloudFormation generates, `.fifo`
 * kept on a FIFO queue: physical-ids.ts), FifoQueue, ContentBasedDeduplication, the timeouts and
 * sizes with SQS's defaults and ranges, RedrivePolicy (its dead-letter queue by ARN, a reference
 * resolved). FIFO high throughput (DeduplicationScope/FifoThroughputLimit) is read and flagged: the
 * queue runs as a plain FIFO queue (not-emulated-paths.ts says so). AWS::SQS::QueuePolicy is read
 * into each queue its `Queues` names (by URL), its document parsed as a resource-based policy: what
 * SNS and EventBridge need of it to send is decided in emulator/iam/delivery-permission.ts.
 */
const QUEUE_TYPE = 'AWS::SQS::Queue';
const QUEUE_POLICY_TYPE = 'AWS::SQS::QueuePolicy';

const redriveSchema = z
  .object({ deadLetterTargetArn: z.string().regex(/^arn:[^:]+:sqs:/, 'must be an SQS queue ARN'), maxReceiveCount: cfnInteger.pipe(z.number().min(1).max(1000)) })
  .loose();

const queueSchema = z
  .object({
    QueueName: z.string().regex(/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/, 'must be 1-80 letters, digits, - or _ (and .fifo for a FIFO queue)').optional(),
    FifoQueue: cfnBoolean.optional(),
    ContentBasedDeduplication: cfnBoolean.optional(),
    DeduplicationScope: z.enum(['messageGroup', 'queue']).optional(),
    FifoThroughputLimit: z.enum(['perQueue', 'perMessageGroupId']).optional(),
    VisibilityTimeout: cfnInteger.pipe(z.number().min(0).max(43_200)).optional(),
    DelaySeconds: cfnInteger.pipe(z.number().min(0).max(900)).optional(),
    MessageRetentionPeriod: cfnInteger.pipe(z.number().min(60).max(1_209_600)).optional(),
    MaximumMessageSize: cfnInteger.pipe(z.number().min(1_024).max(1_048_576)).optional(),
    ReceiveMessageWaitTimeSeconds: cfnInteger.pipe(z.number().min(0).max(20)).optional(),
    RedrivePolicy: cfnJsonObject.pipe(redriveSchema).optional(),
  })
  .loose();

export function readSqsQueue(t: StackTemplate, logicalId: string): QueueDescription {
  const p = parseProperties(t.file, logicalId, queueSchema, t.properties(logicalId));
  const at = (...path: string[]) => ['Resources', logicalId, 'Properties', ...path];
  const fifo = p.FifoQueue ?? false;
  const name = t.name(logicalId);
  if (fifo !== name.endsWith('.fifo')) {
    throw templateError(t.file, at('QueueName'), fifo ? `${name}: a FIFO queue's name ends in .fifo` : `${name}: a name ending in .fifo needs FifoQueue: true`);
  }
  for (const key of ['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'] as const) {
    if (!fifo && p[key] !== undefined && p[key] !== false) throw templateError(t.file, at(key), 'applies to a FIFO queue only (FifoQueue: true)');
  }
  return {
    logicalId,
    name,
    arn: String(t.attribute(logicalId, 'Arn')),
    fifo,
    contentBasedDeduplication: p.ContentBasedDeduplication ?? false,
    visibilityTimeoutSeconds: p.VisibilityTimeout ?? QUEUE_DEFAULTS.visibilityTimeoutSeconds,
    delaySeconds: p.DelaySeconds ?? QUEUE_DEFAULTS.delaySeconds,
    messageRetentionSeconds: p.MessageRetentionPeriod ?? QUEUE_DEFAULTS.messageRetentionSeconds,
    maximumMessageSize: p.MaximumMessageSize ?? QUEUE_DEFAULTS.maximumMessageSize,
    receiveMessageWaitTimeSeconds: p.ReceiveMessageWaitTimeSeconds ?? QUEUE_DEFAULTS.receiveMessageWaitTimeSeconds,
    ...(p.RedrivePolicy ? { redrive: { deadLetterTargetArn: p.RedrivePolicy.deadLetterTargetArn, maxReceiveCount: p.RedrivePolicy.maxReceiveCount } } : {}),
    ...(p.DeduplicationScope === 'messageGroup' || p.FifoThroughputLimit === 'perMessageGroupId' ? { highThroughput: true } : {}),
  };
}

/** The stack's queues; a dead-letter queue of the stack must be of the queue's kind (SQS refuses a FIFO queue's standard DLQ and the reverse). */
export function readSqsQueues(t: StackTemplate): QueueDescription[] {
  const queues = t.ofType(QUEUE_TYPE).map((id) => readSqsQueue(t, id));
  for (const q of queues) {
    if (!q.redrive) continue;
    const dlq = queues.find((d) => d.arn === q.redrive!.deadLetterTargetArn);
    if (dlq && dlq.fifo !== q.fifo) {
      throw templateError(t.file, ['Resources', q.logicalId, 'Properties', 'RedrivePolicy', 'deadLetterTargetArn'], `${dlq.logicalId} is ${dlq.fifo ? 'a FIFO' : 'a standard'} queue: a ${q.fifo ? 'FIFO' : 'standard'} queue's dead-letter queue must be ${q.fifo ? 'FIFO' : 'standard'} too`);
    }
  }
  return queues;
}

const queuePolicySchema = z.object({ Queues: z.array(z.string()).min(1), PolicyDocument: z.record(z.string(), z.unknown()) }).loose();

/**
 * The queue policies, each one's statements given to the queues its `Queues` names (their URLs, as
 * `Ref` gives them); logical ids read. Two policies on one queue: each sets the queue's whole
 * `Policy` on AWS, the last applied winning; here their statements are joined (the order
 * CloudFormation applies them in is not the template's to say), and queuePolicyWarnings says so.
 */
export function readQueuePolicies(t: StackTemplate, queues: readonly QueueDescription[]): string[] {
  return t.ofType(QUEUE_POLICY_TYPE).map((id) => {
    const p = parseProperties(t.file, id, queuePolicySchema, t.properties(id));
    const at = ['Resources', id, 'Properties', 'PolicyDocument'];
    const statements = parsePolicyDocument(p.PolicyDocument, `queue policy ${id}`, (path, message) => {
      throw templateError(t.file, [...at, ...path], message);
    }, 'resource');
    for (const url of p.Queues) {
      const queue = queues.find((q) => t.ref(q.logicalId) === url);
      if (!queue) continue;
      queue.policy = [...(queue.policy ?? []), ...statements];
      queue.policyResources = [...(queue.policyResources ?? []), id];
    }
    return id;
  });
}

/**
 * A line for each queue that two or more AWS::SQS::QueuePolicy resources name: SQS keeps one
 * policy per queue, so on AWS the one CloudFormation applies last replaces the others (SAM's
 * SqsSubscription policy replacing a queue's own is the known case), while here their statements
 * are joined: a delivery only one of them allows passes here and may fail there.
 */
export function queuePolicyWarnings(queues: readonly QueueDescription[]): string[] {
  return queues
    .filter((q) => (q.policyResources?.length ?? 0) > 1)
    .map(
      (q) =>
        `queue ${q.logicalId} is named by ${q.policyResources!.length} AWS::SQS::QueuePolicy resources (${q.policyResources!.join(', ')}): SQS keeps one policy per queue, so on AWS the one applied last replaces the others (CloudFormation does not say which), while here their statements are joined; put them in one QueuePolicy`,
    );
}
