import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startDynamoDb, type LocalDynamoDb } from '../../emulator/dynamodb/dynamodb-thread.ts';
import { startDynamoDbStreamsServer } from '../../emulator/dynamodb/streams/streams-server.ts';
import { SqsEventSourceMapping } from '../../emulator/event-sources/sqs-mapping.ts';
import { startEventBridgeServer } from '../../emulator/eventbridge/server.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { threadCpuClock } from '../../emulator/lambda/environments/cpu-share.ts';
import type { LocalEndpoint } from '../../emulator/local-listener.ts';
import type { ServiceTargets } from '../../emulator/service-targets.ts';
import { startSnsServer } from '../../emulator/sns/server.ts';
import { SqsQueues } from '../../emulator/sqs/queue-registry.ts';
import { startSqsServer } from '../../emulator/sqs/server.ts';
import { QUEUE_DEFAULTS, type QueueDescription } from '../../emulator/stack-model/stack-description.ts';
import { bundleThreads } from '../thread-bundles.ts';
import type { FromLoad, LoadInit, LoadOp, ToLoad } from './provider-load.ts';

/**
 * What one message costs each of issue 60's providers, on this host: the SQS, SNS, EventBridge
 * and DynamoDB Streams endpoints started in this process as the stack starts them (no IAM gate:
 * bench/iam measures its cost), called by the real SDK clients from a thread of their own
 * (provider-load.ts), whose CPU is left out. Per message, ms: this process's CPU less the load
 * thread's, split into the main thread (the endpoints, SQS's queues, SNS's and EventBridge's
 * deliveries into a queue, the streams' records), DynamoDB's thread (dynalite, the metering front,
 * the stream's capture) and the rest (V8's GC and compiler threads, libuv). A short run of each
 * operation first warms its code; the bounded loop after it is measured. Last, the SQS event
 * source mapping's own work per message (mappingCost).
 */
export interface ProviderCost {
  what: string;
  messages: number;
  calls: number;
  /** ms per message */
  total: number;
  main: number;
  dynamodb: number;
  other: number;
}

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const arnOf = (service: string, name: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${name}`;
const queue = (name: string): QueueDescription => ({
  logicalId: name,
  name,
  arn: arnOf('sqs', name),
  fifo: false,
  contentBasedDeduplication: false,
  ...QUEUE_DEFAULTS,
});
const STREAMED = 'streamed';
const PLAIN = 'plain';
const STREAM_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${STREAMED}/stream/2026-01-01T00:00:00.000`;

export async function measureProviderCosts(o: { quick: boolean; dir: string; log: (line: string) => void }): Promise<ProviderCost[]> {
  const n = o.quick ? 500 : 10_000;
  const warm = o.quick ? 100 : 1_000;
  const metrics = new MetricStore();
  const queues = new SqsQueues([queue('work'), queue('from-topic'), queue('from-rule'), queue('mapped')], { region: REGION, accountId: ACCOUNT });
  const targets: ServiceTargets = { deliver: (arn, message, from) => queues.deliver(arn, message, from), has: (arn) => queues.has(arn) };
  const endpoints: LocalEndpoint[] = [];
  let db: LocalDynamoDb | undefined;
  let load: Worker | undefined;
  try {
    const sqs = await startSqsServer({ queues, metrics });
    endpoints.push(sqs);
    const sns = await startSnsServer({
      topics: [
        {
          logicalId: 'Topic',
          name: 'topic',
          arn: arnOf('sns', 'topic'),
          fifo: false,
          contentBasedDeduplication: false,
          subscriptions: [{ logicalId: 'ToQueue', protocol: 'sqs', endpoint: arnOf('sqs', 'from-topic'), filterPolicyScope: 'MessageAttributes', rawMessageDelivery: false }],
        },
      ],
      targets,
      metrics,
      region: REGION,
      accountId: ACCOUNT,
    });
    endpoints.push(sns);
    const events = await startEventBridgeServer({
      buses: [{ name: 'default', arn: arnOf('events', 'event-bus/default') }],
      rules: [
        {
          logicalId: 'Rule',
          name: 'rule',
          arn: arnOf('events', 'rule/rule'),
          busName: 'default',
          eventPattern: { source: ['bench.queued-fanout'] },
          state: 'ENABLED',
          targets: [{ id: 'queue', arn: arnOf('sqs', 'from-rule') }],
        },
      ],
      targets,
      metrics,
      region: REGION,
      accountId: ACCOUNT,
    });
    endpoints.push(events);
    const table = (name: string) => ({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
      BillingMode: 'PAY_PER_REQUEST' as const,
    });
    db = await startDynamoDb({ tables: [table(STREAMED), table(PLAIN)], region: REGION, metrics, streams: [{ tableName: STREAMED, viewType: 'NEW_AND_OLD_IMAGES', arn: STREAM_ARN }] });
    const streams = await startDynamoDbStreamsServer({ streams: db.streams() });
    endpoints.push(streams);

    const [loadPath] = await bundleThreads(o.dir, [fileURLToPath(new URL('./provider-load.ts', import.meta.url))]);
    const init: LoadInit = {
      region: REGION,
      endpoints: { sqs: sqs.url, sns: sns.url, events: events.url, dynamodb: db.endpoint, streams: streams.url },
      queueUrl: `${sqs.url}/${ACCOUNT}/work`,
      topicArn: arnOf('sns', 'topic'),
      streamArn: STREAM_ARN,
      streamedTable: STREAMED,
      plainTable: PLAIN,
    };
    const worker = (load = new Worker(loadPath!, { workerData: init }));
    const ask = (m: ToLoad) =>
      new Promise<Extract<FromLoad, { t: 'done' }>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`provider-cost: ${m.op} did not finish in 300 s`)), 300_000);
        worker.once('message', (r: FromLoad) => {
          clearTimeout(timer);
          if (r.t === 'failed') reject(new Error(`provider-cost: ${r.message}`));
          else resolve(r);
        });
        worker.postMessage(m);
      });
    const mainCpu = threadCpuClock();
    if (!mainCpu) throw new Error('provider-cost: needs Linux (/proc/thread-self/schedstat) to tell the threads apart');
    const dbMs = () => db!.stats().cpuMs;
    let loadCpuMs = (await ask({ op: 'sqs-send', count: 1, inFlight: 1 })).cpuMs;

    /** `op` over `count` messages, `perCall` to a call; `settle` waits for what it set off (deliveries) inside the window. */
    const measure = async (what: string, op: LoadOp, count: number, perCall: number, settle?: () => Promise<void>): Promise<ProviderCost> => {
      const p0 = process.cpuUsage();
      const m0 = mainCpu();
      const d0 = dbMs();
      const l0 = loadCpuMs;
      const r = await ask({ op, count, inFlight: 4 });
      await settle?.();
      loadCpuMs = r.cpuMs;
      const p = process.cpuUsage(p0);
      const total = (p.user + p.system) / 1000 - (loadCpuMs - l0);
      const main = mainCpu() - m0;
      const dynamodb = dbMs() - d0;
      o.log(`cost: ${what}: ${r.done} in ${(total / r.done).toFixed(3)} ms each`);
      return { what, messages: r.done, calls: Math.ceil(r.done / perCall), total: total / r.done, main: main / r.done, dynamodb: dynamodb / r.done, other: (total - main - dynamodb) / r.done };
    };
    const idle = () => Promise.all([sns.idle(), events.idle()]).then(() => undefined);
    const out: ProviderCost[] = [];
    const both = async (what: string, op: LoadOp, perCall: number, settle?: () => Promise<void>) => {
      await ask({ op, count: warm, inFlight: 4 }).then((r) => (loadCpuMs = r.cpuMs));
      await settle?.();
      out.push(await measure(what, op, n, perCall, settle));
    };
    o.log(`cost: ${n} messages an operation (load ${(await import('node:os')).loadavg()[0]!.toFixed(2)})`);
    await both('SQS SendMessage (1 a call)', 'sqs-send', 1);
    await both('SQS SendMessageBatch (10 a call)', 'sqs-send-batch', 10);
    // what the sends left on the queue is what the receives take, then delete
    await both('SQS ReceiveMessage (10 a call)', 'sqs-receive', 10);
    await both('SQS DeleteMessageBatch (10 a call)', 'sqs-delete-batch', 10);
    await both('SNS Publish + delivery to an SQS subscription', 'sns-publish', 1, idle);
    await both('SNS PublishBatch (10 a call) + delivery', 'sns-publish-batch', 10, idle);
    await both('EventBridge PutEvents (10 a call) + SQS target', 'events-put', 10, idle);
    await both('DynamoDB PutItem, table without a stream', 'dynamodb-put-plain', 1);
    await both('DynamoDB PutItem, table with a stream (NEW_AND_OLD_IMAGES)', 'dynamodb-put-streamed', 1);
    out.push(await measure('DynamoDB Streams GetRecords (up to 1,000 a call), per record', 'streams-get-records', n + warm, 1_000));
    out.push(await mappingCost(queues, metrics, n, warm, o.log));
    return out;
  } finally {
    await load?.terminate();
    await Promise.allSettled(endpoints.map((e) => e.close()));
    await db?.close();
    queues.close();
  }
}

/**
 * The SQS event source mapping's own work per message, in process as the stack runs it (no HTTP):
 * receive, the SQS event, invoking a function that does nothing, delete. The queue is filled
 * before the window; the window ends when the queue is empty. The environments' threads (the
 * function's side of the invocation) are left out: the runtime's bookkeeping on the main thread
 * is in.
 */
async function mappingCost(queues: SqsQueues, metrics: MetricStore, n: number, warm: number, log: (line: string) => void): Promise<ProviderCost> {
  const arn = arnOf('sqs', 'mapped');
  const runtime = await createLambdaRuntime({
    metrics,
    logs: new LogStore(),
    cpuModel: 'off',
    region: REGION,
    accountId: ACCOUNT,
    functions: [{ name: 'noop', entry: fileURLToPath(new URL('./noop-consumer.ts', import.meta.url)), memoryMB: 1024, timeoutSeconds: 10, environment: {} }],
  });
  const polled = queues.polled(arn);
  const newMapping = () =>
    new SqsEventSourceMapping({
      mapping: { logicalId: 'Mapping', functionName: 'noop', kind: 'sqs', sourceArn: arn, batchSize: 10, maximumBatchingWindowSeconds: 0, enabled: true, reportBatchItemFailures: true },
      queue: polled,
      runtime,
      metrics,
      region: REGION,
      longPollMs: 1_000,
    });
  const empty = async (what: string) => {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const d = polled.depth();
      if (d.visible + d.inFlight + d.delayed === 0) return;
      if (Date.now() > deadline) throw new Error(`provider-cost: the mapping left ${d.visible + d.inFlight} messages of ${what} after 300 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const fill = async (count: number): Promise<void> => {
    for (let i = 0; i < count; i++) await queues.deliver(arn, { body: 'x'.repeat(200) }, { service: 'sqs', arn });
  };
  const mappings: SqsEventSourceMapping[] = [];
  // one mapping warms the code and the function's environments, a new one (the queue filled first) is measured
  const drain = async (count: number, what: string) => {
    await fill(count);
    const mapping = newMapping();
    mappings.push(mapping);
    const mainCpu = threadCpuClock()!;
    const p0 = process.cpuUsage();
    const m0 = mainCpu();
    const env0 = envMs(runtime.stats());
    mapping.start();
    await empty(what);
    const p = process.cpuUsage(p0);
    const main = mainCpu() - m0;
    const total = (p.user + p.system) / 1000 - (envMs(runtime.stats()) - env0);
    await mapping.stop(5_000);
    return { total, main, batches: mapping.stats().batches };
  };
  try {
    await drain(warm, 'the warm-up');
    const r = await drain(n, 'the measured run');
    log(`cost: the SQS mapping: ${n} in ${(r.total / n).toFixed(3)} ms each`);
    return {
      what: 'SQS event source mapping: receive, invoke (a function doing nothing; its thread left out), delete',
      messages: n,
      calls: r.batches,
      total: r.total / n,
      main: r.main / n,
      dynamodb: 0,
      other: (r.total - r.main) / n,
    };
  } finally {
    await Promise.all(mappings.map((m) => m.stop(5_000)));
    await runtime.close();
  }
}

const envMs = (stats: ReturnType<Awaited<ReturnType<typeof createLambdaRuntime>>['stats']>) =>
  Object.values(stats).reduce((s, f) => s + f.hostCpuInitMs + f.hostCpuInvokeMs, 0);

export function providerCostLines(costs: ProviderCost[]): string[] {
  const plain = costs.find((c) => c.what.startsWith('DynamoDB PutItem, table without'));
  const streamed = costs.find((c) => c.what.startsWith('DynamoDB PutItem, table with a'));
  return [
    "### What one message costs each provider (bench/queued-fanout/provider-cost.ts)",
    '',
    "The SQS, SNS, EventBridge and DynamoDB Streams endpoints in one process, no IAM gate, called by the real SDK v3",
    "clients from a thread of their own (its CPU left out). SNS and EventBridge deliver into an SQS queue (the window",
    "waits for every delivery). CPU ms per message: the process, its main thread (endpoints, queues, deliveries, stream",
    "records), DynamoDB's thread (dynalite, metering front, stream capture), the rest (libuv, and V8's GC and compiler",
    "threads, which the load thread's isolate shares: main is the emulator's own, the surest of these figures).",
    '',
    '| operation | messages | calls | CPU ms / message | main | DynamoDB thread | other |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...costs.map((c) => `| ${c.what} | ${c.messages} | ${c.calls} | ${c.total.toFixed(3)} | ${c.main.toFixed(3)} | ${c.dynamodb.toFixed(3)} | ${c.other.toFixed(3)} |`),
    ...(plain && streamed
      ? [
          '',
          `A stream record's capture, PutItem with a stream less without, ms a write: main thread ${signed(streamed.main - plain.main)} (the record kept),` +
            ` DynamoDB thread ${signed(streamed.dynamodb - plain.dynamodb)}, process ${signed(streamed.total - plain.total)} (a difference of two noisy totals).`,
        ]
      : []),
  ];
}

const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
