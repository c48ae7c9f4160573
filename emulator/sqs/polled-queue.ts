/**
 * What a Lambda event source mapping's pollers see of an SQS queue (event-sources/): ReceiveMessage,
 * DeleteMessage and ChangeMessageVisibility as the mapping's pollers call them, in process. The
 * queue keeps every SQS rule (visibility timeout, receive counts and redrive to its dead-letter
 * queue, FIFO groups: no message of a group is received while another of it is in flight).
 */
export interface PolledQueue {
  readonly arn: string;
  readonly name: string;
  readonly fifo: boolean;
  readonly visibilityTimeoutSeconds: number;
  /**
   * Up to `max` messages (FIFO: in order within each group, never a group already in flight),
   * waiting up to `waitMs` for the first one (long polling); [] when none came or `signal` aborted.
   */
  receive(max: number, waitMs: number, signal?: AbortSignal): Promise<ReceivedMessage[]>;
  /** DeleteMessage: the message is done. An unknown or stale handle is ignored, as SQS ignores it. */
  delete(receiptHandle: string): void;
  /** ChangeMessageVisibility: 0 puts it back on the queue at once. */
  changeVisibility(receiptHandle: string, seconds: number): void;
  /** Messages visible and in flight now (ApproximateNumberOfMessages/NotVisible). */
  depth(): { visible: number; inFlight: number; delayed: number };
}

/** One received message: what ReceiveMessage answers, as the SQS event record carries it. */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  /** ApproximateReceiveCount, SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp; FIFO: MessageGroupId, MessageDeduplicationId, SequenceNumber */
  attributes: Record<string, string>;
  messageAttributes: Record<string, { dataType: string; stringValue?: string; binaryValue?: string }>;
  md5OfMessageAttributes?: string;
}
