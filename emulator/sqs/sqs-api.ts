import type { MessageAttribute } from '../service-targets.ts';
import { attributesSize, selectAttributes } from './message-attributes.ts';
import { md5OfAttributes } from './message-md5.ts';
import { applyQueueAttributes, queueAttributes } from './queue-attributes.ts';
import { queueNameOfUrl, type SqsQueues } from './queue-registry.ts';
import { invalidParameter, missingParameter, SqsError } from './sqs-errors.ts';
import { systemAttributes, type SendInput, type SqsQueue } from './sqs-queue.ts';

/**
 * SQS's API over the stack's queues, in the JSON protocol's shapes (PascalCase members, lists as
 * arrays, maps as objects): what both wire protocols call once they have read a request
 * (query-protocol.ts turns a Query form into these shapes and the answer into XML).
 */

export type ApiInput = Record<string, unknown>;

export interface CallContext {
  /** the origin queue URLs are answered on (`http://<Host header>`) */
  origin: string;
  /** SenderId of the messages this call sends */
  senderId: string;
  /** aborts a long poll when the client goes */
  signal?: AbortSignal;
}

type Operation = (queues: SqsQueues, input: ApiInput, ctx: CallContext) => unknown;

const MAX_BATCH_ENTRIES = 10;
const MAX_BATCH_BYTES = 1_048_576;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** The operations, by name (X-Amz-Target's `AmazonSQS.<Op>`, Query's `Action`). */
export const SQS_OPERATIONS: Record<string, Operation> = {
  CreateQueue(queues, input, ctx) {
    const name = str(input, 'QueueName', true)!;
    const queue = queues.createQueue(name, stringMap(input['Attributes'], 'Attributes'));
    return { QueueUrl: queues.urlOf(queue, ctx.origin) };
  },
  DeleteQueue(queues, input) {
    queues.deleteQueue(queueOf(queues, input));
    return {};
  },
  GetQueueUrl(queues, input, ctx) {
    const queue = queues.byName(str(input, 'QueueName', true)!);
    if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return { QueueUrl: queues.urlOf(queue, ctx.origin) };
  },
  ListQueues(queues, input, ctx) {
    const max = int(input, 'MaxResults', 1, 1000, 'MaxResults must be an integer between 1 and 1000');
    const all = queues.list(str(input, 'QueueNamePrefix') ?? '').map((q) => queues.urlOf(q, ctx.origin));
    const start = Number(Buffer.from(str(input, 'NextToken') ?? '', 'base64').toString('utf8')) || 0;
    const page = all.slice(start, start + (max ?? 1000));
    const next = max !== undefined && start + max < all.length ? Buffer.from(String(start + max)).toString('base64') : undefined;
    return { ...(page.length > 0 ? { QueueUrls: page } : {}), ...(next ? { NextToken: next } : {}) };
  },
  ListDeadLetterSourceQueues(queues, input, ctx) {
    const arn = queueOf(queues, input).arn;
    return { queueUrls: queues.list().filter((q) => q.settings.redrive?.deadLetterTargetArn === arn).map((q) => queues.urlOf(q, ctx.origin)) };
  },
  GetQueueAttributes(queues, input) {
    const queue = queueOf(queues, input);
    queue.countRequest();
    const attributes = queueAttributes(queue, strList(input, 'AttributeNames'));
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  },
  SetQueueAttributes(queues, input) {
    const queue = queueOf(queues, input);
    queue.countRequest();
    const next = { ...queue.settings, extra: { ...queue.settings.extra } };
    applyQueueAttributes(next, stringMap(input['Attributes'], 'Attributes'), false);
    Object.assign(queue.settings, next);
    queue.lastModifiedAt = queues.now();
    return {};
  },
  PurgeQueue(queues, input) {
    const queue = queueOf(queues, input);
    queue.countRequest();
    queue.purge();
    return {};
  },
  SendMessage(queues, input, ctx) {
    const queue = queueOf(queues, input);
    const message = sendInput(input, ctx);
    const result = queue.send(message);
    queue.countRequest(Buffer.byteLength(message.body) + attributesSize(message.attributes));
    return sendOutput(result);
  },
  SendMessageBatch(queues, input, ctx) {
    const queue = queueOf(queues, input);
    const entries = batchEntries(input, 'SendMessageBatchRequestEntry');
    const messages = entries.map((e) => ({ id: e['Id'] as string, entry: e }));
    let total = 0;
    for (const { entry } of messages) {
      const body = typeof entry['MessageBody'] === 'string' ? entry['MessageBody'] : '';
      total += Buffer.byteLength(body) + attributesSize(attributeMap(entry['MessageAttributes'], 'MessageAttributes'));
    }
    if (total > MAX_BATCH_BYTES) throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`);
    queue.countRequest(total);
    return batchResult(messages, ({ entry }) => sendOutput(queue.send(sendInput(entry, ctx))));
  },
  async ReceiveMessage(queues, input, ctx) {
    const queue = queueOf(queues, input);
    const max = int(input, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
    const wait = int(input, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.') ?? queue.settings.receiveMessageWaitTimeSeconds;
    const visibility = int(input, 'VisibilityTimeout', 0, 43_200, 'Must be between 0 and 43200, if provided.');
    const systemNames = [...strList(input, 'AttributeNames'), ...strList(input, 'MessageSystemAttributeNames')];
    const attributeNames = strList(input, 'MessageAttributeNames');
    const messages = await queue.receiveMessages({ max, waitMs: wait * 1000, visibilityTimeoutSeconds: visibility, signal: ctx.signal });
    queue.countRequest(messages.reduce((n, m) => n + m.size, 0));
    if (messages.length === 0) return {};
    return {
      Messages: messages.map((m) => {
        const system = systemAttributes(m, systemNames);
        const attributes = selectAttributes(m.attributes, attributeNames);
        return {
          MessageId: m.messageId,
          ReceiptHandle: m.receipt,
          MD5OfBody: m.md5OfBody,
          Body: m.body,
          ...(Object.keys(system).length > 0 ? { Attributes: system } : {}),
          ...(attributes ? { MD5OfMessageAttributes: md5OfAttributes(attributes), MessageAttributes: wireAttributes(attributes) } : {}),
        };
      }),
    };
  },
  DeleteMessage(queues, input) {
    const queue = queueOf(queues, input);
    queue.countRequest();
    queue.deleteMessage(str(input, 'ReceiptHandle', true)!);
    return {};
  },
  DeleteMessageBatch(queues, input) {
    const queue = queueOf(queues, input);
    const entries = batchEntries(input, 'DeleteMessageBatchRequestEntry');
    queue.countRequest();
    return batchResult(entries.map((e) => ({ id: e['Id'] as string, entry: e })), ({ entry }) => {
      queue.deleteMessage(str(entry, 'ReceiptHandle', true)!);
      return {};
    });
  },
  ChangeMessageVisibility(queues, input) {
    const queue = queueOf(queues, input);
    queue.countRequest();
    queue.changeMessageVisibility(str(input, 'ReceiptHandle', true)!, visibilityOf(input));
    return {};
  },
  ChangeMessageVisibilityBatch(queues, input) {
    const queue = queueOf(queues, input);
    const entries = batchEntries(input, 'ChangeMessageVisibilityBatchRequestEntry');
    queue.countRequest();
    return batchResult(entries.map((e) => ({ id: e['Id'] as string, entry: e })), ({ entry }) => {
      queue.changeMessageVisibility(str(entry, 'ReceiptHandle', true)!, visibilityOf(entry));
      return {};
    });
  },
};

/** What IAM is asked of a call: `sqs:<Action>` on the queue's ARN (a batch asks its single action's). */
export function sqsAccess(queues: SqsQueues, operation: string, input: ApiInput): { action: string; resource: string } {
  const action = `sqs:${operation.replace(/Batch$/, '')}`;
  if (operation === 'ListQueues') return { action, resource: '*' };
  const name = operation === 'CreateQueue' || operation === 'GetQueueUrl' ? String(input['QueueName'] ?? '') : queueNameOfUrl(String(input['QueueUrl'] ?? '')) ?? '';
  return { action, resource: queues.arnOf(name) };
}

function queueOf(queues: SqsQueues, input: ApiInput): SqsQueue {
  return queues.resolve(str(input, 'QueueUrl', true)!);
}

function sendInput(input: ApiInput, ctx: CallContext): SendInput {
  const body = input['MessageBody'];
  if (typeof body !== 'string') throw missingParameter('MessageBody');
  return {
    body,
    delaySeconds: int(input, 'DelaySeconds', 0, 900, 'DelaySeconds must be >= 0 and <= 900.'),
    attributes: attributeMap(input['MessageAttributes'], 'MessageAttributes'),
    systemAttributes: attributeMap(input['MessageSystemAttributes'], 'MessageSystemAttributes'),
    groupId: str(input, 'MessageGroupId'),
    deduplicationId: str(input, 'MessageDeduplicationId'),
    senderId: ctx.senderId,
  };
}

function sendOutput(r: ReturnType<SqsQueue['send']>): Record<string, string> {
  const out: Record<string, string> = { MessageId: r.messageId, MD5OfMessageBody: r.md5OfBody };
  if (r.md5OfMessageAttributes) out['MD5OfMessageAttributes'] = r.md5OfMessageAttributes;
  if (r.md5OfMessageSystemAttributes) out['MD5OfMessageSystemAttributes'] = r.md5OfMessageSystemAttributes;
  if (r.sequenceNumber) out['SequenceNumber'] = r.sequenceNumber;
  return out;
}

function visibilityOf(input: ApiInput): number {
  const v = int(input, 'VisibilityTimeout', 0, 43_200, 'VisibilityTimeout must be an integer between 0 and 43200');
  if (v === undefined) throw missingParameter('VisibilityTimeout');
  return v;
}

/** A batch's entries, checked as SQS checks the whole request before any entry runs. */
function batchEntries(input: ApiInput, entryName: string): ApiInput[] {
  const entries = input['Entries'];
  const list = Array.isArray(entries) ? (entries as ApiInput[]) : [];
  if (list.length === 0) throw new SqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  if (list.length > MAX_BATCH_ENTRIES) {
    throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${list.length}.`);
  }
  const seen = new Set<string>();
  for (const e of list) {
    const id = e?.['Id'];
    if (typeof id !== 'string' || !BATCH_ID.test(id)) {
      throw new SqsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    if (seen.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
  return list;
}

/** Runs each entry; an SqsError becomes its Failed entry (SenderFault, SQS's code), anything else fails the call. */
function batchResult<T extends { id: string }>(entries: T[], run: (e: T) => Record<string, string>): { Successful: unknown[]; Failed: unknown[] } {
  const Successful: unknown[] = [];
  const Failed: unknown[] = [];
  for (const e of entries) {
    try {
      Successful.push({ Id: e.id, ...run(e) });
    } catch (err) {
      if (!(err instanceof SqsError)) throw err;
      Failed.push({ Id: e.id, SenderFault: true, Code: err.code, Message: err.message });
    }
  }
  return { Successful, Failed };
}

function str(input: ApiInput, name: string, required = false): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) {
    if (required) throw missingParameter(name);
    return undefined;
  }
  if (typeof v !== 'string') throw invalidParameter(name, v, `${name} must be a string.`);
  if (required && v === '') throw missingParameter(name);
  return v;
}

function int(input: ApiInput, name: string, min: number, max: number, reason: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw invalidParameter(name, v, reason);
  return n;
}

function strList(input: ApiInput, name: string): string[] {
  const v = input[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalidParameter(name, JSON.stringify(v), `${name} must be a list of strings.`);
  return v as string[];
}

function stringMap(v: unknown, name: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter(name, JSON.stringify(v), `${name} must be a map of strings.`);
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
}

/** `{Name: {DataType, StringValue, BinaryValue}}` (JSON's binary is base64) → the emulator's MessageAttribute. */
function attributeMap(v: unknown, name: string): Record<string, MessageAttribute> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalidParameter(name, JSON.stringify(v), `${name} must be a map.`);
  const out: Record<string, MessageAttribute> = {};
  for (const [k, raw] of Object.entries(v as Record<string, Record<string, unknown>>)) {
    const dataType = raw?.['DataType'];
    out[k] = {
      dataType: typeof dataType === 'string' ? dataType : '',
      ...(typeof raw?.['StringValue'] === 'string' ? { stringValue: raw['StringValue'] } : {}),
      ...(typeof raw?.['BinaryValue'] === 'string' ? { binaryValue: raw['BinaryValue'] } : {}),
    };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function wireAttributes(attributes: Record<string, MessageAttribute>): Record<string, Record<string, string>> {
  return Object.fromEntries(
    Object.entries(attributes).map(([k, a]) => [
      k,
      { DataType: a.dataType, ...(a.stringValue !== undefined ? { StringValue: a.stringValue } : {}), ...(a.binaryValue !== undefined ? { BinaryValue: a.binaryValue } : {}) },
    ]),
  );
}
