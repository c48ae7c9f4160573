import type { ReceivedMessage } from '../sqs/polled-queue.ts';

/** One record of Lambda's SQS event (`Records[]`), as AWS builds it from a received message. */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, SqsRecordAttribute>;
  md5OfMessageAttributes?: string;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** A message attribute in the event: camelCase, with the list fields SQS reserves, always empty. */
export interface SqsRecordAttribute {
  stringValue?: string;
  binaryValue?: string;
  stringListValues: string[];
  binaryListValues: string[];
  dataType: string;
}

export function sqsRecord(message: ReceivedMessage, queueArn: string, region: string): SqsRecord {
  const messageAttributes: Record<string, SqsRecordAttribute> = {};
  for (const [name, a] of Object.entries(message.messageAttributes)) {
    messageAttributes[name] = {
      ...(a.stringValue !== undefined ? { stringValue: a.stringValue } : {}),
      ...(a.binaryValue !== undefined ? { binaryValue: a.binaryValue } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: a.dataType,
    };
  }
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: { ...message.attributes },
    messageAttributes,
    ...(message.md5OfMessageAttributes !== undefined ? { md5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * What a filter pattern sees of a record: the record, its body parsed where it is JSON (AWS
 * filters a JSON body by its fields; a body that is not JSON stays a string, so only a pattern on
 * `body` as a string can match it).
 */
export function sqsFilterView(record: SqsRecord): Record<string, unknown> {
  let body: unknown = record.body;
  try {
    body = JSON.parse(record.body);
  } catch {
    // plain text: matched as a string
  }
  return { ...record, body };
}

/** The record's share of the invocation payload (the batch is at most 6 MB). */
export function recordBytes(record: unknown): number {
  return Buffer.byteLength(JSON.stringify(record), 'utf8') + 1;
}
