import type { QueueSettings, SqsQueue } from './sqs-queue.ts';
import { SqsError } from './sqs-errors.ts';

/**
 * A queue's attributes as GetQueueAttributes answers them and CreateQueue/SetQueueAttributes take
 * them (strings, SQS's names and ranges). Attributes SQS stores but the emulator does not act on
 * (Policy, RedriveAllowPolicy, KMS and SSE settings, FIFO high throughput) are kept and answered.
 */

/** What a queue created without attributes has, as SQS gives it (CreateQueue's defaults): the stack model's, one table for both. */
export { QUEUE_DEFAULTS } from '../stack-model/stack-description.ts';

const STORED = ['Policy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds', 'SqsManagedSseEnabled', 'DeduplicationScope', 'FifoThroughputLimit'];
const RANGES: Record<string, [number, number]> = {
  VisibilityTimeout: [0, 43_200],
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
};
const READABLE = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'VisibilityTimeout',
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  ...STORED,
];

/** GetQueueAttributes: `All` or the names asked for (InvalidAttributeName for a name SQS does not know). */
export function queueAttributes(queue: SqsQueue, names: readonly string[]): Record<string, string> {
  for (const n of names) if (n !== 'All' && !READABLE.includes(n)) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
  const s = queue.settings;
  const depth = names.some((n) => n === 'All' || n.startsWith('Approximate')) ? queue.depth() : { visible: 0, inFlight: 0, delayed: 0 };
  const all: Record<string, string | undefined> = {
    QueueArn: s.arn,
    ApproximateNumberOfMessages: String(depth.visible),
    ApproximateNumberOfMessagesNotVisible: String(depth.inFlight),
    ApproximateNumberOfMessagesDelayed: String(depth.delayed),
    CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(queue.lastModifiedAt / 1000)),
    VisibilityTimeout: String(s.visibilityTimeoutSeconds),
    MaximumMessageSize: String(s.maximumMessageSize),
    MessageRetentionPeriod: String(s.messageRetentionSeconds),
    DelaySeconds: String(s.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(s.receiveMessageWaitTimeSeconds),
    RedrivePolicy: s.redrive ? JSON.stringify({ deadLetterTargetArn: s.redrive.deadLetterTargetArn, maxReceiveCount: s.redrive.maxReceiveCount }) : undefined,
    SqsManagedSseEnabled: 'true',
    ...(s.fifo ? { FifoQueue: 'true', ContentBasedDeduplication: String(s.contentBasedDeduplication), DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' } : {}),
    ...s.extra,
  };
  const every = names.includes('All');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) if (value !== undefined && (every || names.includes(name))) out[name] = value;
  return out;
}

/**
 * Applies CreateQueue's or SetQueueAttributes' attributes to `settings` (a copy the caller keeps
 * only when this returns). FifoQueue only at creation; ContentBasedDeduplication only on FIFO.
 */
export function applyQueueAttributes(settings: QueueSettings, attributes: Record<string, string>, creating: boolean): void {
  for (const [name, raw] of Object.entries(attributes)) {
    const value = String(raw);
    const invalid = () => new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
    const range = RANGES[name];
    if (range) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < range[0] || n > range[1]) throw invalid();
      if (name === 'VisibilityTimeout') settings.visibilityTimeoutSeconds = n;
      else if (name === 'DelaySeconds') settings.delaySeconds = n;
      else if (name === 'MaximumMessageSize') settings.maximumMessageSize = n;
      else if (name === 'MessageRetentionPeriod') settings.messageRetentionSeconds = n;
      else settings.receiveMessageWaitTimeSeconds = n;
    } else if (name === 'RedrivePolicy') {
      settings.redrive = value === '' ? undefined : redrivePolicy(value, invalid);
    } else if (name === 'FifoQueue') {
      if (!creating) throw new SqsError('InvalidAttributeName', 'Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.');
      if (value !== 'true' && value !== 'false') throw invalid();
      settings.fifo = value === 'true';
    } else if (name === 'ContentBasedDeduplication') {
      if (value !== 'true' && value !== 'false') throw invalid();
      settings.contentBasedDeduplication = value === 'true';
    } else if (STORED.includes(name)) {
      settings.extra[name] = value;
    } else {
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  if (!settings.fifo && attributes['ContentBasedDeduplication'] !== undefined) {
    throw new SqsError('InvalidAttributeName', 'Unknown Attribute ContentBasedDeduplication.');
  }
}

function redrivePolicy(value: string, invalid: () => SqsError): QueueSettings['redrive'] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalid();
  }
  const p = parsed as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  const max = Number(p?.maxReceiveCount);
  if (typeof p?.deadLetterTargetArn !== 'string' || !Number.isInteger(max) || max < 1 || max > 1000) {
    throw new SqsError('InvalidParameterValue', `Value ${value} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map or contains invalid values.`);
  }
  return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: max };
}
