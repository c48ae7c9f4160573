import type { MetricSink } from '../cloudwatch/types.ts';
import { stampReach } from '../probe-reach.ts';
import { reachHop } from '../../common/probe-reach-metric.ts';
import type { DeliverySource, TargetMessage } from '../service-targets.ts';
import type { QueueDescription } from '../stack-model/stack-description.ts';
import type { PolledQueue } from './polled-queue.ts';
import { applyQueueAttributes, queueAttributes, QUEUE_DEFAULTS } from './queue-attributes.ts';
import { queueDoesNotExist, SqsError } from './sqs-errors.ts';
import { SqsQueue, type QueueContext, type QueueSettings } from './sqs-queue.ts';

export interface SqsQueuesOptions {
  region: string;
  accountId: string;
  /** the clock (epoch ms); tests pass their own */
  now?: () => number;
  /** messages in flight per queue (default AWS's 120,000, sqs-queue.ts MAX_IN_FLIGHT); tests pass a small one */
  maxInFlight?: number;
}

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
/** What SQS shows as the sender of a message another service delivered. */
const SERVICE_SENDERS: Record<DeliverySource['service'], string> = {
  sns: 'AIDAIT2UOQQY3AUEKVGXU',
  events: 'AIDAIUZHJ5ZQ7QVGRAUBA',
  lambda: 'AROAJ3ZMP6QFNLFNUDCRS:lambda',
  apigateway: 'AROAJ7MJ3ZQL7FBLAXWKE:apigateway',
  sqs: 'AIDAJQR6QDGQ7PATMSYEY',
  dynamodb: 'AIDAJXNJGGKNS7OSV23OI',
};

/**
 * The stack's SQS queues, by name, URL and ARN: those its description declares and those created
 * at run time (CreateQueue). Delivers other services' messages to a queue (ServiceTargets), hands
 * event source mappings their queue (PolledQueue), counts billable requests per queue, and
 * publishes AWS/SQS metrics (counts as they happen, depths sampled each second) once asked to.
 */
export class SqsQueues {
  readonly region: string;
  readonly accountId: string;
  readonly now: () => number;
  private readonly queues = new Map<string, SqsQueue>();
  private readonly byArnMap = new Map<string, SqsQueue>();
  private sink: MetricSink | undefined;
  private readonly context: QueueContext;

  constructor(descriptions: readonly QueueDescription[], options: SqsQueuesOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.now = options.now ?? Date.now;
    this.context = {
      now: this.now,
      ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
      queueByArn: (arn) => this.byArnMap.get(arn),
      metric: (queue, name, value, unit) => {
        this.sink?.put({ namespace: 'AWS/SQS', name, dimensions: { QueueName: queue.name }, value, unit, timestamp: this.now() });
      },
      reached: (queue, body, now) => stampReach(this.sink, reachHop.sqs(queue.name), body, now),
    };
    for (const d of descriptions) this.add(d);
  }

  /** A queue of the stack's description (its name taken already is a mistake of the description). */
  add(description: QueueDescription): SqsQueue {
    if (this.queues.has(description.name)) throw new Error(`queue ${description.name} declared twice`);
    const { logicalId: _l, highThroughput: _h, ...rest } = description;
    return this.register(new SqsQueue({ ...rest, extra: {} }, this.context));
  }

  /**
   * CreateQueue: a new queue, or the existing one when its attributes are the same
   * (QueueNameExists when they differ), as SQS answers it.
   */
  createQueue(name: string, attributes: Record<string, string>): SqsQueue {
    const fifoName = name.endsWith('.fifo');
    const base = fifoName ? name.slice(0, -5) : name;
    if (!NAME.test(base) || name.length > 80) {
      throw new SqsError('InvalidParameterValue', 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    const settings: QueueSettings = {
      name,
      arn: this.arnOf(name),
      fifo: false,
      contentBasedDeduplication: false,
      ...QUEUE_DEFAULTS,
      extra: {},
    };
    applyQueueAttributes(settings, attributes, true);
    if (settings.fifo !== fifoName) {
      throw new SqsError('InvalidParameterValue', 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
    }
    const existing = this.queues.get(name);
    if (existing) {
      const now = queueAttributes(existing, ['All']);
      for (const [k, v] of Object.entries(attributes)) {
        if (now[k] !== undefined && now[k] !== String(v)) throw new SqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${k}`);
      }
      return existing;
    }
    return this.register(new SqsQueue(settings, this.context));
  }

  /** DeleteQueue: the queue is gone (its waiting receives answer empty). */
  deleteQueue(queue: SqsQueue): void {
    if (this.queues.get(queue.name) !== queue) return;
    this.queues.delete(queue.name);
    this.byArnMap.delete(queue.arn);
    queue.close();
  }

  byName(name: string): SqsQueue | undefined {
    return this.queues.get(name);
  }

  byArn(arn: string): SqsQueue | undefined {
    return this.byArnMap.get(arn);
  }

  /**
   * The queue a QueueUrl names, whatever its host: `http://<host>/<account>/<name>` as this
   * endpoint answers, `https://sqs.<region>.amazonaws.com/<account>/<name>` (and the older
   * `queue.amazonaws.com` forms) as a template's `Ref` gives it.
   */
  byUrl(url: string): SqsQueue | undefined {
    const name = queueNameOfUrl(url);
    return name === undefined ? undefined : this.queues.get(name);
  }

  /** The queue a QueueUrl names, or QueueDoesNotExist. */
  resolve(url: string): SqsQueue {
    const q = this.byUrl(url);
    if (!q) throw queueDoesNotExist();
    return q;
  }

  list(prefix = ''): SqsQueue[] {
    return [...this.queues.values()].filter((q) => q.name.startsWith(prefix)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  arnOf(name: string): string {
    return `arn:aws:sqs:${this.region}:${this.accountId}:${name}`;
  }

  /** The queue's URL on the endpoint reached at `origin` (e.g. `http://127.0.0.1:4566`). */
  urlOf(queue: SqsQueue, origin: string): string {
    return `${origin.replace(/\/+$/, '')}/${this.accountId}/${queue.name}`;
  }

  // ServiceTargets' part: another service sends to a queue as SendMessage would.

  has(arn: string): boolean {
    return this.byArnMap.has(arn);
  }

  async deliver(arn: string, message: TargetMessage, from: DeliverySource): Promise<void> {
    const queue = this.byArnMap.get(arn);
    if (!queue) throw queueDoesNotExist();
    queue.send({
      body: message.body,
      attributes: message.attributes && Object.keys(message.attributes).length > 0 ? message.attributes : undefined,
      groupId: message.groupId,
      // a FIFO topic may deliver to a standard queue, which takes no deduplication id
      deduplicationId: queue.fifo ? message.deduplicationId : undefined,
      senderId: SERVICE_SENDERS[from.service],
    });
    queue.countRequest(Buffer.byteLength(message.body));
  }

  /** What an event source mapping polls. */
  polled(arn: string): PolledQueue {
    const queue = this.byArnMap.get(arn);
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  /** Billable requests so far, per queue name (each 64 KB chunk of a call's payload one request). */
  billableRequests(): Record<string, number> {
    return Object.fromEntries([...this.queues.values()].map((q) => [q.name, q.billable]));
  }

  /**
   * Publishes AWS/SQS into `sink`: counts (NumberOfMessagesSent/Received/Deleted,
   * NumberOfEmptyReceives, SentMessageSize) as they happen, and every `everyMs` each queue's
   * ApproximateNumberOfMessagesVisible/NotVisible/Delayed and ApproximateAgeOfOldestMessage.
   * Returns what stops it.
   */
  publishMetrics(sink: MetricSink, everyMs = 1000): () => void {
    this.sink = sink;
    const sample = () => {
      const timestamp = this.now();
      for (const q of this.queues.values()) {
        const d = q.depth();
        const dimensions = { QueueName: q.name };
        sink.put({ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions, value: d.visible, unit: 'Count', timestamp });
        sink.put({ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesNotVisible', dimensions, value: d.inFlight, unit: 'Count', timestamp });
        sink.put({ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesDelayed', dimensions, value: d.delayed, unit: 'Count', timestamp });
        sink.put({ namespace: 'AWS/SQS', name: 'ApproximateAgeOfOldestMessage', dimensions, value: q.ageOfOldestSeconds(), unit: 'Seconds', timestamp });
      }
    };
    sample();
    const timer = setInterval(sample, everyMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      if (this.sink === sink) this.sink = undefined;
    };
  }

  /** Every queue stops (timers, waiting receives). */
  close(): void {
    for (const q of this.queues.values()) q.close();
  }

  private register(queue: SqsQueue): SqsQueue {
    this.queues.set(queue.name, queue);
    this.byArnMap.set(queue.arn, queue);
    return queue;
  }
}

/** The queue name of a QueueUrl (`…/<account>/<name>`), or undefined when it is no queue URL. */
export function queueNameOfUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.startsWith('/') ? url : '';
  }
  const m = /^\/([^/]+)\/([A-Za-z0-9_.-]{1,80})\/?$/.exec(path);
  return m?.[2];
}
