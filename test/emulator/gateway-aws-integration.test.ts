import { createServer, type IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startSnsServer, type SnsServer } from '../../emulator/sns/server.ts';
import { startEventBridgeServer, type EventBridgeServer } from '../../emulator/eventbridge/server.ts';
import { startGateway, type Gateway } from '../../emulator/gateway/server.ts';
import { routeMethod } from '../../emulator/gateway/api-metrics.ts';
import { IamGate } from '../../emulator/iam/iam-gate.ts';
import type { LocalEndpoint } from '../../emulator/local-listener.ts';
import { SqsQueues } from '../../emulator/sqs/queue-registry.ts';
import { startSqsServer } from '../../emulator/sqs/server.ts';
import { executionLogGroup } from '../../emulator/gateway/execution-log.ts';
import { integrationFailures } from '../../src/metrics/cloudwatch/execution-log-failures.ts';
import { mapParameters, parseRequestParameters } from '../../emulator/gateway/aws-integration-parameters.ts';
import type { AwsIntegrationService } from '../../emulator/gateway/aws-integration.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import type { DeliverySource, ServiceTargets, TargetMessage } from '../../emulator/service-targets.ts';
import type { AwsRouteDescription } from '../../emulator/stack-model/stack-description.ts';
import { connect } from '../fixtures/gateway/clients.ts';
import { grantsOne } from './iam-test-grants.ts';
import { until } from './lambda-test-helpers.ts';
import { queueDescription } from './sqs-queue-description.ts';

// API Gateway `AWS` integrations on WebSocket routes, through real ws sockets, the real gateway and
// the real Lambda runtime (a function route beside the AWS ones). The message routes' SQS is a real
// local HTTP server speaking SQS's Query protocol for SendMessage, which keeps each raw request
// (headers, signature) for the tests to read; SNS and EventBridge are the emulator's own servers,
// their deliveries caught by a ServiceTargets of the test's. The $connect and $disconnect routes run
// on a second stage of their own (every handshake of the first would otherwise call them), behind
// the fixture authorizer, $connect to the emulator's own SQS under IAM enforce, read back with the SDK.

const ACCOUNT = '000000000000';
const ROLE = 'arn:aws:iam::000000000000:role/ApiToQueues';
const TOKEN = 'FanoutBenchLocalSession/test-role-token';
const echo = fileURLToPath(new URL('../fixtures/gateway/echo.ts', import.meta.url));
const authorizerFixture = fileURLToPath(new URL('../fixtures/gateway/authorizer.ts', import.meta.url));

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  form: URLSearchParams;
}

/** Stand-in SQS: answers SendMessage as SQS's Query protocol does; `refuse` makes it answer an error. */
async function startQueueService() {
  const received: Received[] = [];
  const state = { refuse: false };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, form });
      if (state.refuse || form.get('Action') !== 'SendMessage') {
        res.writeHead(400, { 'content-type': 'text/xml' });
        res.end('<ErrorResponse><Error><Type>Sender</Type><Code>MissingParameter</Code><Message>The request must contain the parameter MessageGroupId.</Message></Error><RequestId>r</RequestId></ErrorResponse>');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<SendMessageResponse><SendMessageResult><MessageId>m-${received.length}</MessageId><MD5OfMessageBody>x</MD5OfMessageBody></SendMessageResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></SendMessageResponse>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    state,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Catches what SNS and EventBridge deliver (the stack's ServiceTargets is the integrator's). */
class CaughtDeliveries implements ServiceTargets {
  readonly delivered: Array<{ arn: string; message: TargetMessage; from: DeliverySource }> = [];
  async deliver(arn: string, message: TargetMessage, from: DeliverySource): Promise<void> {
    this.delivered.push({ arn, message, from });
  }
  has(): boolean {
    return true;
  }
}

// message ids hold + and /: a form body needs them URL-encoded, on AWS as here
const SEND_TEMPLATE = "Action=SendMessage&MessageGroupId=$util.urlEncode($input.path('$.room'))&MessageDeduplicationId=$util.urlEncode($context.messageId)&MessageBody=$util.urlEncode($input.body)";

function awsRoute(routeKey: string, overrides: Partial<AwsRouteDescription> = {}): AwsRouteDescription {
  return {
    logicalId: `${routeKey}Route`,
    routeKey,
    integrationId: `${routeKey}Integration`,
    integrationUri: `arn:aws:apigateway:us-east-1:sqs:path/${ACCOUNT}/chat.fifo`,
    integrationMethod: 'POST',
    credentials: { name: 'ApiToQueues', arn: ROLE, statements: [] } as unknown as AwsRouteDescription['credentials'],
    requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
    requestTemplates: { $default: SEND_TEMPLATE },
    templateSelectionExpression: '\\$default',
    passthroughBehavior: 'NEVER',
    twoWay: false,
    ...overrides,
  };
}

// $connect: the connection into a FIFO queue, its group the handshake's `room`, the client's
// `X-Client` header a message attribute (a template cannot read headers on AWS: RequestParameters can)
const CONNECTIONS_QUEUE = 'connections.fifo';
const CONNECT_TEMPLATE =
  'Action=SendMessage&MessageDeduplicationId=$util.urlEncode($context.requestId)&MessageBody=$util.urlEncode("event=$context.eventType route=$context.routeKey connection=$context.connectionId at=$context.requestTimeEpoch from=$context.identity.sourceIp principal=$context.authorizer.principalId key=$context.authorizer.stringKey body=[$input.body]")';
const CONNECT_PARAMETERS = {
  'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
  'integration.request.querystring.MessageGroupId': 'route.request.querystring.room',
  'integration.request.querystring.MessageAttribute.1.Name': "'client'",
  'integration.request.querystring.MessageAttribute.1.Value.DataType': "'String'",
  'integration.request.querystring.MessageAttribute.1.Value.StringValue': 'route.request.header.X-Client',
};
// $disconnect: an event on the default bus, matched by the file's rule
const DISCONNECT_TEMPLATE = String.raw`{"Entries":[{"Source":"chat","DetailType":"disconnected","Detail":"{\"connectionId\":\"$context.connectionId\",\"eventType\":\"$context.eventType\",\"route\":\"$context.routeKey\"}","EventBusName":"default"}]}`;

const config = defaultStackConfig({ stage: 'test' });
const lifecycleConfig = defaultStackConfig({ stage: 'life' });
const roleGrants = grantsOne('API Gateway route $connect', 'ApiToQueues', 'sqs:SendMessage', `arn:aws:sqs:us-east-1:${ACCOUNT}:${CONNECTIONS_QUEUE}`, ACCOUNT);
const queues = new SqsQueues([queueDescription(CONNECTIONS_QUEUE, { arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${CONNECTIONS_QUEUE}` })], { region: 'us-east-1', accountId: ACCOUNT });
let realSqs: LocalEndpoint;
let lifecycle: Gateway;
const started = Date.now();
let sqs: Awaited<ReturnType<typeof startQueueService>>;
let sns: SnsServer;
let events: EventBridgeServer;
let gateway: Gateway;
let runtime: LambdaRuntime;
const caught = new CaughtDeliveries();
const metrics = new MetricStore();
const logs = new LogStore();
const lines: string[] = [];

beforeAll(async () => {
  sqs = await startQueueService();
  sns = await startSnsServer({
    topics: [{ logicalId: 'Alerts', name: 'alerts', arn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts`, fifo: false, contentBasedDeduplication: false, subscriptions: [{ logicalId: 'AlertsQueue', protocol: 'sqs', endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:alerts-q`, filterPolicyScope: 'MessageAttributes', rawMessageDelivery: true }] }],
    targets: caught,
    metrics,
    region: 'us-east-1',
    accountId: ACCOUNT,
  });
  events = await startEventBridgeServer({
    buses: [],
    rules: [{ logicalId: 'ChatRule', name: 'chat-rule', arn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/chat-rule`, busName: 'default', eventPattern: { source: ['chat'] }, state: 'ENABLED', targets: [{ id: 'q', arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:events-q` }] }],
    targets: caught,
    metrics,
    region: 'us-east-1',
    accountId: ACCOUNT,
  });
  const endpoints: Record<AwsIntegrationService, string> = { sqs: sqs.url, sns: sns.url, events: events.url };
  gateway = await startGateway({
    config,
    functions: [{ name: 'fx-echo', route: 'echo', returnResponse: true }],
    metrics,
    logs,
    log: (line) => lines.push(line),
    awsIntegrations: {
      routes: [
        awsRoute('enqueue'),
        awsRoute('enqueueAndSay', { twoWay: true }),
        awsRoute('enqueueAndShape', { twoWay: true, responseTemplates: { $default: '{"type":"queued","route":"$context.routeKey"}' } }),
        awsRoute('pick', {
          templateSelectionExpression: '$request.body.kind',
          requestTemplates: { chat: SEND_TEMPLATE },
        }),
        awsRoute('noRole', { credentials: undefined }),
        awsRoute('publish', {
          integrationUri: 'arn:aws:apigateway:us-east-1:sns:action/Publish',
          requestParameters: {
            'integration.request.querystring.TopicArn': `'arn:aws:sns:us-east-1:${ACCOUNT}:alerts'`,
            'integration.request.querystring.Message': 'route.request.body.text',
          },
          requestTemplates: {},
          passthroughBehavior: 'WHEN_NO_MATCH',
        }),
        awsRoute('emit', {
          integrationUri: 'arn:aws:apigateway:us-east-1:events:action/PutEvents',
          requestParameters: {},
          requestTemplates: {
            $default: `{"Entries":[{"Source":"chat","DetailType":"said","Detail":"$util.escapeJavaScript($input.json('$.detail')).replaceAll("\\\\'","'")","EventBusName":"default"}]}`,
          },
        }),
      ],
      endpointOf: (service) => endpoints[service],
      sessionTokenOf: (roleArn) => (roleArn === ROLE ? TOKEN : undefined),
    },
  });
  runtime = await createLambdaRuntime({
    metrics,
    logs,
    cpuModel: 'off',
    functions: [
      { name: 'fx-echo', entry: echo, memoryMB: 256, timeoutSeconds: 10, environment: {} },
      { name: 'fx-auth', entry: authorizerFixture, memoryMB: 256, timeoutSeconds: 10, environment: {} },
    ],
  });
  gateway.attach(runtime);

  realSqs = await startSqsServer({ queues, iam: new IamGate('enforce', roleGrants, 'us-east-1', ACCOUNT, (line) => lines.push(line)) });
  const lifecycleEndpoints: Record<AwsIntegrationService, string> = { sqs: realSqs.url, sns: sns.url, events: events.url };
  lifecycle = await startGateway({
    config: lifecycleConfig,
    functions: [],
    authorizer: { functionName: 'fx-auth', identitySource: ['route.request.header.x-api-key'] },
    metrics,
    logs,
    log: (line) => lines.push(line),
    awsIntegrations: {
      routes: [
        awsRoute('$connect', { integrationUri: `arn:aws:apigateway:us-east-1:sqs:path/${ACCOUNT}/${CONNECTIONS_QUEUE}`, requestParameters: CONNECT_PARAMETERS, requestTemplates: { $default: CONNECT_TEMPLATE } }),
        awsRoute('$disconnect', { integrationUri: 'arn:aws:apigateway:us-east-1:events:action/PutEvents', requestParameters: {}, requestTemplates: { $default: DISCONNECT_TEMPLATE } }),
      ],
      endpointOf: (service) => lifecycleEndpoints[service],
      sessionTokenOf: (roleArn) => (roleArn === ROLE ? roleGrants.sessions[0]!.token : undefined),
    },
  });
  lifecycle.attach(runtime);
}, 60_000);

afterAll(async () => {
  await Promise.all([gateway?.close(), lifecycle?.close()]);
  await runtime?.close();
  queues.close();
  await Promise.all([sqs?.close(), sns?.close(), events?.close(), realSqs?.close()]);
});

/** The Sum of an AWS/ApiGateway metric on a route (its detailed dimension set) of a stage. */
function routeSum(name: string, route: string, stage = config): number {
  const points = metrics.query({
    namespace: 'AWS/ApiGateway',
    metricName: name,
    dimensions: { ApiId: stage.apiId, Method: routeMethod(route), Resource: route, Stage: stage.stage },
    stat: name === 'IntegrationLatency' ? 'SampleCount' : 'Sum',
    periodSeconds: 60,
    startTime: started - 60_000,
    endTime: Date.now() + 60_000,
  });
  return points.reduce((sum, p) => sum + p.value, 0);
}

function executionLog(stage = config): string[] {
  return logs.filter({ logGroupName: executionLogGroup(stage.apiId, stage.stage) })?.events.map((e) => e.message) ?? [];
}

/** A frame on the two-way function route: what arrives after it shows nothing came before it. */
async function echoBarrier(c: Awaited<ReturnType<typeof connect>>): Promise<void> {
  c.send({ action: 'echo', barrier: true });
  const frame = await c.nextJson();
  expect(frame.type).toBe('echo');
}

describe('a route with an AWS integration to an SQS queue (path/<account>/<queue>)', () => {
  it("sends the template's rendering of the frame to the queue's path, FIFO group and deduplication ids carried, signed as the role", async () => {
    const c = await connect(gateway.websocketUrl);
    const frame = JSON.stringify({ action: 'enqueue', room: 'r1', text: "hello & 'welcome' é" });
    const before = sqs.received.length;
    c.send(frame);
    await until(() => sqs.received.length > before);
    const got = sqs.received[before]!;
    expect(got.method).toBe('POST');
    expect(got.path).toBe(`/${ACCOUNT}/chat.fifo`);
    expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(got.form.get('Action')).toBe('SendMessage');
    expect(got.form.get('MessageBody')).toBe(frame);
    expect(got.form.get('MessageGroupId')).toBe('r1');
    expect(got.form.get('MessageDeduplicationId')).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(got.headers['x-amz-security-token']).toBe(TOKEN);
    expect(got.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/sqs\/aws4_request, SignedHeaders=[a-z;-]*x-amz-security-token[a-z;-]*, Signature=[0-9a-f]{64}$/);
    // a one-way route: the client gets nothing back
    await echoBarrier(c);
    expect(c.frames).toEqual([]);
    await until(() => routeSum('IntegrationLatency', 'enqueue') >= 1);
    expect(routeSum('MessageCount', 'enqueue')).toBe(1);
    c.close();
  });

  it('each frame is its own message: the deduplication id is the message id of each', async () => {
    const c = await connect(gateway.websocketUrl);
    const before = sqs.received.length;
    c.send({ action: 'enqueue', room: 'r2', n: 1 });
    c.send({ action: 'enqueue', room: 'r2', n: 2 });
    await until(() => sqs.received.length >= before + 2);
    const ids = sqs.received.slice(before).map((r) => r.form.get('MessageDeduplicationId'));
    expect(new Set(ids).size).toBe(2);
    c.close();
  });

  it("a two-way route gets the service's answer as it came, or through the integration response template", async () => {
    const c = await connect(gateway.websocketUrl);
    c.send({ action: 'enqueueAndSay', room: 'r1' });
    expect(await c.next()).toMatch(/^<SendMessageResponse><SendMessageResult><MessageId>m-\d+<\/MessageId>/);
    c.send({ action: 'enqueueAndShape', room: 'r1' });
    expect(await c.nextJson()).toEqual({ type: 'queued', route: 'enqueueAndShape' });
    c.close();
  });

  it('selects the template by TemplateSelectionExpression; with none matching and PassthroughBehavior NEVER, 415 Unsupported Media Type', async () => {
    const c = await connect(gateway.websocketUrl);
    const before = sqs.received.length;
    c.send({ action: 'pick', kind: 'chat', room: 'r3' });
    await until(() => sqs.received.length > before);
    expect(sqs.received[before]!.form.get('MessageGroupId')).toBe('r3');
    c.send({ action: 'pick', kind: 'other', room: 'r3' });
    const refused = await c.nextJson();
    expect(Object.keys(refused)).toEqual(['message', 'connectionId', 'requestId']);
    expect(refused.message).toBe('Unsupported Media Type');
    expect(sqs.received.length).toBe(before + 1);
    // the connection stays open
    await echoBarrier(c);
    c.close();
  });

  it('a service error: the client gets Internal server error, the execution log the service answer, IntegrationError counts', async () => {
    const c = await connect(gateway.websocketUrl);
    sqs.state.refuse = true;
    try {
      c.send({ action: 'enqueue', room: 'r4' });
      const frame = await c.nextJson();
      expect(frame.message).toBe('Internal server error');
      expect(frame.connectionId).toEqual(expect.any(String));
    } finally {
      sqs.state.refuse = false;
    }
    await until(() => routeSum('IntegrationError', 'enqueue') >= 1);
    const log = executionLog();
    expect(log.some((l) => /^\(\S+\) WebSocket Request Route: \[enqueue\]/.test(l))).toBe(true);
    expect(log.some((l) => l.includes('Received response. Status: 400'))).toBe(true);
    expect(log.some((l) => l.includes('MissingParameter'))).toBe(true);
    // as API Gateway logs it: the service's own endpoint and the request the template built, read back by the harness's parser
    expect(log.some((l) => /Endpoint request URI: https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com\//.test(l))).toBe(true);
    expect(log.some((l) => l.includes('Endpoint request body after transformations: '))).toBe(true);
    expect(integrationFailures(log.map((message) => ({ message, timestamp: 0 })))).toContainEqual(expect.objectContaining({ route: 'enqueue', service: 'sqs', status: 400, code: 'MissingParameter', count: 1 }));
    await echoBarrier(c);
    c.close();
  });

  it('no CredentialsArn: API Gateway cannot call the service; Internal server error, one line naming the route, ExecutionError', async () => {
    const c = await connect(gateway.websocketUrl);
    const before = sqs.received.length;
    c.send({ action: 'noRole', room: 'r5' });
    expect((await c.nextJson()).message).toBe('Internal server error');
    c.send({ action: 'noRole', room: 'r5' });
    expect((await c.nextJson()).message).toBe('Internal server error');
    expect(sqs.received.length).toBe(before);
    const said = lines.filter((l) => l.includes('route noRole'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/no CredentialsArn/);
    expect(routeSum('ExecutionError', 'noRole')).toBe(2);
    c.close();
  });
});

describe('action/<Action> integrations', () => {
  it("SNS Publish: Action and the mapped query string reach SNS's Query endpoint, which delivers the message", async () => {
    const c = await connect(gateway.websocketUrl);
    const before = caught.delivered.length;
    c.send({ action: 'publish', text: 'fire in room r1' });
    await until(() => caught.delivered.length > before);
    const delivery = caught.delivered[before]!;
    expect(delivery.arn).toBe(`arn:aws:sqs:us-east-1:${ACCOUNT}:alerts-q`);
    expect(delivery.from).toEqual({ service: 'sns', arn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts` });
    expect(delivery.message.body).toBe('fire in room r1');
    c.close();
  });

  it('EventBridge PutEvents: AWS JSON 1.1 with X-Amz-Target, the rendered entries matched by the rule', async () => {
    const c = await connect(gateway.websocketUrl);
    const before = caught.delivered.length;
    c.send({ action: 'emit', detail: { room: 'r1', said: "it's \"quoted\"" } });
    await until(() => caught.delivered.length > before);
    const delivery = caught.delivered[before]!;
    expect(delivery.arn).toBe(`arn:aws:sqs:us-east-1:${ACCOUNT}:events-q`);
    const event = JSON.parse(delivery.message.body);
    expect(event).toMatchObject({ source: 'chat', 'detail-type': 'said', detail: { room: 'r1', said: 'it\'s "quoted"' } });
    c.close();
  });
});

describe('$connect and $disconnect with AWS integrations (a stage of their own)', () => {
  const consumer = () => new SQSClient({ endpoint: realSqs.url, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, maxAttempts: 1 });
  const queueUrl = () => `${realSqs.url}/${ACCOUNT}/${CONNECTIONS_QUEUE}`;
  let connectionId: string | undefined;

  it("$connect sends the connection to the queue while the handshake waits: $context, the authorizer's context, the header and query string mapped", async () => {
    const before = Date.now();
    const c = await connect(`${lifecycle.websocketUrl}?room=lobby`, { headers: { 'x-api-key': 'allow', 'X-Client': 'phone-7' } });
    // the message is in the queue once the handshake is through: $connect ran before the upgrade
    const sqsClient = consumer();
    const got = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    sqsClient.destroy();
    expect(got.Messages).toHaveLength(1);
    const message = got.Messages![0]!;
    const fields = Object.fromEntries(message.Body!.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
    expect(fields).toMatchObject({ event: 'CONNECT', route: '$connect', from: '127.0.0.1', principal: 'fixture-user', key: 'value', body: '[]' });
    expect(fields.connection).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(Number(fields.at)).toBeGreaterThanOrEqual(before);
    expect(message.Attributes).toMatchObject({ MessageGroupId: 'lobby' });
    // sent as the CredentialsArn role, which SQS's IAM (enforce) allowed sqs:SendMessage
    expect(message.Attributes!.SenderId).toMatch(/^AROA[0-9A-F]+:API Gateway route \$connect$/);
    expect(message.MessageAttributes).toEqual({ client: { DataType: 'String', StringValue: 'phone-7' } });
    connectionId = fields.connection;
    await until(() => routeSum('IntegrationLatency', '$connect', lifecycleConfig) >= 1);
    expect(routeSum('ConnectCount', '$connect', lifecycleConfig)).toBe(1);
    c.close();
  });

  it('$disconnect publishes its event after the connection is gone (best effort: metrics and logs only)', async () => {
    expect(connectionId).toBeDefined();
    await until(() => caught.delivered.some((d) => d.message.body.includes('"disconnected"')));
    const event = JSON.parse(caught.delivered.find((d) => d.message.body.includes('"disconnected"'))!.message.body);
    expect(event).toMatchObject({ source: 'chat', 'detail-type': 'disconnected', detail: { connectionId, eventType: 'DISCONNECT', route: '$disconnect' } });
    await until(() => routeSum('IntegrationLatency', '$disconnect', lifecycleConfig) >= 1);
    expect(routeSum('IntegrationError', '$disconnect', lifecycleConfig)).toBe(0);
  });

  it("RequestParameters read the handshake: a header by any casing, multi-value sources joined by commas, nothing off $connect", () => {
    const mapped = parseRequestParameters({
      'integration.request.header.X-Room': 'route.request.header.x-room',
      'integration.request.header.X-Tags': 'route.request.multivalueheader.X-Tag',
      'integration.request.querystring.rooms': 'route.request.multivaluequerystring.room',
      'integration.request.querystring.first': 'route.request.querystring.room',
    });
    const handshake = {
      headers: { 'X-Room': 'r1', 'X-Tag': 'b' },
      multiValueHeaders: { 'X-Room': ['r1'], 'X-Tag': ['a', 'b'] },
      query: { single: { room: 'r2' }, multi: { room: ['r1', 'r2'] } },
    };
    expect(mapParameters(mapped, { body: '', context: {}, handshake })).toEqual({
      headers: { 'X-Room': 'r1', 'X-Tags': 'a,b' },
      querystring: { rooms: 'r1,r2', first: 'r2' },
    });
    // a frame has no handshake: the mappings leave their parameters out
    expect(mapParameters(mapped, { body: '{}', context: {} })).toEqual({ headers: {}, querystring: {} });
  });

  it("a failed $connect integration refuses the handshake: SQS's error in the execution log, IntegrationError on $connect, nothing queued", async () => {
    // no ?room=: MessageGroupId is left out, which a FIFO queue refuses
    const refused = await connect(lifecycle.websocketUrl, { headers: { 'x-api-key': 'allow', 'X-Client': 'phone-8' } }).catch((err: { status: number; body: string }) => err);
    expect(refused).toMatchObject({ status: 502, body: '{"message": "Internal server error"}' });
    await until(() => routeSum('IntegrationError', '$connect', lifecycleConfig) >= 1);
    const log = executionLog(lifecycleConfig);
    expect(log.some((l) => /^\(\S+\) WebSocket Request Route: \[\$connect\]/.test(l))).toBe(true);
    expect(log.some((l) => l.includes('Received response. Status: 400'))).toBe(true);
    expect(log.some((l) => l.includes('MessageGroupId'))).toBe(true);
    const sqsClient = consumer();
    const got = await sqsClient.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(), MaxNumberOfMessages: 10 }));
    sqsClient.destroy();
    expect(got.Messages).toBeUndefined();
  });
});

describe('templates the gateway cannot run are refused at start, named with their route', () => {
  it('a template velocityjs cannot parse', async () => {
    const start = startGateway({
      config: defaultStackConfig({ stage: 'test' }),
      functions: [],
      metrics: new MetricStore(),
      log: () => {},
      awsIntegrations: { routes: [awsRoute('broken', { requestTemplates: { $default: '#foreach($x in $input.path(\'$.a\')) $x' } })], endpointOf: () => sqs.url },
    });
    await expect(start).rejects.toBeInstanceOf(UserError);
    await expect(start).rejects.toThrow(/^route broken \(integration brokenIntegration RequestTemplates "\$default"\): VTL: a block/);
  });

  it('a $connect template, named with its route', async () => {
    const start = startGateway({
      config: defaultStackConfig({ stage: 'test' }),
      functions: [],
      metrics: new MetricStore(),
      log: () => {},
      awsIntegrations: { routes: [awsRoute('$connect', { requestTemplates: { $default: '#if($context.eventType == "CONNECT") connected' } })], endpointOf: () => sqs.url },
    });
    await expect(start).rejects.toThrow(/^route \$connect \(integration \$connectIntegration RequestTemplates "\$default"\): VTL: a block/);
  });

  it('a route response on $connect is said in one line, naming the route; the integration still runs', async () => {
    const said: string[] = [];
    const g = await startGateway({
      config: defaultStackConfig({ stage: 'test' }),
      functions: [],
      metrics: new MetricStore(),
      log: (line) => said.push(line),
      awsIntegrations: { routes: [awsRoute('$connect', { twoWay: true }), awsRoute('$disconnect')], endpointOf: () => sqs.url },
    });
    await g.close();
    expect(said).toEqual([expect.stringMatching(/^gateway: route \$connect: its route response \(integration \$connectIntegration's response\) is not emulated; the route's integration runs without it$/)]);
  });

  it('a call to something API Gateway does not have, and a service the emulator does not call', async () => {
    const start = (route: AwsRouteDescription) => startGateway({ config: defaultStackConfig(), functions: [], metrics: new MetricStore(), log: () => {}, awsIntegrations: { routes: [route], endpointOf: () => undefined } });
    await expect(start(awsRoute('hash', { requestTemplates: { $default: '$util.md5($input.body)' } }))).rejects.toThrow(/^route hash .*\$util\.md5 is not one of API Gateway's \$util functions/);
    await expect(start(awsRoute('kin', { integrationUri: 'arn:aws:apigateway:us-east-1:kinesis:action/PutRecord' }))).rejects.toThrow(/^route kin \(integration kinIntegration\): IntegrationUri .* not kinesis$/);
  });
});
