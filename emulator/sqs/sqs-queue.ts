import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { MessageAttribute } from '../service-targets.ts';
import type { QueueDescription } from '../stack-model/stack-description.ts';
import { ArrivalLine } from './arrival-line.ts';
import { billableRequests } from './billable-requests.ts';
import { attributesSize, checkAttributes, checkText } from './message-attributes.ts';
import { md5OfAttributes, md5OfBody } from './message-md5.ts';
import { MinHeap } from './min-heap.ts';
import type { PolledQueue, ReceivedMessage } from './polled-queue.ts';
import { invalidParameter, missingParameter, SqsError } from './sqs-errors.ts';
import type { StoredMessage } from './stored-message.ts';
import { FifoVisibleMessages, StandardVisibleMessages, type VisibleMessages } from './visible-messages.ts';

/** A queue's settings: its description's, changed by SetQueueAttributes; `extra` keeps attributes stored but not acted on (Policy, KMS…). */
export type QueueSettings = Omit<QueueDescription, 'logicalId' | 'highThroughput'> & { extra: Record<string, string> };

/** What a queue needs of the registry that holds it. */
export interface QueueContext {
  now(): number;
  /** messages in flight past which a receive gets none (default MAX_IN_FLIGHT, AWS's) */
  maxInFlight?: number;
  /** the queue a RedrivePolicy names, if it runs here */
  queueByArn(arn: string): SqsQueue | undefined;
  /** an AWS/SQS datum for this queue (dropped until metrics are published) */
  metric(queue: SqsQueue, name: string, value: number, unit: 'Count' | 'Bytes' | 'Seconds'): void;
  /** a message enqueued: the reach of the probes in its body (../probe-reach.ts; dropped until metrics are published) */
  reached?(queue: SqsQueue, body: string, now: number): void;
}

export interface SendInput {
  body: string;
  delaySeconds?: number;
  attributes?: Record<string, MessageAttribute>;
  systemAttributes?: Record<string, MessageAttribute>;
  groupId?: string;
  deduplicationId?: string;
  senderId: string;
}

export interface SendResult {
  messageId: string;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  md5OfMessageSystemAttributes?: string;
  sequenceNumber?: string;
}

export interface ReceiveOptions {
  max: number;
  waitMs: number;
  /** the receive's VisibilityTimeout, else the queue's */
  visibilityTimeoutSeconds?: number;
  signal?: AbortSignal;
}

interface Waiter {
  options: ReceiveOptions;
  resolve: (messages: StoredMessage[]) => void;
  timer: NodeJS.Timeout;
  onAbort?: () => void;
}

const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
const PURGE_INTERVAL_MS = 60 * 1000;
const MAX_VISIBILITY_SECONDS = 43_200;
const MAX_DELAY_SECONDS = 900;
/** SQS's quota of messages in flight per queue (standard, and FIFO since November 2024) */
const MAX_IN_FLIGHT = 120_000;
/** FIFO sequence numbers: 20 digits and rising, as SQS's look */
const SEQUENCE_BASE = 18_000_000_000_000_000_000n;

/**
 * One SQS queue, standard or FIFO, as SQS runs it: delays, the visibility timeout, receive counts
 * and redrive to the dead-letter queue (a message moves when a receive would take it past
 * maxReceiveCount), retention, the size limit, long polling; FIFO ordering per message group, a group
 * held while one of its messages is in flight, deduplication over 5 minutes (by id or the body's
 * SHA-256) and sequence numbers. Visible messages and deadlines sit in heaps, in-flight ones in a
 * map: no operation scans the queue. One timer, armed for the nearest deadline, returns messages
 * whose visibility timeout or delay ended. Also what an event source mapping polls (PolledQueue).
 */
export class SqsQueue implements PolledQueue {
  readonly settings: QueueSettings;
  readonly createdAt: number;
  lastModifiedAt: number;
  /** billable requests so far (64 KB chunks of each call's payload) */
  billable = 0;

  private readonly key = randomBytes(6).toString('hex');
  private readonly messages = new Map<string, StoredMessage>();
  private readonly visible: VisibleMessages;
  private readonly deadlines = new MinHeap<{ at: number; m: StoredMessage; token: number }>((a, b) => a.at < b.at);
  private readonly arrivals = new ArrivalLine();
  private readonly waiters: Waiter[] = [];
  private readonly deduplication = new Map<string, { result: SendResult; expiresAt: number }>();
  /** deduplication ids in the order they expire, the expired ones before `deduplicationHead` */
  private readonly deduplicationOrder: Array<{ id: string; expiresAt: number }> = [];
  private deduplicationHead = 0;
  private arrival = 0;
  private sequence = 0n;
  private inFlight = 0;
  private delayed = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private lastPurgeAt = -Infinity;
  private closed = false;

  constructor(
    settings: QueueSettings,
    private readonly context: QueueContext,
  ) {
    this.settings = settings;
    this.createdAt = this.lastModifiedAt = context.now();
    this.visible = settings.fifo ? new FifoVisibleMessages() : new StandardVisibleMessages();
  }

  get name(): string {
    return this.settings.name;
  }
  get arn(): string {
    return this.settings.arn;
  }
  get fifo(): boolean {
    return this.settings.fifo;
  }
  get visibilityTimeoutSeconds(): number {
    return this.settings.visibilityTimeoutSeconds;
  }

  /** Counts one API call on the queue for billing. */
  countRequest(payloadBytes = 0): void {
    this.billable += billableRequests(payloadBytes);
  }

  depth(): { visible: number; inFlight: number; delayed: number } {
    this.tick();
    return { visible: this.visible.size, inFlight: this.inFlight, delayed: this.delayed };
  }

  /** Seconds since the oldest message still in the queue was sent (0 when empty). */
  ageOfOldestSeconds(): number {
    const oldest = this.arrivals.oldest();
    return oldest ? Math.max(0, Math.floor((this.context.now() - oldest.sentAt) / 1000)) : 0;
  }

  /**
   * Checks a message as SendMessage does (SqsError otherwise) and returns its size; nothing is
   * enqueued. SendMessageBatch checks every entry before it sends any.
   */
  check(input: SendInput): number {
    const s = this.settings;
    if (input.body === undefined || input.body === null || input.body === '') throw missingParameter('MessageBody');
    checkText(input.body, 'body');
    checkAttributes(input.attributes);
    checkAttributes(input.systemAttributes, true);
    const size = Buffer.byteLength(input.body) + attributesSize(input.attributes);
    if (size > s.maximumMessageSize) {
      throw new SqsError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${s.maximumMessageSize} bytes.`);
    }
    if (input.delaySeconds !== undefined) {
      if (!Number.isInteger(input.delaySeconds) || input.delaySeconds < 0 || input.delaySeconds > MAX_DELAY_SECONDS) {
        throw invalidParameter('DelaySeconds', input.delaySeconds, 'DelaySeconds must be >= 0 and <= 900.');
      }
      if (s.fifo && input.delaySeconds > 0) {
        throw invalidParameter('DelaySeconds', input.delaySeconds, 'The request include parameter that is not valid for this queue type.');
      }
    }
    if (s.fifo) {
      if (!input.groupId) throw missingParameter('MessageGroupId');
      if (!input.deduplicationId && !s.contentBasedDeduplication) {
        throw new SqsError(
          'InvalidParameterValue',
          'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      }
    } else if (input.deduplicationId !== undefined) {
      throw invalidParameter('MessageDeduplicationId', input.deduplicationId, 'The request includes a parameter that is not valid for this queue type.');
    }
    for (const [field, id] of [['MessageGroupId', input.groupId], ['MessageDeduplicationId', input.deduplicationId]] as const) {
      if (id !== undefined && !/^[\x21-\x7e]{1,128}$/.test(id)) throw invalidParameter(field, id, `${field} can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
    }
    return size;
  }

  /** SendMessage: the message enqueued (or, FIFO, recognised as a duplicate and answered as the first was). */
  send(input: SendInput): SendResult {
    const size = this.check(input);
    const s = this.settings;
    const now = this.context.now();
    let deduplicationId: string | undefined;
    if (s.fifo) {
      this.forgetDeduplication(now);
      deduplicationId = input.deduplicationId ?? createHash('sha256').update(input.body, 'utf8').digest('hex');
      const seen = this.deduplication.get(deduplicationId);
      // accepted but not enqueued: the first message's id, the digests of what this request sent (the SDK checks them)
      if (seen) {
        return {
          ...seen.result,
          md5OfBody: md5OfBody(input.body),
          md5OfMessageAttributes: md5OfAttributes(input.attributes),
          md5OfMessageSystemAttributes: md5OfAttributes(input.systemAttributes),
        };
      }
    }
    const result: SendResult = {
      messageId: randomUUID(),
      md5OfBody: md5OfBody(input.body),
      md5OfMessageAttributes: md5OfAttributes(input.attributes),
      md5OfMessageSystemAttributes: md5OfAttributes(input.systemAttributes),
      sequenceNumber: s.fifo ? String(SEQUENCE_BASE + ++this.sequence) : undefined,
    };
    this.enqueue({
      messageId: result.messageId,
      arrival: 0,
      body: input.body,
      md5OfBody: result.md5OfBody,
      attributes: input.attributes,
      systemAttributes: input.systemAttributes,
      size,
      sentAt: now,
      senderId: input.senderId,
      groupId: input.groupId,
      deduplicationId,
      sequenceNumber: result.sequenceNumber,
      receiveCount: 0,
      state: 'visible',
      deadline: 0,
      deadlineToken: 0,
    }, input.delaySeconds ?? s.delaySeconds);
    if (deduplicationId !== undefined) {
      const expiresAt = now + DEDUPLICATION_WINDOW_MS;
      this.deduplication.set(deduplicationId, { result, expiresAt });
      this.deduplicationOrder.push({ id: deduplicationId, expiresAt });
    }
    this.context.metric(this, 'NumberOfMessagesSent', 1, 'Count');
    this.context.metric(this, 'SentMessageSize', size, 'Bytes');
    this.context.reached?.(this, input.body, now);
    return result;
  }

  /**
   * ReceiveMessage: up to `max` messages, waiting up to `waitMs` for the first (long polling).
   * While the queue has as many messages in flight as SQS allows, a standard queue answers
   * OverLimit; a FIFO queue answers no error, and no message (SQS's FIFO quotas page).
   */
  receiveMessages(options: ReceiveOptions): Promise<StoredMessage[]> {
    this.tick();
    const most = this.context.maxInFlight ?? MAX_IN_FLIGHT;
    if (this.inFlight >= most) {
      if (this.fifo) return Promise.resolve(this.received([]));
      return Promise.reject(new SqsError('OverLimit', `You have reached the limit of ${most} messages in flight for queue ${this.name}.`));
    }
    const now = this.takeNow(options);
    if (now.length > 0 || options.waitMs <= 0 || this.closed || options.signal?.aborted) return Promise.resolve(this.received(now));
    return new Promise((resolve) => {
      const waiter: Waiter = {
        options,
        resolve: (messages) => resolve(this.received(messages)),
        timer: setTimeout(() => this.finish(waiter, []), options.waitMs),
      };
      if (options.signal) {
        waiter.onAbort = () => this.finish(waiter, []);
        options.signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
    });
  }

  /** DeleteMessage: the message with this (latest) receipt handle is gone; a stale handle deletes nothing, as in SQS. */
  deleteMessage(receipt: string): void {
    const m = this.messageOf(receipt);
    if (!m || m.receipt !== receipt) return;
    if (m.state === 'inFlight') {
      m.state = 'gone';
      this.inFlight--;
      this.visible.settled(m);
    } else if (m.state === 'visible') {
      m.state = 'gone';
      this.visible.removed(m);
    } else return;
    this.messages.delete(m.messageId);
    this.context.metric(this, 'NumberOfMessagesDeleted', 1, 'Count');
  }

  /** ChangeMessageVisibility: the message stays hidden `seconds` from now (0: visible at once). */
  changeMessageVisibility(receipt: string, seconds: number): void {
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
      throw invalidParameter('VisibilityTimeout', seconds, `VisibilityTimeout must be an integer between 0 and ${MAX_VISIBILITY_SECONDS}`);
    }
    const m = this.messageOf(receipt);
    if (!m || m.receipt !== receipt) {
      throw new SqsError('ReceiptHandleIsInvalid', `Value ${receipt} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
    }
    if (m.state !== 'inFlight') throw new SqsError('MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.');
    if (seconds === 0) {
      m.deadlineToken++;
      this.becomeVisible(m);
      this.wake();
    } else {
      this.schedule(m, this.context.now() + seconds * 1000);
    }
  }

  /** PurgeQueue: every message gone; once a minute at most, as SQS allows. */
  purge(): void {
    const now = this.context.now();
    if (now - this.lastPurgeAt < PURGE_INTERVAL_MS) {
      throw new SqsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${this.name} is allowed every 60 seconds.`);
    }
    this.lastPurgeAt = now;
    for (const m of this.messages.values()) m.state = 'gone';
    this.messages.clear();
    this.visible.clear();
    this.deadlines.clear();
    this.arrivals.clear();
    this.inFlight = 0;
    this.delayed = 0;
  }

  /** A message redriven here from its source queue, keeping its id, body, attributes, sent time and receive count. */
  acceptRedriven(m: StoredMessage, sourceArn: string): void {
    this.enqueue({ ...m, arrival: 0, state: 'visible', receipt: undefined, deadline: 0, deadlineToken: 0, deadLetterQueueSourceArn: sourceArn }, 0);
  }

  /** The queue is deleted (or the stack stops): waiting receives answer empty, the timer stops. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of [...this.waiters]) this.finish(w, []);
  }

  // PolledQueue: what an event source mapping's pollers call, in process.

  async receive(max: number, waitMs: number, signal?: AbortSignal): Promise<ReceivedMessage[]> {
    // a poller at the in-flight quota gets nothing this time (SQS's OverLimit), as an empty receive
    const messages = await this.receiveMessages({ max, waitMs, signal }).catch((err: unknown) => {
      if (err instanceof SqsError && err.sqsName === 'OverLimit') return [];
      throw err;
    });
    this.countRequest(messages.reduce((n, m) => n + m.size, 0));
    return messages.map((m) => {
      const attributes = systemAttributes(m, ['All']);
      return {
        messageId: m.messageId,
        receiptHandle: m.receipt!,
        body: m.body,
        md5OfBody: m.md5OfBody,
        attributes,
        messageAttributes: m.attributes ?? {},
        ...(m.attributes ? { md5OfMessageAttributes: md5OfAttributes(m.attributes) } : {}),
      };
    });
  }

  delete(receiptHandle: string): void {
    this.countRequest();
    try {
      this.deleteMessage(receiptHandle);
    } catch {
      // a handle that is not this queue's deletes nothing, as the PolledQueue contract says
    }
  }

  changeVisibility(receiptHandle: string, seconds: number): void {
    this.countRequest();
    try {
      this.changeMessageVisibility(receiptHandle, seconds);
    } catch {
      // the message was deleted or received again meanwhile: nothing to change
    }
  }

  // The machinery.

  private enqueue(m: StoredMessage, delaySeconds: number): void {
    m.arrival = ++this.arrival;
    this.messages.set(m.messageId, m);
    this.arrivals.push(m);
    if (delaySeconds > 0) {
      m.state = 'delayed';
      this.delayed++;
      this.schedule(m, this.context.now() + delaySeconds * 1000);
    } else {
      m.state = 'visible';
      this.visible.add(m);
      this.wake();
    }
  }

  private takeNow(options: ReceiveOptions): StoredMessage[] {
    const out: StoredMessage[] = [];
    const now = this.context.now();
    const s = this.settings;
    const visibilityMs = (options.visibilityTimeoutSeconds ?? s.visibilityTimeoutSeconds) * 1000;
    const retentionMs = s.messageRetentionSeconds * 1000;
    while (out.length < options.max) {
      const m = this.visible.take();
      if (!m) break;
      if (now - m.sentAt >= retentionMs) {
        this.drop(m);
        continue;
      }
      if (s.redrive && m.receiveCount >= s.redrive.maxReceiveCount) {
        const dlq = this.context.queueByArn(s.redrive.deadLetterTargetArn);
        if (dlq && dlq !== this) {
          this.drop(m);
          dlq.acceptRedriven(m, this.arn);
          continue;
        }
      }
      m.receiveCount++;
      m.firstReceiveAt ??= now;
      m.state = 'inFlight';
      m.receipt = Buffer.from(`${this.key}:${m.messageId}:${m.receiveCount}:${randomBytes(6).toString('hex')}`).toString('base64');
      this.inFlight++;
      this.schedule(m, now + visibilityMs);
      out.push(m);
    }
    this.visible.endReceive();
    return out;
  }

  private received(messages: StoredMessage[]): StoredMessage[] {
    if (messages.length > 0) this.context.metric(this, 'NumberOfMessagesReceived', messages.length, 'Count');
    else this.context.metric(this, 'NumberOfEmptyReceives', 1, 'Count');
    return messages;
  }

  /** A message taken from the visible set that leaves the queue (expired or redriven). */
  private drop(m: StoredMessage): void {
    m.state = 'gone';
    this.visible.settled(m);
    this.messages.delete(m.messageId);
  }

  private becomeVisible(m: StoredMessage): void {
    if (m.state === 'delayed') {
      this.delayed--;
      m.state = 'visible';
      this.visible.add(m);
    } else if (m.state === 'inFlight') {
      this.inFlight--;
      m.state = 'visible';
      this.visible.returned(m);
    }
  }

  private messageOf(receipt: string): StoredMessage | undefined {
    const [key, messageId] = Buffer.from(String(receipt), 'base64').toString('utf8').split(':');
    if (key !== this.key || !messageId) {
      throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${receipt}" is not a valid receipt handle.`);
    }
    return this.messages.get(messageId);
  }

  private schedule(m: StoredMessage, at: number): void {
    m.deadline = at;
    const token = ++m.deadlineToken;
    this.deadlines.push({ at, m, token });
    this.arm();
  }

  /** Messages whose delay or visibility timeout ended become visible; waiting receives get them. */
  private tick(): void {
    const now = this.context.now();
    let woke = false;
    for (let e = this.deadlines.peek(); e && e.at <= now; e = this.deadlines.peek()) {
      this.deadlines.pop();
      if (e.token !== e.m.deadlineToken || e.m.state === 'gone') continue;
      this.becomeVisible(e.m);
      woke = true;
    }
    if (woke) this.wake();
    this.arm();
  }

  private arm(): void {
    if (this.closed) return;
    let next = this.deadlines.peek();
    while (next && (next.token !== next.m.deadlineToken || next.m.state === 'gone')) {
      this.deadlines.pop();
      next = this.deadlines.peek();
    }
    if (!next) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    if (this.timer && this.timerAt <= next.at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = next.at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.tick();
    }, Math.max(0, next.at - this.context.now()));
    this.timer.unref();
  }

  /** Serves waiting receives, first come first served, while messages are there to take. */
  private wake(): void {
    while (this.waiters.length > 0 && this.visible.hasAvailable()) {
      const w = this.waiters[0]!;
      const got = this.takeNow(w.options);
      if (got.length > 0) this.finish(w, got);
    }
  }

  private finish(w: Waiter, messages: StoredMessage[]): void {
    const i = this.waiters.indexOf(w);
    if (i < 0) return;
    this.waiters.splice(i, 1);
    clearTimeout(w.timer);
    if (w.onAbort) w.options.signal?.removeEventListener('abort', w.onAbort);
    w.resolve(messages);
  }

  private forgetDeduplication(now: number): void {
    const order = this.deduplicationOrder;
    while (this.deduplicationHead < order.length && order[this.deduplicationHead]!.expiresAt <= now) {
      const { id, expiresAt } = order[this.deduplicationHead++]!;
      if (this.deduplication.get(id)?.expiresAt === expiresAt) this.deduplication.delete(id);
    }
    if (this.deduplicationHead > 1024 && this.deduplicationHead * 2 > order.length) {
      order.splice(0, this.deduplicationHead);
      this.deduplicationHead = 0;
    }
  }
}

/** A message's system attributes a receive asks for (`All` or names), as SQS answers them. */
export function systemAttributes(m: StoredMessage, names: readonly string[]): Record<string, string> {
  const all: Record<string, string | undefined> = {
    SenderId: m.senderId,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: m.firstReceiveAt === undefined ? undefined : String(m.firstReceiveAt),
    MessageGroupId: m.groupId,
    MessageDeduplicationId: m.deduplicationId,
    SequenceNumber: m.sequenceNumber,
    AWSTraceHeader: m.systemAttributes?.['AWSTraceHeader']?.stringValue,
    DeadLetterQueueSourceArn: m.deadLetterQueueSourceArn,
  };
  const every = names.includes('All');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) {
    if (value !== undefined && (every || names.includes(name))) out[name] = value;
  }
  return out;
}
