import type { MetricSink } from '../cloudwatch/types.ts';
import type { MessageAttribute, ServiceTargets, TargetMessage } from '../service-targets.ts';
import { applyFilterPolicy } from './filter-policy.ts';
import { lambdaEvent, messageFor, sqsEnvelope, type PublishedMessage } from './notification.ts';
import { DELIVERED_PROTOCOLS, type Subscription, type Topic } from './topics.ts';

/** What a topic's subscriptions received, by protocol (the cost model's deliveries) and why not. */
export interface DeliveryCounts {
  delivered: Record<string, number>;
  failed: Record<string, number>;
  /** subscriptions of a protocol the emulator does not deliver (email, http/s, sms, …) */
  notDelivered: Record<string, number>;
  filteredOut: number;
  redrivenToDlq: number;
}

/**
 * A published message reaching its topic's subscriptions, as SNS does it after Publish has
 * answered: each subscription's filter policy first (AWS/SNS NumberOfNotificationsFilteredOut and
 * its -MessageAttributes/-MessageBody/-NoMessageAttributes/-InvalidAttributes/-InvalidMessageBody
 * variant), then Lambda (the SNS event, Lambda's asynchronous invocation behind ServiceTargets) or
 * SQS (the JSON envelope, or with RawMessageDelivery the message and its attributes; FIFO keeps the
 * group and deduplication ids). A FIFO topic delivers each subscription's messages one after
 * another, in publish order. A refused delivery (ServiceTargets' refusals are not ones SNS
 * retries) is NumberOfNotificationsFailed and goes to the subscription's dead-letter queue when it
 * has one, with SNS's attributes (ErrorCode, ErrorMessage, RequestID).
 */
export class NotificationDelivery {
  readonly counts: DeliveryCounts = { delivered: {}, failed: {}, notDelivered: {}, filteredOut: 0, redrivenToDlq: 0 };
  private readonly inFlight = new Set<Promise<void>>();
  /** FIFO: each subscription's last delivery, the next one chained after it */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly targets: ServiceTargets,
    private readonly metrics: MetricSink,
    private readonly region: string,
    private readonly now: () => number = Date.now,
  ) {}

  fanOut(topic: Topic, msg: PublishedMessage): void {
    for (const subscription of [...topic.subscriptions]) {
      if (subscription.filterPolicy) {
        const outcome = applyFilterPolicy(subscription.filterPolicy, subscription.filterPolicyScope, { body: messageFor(msg, subscription.protocol), attributes: msg.attributes });
        if (outcome !== 'matched') {
          this.counts.filteredOut++;
          this.put(topic, 'NumberOfNotificationsFilteredOut');
          this.put(topic, `NumberOfNotificationsFilteredOut-${outcome}`);
          continue;
        }
      }
      if (!DELIVERED_PROTOCOLS.has(subscription.protocol)) {
        bump(this.counts.notDelivered, subscription.protocol);
        continue;
      }
      if (topic.fifo) {
        const previous = this.chains.get(subscription.arn) ?? Promise.resolve();
        const next = previous.then(() => this.deliver(topic, subscription, msg));
        this.chains.set(subscription.arn, next);
        this.track(next);
      } else {
        this.track(Promise.resolve().then(() => this.deliver(topic, subscription, msg)));
      }
    }
  }

  /** Resolves once every delivery started so far has settled. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async deliver(topic: Topic, subscription: Subscription, msg: PublishedMessage): Promise<void> {
    const message = this.messageTo(subscription, msg);
    try {
      await this.targets.deliver(subscription.endpoint, message, { service: 'sns', arn: topic.arn });
      bump(this.counts.delivered, subscription.protocol);
      this.put(topic, 'NumberOfNotificationsDelivered');
    } catch (err) {
      bump(this.counts.failed, subscription.protocol);
      this.put(topic, 'NumberOfNotificationsFailed');
      if (subscription.deadLetterArn) await this.redrive(topic, subscription, msg, message, err);
    }
  }

  private messageTo(subscription: Subscription, msg: PublishedMessage): TargetMessage {
    if (subscription.protocol === 'lambda') return { body: JSON.stringify(lambdaEvent(msg, subscription, this.region)) };
    const message: TargetMessage = subscription.rawMessageDelivery
      ? { body: messageFor(msg, 'sqs'), attributes: msg.attributes }
      : { body: sqsEnvelope(msg, subscription, this.region) };
    if (subscription.endpoint.endsWith('.fifo')) {
      if (msg.groupId !== undefined) message.groupId = msg.groupId;
      if (msg.deduplicationId !== undefined) message.deduplicationId = msg.deduplicationId;
    }
    return message;
  }

  private async redrive(topic: Topic, subscription: Subscription, msg: PublishedMessage, message: TargetMessage, err: unknown): Promise<void> {
    const attr = (v: string): MessageAttribute => ({ dataType: 'String', stringValue: v });
    const body = subscription.protocol === 'sqs' && subscription.rawMessageDelivery ? message.body : sqsEnvelope(msg, subscription, this.region);
    const dlq: TargetMessage = {
      body,
      attributes: { ...(subscription.rawMessageDelivery ? msg.attributes : {}), RequestID: attr(msg.messageId), ErrorCode: attr(err instanceof Error ? err.name : 'Error'), ErrorMessage: attr(err instanceof Error ? err.message : String(err)) },
    };
    if (subscription.deadLetterArn!.endsWith('.fifo') && msg.groupId !== undefined) {
      dlq.groupId = msg.groupId;
      if (msg.deduplicationId !== undefined) dlq.deduplicationId = msg.deduplicationId;
    }
    try {
      await this.targets.deliver(subscription.deadLetterArn!, dlq, { service: 'sns', arn: topic.arn });
      this.counts.redrivenToDlq++;
      this.put(topic, 'NumberOfNotificationsRedrivenToDlq');
    } catch {
      this.put(topic, 'NumberOfNotificationsFailedToRedriveToDlq');
    }
  }

  private put(topic: Topic, name: string): void {
    this.metrics.put({ namespace: 'AWS/SNS', name, dimensions: { TopicName: topic.name }, value: 1, unit: 'Count', timestamp: this.now() });
  }
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};
