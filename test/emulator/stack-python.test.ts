import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack, type DescribedStack } from '../../emulator/stack-model/describe-stack.ts';
import { connect, handshakeStatus, type TestClient } from '../fixtures/gateway/clients.ts';
import { until } from './lambda-test-helpers.ts';
import { emulatorUnservedCalls } from '../../src/targets/emulator-unserved-calls.ts';

// Python stacks through the whole emulator: the gateway, Python functions on the Runtime API,
// real boto3 (the host's) reaching dynalite and @connections with the code unchanged, whatever
// the host's botocore (clients built with an explicit AWS endpoint, or an endpoint_url from the
// event's domainName, are redirected by the bootstrap). The python-rooms fixture's protocol
// (plain text, /join, others only, a gone member deleted), INIT errors as the client sees them
// ($connect 502, Internal server error), and UpdateFunctionConfiguration on a Python function.

const FIXTURE = fileURLToPath(new URL('../fixtures/stacks/python-rooms/template.yaml', import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const clients: TestClient[] = [];
const lines: string[] = [];

async function start(path: string, overrides: Parameters<typeof defaultStackConfig>[0] = {}): Promise<{ stack: RunningStack; described: DescribedStack }> {
  const config = defaultStackConfig({ ...overrides, template: { path, parameters: {} }, lambda: { preparedPerFunction: 0 } });
  const described = await describeStack(config);
  const stack = await startStack({ config, stack: described.stack, log: (line) => lines.push(line) });
  return { stack, described };
}

async function open(url: string): Promise<TestClient> {
  const c = await connect(url);
  clients.push(c);
  return c;
}

const logOf = (stack: RunningStack, logicalId: string): string[] => {
  const name = stack.stack.functions.find((f) => f.logicalId === logicalId)!.name;
  return (stack.logs.filter({ logGroupName: `/aws/lambda/${name}`, limit: 10_000 })?.events ?? []).map((e) => e.message);
};

afterAll(() => {
  for (const c of clients) c.close();
});

describe('the python-rooms fixture: boto3 against the emulator', () => {
  let rooms: { stack: RunningStack; described: DescribedStack };
  beforeAll(async () => {
    // $disconnect lost: a client that goes leaves its row, found by the next post's 410
    rooms = await start(FIXTURE, { faults: { lostDisconnectShare: 1 } });
  }, 60_000);
  afterAll(async () => {
    await rooms?.stack.close();
    await rooms?.described.dispose();
  });

  it('says which Python runs python3.12, and lists its functions with their runtime', () => {
    expect(lines.some((l) => /python3\.12 runs on the host's Python 3\.\d+/.test(l))).toBe(true);
    expect(rooms.stack.ready.functions.map((f) => f.runtime)).toEqual(['python3.12', 'python3.12', 'python3.12']);
    // the ready line says what ran them, and that no function runs on Node
    expect(rooms.stack.ready.lambdaRuntime).toMatchObject({ nodeFunctions: false, others: [expect.stringMatching(/^python3\.12 on the host's Python 3\.\d+\.\d+ \(\/\S+\)$/)] });
  });

  it("reports SnapStart as its template sets it: on the message function's published versions, Off on the $LATEST served", async () => {
    const lambda = new LambdaClient({ endpoint: rooms.stack.ready.lambdaEndpoint, region: rooms.stack.ready.region, credentials });
    try {
      const nameOf = (id: string) => rooms.stack.stack.functions.find((f) => f.logicalId === id)!.name;
      const snap = async (id: string) => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: nameOf(id) }))).SnapStart;
      expect(await snap('MessageFunction')).toEqual({ ApplyOn: 'PublishedVersions', OptimizationStatus: 'Off' });
      expect(await snap('ConnectFunction')).toEqual({ ApplyOn: 'None', OptimizationStatus: 'Off' });
    } finally {
      lambda.destroy();
    }
  });

  it('answers /join, posts a message to the other members of the room only, as text', async () => {
    const url = rooms.stack.ready.websocketUrl;
    const [a, b, c] = [await open(url), await open(url), await open(url)];
    a.send('/join r1');
    b.send('/join r1');
    expect(await a.next()).toBe('joined r1');
    expect(await b.next()).toBe('joined r1');
    a.send('hello r1');
    expect(await b.next()).toBe('hello r1');
    c.send('hello lobby'); // alone in the lobby: nobody to post to
    await new Promise((r) => setTimeout(r, 300));
    expect([a.frames, c.frames]).toEqual([[], []]);
    // every cold start's REPORT carries its Init Duration
    const reports = logOf(rooms.stack, 'MessageFunction').filter((l) => l.startsWith('REPORT'));
    expect(reports.filter((l) => /\tInit Duration: [\d.]+ ms\t/.test(l)).length).toBe(rooms.stack.runtime.stats()[rooms.stack.stack.functions.find((f) => f.logicalId === 'MessageFunction')!.name]!.coldStarts);
  });

  it('deletes a member whose connection is gone when a post to it answers GoneException', async () => {
    const url = rooms.stack.ready.websocketUrl;
    const gone = await open(url);
    gone.send('/join r2');
    expect(await gone.next()).toBe('joined r2');
    const [goneId] = await membersOf(rooms.stack, 'r2');
    const [a, b] = [await open(url), await open(url)];
    for (const c of [a, b]) c.send('/join r2');
    for (const c of [a, b]) expect(await c.next()).toBe('joined r2');
    expect(await membersOf(rooms.stack, 'r2')).toHaveLength(3);
    // no close frame, and its $disconnect lost: its row stays until a post to it answers 410
    gone.ws.terminate();
    await gone.closed;
    a.send('after the drop');
    expect(await b.next()).toBe('after the drop');
    await until(() => logOf(rooms.stack, 'MessageFunction').some((l) => l.endsWith('deleted 1 gone connection(s)')));
    const left = await membersOf(rooms.stack, 'r2');
    expect(left).toHaveLength(2);
    expect(left).not.toContain(goneId);
  });
});

/** The connection ids the table has in a room. */
async function membersOf(stack: RunningStack, room: string): Promise<string[]> {
  const db = new DynamoDBClient({ endpoint: stack.ready.dynamodbEndpoint, region: stack.ready.region, credentials });
  try {
    const rows = await db.send(new ScanCommand({ TableName: stack.ready.tables[0]!, FilterExpression: 'room = :r', ExpressionAttributeValues: { ':r': { S: room } } }));
    return rows.Items!.map((i) => i.connectionId!.S!);
  } finally {
    db.destroy();
  }
}

describe('a Python stack\'s failures, as a client sees them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-stack-python-'));
  let misc: { stack: RunningStack; described: DescribedStack };
  beforeAll(async () => {
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'connect.py'), 'import os\nif os.environ.get("BREAK") == "1":\n    import no_such_package\n\ndef handler(event, context):\n    return {"statusCode": 200}\n');
    writeFileSync(join(dir, 'src', 'broken.py'), 'import no_such_package\n\ndef handler(event, context):\n    return {"statusCode": 200}\n');
    writeFileSync(join(dir, 'src', 'crash.py'), 'import os\n\ndef handler(event, context):\n    os._exit(1)\n');
    writeFileSync(
      join(dir, 'src', 'probe.py'),
      [
        'import json, os',
        'import boto3',
        '',
        'def handler(event, context):',
        '    rc = event["requestContext"]',
        '    region = os.environ["AWS_REGION"]',
        '    out = {}',
        '    # the AWS forms, whatever the botocore: answered by the emulator',
        '    dynamodb = boto3.client("dynamodb", endpoint_url=f"https://dynamodb.{region}.amazonaws.com")',
        '    out["tables"] = dynamodb.list_tables()["TableNames"]',
        '    api = boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{rc[\'apiId\']}.execute-api.{region}.amazonaws.com/{rc[\'stage\']}")',
        '    api.post_to_connection(ConnectionId=rc["connectionId"], Data=b"posted through the AWS form")',
        '    # a service the emulator does not serve fails loudly, never reaching AWS',
        '    kinesis = boto3.client("kinesis", config=boto3.session.Config(retries={"max_attempts": 1}))',
        '    try:',
        '        kinesis.list_streams()',
        '        out["kinesis"] = "reached"',
        '    except Exception as e:',
        '        out["kinesis"] = f"{type(e).__name__}: {e}"',
        '    return {"statusCode": 200, "body": json.dumps(out)}',
      ].join('\n'),
    );
    // each function with the permission API Gateway needs to invoke it, and the policies its calls need, as on AWS
    const fn = (id: string, handler: string, policies = '') =>
      `  ${id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: ${handler}\n${policies}` +
      `  ${id}Permission:\n    Type: AWS::Lambda::Permission\n    Properties: { Action: lambda:InvokeFunction, FunctionName: !Ref ${id}, Principal: apigateway.amazonaws.com }\n`;
    const route = (id: string, key: string, fnId: string, twoWay = false) =>
      [
        `  ${id}Route:`,
        '    Type: AWS::ApiGatewayV2::Route',
        `    Properties: { ApiId: !Ref Api, RouteKey: '${key}', Target: !Sub 'integrations/\${${id}Integration}'${twoWay ? ", RouteResponseSelectionExpression: '$default'" : ''} }`,
        `  ${id}Integration:`,
        '    Type: AWS::ApiGatewayV2::Integration',
        `    Properties: { ApiId: !Ref Api, IntegrationType: AWS_PROXY, IntegrationUri: !Sub 'arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${fnId}.Arn}/invocations' }`,
        ...(twoWay ? [`  ${id}Response:`, '    Type: AWS::ApiGatewayV2::RouteResponse', `    Properties: { ApiId: !Ref Api, RouteId: !Ref ${id}Route, RouteResponseKey: '$default' }`] : []),
      ].join('\n');
    writeFileSync(
      join(dir, 'template.yaml'),
      [
        "AWSTemplateFormatVersion: '2010-09-09'",
        'Transform: AWS::Serverless-2016-10-31',
        'Globals:',
        '  Function: { Runtime: python3.11, MemorySize: 1769, Timeout: 10, CodeUri: src/ }',
        'Resources:',
        '  Api:',
        '    Type: AWS::ApiGatewayV2::Api',
        "    Properties: { Name: misc, ProtocolType: WEBSOCKET, RouteSelectionExpression: '$request.body.action' }",
        '  Stage:',
        '    Type: AWS::ApiGatewayV2::Stage',
        '    Properties: { ApiId: !Ref Api, StageName: misc }',
        route('Connect', '$connect', 'ConnectFunction'),
        route('Default', '$default', 'BrokenFunction'),
        route('Crash', 'crash', 'CrashFunction'),
        route('Probe', 'probe', 'ProbeFunction', true),
        '  Table:',
        '    Type: AWS::Serverless::SimpleTable',
        fn('ConnectFunction', 'connect.handler'),
        fn('BrokenFunction', 'broken.handler'),
        fn('CrashFunction', 'crash.handler'),
        fn('ProbeFunction', 'probe.handler', "      Policies: [{ Statement: [{ Effect: Allow, Action: ['dynamodb:ListTables', 'execute-api:ManageConnections'], Resource: '*' }] }]\n"),
      ].join('\n'),
    );
    misc = await start(join(dir, 'template.yaml'));
  }, 60_000);
  afterAll(async () => {
    await misc?.stack.close();
    await misc?.described.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches the emulator from clients built with AWS endpoints, and refuses a service it does not serve', async () => {
    const c = await open(misc.stack.ready.websocketUrl);
    c.send({ action: 'probe' });
    expect(await c.next()).toBe('posted through the AWS form');
    const out = JSON.parse(await c.next()) as { tables: string[]; kinesis: string };
    expect(out.tables).toEqual(misc.stack.ready.tables);
    expect(out.kinesis).toMatch(/^EndpointConnectionError: Could not connect to the endpoint URL: "https:\/\/kinesis\.us-east-1\.amazonaws\.com\/ \(the local emulator does not serve this AWS endpoint; it never reaches AWS\)"$/);
    // read before it was refused, as a Node function's is: in the emulator's record, by the function that called;
    // each attempt counted (botocore's `max_attempts: 1` is one retry after the first: 2 attempts)
    const calls = await emulatorUnservedCalls(misc.stack.ready.unservedCallsEndpoint!, { startMs: 0 });
    expect(calls.filter((k) => k.service === 'kinesis').map(({ function: fn, operation, resource, count }) => ({ fn, operation, resource, count }))).toEqual([
      { fn: expect.stringMatching(/ProbeFunction/), operation: 'ListStreams', resource: undefined, count: 2 },
    ]);
  });

  it('answers a message to a function whose INIT failed, or whose process exited, with Internal server error; the stack serves on', async () => {
    const c = await open(misc.stack.ready.websocketUrl);
    c.send('to the default route');
    expect(JSON.parse(await c.next())).toMatchObject({ message: 'Internal server error' });
    c.send({ action: 'crash' });
    expect(JSON.parse(await c.next())).toMatchObject({ message: 'Internal server error' });
    expect(logOf(misc.stack, 'BrokenFunction')[0]).toBe("[ERROR] Runtime.ImportModuleError: Unable to import module 'broken': No module named 'no_such_package'\rTraceback (most recent call last):");
    expect(logOf(misc.stack, 'CrashFunction').some((l) => /Runtime exited with error: exit status 1$/.test(l))).toBe(true);
    c.send({ action: 'probe' });
    expect(await c.next()).toBe('posted through the AWS form');
  });

  it('refuses $connect with 502 while its function fails INIT; UpdateFunctionConfiguration retires the Python environments both ways', async () => {
    const url = misc.stack.ready.websocketUrl;
    expect(await handshakeStatus(url)).toBe(101);
    const lambda = new LambdaClient({ endpoint: misc.stack.ready.lambdaEndpoint, region: misc.stack.ready.region, credentials });
    try {
      const name = misc.stack.stack.functions.find((f) => f.logicalId === 'ConnectFunction')!.name;
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      expect(config).toMatchObject({ Runtime: 'python3.11', Handler: 'connect.handler' });
      const update = (BREAK: string) => lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { ...config.Environment!.Variables, BREAK } } }));
      await update('1');
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: name });
      expect(await handshakeStatus(url)).toBe(502);
      await update('0');
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: name });
      expect(await handshakeStatus(url)).toBe(101);
    } finally {
      lambda.destroy();
    }
  });
});
