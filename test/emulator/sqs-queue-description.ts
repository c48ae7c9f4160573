import { QUEUE_DEFAULTS } from '../../emulator/sqs/queue-attributes.ts';
import type { QueueDescription } from '../../emulator/stack-model/stack-description.ts';

export const SQS_TEST_ACCOUNT = '123456789012';

/** A test queue's ARN in us-east-1 of the tests' account. */
export const sqsArn = (name: string): string => `arn:aws:sqs:us-east-1:${SQS_TEST_ACCOUNT}:${name}`;

/**
 * A queue as the stack model describes one (QueueDescription), with the attributes SQS gives a
 * queue created without any (QUEUE_DEFAULTS, CreateQueue's): FIFO by its `.fifo` name. The SQS tests'
 * queues, their differences given in `extra`.
 */
export function queueDescription(name: string, extra: Partial<QueueDescription> = {}): QueueDescription {
  return {
    logicalId: name,
    name,
    arn: sqsArn(name),
    fifo: name.endsWith('.fifo'),
    contentBasedDeduplication: false,
    ...QUEUE_DEFAULTS,
    ...extra,
  };
}
