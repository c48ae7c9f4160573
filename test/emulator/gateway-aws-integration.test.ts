import { createServer, type IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startSnsServer, type SnsServer } from '../../emulator/sns/server.ts';
import { startEventBridgeServer, type EventBridgeServer } from '../../emulator/eventbridge/server.ts';
import { startGateway, type Gateway } from '../../emulator/gateway/server.ts';
import { executionLogGroup } from '../../emulator/gateway/execution-log.ts';
import type { AwsIntegrationService } from '../../emulator/gateway/aws-integration.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import type { DeliverySource, ServiceTargets, TargetMessage } from '../../emulator/service-targets.ts';
import type { AwsRouteDescription } from '../../emulator/stack-model/stack-description.ts';
import { connect } from '../fixtures/gateway/clients.ts';
import { until } from './lambda-test-helpers.ts';

// API Gateway `AWS` integrations on WebSocket routes, through real ws sockets, the real gateway and
// the real Lambda runtime (a function route beside the AWS ones). SQS: emulator/sqs/ is being
// written in parallel (P60-sqs) and has no startSqsServer yet, so a real local HTTP server stands
// in for it, speaking SQS's Query protocol for SendMessage; SNS and EventBridge are the emulator's
// own servers, their deliveries caught by a ServiceTargets of the test's (the stack's is the
// integrator's, being written).

const ACCOUNT = '000000000000';
const ROLE = 'arn:aws:iam::000000000000:role/ApiToQueues';
const TOKEN = 'FanoutBenchLocalSession/test-role-token';
const echo = fileURLToPath(new URL('../fixtures/gateway/echo.ts', import.meta.url));

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

const config = defaultStackConfig({ stage: 'test' });
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
  runtime = await createLambdaRuntime({ metrics, logs, cpuModel: 'off', functions: [{ name: 'fx-echo', entry: echo, memoryMB: 256, timeoutSeconds: 10, environment: {} }] });
  gateway.attach(runtime);
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await runtime?.close();
  await Promise.all([sqs?.close(), sns?.close(), events?.close()]);
});

/** The Sum of an AWS/ApiGateway metric on a route (its detailed dimension set). */
function routeSum(name: string, route: string): number {
  const points = metrics.query({
    namespace: 'AWS/ApiGateway',
    metricName: name,
    dimensions: { ApiId: config.apiId, Method: 'MESSAGE', Resource: route, Stage: 'test' },
    stat: name === 'IntegrationLatency' ? 'SampleCount' : 'Sum',
    periodSeconds: 60,
    startTime: started - 60_000,
    endTime: Date.now() + 60_000,
  });
  return points.reduce((sum, p) => sum + p.value, 0);
}

function executionLog(): string[] {
  return logs.filter({ logGroupName: executionLogGroup(config.apiId, 'test') })?.events.map((e) => e.message) ?? [];
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

  it('a call to something API Gateway does not have, and a service the emulator does not call', async () => {
    const start = (route: AwsRouteDescription) => startGateway({ config: defaultStackConfig(), functions: [], metrics: new MetricStore(), log: () => {}, awsIntegrations: { routes: [route], endpointOf: () => undefined } });
    await expect(start(awsRoute('hash', { requestTemplates: { $default: '$util.md5($input.body)' } }))).rejects.toThrow(/^route hash .*\$util\.md5 is not one of API Gateway's \$util functions/);
    await expect(start(awsRoute('kin', { integrationUri: 'arn:aws:apigateway:us-east-1:kinesis:action/PutRecord' }))).rejects.toThrow(/^route kin \(integration kinIntegration\): IntegrationUri .* not kinesis$/);
  });
});
