// queued: the send function puts one SQS message per MEMBERS_PER_MESSAGE members on the queue, up
// to ten in a SendMessageBatch; the worker (worker.mjs) posts each message to its members.
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { membersOf } from './members.mjs';

const sqs = new SQSClient({});
const PER_MESSAGE = Number(process.env.MEMBERS_PER_MESSAGE ?? 10);

export const handler = async (event) => {
  const { room, payload } = JSON.parse(event.body ?? '{}');
  const members = await membersOf(room);
  const entries = [];
  for (let i = 0; i < members.length; i += PER_MESSAGE) {
    entries.push({ Id: String(entries.length), MessageBody: JSON.stringify({ payload, connections: members.slice(i, i + PER_MESSAGE) }) });
  }
  const calls = [];
  for (let i = 0; i < entries.length; i += 10) calls.push(sqs.send(new SendMessageBatchCommand({ QueueUrl: process.env.QUEUE_URL, Entries: entries.slice(i, i + 10) })));
  for (const out of await Promise.all(calls)) {
    if (out.Failed?.length) throw new Error(`SendMessageBatch: ${out.Failed.length} failed: ${out.Failed[0].Code}`);
  }
  return { statusCode: 200 };
};
