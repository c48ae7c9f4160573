import { fileURLToPath } from 'node:url';
import { ApiGatewayV2Client, BadRequestException, DeleteAccessLogSettingsCommand, GetStageCommand, UpdateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { APIGatewayClient, GetAccountCommand, UpdateAccountCommand } from '@aws-sdk/client-api-gateway';
import { CloudWatchLogsClient, CreateLogGroupCommand, FilterLogEventsCommand, ResourceAlreadyExistsException } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { startOwnStack } from '../fixtures/stack-model/own-functions-stack.ts';
import { describeStack, type DescribedStack } from '../../emulator/stack-model/describe-stack.ts';
import { LOCAL_HOST_WAIT_LOG_GROUP, type HostWaitLine } from '../../common/local-host-metrics.ts';
import { connect, eventually, fixture, handshakeStatus, type TestClient } from '../fixtures/gateway/clients.ts';

// API Gateway's access logs as the emulator writes them, through the real SDK v3 clients at the
// emulator's endpoints: the account's CloudWatch role (GetAccount), access logging turned on with
// UpdateStage (after CreateLogGroup) and off with DeleteAccessLogSettings, one line per CONNECT,
// MESSAGE and DISCONNECT in the stage's own format (AWS's documented JSON and CLF examples for
// WebSocket APIs, and one with every variable the run needs), read back with FilterLogEvents and
// held against the events the functions got and the REPORT lines of the invocations that served
// them. Then: an account without the role refuses; a template's stage logs from the start; the
// emulator's own host-wait line for an invocation the host held back.

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/access-log-cfn/template.yaml', import.meta.url));

/** AWS's WebSocket examples ("Configure logging for WebSocket APIs in API Gateway"), on one line as a stage holds them. */
const AWS_CLF = '$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] "$context.eventType $context.routeKey $context.connectionId" $context.status $context.requestId';
const AWS_JSON =
  '{"requestId":"$context.requestId", "ip": "$context.identity.sourceIp", "caller":"$context.identity.caller", "user":"$context.identity.user", "requestTime":"$context.requestTime", "eventType":"$context.eventType", "routeKey":"$context.routeKey", "status":"$context.status", "connectionId":"$context.connectionId"}';
/** What a run joins on: every WebSocket variable the emulator fills. */
const FULL_JSON = `{${[
  'requestId',
  'extendedRequestId',
  'connectionId',
  'connectedAt',
  'eventType',
  'routeKey',
  'messageId',
  'messageDirection',
  'requestTime',
  'requestTimeEpoch',
  'status',
  'stage',
  'apiId',
  'domainName',
  'integrationLatency',
  'integration.latency',
  'integration.status',
  'integration.integrationStatus',
  'integration.requestId',
  'awsEndpointRequestId',
  'integration.error',
  'error.message',
  'error.responseType',
  'identity.sourceIp',
  'identity.userAgent',
]
  .map((v) => `"${v}":"$context.${v}"`)
  .join(',')}}`;

let stack: RunningStack;
let bare: RunningStack;
const clients: Array<{ destroy(): void }> = [];
const sockets: TestClient[] = [];

function sdk<T extends { destroy(): void }>(make: new (config: { region: string; credentials: typeof credentials; endpoint: string }) => T, endpoint: string): T {
  const c = new make({ region: REGION, credentials, endpoint });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  [stack, bare] = await Promise.all([
    startOwnStack({
      config: defaultStackConfig({ region: REGION, accountId: ACCOUNT, stage: 'logged', limits: { routeThrottles: { limited: { rps: 0.001, burst: 1 } } } }),
      functions: [fixture('fx-connect', '$connect', 'record.ts'), fixture('fx-echo', 'echo', 'echo.ts'), fixture('fx-limited', 'limited', 'echo.ts'), fixture('fx-disconnect', '$disconnect', 'record.ts')],
      log: () => {},
    }),
    startOwnStack({
      config: defaultStackConfig({ region: REGION, accountId: ACCOUNT, apiGatewayCloudWatchRole: false }),
      functions: [fixture('fx-echo', 'echo', 'echo.ts')],
      log: () => {},
    }),
  ]);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const c of clients) c.destroy();
  await Promise.all([stack?.close(), bare?.close()]);
});

const apigw = (s: RunningStack) => sdk(ApiGatewayV2Client, s.ready.apiGatewayV2Endpoint);
const logsOf = (s: RunningStack) => sdk(CloudWatchLogsClient, s.ready.cloudwatchEndpoint);
const groupArn = (name: string) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}`;

async function enable(s: RunningStack, group: string, format: string): Promise<void> {
  try {
    await logsOf(s).send(new CreateLogGroupCommand({ logGroupName: group }));
  } catch (err) {
    if (!(err instanceof ResourceAlreadyExistsException)) throw err;
  }
  await apigw(s).send(new UpdateStageCommand({ ApiId: s.ready.apiId, StageName: s.ready.stage, AccessLogSettings: { DestinationArn: `${groupArn(group)}:*`, Format: format } }));
}

/** The group's messages, once `count` of them (matching `filter`) are there. */
async function lines(s: RunningStack, group: string, count: number, filter: (m: string) => boolean = () => true): Promise<string[]> {
  return eventually(
    async () => {
      const out = await logsOf(s).send(new FilterLogEventsCommand({ logGroupName: group }));
      const found = (out.events ?? []).map((e) => e.message!).filter(filter);
      return found.length >= count ? found : undefined;
    },
    10_000,
    `${count} lines in ${group}`,
  );
}

/** The REPORT line of invocation `requestId` in the function's log group. */
async function reportLine(s: RunningStack, functionName: string, requestId: string): Promise<string> {
  return eventually(async () => {
    const out = await logsOf(s).send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` }));
    return (out.events ?? []).map((e) => e.message!).find((m) => m.startsWith(`REPORT RequestId: ${requestId}`));
  });
}

async function open(s: RunningStack, userAgent?: string, query = ''): Promise<TestClient> {
  const c = await connect(`${s.ready.websocketUrl}${query}`, userAgent === undefined ? {} : { headers: { 'User-Agent': userAgent } });
  sockets.push(c);
  return c;
}

describe('the account and the stage, as the SDK reads and changes them', () => {
  it('GetAccount names the CloudWatch role of an account already set up for logging', async () => {
    const account = await sdk(APIGatewayClient, stack.ready.apiGatewayV2Endpoint).send(new GetAccountCommand({}));
    expect(account.cloudwatchRoleArn).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:role/`));
  });

  it('has no access logging until UpdateStage sets it; GetStage then answers it; a second CreateLogGroup of the group is refused', async () => {
    const before = await apigw(stack).send(new GetStageCommand({ ApiId: stack.ready.apiId, StageName: stack.ready.stage }));
    expect(before.AccessLogSettings).toBeUndefined();
    await enable(stack, '/access/settings', AWS_CLF);
    const after = await apigw(stack).send(new GetStageCommand({ ApiId: stack.ready.apiId, StageName: stack.ready.stage }));
    expect(after.AccessLogSettings).toEqual({ DestinationArn: `${groupArn('/access/settings')}:*`, Format: AWS_CLF });
    await expect(logsOf(stack).send(new CreateLogGroupCommand({ logGroupName: '/access/settings' }))).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
  });

  it('refuses a destination log group that does not exist, and a format without $context.requestId, as BadRequestException', async () => {
    const update = (DestinationArn: string, Format: string) =>
      apigw(stack).send(new UpdateStageCommand({ ApiId: stack.ready.apiId, StageName: stack.ready.stage, AccessLogSettings: { DestinationArn, Format } }));
    await expect(update(groupArn('/no/such/group'), AWS_CLF)).rejects.toBeInstanceOf(BadRequestException);
    await logsOf(stack).send(new CreateLogGroupCommand({ logGroupName: '/access/no-id' }));
    await expect(update(groupArn('/access/no-id'), '$context.connectionId $context.status')).rejects.toThrow(/\$context\.requestId/);
    await expect(update('arn:aws:s3:::bucket', AWS_CLF)).rejects.toBeInstanceOf(BadRequestException);
  });
});

describe('one line per event, in the stage format', () => {
  it("AWS's CLF example: sourceIp, caller and user (absent: -), the CLF time, event type, route, connection, status, request id", async () => {
    await enable(stack, '/access/clf', AWS_CLF);
    const c = await open(stack, 'clf-client/1.0');
    c.send({ action: 'echo' });
    const echoed = JSON.parse(await c.next()).event.requestContext;
    const found = await lines(stack, '/access/clf', 2);
    expect(found[0]).toMatch(new RegExp(`^127\\.0\\.0\\.1 - - \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000\\] "CONNECT \\$connect ${escape(echoed.connectionId)}" 200 \\S{16}$`));
    expect(found[1]).toBe(`127.0.0.1 - - [${echoed.requestTime}] "MESSAGE echo ${echoed.connectionId}" 200 ${echoed.requestId}`);
  });

  it("AWS's JSON example, field by field, against the event the function got", async () => {
    await enable(stack, '/access/json', AWS_JSON);
    const c = await open(stack, 'json-client/2.0');
    c.send({ action: 'echo' });
    const event = JSON.parse(await c.next()).event.requestContext;
    const [, message] = (await lines(stack, '/access/json', 2)).map((m) => JSON.parse(m));
    expect(message).toEqual({
      requestId: event.requestId,
      ip: event.identity.sourceIp,
      caller: '-',
      user: '-',
      requestTime: event.requestTime,
      eventType: 'MESSAGE',
      routeKey: 'echo',
      status: '200',
      connectionId: event.connectionId,
    });
  });

  it('every variable a run needs: CONNECT, MESSAGE, a Forbidden and a throttled MESSAGE, DISCONNECT; integration.requestId is the REPORT line of the invocation', async () => {
    await enable(stack, '/access/full', FULL_JSON);
    const c = await open(stack, 'fanout-bench/run-1 client/7.0');
    c.send({ action: 'echo' });
    const event = JSON.parse(await c.next()).event.requestContext;
    c.send({ action: 'nothing-routes-this' });
    expect(JSON.parse(await c.next()).message).toBe('Forbidden');
    c.send({ action: 'limited' });
    await c.next();
    c.send({ action: 'limited' });
    expect(JSON.parse(await c.next()).message).toBe('Too Many Requests');
    c.close();
    const found = (await lines(stack, '/access/full', 6)).map((m) => JSON.parse(m) as Record<string, string>);
    const [connectLine, echoLine, forbidden, , throttled, disconnectLine] = found;
    const common = { connectionId: event.connectionId, connectedAt: String(event.connectedAt), stage: 'logged', apiId: stack.ready.apiId, domainName: event.domainName, 'identity.sourceIp': '127.0.0.1', 'identity.userAgent': 'fanout-bench/run-1 client/7.0', messageDirection: 'IN' };

    expect(connectLine).toMatchObject({ ...common, eventType: 'CONNECT', routeKey: '$connect', messageId: '-', status: '200', 'integration.status': '200', 'integration.integrationStatus': '200', 'error.message': '-' });
    expect(connectLine!.extendedRequestId).toBe(connectLine!.requestId);
    expect(connectLine!.requestId).toMatch(/^[A-Za-z0-9+/]{14}[A-Za-z0-9+/=]{2}$/); // AWS's 16-character id, not a UUID

    expect(echoLine).toMatchObject({
      ...common,
      eventType: 'MESSAGE',
      routeKey: 'echo',
      requestId: event.requestId,
      extendedRequestId: event.requestId,
      messageId: event.messageId,
      requestTime: event.requestTime,
      requestTimeEpoch: String(event.requestTimeEpoch),
      status: '200',
      'integration.status': '200',
      'integration.integrationStatus': '200',
      'integration.error': '-',
    });
    expect(echoLine!.integrationLatency).toMatch(/^\d+$/);
    expect(echoLine!['integration.latency']).toBe(echoLine!.integrationLatency);
    expect(echoLine!.awsEndpointRequestId).toBe(echoLine!['integration.requestId']);
    // the Lambda invocation that served it: its REPORT line carries the same request ID
    expect(await reportLine(stack, 'fx-echo', echoLine!['integration.requestId']!)).toMatch(/Duration: [\d.]+ ms/);
    expect(await reportLine(stack, 'fx-connect', connectLine!['integration.requestId']!)).toBeTruthy();

    expect(forbidden).toMatchObject({ ...common, eventType: 'MESSAGE', routeKey: '-', status: '403', 'error.message': 'Forbidden', 'integration.requestId': '-', integrationLatency: '-' });
    expect(forbidden!.messageId).not.toBe('-');
    expect(throttled).toMatchObject({ ...common, eventType: 'MESSAGE', routeKey: 'limited', status: '429', 'error.message': 'Too Many Requests', 'error.responseType': 'THROTTLED', 'integration.requestId': '-' });
    expect(disconnectLine).toMatchObject({ ...common, eventType: 'DISCONNECT', routeKey: '$disconnect', messageId: '-', status: '200', 'integration.integrationStatus': '200' });
    expect(await reportLine(stack, 'fx-disconnect', disconnectLine!['integration.requestId']!)).toBeTruthy();
  });

  it("a refused CONNECT gets its line, with $connect's status; no User-Agent reads -", async () => {
    await enable(stack, '/access/refused', FULL_JSON);
    expect(await handshakeStatus(`${stack.ready.websocketUrl}?status=403`, { headers: { 'User-Agent': '' } })).toBe(403);
    const [line] = (await lines(stack, '/access/refused', 1)).map((m) => JSON.parse(m) as Record<string, string>);
    expect(line).toMatchObject({ eventType: 'CONNECT', status: '403', 'integration.status': '403', 'integration.integrationStatus': '200', 'identity.userAgent': '-' });
    expect(await reportLine(stack, 'fx-connect', line!['integration.requestId']!)).toBeTruthy();
  });

  it('DeleteAccessLogSettings (204) turns it off from the next event: GetStage has none, nothing more is written', async () => {
    await enable(stack, '/access/off', AWS_CLF);
    await apigw(stack).send(new DeleteAccessLogSettingsCommand({ ApiId: stack.ready.apiId, StageName: stack.ready.stage }));
    const after = await apigw(stack).send(new GetStageCommand({ ApiId: stack.ready.apiId, StageName: stack.ready.stage }));
    expect(after.AccessLogSettings).toBeUndefined();
    const c = await open(stack, 'quiet');
    c.send({ action: 'echo' });
    await c.next();
    const out = await logsOf(stack).send(new FilterLogEventsCommand({ logGroupName: '/access/off' }));
    expect(out.events).toEqual([]);
  });
});

describe('an account without the API Gateway CloudWatch role', () => {
  it('has no cloudwatchRoleArn, and refuses UpdateStage as AWS does, until UpdateAccount sets one', async () => {
    const v1 = sdk(APIGatewayClient, bare.ready.apiGatewayV2Endpoint);
    expect((await v1.send(new GetAccountCommand({}))).cloudwatchRoleArn).toBeUndefined();
    await logsOf(bare).send(new CreateLogGroupCommand({ logGroupName: '/access/bare' }));
    const update = () =>
      apigw(bare).send(new UpdateStageCommand({ ApiId: bare.ready.apiId, StageName: bare.ready.stage, AccessLogSettings: { DestinationArn: groupArn('/access/bare'), Format: AWS_CLF } }));
    const refused = await update().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(BadRequestException);
    expect((refused as Error).message).toBe('CloudWatch Logs role ARN must be set in account settings to enable logging');
    const role = `arn:aws:iam::${ACCOUNT}:role/my-apigw-logs`;
    expect((await v1.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: role }] }))).cloudwatchRoleArn).toBe(role);
    await update();
  });
});

describe("a template's stage with AccessLogSettings", () => {
  const started: Array<{ stack: RunningStack; described: DescribedStack }> = [];
  afterAll(async () => {
    for (const s of started) {
      await s.stack.close();
      await s.described.dispose();
    }
  });

  it('reads the destination as CloudFormation (!GetAtt) and Serverless (!Sub of the group) name it, and the account role of AWS::ApiGateway::Account', async () => {
    for (const ArnForm of ['getatt', 'sub']) {
      const described = await describeStack(defaultStackConfig({ region: REGION, accountId: ACCOUNT, template: { path: TEMPLATE, parameters: { ArnForm } } }));
      try {
        const arn = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/websocket/access-log-cfn-live`;
        expect(described.stack.api!.stage.accessLog?.destinationArn).toBe(ArnForm === 'getatt' ? `${arn}:*` : arn);
        expect(described.stack.api!.stage.accessLog?.format).toContain('$context.integration.requestId');
        expect(described.stack.apiGatewayAccount?.cloudWatchRoleArn).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT}:role/`));
        expect(described.stack.notEmulated.map((n) => n.logicalId)).not.toContain('Account');
      } finally {
        await described.dispose();
      }
    }
  });

  it('writes from the first event, even in an account without a role of its own (the template sets one)', async () => {
    const config = defaultStackConfig({ region: REGION, accountId: ACCOUNT, apiGatewayCloudWatchRole: false, lambda: { preparedPerFunction: 0 }, template: { path: TEMPLATE, parameters: { ArnForm: 'sub' } } });
    const described = await describeStack(config);
    const s = await startStack({ config, stack: described.stack, log: () => {} });
    started.push({ stack: s, described });
    const c = await open(s, 'template-client');
    c.send({ action: 'ping' });
    const [connectLine, pingLine] = (await lines(s, '/aws/websocket/access-log-cfn-live', 2)).map((m) => JSON.parse(m) as Record<string, string>);
    expect(connectLine).toMatchObject({ eventType: 'CONNECT', routeKey: '$connect', status: '200', userAgent: 'template-client' });
    expect(pingLine).toMatchObject({ eventType: 'MESSAGE', routeKey: 'ping', status: '200', connectionId: connectLine!.connectionId });
    expect(await reportLine(s, s.stack.functions[0]!.name, pingLine!.integrationRequestId!)).toBeTruthy();
  });
});

describe("the emulator's own host-wait log", () => {
  it('has one line, keyed by its request ID, for an invocation the host held back, and none for one it did not', async () => {
    const held = await startOwnStack({
      config: defaultStackConfig({ region: REGION, accountId: ACCOUNT, lambda: { hostMaxEnvironments: 1, preparedPerFunction: 0, cpuModel: 'off' } }),
      functions: [fixture('fx-echo', 'echo', 'echo.ts')],
      log: () => {},
    });
    try {
      const c = await open(held);
      c.send({ action: 'echo', sleepMs: 300 });
      c.send({ action: 'echo' });
      await c.next();
      await c.next();
      const waits = (await lines(held, LOCAL_HOST_WAIT_LOG_GROUP, 1)).map((m) => JSON.parse(m) as HostWaitLine);
      expect(waits).toHaveLength(1);
      expect(waits[0]!.functionName).toBe('fx-echo');
      expect(waits[0]!.hostWaitMs).toBeGreaterThan(0);
      // the same request ID as the REPORT line of the held invocation
      expect(await reportLine(held, 'fx-echo', waits[0]!.requestId)).toBeTruthy();
    } finally {
      await held.close();
    }
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
