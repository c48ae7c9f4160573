import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GetEventSourceMappingCommand, LambdaClient, ListEventSourceMappingsCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { LambdaControlPlane } from '../../emulator/lambda-api/control-plane.ts';
import { startLambdaApiServer } from '../../emulator/lambda-api/server.ts';
import { startManagementApis, type ManagementApis } from '../../emulator/management-apis.ts';
import { SqsQueues } from '../../emulator/sqs/queue-registry.ts';
import { startSqsServer } from '../../emulator/sqs/server.ts';
import { SqsEventSourceMapping } from '../../emulator/event-sources/sqs-mapping.ts';
import { mappingUuid } from '../../emulator/event-sources/mapping-uuid.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import type { LocalEndpoint } from '../../emulator/local-listener.ts';
import type { EventSourceMappingDescription, QueueDescription, StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { smallStack } from '../fixtures/stack-model/small-stack.ts';
import { fixture, until } from '../emulator/lambda-test-helpers.ts';
import { discoverStackPath } from '../../src/targets/stack-path.ts';
import { pullPath } from '../../src/metrics/cloudwatch/path-pull.ts';
import type { FunctionHop, MappingHop, QueueHop } from '../../src/contracts/path-schema.ts';
import { StackPath } from '../../src/contracts/path-schema.ts';
import { emulatorSettings } from '../../src/aws/sdk-settings.ts';
import { validateScenario } from '../../src/scenarios/load-scenario.ts';
import { pathPreflight } from '../../src/session/path-preflight.ts';
import { quotaPlanLine } from '../../src/report/run/quota-text.ts';
import type { Target } from '../../src/targets/target.ts';

// A queued path found and measured through the emulator's own APIs with the real SDK clients:
// CloudFormation's ListStackResources (the stack's queues and mapping), Lambda's
// ListEventSourceMappings, SQS's GetQueueAttributes (the redrive policy), then CloudWatch's
// GetMetricData of what the real queue (emulator/sqs) and the real mapping (emulator/event-sources)
// over the real Lambda runtime published while a worker failed some messages into the
// dead-letter queue. The stack's own wiring of these (emulator/stack.ts) is the integrator's, in
// progress: the pieces are started here one by one, as it starts them.

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const STACK = 'SqsFanout';
const WORKER = `${STACK}-Worker-1A2B3C`;
const arnOf = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

const queue = (name: string, extra: Partial<QueueDescription> = {}): QueueDescription => ({
  logicalId: name.replace(/(^|-)(\w)/g, (_, _d: string, c: string) => c.toUpperCase()),
  name,
  arn: arnOf(name),
  fifo: false,
  contentBasedDeduplication: false,
  visibilityTimeoutSeconds: 1,
  delaySeconds: 0,
  messageRetentionSeconds: 345_600,
  maximumMessageSize: 1_048_576,
  receiveMessageWaitTimeSeconds: 0,
  ...extra,
});
const JOBS = queue('fanout-jobs', { redrive: { deadLetterTargetArn: arnOf('fanout-jobs-dlq'), maxReceiveCount: 2 } });
const DLQ = queue('fanout-jobs-dlq');
const MAPPING: EventSourceMappingDescription = {
  logicalId: 'WorkerJobsEvent',
  functionName: WORKER,
  kind: 'sqs',
  sourceArn: JOBS.arn,
  batchSize: 5,
  maximumBatchingWindowSeconds: 0,
  enabled: true,
  reportBatchItemFailures: true,
  maximumConcurrency: 2,
};

let metrics: MetricStore;
let logs: LogStore;
let runtime: LambdaRuntime;
let cloudwatchServer: CloudWatchServer;
let lambdaApi: LocalEndpoint;
let sqsServer: LocalEndpoint;
let management: ManagementApis;
let queues: SqsQueues;
let mapping: SqsEventSourceMapping;
let description: StackDescription;
const clients: Array<{ destroy(): void }> = [];
let lambda: LambdaClient;
let sqs: SQSClient;
let cloudformation: CloudFormationClient;
let cloudwatch: CloudWatchClient;

beforeAll(async () => {
  metrics = new MetricStore();
  logs = new LogStore();
  const small = smallStack({ stackName: STACK });
  description = {
    ...small,
    functions: [...small.functions, { ...small.functions[0]!, logicalId: 'WorkerFunction', name: WORKER }],
    queues: [JOBS, DLQ],
    eventSourceMappings: [MAPPING],
  };
  runtime = await createLambdaRuntime({
    metrics,
    logs,
    cpuModel: 'off',
    region: REGION,
    accountId: ACCOUNT,
    functions: [{ name: WORKER, entry: fixture('batch-consumer.ts'), memoryMB: 128, timeoutSeconds: 10, environment: {} }],
  });
  cloudwatchServer = await startCloudWatchServer({ store: metrics, logs, region: REGION, accountId: ACCOUNT });
  const controlPlane = new LambdaControlPlane({ runtime, region: REGION, accountId: ACCOUNT, runtimeId: 'nodejs22.x', wiredEnvironment: {}, eventSourceMappings: [MAPPING] });
  lambdaApi = await startLambdaApiServer({ controlPlane });
  queues = new SqsQueues([JOBS, DLQ], { region: REGION, accountId: ACCOUNT });
  sqsServer = await startSqsServer({ queues, metrics });
  management = await startManagementApis({
    stack: description,
    accountId: ACCOUNT,
    region: REGION,
    apiId: 'abcdef1234',
    stage: 'prod',
    websocketUrl: 'ws://127.0.0.1:1/prod',
    callbackUrl: 'http://127.0.0.1:1/prod',
    throttle: { rateLimit: 500, burstLimit: 1000 },
    routeThrottles: {},
    accountThrottle: { rateLimit: 10_000, burstLimit: 5_000 },
  });
  mapping = new SqsEventSourceMapping({ mapping: MAPPING, queue: queues.byName(JOBS.name)!, runtime, metrics, region: REGION, longPollMs: 200, scaleEveryMs: 100 });
  lambda = new LambdaClient({ endpoint: lambdaApi.url, region: REGION, credentials });
  sqs = new SQSClient({ endpoint: sqsServer.url, region: REGION, credentials });
  cloudformation = new CloudFormationClient({ endpoint: management.cloudformation.url, region: REGION, credentials });
  cloudwatch = new CloudWatchClient({ endpoint: cloudwatchServer.url, region: REGION, credentials });
  clients.push(lambda, sqs, cloudformation, cloudwatch);
}, 60_000);

afterAll(async () => {
  await mapping?.stop(2_000);
  for (const c of clients) c.destroy();
  await management?.close();
  await sqsServer?.close();
  await lambdaApi?.close();
  await cloudwatchServer?.close();
  await runtime?.close();
  queues?.close();
});

describe("the emulator's Lambda API: event source mappings", () => {
  it('lists a function\'s mappings and gets one by UUID, with the UUID its metrics are published under', async () => {
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: WORKER }));
    expect(listed.EventSourceMappings).toHaveLength(1);
    const m = listed.EventSourceMappings![0]!;
    expect(m).toMatchObject({
      UUID: mappingUuid(MAPPING),
      EventSourceArn: JOBS.arn,
      FunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${WORKER}`,
      BatchSize: 5,
      State: 'Enabled',
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(m.LastModified).toBeInstanceOf(Date);
    // by ARN and by source too; another function has none
    expect((await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${WORKER}` }))).EventSourceMappings).toHaveLength(1);
    expect((await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: DLQ.arn }))).EventSourceMappings).toHaveLength(0);
    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }));
    expect(got.EventSourceArn).toBe(JOBS.arn);
    await expect(lambda.send(new GetEventSourceMappingCommand({ UUID: '00000000-0000-5000-8000-000000000000' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('a stack path found and pulled', () => {
  it('names the queue, its dead-letter queue and the mapping, and counts what the worker failed into the DLQ', async () => {
    const startMs = Math.floor(Date.now() / 1000) * 1000 - 2_000;
    await new Promise((r) => setTimeout(r, 1_100));
    mapping.start();
    const bodies = [...Array.from({ length: 6 }, (_, i) => `ok-${i}`), 'fail-item-a', 'fail-item-b', 'fail-item-c'];
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: `${sqsServer.url}/${ACCOUNT}/${JOBS.name}`, Entries: bodies.map((b, i) => ({ Id: `m${i}`, MessageBody: b })) }));
    // received twice each (visibility timeout 1 s), then moved to the dead-letter queue
    await until(() => queues.byName(DLQ.name)!.depth().visible === 3, 20_000, 100);
    // the next depth sample sees them
    await new Promise((r) => setTimeout(r, 1_200));
    await mapping.stop(2_000);

    const resources = await discoverStackPath({ cloudformation, lambda, sqs }, { stackName: STACK, routeFunctions: description.functions.filter((f) => f.name !== WORKER).map((f) => f.name) });
    expect(resources).toBeDefined();
    expect(resources!.queues.map((q) => q.name).sort()).toEqual([JOBS.name, DLQ.name].sort());
    expect(resources!.queues.find((q) => q.name === JOBS.name)!.deadLetterQueue).toEqual({ name: DLQ.name, maxReceiveCount: 2 });
    expect(resources!.mappings).toEqual([expect.objectContaining({ uuid: mappingUuid(MAPPING), functionName: WORKER, batchSize: 5, maximumConcurrency: 2, reportBatchItemFailures: true })]);
    // the route functions are not on the path: the worker is
    expect(resources!.functions.map((f) => f.name)).toEqual([WORKER]);
    // its memory, as GetFunctionConfiguration answers it: what its compute is priced at
    expect(resources!.functions[0]!.memoryMB).toBeGreaterThan(0);

    const path = await pullPath(cloudwatch, resources!, { startMs, endMs: Math.ceil(Date.now() / 1000) * 1000 + 1_000, periodSec: 1 });
    expect(StackPath.safeParse(path).success).toBe(true);
    const jobs = path.hops.find((h): h is QueueHop => h.kind === 'queue' && h.name === JOBS.name)!;
    expect(jobs.totals.sent).toBe(9);
    expect(jobs.totals.deleted).toBe(6);
    expect(jobs.totals.received).toBeGreaterThanOrEqual(12);
    expect(jobs.overTime?.visible?.values.length).toBeGreaterThan(0);
    const dlq = path.hops.find((h): h is QueueHop => h.kind === 'queue' && h.name === DLQ.name)!;
    expect(dlq.deadLetterOf).toEqual([JOBS.name]);
    // redriven, not sent: SQS counts no redrive in NumberOfMessagesSent, its depth rises by them
    expect(dlq.totals.sent).toBe(0);
    expect(dlq.totals.redriven).toBe(3);
    const m = path.hops.find((h): h is MappingHop => h.kind === 'mapping')!;
    expect(m.name).toBe(`${JOBS.name} → ${WORKER}`);
    expect(m.totals.polled).toBeGreaterThanOrEqual(12);
    expect(m.totals.batches).toBeGreaterThan(0);
    expect(m.concurrencySource).toBe('mapping');
    expect(m.totals.concurrencyMax).toBeGreaterThanOrEqual(1);
    expect(m.totals.concurrencyMax).toBeLessThanOrEqual(2);
    // the worker's average duration over the window: what its compute is billed at
    const w = path.hops.find((h): h is FunctionHop => h.kind === 'function')!;
    expect(w.totals.invocations).toBeGreaterThan(0);
    expect(w.totals.durationAvgMs).toBeGreaterThan(0);
    expect(w.memoryMB).toBe(resources!.functions[0]!.memoryMB);
    // the order of the path: the queue, its mapping, its dead-letter queue, then the function
    expect(path.hops.map((h) => `${h.kind} ${h.name}`)).toEqual([`queue ${JOBS.name}`, `mapping ${JOBS.name} → ${WORKER}`, `queue ${DLQ.name}`, `function ${WORKER}`]);
  }, 60_000);

  it('a stack without queues, topics, rules or mappings has no path', async () => {
    const plain = await startManagementApis({
      stack: smallStack({ stackName: 'Plain' }),
      accountId: ACCOUNT,
      region: REGION,
      apiId: 'abcdef1234',
      stage: 'prod',
      websocketUrl: 'ws://127.0.0.1:1/prod',
      callbackUrl: 'http://127.0.0.1:1/prod',
      throttle: { rateLimit: 500, burstLimit: 1000 },
      routeThrottles: {},
      accountThrottle: { rateLimit: 10_000, burstLimit: 5_000 },
    });
    const cfn = new CloudFormationClient({ endpoint: plain.cloudformation.url, region: REGION, credentials });
    try {
      expect(await discoverStackPath({ cloudformation: cfn, lambda, sqs }, { stackName: 'Plain', routeFunctions: [] })).toBeUndefined();
    } finally {
      cfn.destroy();
      await plain.close();
    }
  });

  it("holds the path it reads before load against its quotas: the mapping's 2 batches of 5 at once leave 500 messages/s 20 ms a batch", async () => {
    // the Target fields the path pre-flight asks (stack-path-pull.ts readStackPath): a local stack's endpoints and its route functions
    const target = {
      lambdaApi: emulatorSettings(lambdaApi.url, REGION),
      local: { stackName: STACK, cloudformationEndpoint: management.cloudformation.url, apiGatewayV2Endpoint: management.apigatewayv2.url, edgeEndpoint: sqsServer.url, region: REGION },
      endpoints: { region: REGION },
      describeFunctions: async () => ({ source: 'stack', functions: description.functions.filter((f) => f.name !== WORKER).map((f) => ({ name: f.name, route: '$default', memoryMB: 128 })) }),
    } as unknown as Target;
    const at = (rate: number) => validateScenario({ name: 'path', clients: 10, rooms: 1, phases: [{ connect: { rate: 100 } }, { join: { rate: 100 } }, { send: { duration: '5s', rate } }] }, 'path.yaml');
    expect(await pathPreflight(target, at(50))).toEqual([]);
    expect((await pathPreflight(target, at(500))).map(quotaPlanLine)).toEqual([
      `quota: send phase "send" sends 500 messages/s into ${JOBS.name}; its mapping to ${WORKER} runs at most 2 batches of 5 at once (its MaximumConcurrency): each batch would have to finish within 20 ms, under the 100 ms assumed for a poll, invoke and delete: expect the queue to grow (its age of oldest message rising)`,
    ]);
  });

  it('reads the redrive policy SQS answers for the queue URL CloudFormation names', async () => {
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${JOBS.name}`, AttributeNames: ['RedrivePolicy'] }));
    expect(JSON.parse(attrs.Attributes!.RedrivePolicy!)).toMatchObject({ deadLetterTargetArn: DLQ.arn });
  });
});
