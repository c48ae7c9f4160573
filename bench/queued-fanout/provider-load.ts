/**
 * The calls whose cost provider-cost.ts measures, made with the real AWS SDK v3 clients from a
 * thread of their own, so the SDK's CPU is not counted as the emulator's: each answer carries
 * this thread's own CPU, which the measurement leaves out. One operation at a time, `count`
 * messages (or records) in all, calls kept `inFlight` at once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { threadCpuClock } from '../../emulator/lambda/environments/cpu-share.ts';

export interface LoadInit {
  region: string;
  endpoints: { sqs: string; sns: string; events: string; dynamodb: string; streams: string };
  queueUrl: string;
  topicArn: string;
  streamArn: string;
  streamedTable: string;
  plainTable: string;
}
export type LoadOp =
  | 'sqs-send'
  | 'sqs-send-batch'
  | 'sqs-receive'
  | 'sqs-delete-batch'
  | 'sns-publish'
  | 'sns-publish-batch'
  | 'events-put'
  | 'dynamodb-put-plain'
  | 'dynamodb-put-streamed'
  | 'streams-get-records';
export type ToLoad = { op: LoadOp; count: number; inFlight: number };
export type FromLoad = { t: 'done'; op: LoadOp; done: number; cpuMs: number } | { t: 'failed'; message: string };

const init = workerData as LoadInit;
const port = parentPort!;
const cpu = threadCpuClock();
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const config = (endpoint: string) => ({ endpoint, region: init.region, credentials });
const sqs = new SQSClient(config(init.endpoints.sqs));
const sns = new SNSClient(config(init.endpoints.sns));
const events = new EventBridgeClient(config(init.endpoints.events));
const dynamodb = new DynamoDBClient(config(init.endpoints.dynamodb));
const streams = new DynamoDBStreamsClient(config(init.endpoints.streams));
const body = JSON.stringify({ payload: { t: 0, pad: 'x'.repeat(40) }, connections: Array.from({ length: 10 }, (_, i) => `conn-${i}-AAAAAAAAAA=`) });
/** receipt handles of received messages not yet deleted */
const handles: string[] = [];
let keys = 0;
let shardIterator: string | undefined;

/** `count` units of work in calls of `per` units, `inFlight` calls at once; each call says how many it did. */
async function calls(count: number, inFlight: number, call: (n: number) => Promise<number>): Promise<number> {
  let left = count;
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left > 0) {
        const want = left;
        left -= Math.min(want, 10);
        const did = await call(Math.min(want, 10));
        done += did;
        // a receive may come back short: what it did not get is asked again
        if (did < Math.min(want, 10)) left += Math.min(want, 10) - did;
      }
    }),
  );
  return done;
}

const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ Id: String(i), MessageBody: body }));

async function run(op: LoadOp, count: number, inFlight: number): Promise<number> {
  switch (op) {
    case 'sqs-send': {
      let done = 0;
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (done < count) {
          done++;
          await sqs.send(new SendMessageCommand({ QueueUrl: init.queueUrl, MessageBody: body }));
        }
      }));
      return done;
    }
    case 'sqs-send-batch':
      return calls(count, inFlight, async (n) => {
        const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: init.queueUrl, Entries: entries(n) }));
        if (out.Failed?.length) throw new Error(`SendMessageBatch: ${out.Failed[0]!.Code}`);
        return n;
      });
    case 'sqs-receive':
      return calls(count, inFlight, async (n) => {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: init.queueUrl, MaxNumberOfMessages: n, WaitTimeSeconds: 0, VisibilityTimeout: 600 }));
        for (const m of out.Messages ?? []) handles.push(m.ReceiptHandle!);
        if ((out.Messages ?? []).length === 0) throw new Error('ReceiveMessage: the queue is empty: send before receiving');
        return out.Messages!.length;
      });
    case 'sqs-delete-batch':
      return calls(Math.min(count, handles.length), inFlight, async (n) => {
        const batch = handles.splice(0, n);
        const out = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: init.queueUrl, Entries: batch.map((h, i) => ({ Id: String(i), ReceiptHandle: h })) }));
        if (out.Failed?.length) throw new Error(`DeleteMessageBatch: ${out.Failed[0]!.Code}`);
        return batch.length;
      });
    case 'sns-publish': {
      let done = 0;
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (done < count) {
          done++;
          await sns.send(new PublishCommand({ TopicArn: init.topicArn, Message: body }));
        }
      }));
      return done;
    }
    case 'sns-publish-batch':
      return calls(count, inFlight, async (n) => {
        const out = await sns.send(new PublishBatchCommand({ TopicArn: init.topicArn, PublishBatchRequestEntries: Array.from({ length: n }, (_, i) => ({ Id: String(i), Message: body })) }));
        if (out.Failed?.length) throw new Error(`PublishBatch: ${out.Failed[0]!.Code}`);
        return n;
      });
    case 'events-put':
      return calls(count, inFlight, async (n) => {
        const out = await events.send(new PutEventsCommand({ Entries: Array.from({ length: n }, () => ({ Source: 'bench.queued-fanout', DetailType: 'message', Detail: body })) }));
        if (out.FailedEntryCount) throw new Error(`PutEvents: ${out.FailedEntryCount} failed`);
        return n;
      });
    case 'dynamodb-put-plain':
    case 'dynamodb-put-streamed': {
      const table = op === 'dynamodb-put-plain' ? init.plainTable : init.streamedTable;
      let done = 0;
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (done < count) {
          done++;
          await dynamodb.send(new PutItemCommand({ TableName: table, Item: { id: { S: `k${keys++}` }, body: { S: body } } }));
        }
      }));
      return done;
    }
    case 'streams-get-records': {
      if (shardIterator === undefined) {
        const shard = (await streams.send(new DescribeStreamCommand({ StreamArn: init.streamArn }))).StreamDescription?.Shards?.[0]?.ShardId;
        shardIterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: init.streamArn, ShardId: shard, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      }
      let done = 0;
      while (done < count && shardIterator) {
        const out = await streams.send(new GetRecordsCommand({ ShardIterator: shardIterator, Limit: Math.min(1000, count - done) }));
        shardIterator = out.NextShardIterator;
        done += out.Records?.length ?? 0;
        if ((out.Records?.length ?? 0) === 0) break;
      }
      return done;
    }
  }
}

port.on('message', (m: ToLoad) => {
  run(m.op, m.count, m.inFlight).then(
    (done) => port.postMessage({ t: 'done', op: m.op, done, cpuMs: cpu?.() ?? 0 } satisfies FromLoad),
    (err: unknown) => port.postMessage({ t: 'failed', message: `${m.op}: ${String(err)}` } satisfies FromLoad),
  );
});
