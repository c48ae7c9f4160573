import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { FUNCTION_ENV, PUSH_QUEUE } from '../manifest.ts';
import { config } from './env.ts';
import { httpHandlerOptions } from './http-options.ts';

/**
 * The queued push's queue: what one message carries (the frame, once, and up to
 * PUSH_QUEUE.idsPerMessage connection ids), how the fan-out sends the messages
 * (SendMessageBatch) and how a worker reads one back.
 */
export interface PushQueueMessage {
  /** the room, for the 410 cleanup; absent for everyone */
  room?: string;
  frame: string;
  ids: string[];
}

/** SQS's limits on one SendMessageBatch: 10 entries, 1 MiB together (docs/aws-facts.md). */
const BATCH_ENTRIES = 10;
const BATCH_BYTES = 1_048_576;
/** Tries of a batch's failed entries (SQS answers some entries failed with the call a success). */
const SEND_ATTEMPTS = 3;

function createClient(): SQSClient {
  return new SQSClient({ maxAttempts: 3, requestHandler: httpHandlerOptions(10) });
}

let client: SQSClient | undefined;

/** The recipients in messages of PUSH_QUEUE.idsPerMessage. */
export function pushMessages(room: string | undefined, frame: string, ids: readonly string[]): PushQueueMessage[] {
  const messages: PushQueueMessage[] = [];
  for (let i = 0; i < ids.length; i += PUSH_QUEUE.idsPerMessage) {
    messages.push({ ...(room === undefined ? {} : { room }), frame, ids: ids.slice(i, i + PUSH_QUEUE.idsPerMessage) });
  }
  return messages;
}

/** Entries packed into batches of at most 10 and 1 MiB. */
export function batchesOf(bodies: readonly string[]): SendMessageBatchRequestEntry[][] {
  const batches: SendMessageBatchRequestEntry[][] = [];
  let batch: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  bodies.forEach((body, i) => {
    const size = Buffer.byteLength(body, 'utf8');
    if (batch.length === BATCH_ENTRIES || (batch.length > 0 && bytes + size > BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ Id: String(i), MessageBody: body });
    bytes += size;
  });
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Sends the messages, one SendMessageBatch per 10 (the batches in parallel); entries SQS failed
 * are sent again, up to SEND_ATTEMPTS tries. Throws when some still fail: Lambda then retries the
 * event (the messages already sent go again: a worker's recipients may get the push twice).
 */
export async function sendPushMessages(messages: readonly PushQueueMessage[]): Promise<number> {
  const url = config.pushQueueUrl;
  if (!url) throw new Error(`fanout-chat: invalid environment: ${FUNCTION_ENV.pushQueueUrl} is required by the queued push's fan-out (the push queue's URL)`);
  client ??= createClient();
  const sqs = client;
  let calls = 0;
  await Promise.all(
    batchesOf(messages.map((m) => JSON.stringify(m))).map(async (entries) => {
      let pending = entries;
      for (let attempt = 1; pending.length > 0; attempt++) {
        calls++;
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: pending }));
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        if (failed.size > 0 && attempt >= SEND_ATTEMPTS) {
          const first = out.Failed![0]!;
          throw new Error(`SendMessageBatch failed ${failed.size} of ${pending.length} entries after ${attempt} tries (${first.Code}: ${first.Message ?? ''})`);
        }
        pending = pending.filter((e) => failed.has(e.Id));
      }
    }),
  );
  return calls;
}

/** A queue message's body, or undefined when it is not one of ours. */
export function readPushMessage(body: string): PushQueueMessage | undefined {
  try {
    const m = JSON.parse(body) as Partial<PushQueueMessage>;
    if (typeof m.frame !== 'string' || !Array.isArray(m.ids) || !m.ids.every((id) => typeof id === 'string')) return undefined;
    if (m.room !== undefined && typeof m.room !== 'string') return undefined;
    return m as PushQueueMessage;
  } catch {
    return undefined;
  }
}
