import type { MessageAttribute } from '../service-targets.ts';

/** Where a message stands in its queue. */
export type MessageState = 'delayed' | 'visible' | 'inFlight' | 'gone';

/** One message as a queue holds it, from SendMessage to its deletion (or expiry, or redrive). */
export interface StoredMessage {
  messageId: string;
  /** order of arrival in this queue: the visible messages (and a FIFO group's) are taken lowest first */
  arrival: number;
  body: string;
  md5OfBody: string;
  attributes?: Record<string, MessageAttribute>;
  /** AWSTraceHeader */
  systemAttributes?: Record<string, MessageAttribute>;
  /** body plus attributes, as SQS counts a message's size */
  size: number;
  /** SentTimestamp (epoch ms): kept through a redrive, as retention is */
  sentAt: number;
  senderId: string;
  groupId?: string;
  deduplicationId?: string;
  /** FIFO SequenceNumber */
  sequenceNumber?: string;
  /** set when redriven: the queue it came from */
  deadLetterQueueSourceArn?: string;
  receiveCount: number;
  firstReceiveAt?: number;
  state: MessageState;
  /** the current receipt handle while in flight */
  receipt?: string;
  /** when a delay or the visibility timeout ends (epoch ms) */
  deadline: number;
  /** bumped on every new deadline, so an older deadline's heap entry is skipped */
  deadlineToken: number;
}
