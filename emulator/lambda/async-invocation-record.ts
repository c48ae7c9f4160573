import { randomUUID } from 'node:crypto';
import type { InvokeOutcome } from './types.ts';
import type { MessageAttribute, TargetMessage } from '../service-targets.ts';

/**
 * What Lambda sends where an asynchronous invocation ends (Lambda developer guide, "Asynchronous
 * invocation", destinations and dead-letter queues): the invocation record to an OnSuccess or
 * OnFailure destination, the event itself to a DeadLetterConfig queue or topic.
 */

export type AsyncCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

/** The invocation record, in AWS's field order. */
export interface InvocationRecord {
  version: '1.0';
  /** ISO 8601, when the record was made */
  timestamp: string;
  requestContext: { requestId: string; functionArn: string; condition: AsyncCondition; approximateInvokeCount: number };
  requestPayload: unknown;
  /** absent where the function never ran (every attempt throttled until the event aged out) */
  responseContext?: { statusCode: number; executedVersion: '$LATEST'; functionError?: string };
  responsePayload?: unknown;
}

export interface RecordInput {
  requestId: string;
  /** the function's ARN, unqualified (`:$LATEST` is added, as AWS names the version that ran) */
  functionArn: string;
  condition: AsyncCondition;
  invokeCount: number;
  /** the event as invoked: parsed JSON */
  event: unknown;
  /** the last outcome that ran the function, if any */
  last?: Extract<InvokeOutcome, { kind: 'ok' | 'error' }>;
  timestamp: number;
}

export function invocationRecord(input: RecordInput): InvocationRecord {
  const record: InvocationRecord = {
    version: '1.0',
    timestamp: new Date(input.timestamp).toISOString(),
    requestContext: { requestId: input.requestId, functionArn: `${input.functionArn}:$LATEST`, condition: input.condition, approximateInvokeCount: input.invokeCount },
    requestPayload: input.event,
  };
  const last = input.last;
  if (last?.kind === 'ok') {
    record.responseContext = { statusCode: 200, executedVersion: '$LATEST' };
    record.responsePayload = last.result ?? null;
  } else if (last?.kind === 'error') {
    // an invocation that ran and failed answers 200 with X-Amz-Function-Error: Unhandled
    record.responseContext = { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' };
    record.responsePayload = { errorType: last.errorType, errorMessage: last.errorMessage };
  }
  return record;
}

/**
 * The message a destination receives. An event bus gets an event (EventBridge's envelope: source
 * `lambda`, detail-type `Lambda Function Invocation Result - Success|Failure`, the record as
 * detail, the function version's ARN as resource); a queue, topic or function gets the record's JSON.
 */
export function destinationMessage(arn: string, record: InvocationRecord, where: { region: string; accountId: string }): TargetMessage {
  if (!isEventBusArn(arn)) return { body: JSON.stringify(record) };
  const result = record.requestContext.condition === 'Success' ? 'Success' : 'Failure';
  const event = {
    version: '0',
    id: randomUUID(),
    'detail-type': `Lambda Function Invocation Result - ${result}`,
    source: 'lambda',
    account: where.accountId,
    time: record.timestamp.replace(/\.\d{3}Z$/, 'Z'),
    region: where.region,
    resources: [record.requestContext.functionArn],
    detail: record,
  };
  return { body: JSON.stringify(event) };
}

function isEventBusArn(arn: string): boolean {
  return /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\//.test(arn);
}

/** AWS puts the first kilobyte of the error message in the dead-letter message's ErrorMessage. */
const DLQ_ERROR_MESSAGE_BYTES = 1024;

/**
 * A dead-letter queue's or topic's message: the event as sent, with the attributes RequestID,
 * ErrorCode (the response's status code: 200 for a function error, 429 for throttles) and
 * ErrorMessage.
 */
export function deadLetterMessage(payload: string, requestId: string, statusCode: number, errorMessage: string): TargetMessage {
  const attributes: Record<string, MessageAttribute> = {
    RequestID: { dataType: 'String', stringValue: requestId },
    ErrorCode: { dataType: 'Number', stringValue: String(statusCode) },
    ErrorMessage: { dataType: 'String', stringValue: firstBytes(errorMessage, DLQ_ERROR_MESSAGE_BYTES) },
  };
  return { body: payload, attributes };
}

function firstBytes(text: string, bytes: number): string {
  const buf = Buffer.from(text || ' ', 'utf8');
  if (buf.length <= bytes) return text || ' ';
  // cut on a character boundary
  return new TextDecoder('utf-8', { fatal: false }).decode(buf.subarray(0, bytes)).replace(/\uFFFD$/, '');
}
