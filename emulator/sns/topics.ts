import { randomUUID } from 'node:crypto';
import { UserError } from '../../common/errors.ts';
import type { TopicDescription } from '../stack-model/stack-description.ts';
import { filterPolicyProblem, type FilterScope } from './filter-policy.ts';

/** A subscription as SNS keeps it. */
export interface Subscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  filterPolicy?: Record<string, unknown>;
  filterPolicyScope: FilterScope;
  rawMessageDelivery: boolean;
  /** RedrivePolicy.deadLetterTargetArn */
  deadLetterArn?: string;
}

/** A topic as SNS keeps it. */
export interface Topic {
  name: string;
  arn: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  /** the settable attributes CreateTopic/SetTopicAttributes took (DisplayName, Policy, …) */
  attributes: Map<string, string>;
  subscriptions: Subscription[];
  /** FIFO: deduplication id → the first publish's answer and when (the 5-minute window) */
  deduplication: Map<string, { messageId: string; sequenceNumber: string; at: number }>;
  /** FIFO: the last sequence number given */
  sequence: bigint;
}

/** The protocols this emulator delivers; the others are kept and counted as not delivered. */
export const DELIVERED_PROTOCOLS: ReadonlySet<string> = new Set(['lambda', 'sqs']);

/**
 * The account's topics in this region: the stack's, and those CreateTopic adds. A stack
 * subscription whose filter policy SNS would refuse is a UserError naming it (CloudFormation would
 * fail the deploy).
 */
export class SnsTopics {
  private readonly topics = new Map<string, Topic>();

  constructor(
    readonly region: string,
    readonly accountId: string,
    described: readonly TopicDescription[] = [],
  ) {
    for (const d of described) {
      const topic = this.create(d.name, d.fifo, d.contentBasedDeduplication, new Map(), d.arn);
      for (const s of d.subscriptions) {
        const problem = s.filterPolicy ? filterPolicyProblem(s.filterPolicy, s.filterPolicyScope) : undefined;
        if (problem) throw new UserError(`SNS subscription ${s.logicalId} (topic ${d.name}): FilterPolicy is not valid: ${problem}`);
        this.subscribe(topic, s.protocol, s.endpoint, {
          ...(s.filterPolicy ? { filterPolicy: s.filterPolicy } : {}),
          filterPolicyScope: s.filterPolicyScope,
          rawMessageDelivery: s.rawMessageDelivery,
          ...(s.deadLetterArn ? { deadLetterArn: s.deadLetterArn } : {}),
        });
      }
    }
  }

  arnFor(name: string): string {
    return `arn:aws:sns:${this.region}:${this.accountId}:${name}`;
  }

  get(arn: string): Topic | undefined {
    return this.topics.get(arn);
  }

  all(): Topic[] {
    return [...this.topics.values()];
  }

  create(name: string, fifo: boolean, contentBasedDeduplication: boolean, attributes: Map<string, string>, arn = this.arnFor(name)): Topic {
    const existing = this.topics.get(arn);
    if (existing) return existing;
    const topic: Topic = { name, arn, fifo, contentBasedDeduplication, attributes, subscriptions: [], deduplication: new Map(), sequence: 10_000_000_000_000_000_000n };
    this.topics.set(arn, topic);
    return topic;
  }

  delete(arn: string): void {
    this.topics.delete(arn);
  }

  /** Subscribes (the same protocol and endpoint again answer the subscription there is). */
  subscribe(topic: Topic, protocol: string, endpoint: string, settings: Omit<Subscription, 'arn' | 'topicArn' | 'protocol' | 'endpoint'>): Subscription {
    const existing = topic.subscriptions.find((s) => s.protocol === protocol && s.endpoint === endpoint);
    if (existing) return existing;
    const subscription: Subscription = { arn: `${topic.arn}:${randomUUID()}`, topicArn: topic.arn, protocol, endpoint, ...settings };
    topic.subscriptions.push(subscription);
    return subscription;
  }

  subscription(arn: string): Subscription | undefined {
    return this.topics.get(topicArnOf(arn))?.subscriptions.find((s) => s.arn === arn);
  }

  unsubscribe(arn: string): boolean {
    const topic = this.topics.get(topicArnOf(arn));
    const at = topic?.subscriptions.findIndex((s) => s.arn === arn) ?? -1;
    if (!topic || at < 0) return false;
    topic.subscriptions.splice(at, 1);
    return true;
  }
}

/** A subscription ARN is its topic's ARN and an id: `arn:aws:sns:<region>:<account>:<topic>:<id>`. */
export const topicArnOf = (subscriptionArn: string): string => subscriptionArn.slice(0, Math.max(0, subscriptionArn.lastIndexOf(':')));
