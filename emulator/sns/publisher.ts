import { createHash, randomUUID } from 'node:crypto';
import type { MetricSink } from '../cloudwatch/types.ts';
import { QueryApiError } from '../query-api.ts';
import { stampReach } from '../probe-reach.ts';
import { reachHop } from '../../common/probe-reach-metric.ts';
import type { MessageAttribute } from '../service-targets.ts';
import type { NotificationDelivery } from './notification-delivery.ts';
import type { PublishedMessage } from './notification.ts';
import type { SnsTopics, Topic } from './topics.ts';

/** One message to publish, as Publish and each PublishBatch entry give it. */
export interface PublishInput {
  topicArn: string;
  message: string | undefined;
  subject?: string | undefined;
  attributes: Record<string, MessageAttribute>;
  /** MessageStructure: `json` for per-protocol messages */
  structure?: string | undefined;
  groupId?: string | undefined;
  deduplicationId?: string | undefined;
}

export interface PublishAnswer {
  messageId: string;
  /** FIFO topics */
  sequenceNumber?: string;
}

/** SNS's maximum message: 256 KB, the message and its attributes' names, types and values together. */
export const MAX_MESSAGE_BYTES = 262_144;
/** FIFO topics drop a deduplication id seen within the last 5 minutes. */
const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;

/**
 * Publish as SNS accepts it: the checks and their errors in SNS's codes and words, a FIFO topic's
 * group id, deduplication (an id or the body's SHA-256 with ContentBasedDeduplication; a duplicate
 * within 5 minutes answers the first publish's ids and is not delivered again) and sequence
 * numbers, AWS/SNS NumberOfMessagesPublished and PublishSize; the deliveries start after it
 * answers.
 */
export class Publisher {
  constructor(
    private readonly topics: SnsTopics,
    private readonly delivery: NotificationDelivery,
    private readonly metrics: MetricSink,
    private readonly now: () => number = Date.now,
  ) {}

  topicOrThrow(arn: string): Topic {
    const topic = this.topics.get(arn);
    if (!topic) throw new QueryApiError('NotFound', 'Topic does not exist', 404);
    return topic;
  }

  /** Checks one message; the topic and its size in bytes (message and attributes). Throws QueryApiError. */
  check(input: PublishInput): { topic: Topic; size: number; perProtocol?: Record<string, string> } {
    const topic = this.topicOrThrow(input.topicArn);
    if (input.message === undefined || input.message === '') throw invalid('Empty message');
    if (input.subject !== undefined && (input.subject === '' || input.subject.length > 100 || !/^[\x20-\x7e]*$/.test(input.subject))) throw invalid('Subject');
    let perProtocol: Record<string, string> | undefined;
    if (input.structure !== undefined) {
      if (input.structure !== 'json') throw invalid(`MessageStructure: ${input.structure} (only json)`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(input.message);
      } catch {
        throw invalid('Message Structure - JSON message body failed to parse');
      }
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as Record<string, unknown>).default !== 'string') throw invalid('Message Structure - No default entry in JSON message body');
      perProtocol = Object.fromEntries(Object.entries(parsed as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    }
    let size = Buffer.byteLength(input.message);
    for (const [name, attr] of Object.entries(input.attributes)) {
      checkAttribute(name, attr);
      size += Buffer.byteLength(name) + Buffer.byteLength(attr.dataType) + Buffer.byteLength(attr.stringValue ?? attr.binaryValue ?? '');
    }
    if (size > MAX_MESSAGE_BYTES) throw invalid('Message too long');
    if (topic.fifo) {
      if (!input.groupId) throw invalid('The MessageGroupId parameter is required for FIFO topics');
      if (!input.deduplicationId && !topic.contentBasedDeduplication) throw invalid('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    } else if (input.deduplicationId !== undefined) {
      throw invalid('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
    }
    return { topic, size, ...(perProtocol ? { perProtocol } : {}) };
  }

  /** Publishes a message `check` accepted; its deliveries start after this returns. */
  accept(input: PublishInput, checked: { topic: Topic; size: number; perProtocol?: Record<string, string> }): PublishAnswer {
    const { topic, size } = checked;
    const now = this.now();
    const put = (name: string, value: number, unit: string) => this.metrics.put({ namespace: 'AWS/SNS', name, dimensions: { TopicName: topic.name }, value, unit, timestamp: now });
    put('NumberOfMessagesPublished', 1, 'Count');
    put('PublishSize', size, 'Bytes');
    stampReach(this.metrics, reachHop.sns(topic.name), input.message!, now);
    const msg: PublishedMessage = {
      messageId: randomUUID(),
      topicArn: topic.arn,
      message: input.message!,
      ...(checked.perProtocol ? { perProtocol: checked.perProtocol } : {}),
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      attributes: input.attributes,
      timestamp: new Date(now).toISOString(),
    };
    if (topic.fifo) {
      const deduplicationId = input.deduplicationId || createHash('sha256').update(input.message!).digest('hex');
      for (const [id, seen] of topic.deduplication) if (now - seen.at >= DEDUPLICATION_WINDOW_MS) topic.deduplication.delete(id);
      const seen = topic.deduplication.get(deduplicationId);
      if (seen) return { messageId: seen.messageId, sequenceNumber: seen.sequenceNumber };
      topic.sequence += 1n;
      msg.groupId = input.groupId!;
      msg.deduplicationId = deduplicationId;
      msg.sequenceNumber = topic.sequence.toString();
      topic.deduplication.set(deduplicationId, { messageId: msg.messageId, sequenceNumber: msg.sequenceNumber, at: now });
    }
    this.delivery.fanOut(topic, msg);
    return { messageId: msg.messageId, ...(msg.sequenceNumber !== undefined ? { sequenceNumber: msg.sequenceNumber } : {}) };
  }

  publish(input: PublishInput): PublishAnswer {
    return this.accept(input, this.check(input));
  }
}

const invalid = (what: string) => new QueryApiError('InvalidParameter', `Invalid parameter: ${what}`);

function checkAttribute(name: string, attr: MessageAttribute): void {
  const bad = (why: string) => new QueryApiError('ParameterValueInvalid', why);
  const type = attr.dataType.split('.')[0];
  if (!['String', 'Number', 'Binary'].includes(type ?? '')) throw bad(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
  const value = type === 'Binary' ? attr.binaryValue : attr.stringValue;
  if (value === undefined || value === '') throw bad(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
  if (type === 'Number' && !Number.isFinite(Number(value))) throw bad(`Could not cast message attribute '${name}' value to number.`);
  if (attr.dataType === 'String.Array') {
    let list: unknown;
    try {
      list = JSON.parse(value);
    } catch {
      list = undefined;
    }
    if (!Array.isArray(list)) throw bad(`The message attribute '${name}' with type 'String.Array' must be a JSON array.`);
  }
}
