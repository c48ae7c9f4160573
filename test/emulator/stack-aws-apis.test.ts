import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PATH_ROUTE } from '../../common/stack-ready.ts';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ApiGatewayV2Client, GetStageCommand, NotFoundException } from '@aws-sdk/client-apigatewayv2';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type Dimension } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { GetAccountSettingsCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ListSecretsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { checkConfigAgainstStack, defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { UserError } from '../../common/errors.ts';
import { describeStack } from '../../src/targets/aws-stack.ts';
import { AUTHORIZER_FUNCTION_OUTPUT, stackOutputKeys, type ChatRoute } from '../../common/stack-outputs.ts';
import { parseStackOutputs } from '../../src/targets/stack-description.ts';
import { connect, eventually } from '../fixtures/gateway/clients.ts';

// What the harness asks AWS on an `aws:` target, asked of the emulator with the real SDK v3
// clients, found through the standard AWS_ENDPOINT_URL_* variables of the ready line (no
// `endpoint` in the code): CloudFormation DescribeStacks, Lambda GetAccountSettings, API Gateway v2
// GetStage, API Gateway GetAccount, CloudWatch, CloudWatch Logs, Parameter Store and DynamoDB.
// Then a second stack of another name beside it, its names derived from its name.

const REGION = 'eu-west-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const TOKEN = 'aws-apis-token';
const ALL_ROUTES = FUNCTIONS.map((f) => f.route as ChatRoute);

let stack: RunningStack;
const clients: Array<{ destroy(): void }> = [];
/** A client of the SDK, configured as a user's would be: region and credentials, no endpoint. */
function client<T extends { destroy(): void }>(make: new (config: { region: string; credentials: typeof credentials }) => T): T {
  const c = new make({ region: REGION, credentials });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  stack = await startStack({
    config: defaultStackConfig({
      region: REGION,
      auth: { enabled: true },
      lambda: { accountConcurrency: 400, preparedPerFunction: 0 },
      functions: { 'fanout-whoami': { reservedConcurrency: 7 } },
      limits: { accountRps: 250, accountBurst: 100, stageRps: 40, stageBurst: 20, routeThrottles: { sendMessage: { rps: 5, burst: 3 } } },
    }),
    authToken: TOKEN,
    log: () => {},
  });
  for (const [name, url] of Object.entries(stack.ready.awsEndpointUrls)) process.env[name] = url;
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const name of Object.keys(stack?.ready.awsEndpointUrls ?? {})) delete process.env[name];
  await stack?.close();
});

describe('the ready line points the SDK at the stack', () => {
  it("names one variable per service, as each client reads it (its service id, upper-cased, spaces as _)", () => {
    type AnyClient = new (config: { region: string; credentials: typeof credentials }) => { destroy(): void; config: object };
    const makers: AnyClient[] = [CloudFormationClient, LambdaClient, CloudWatchClient, CloudWatchLogsClient, SSMClient, SecretsManagerClient, ApiGatewayV2Client, APIGatewayClient, DynamoDBClient, DynamoDBStreamsClient, SQSClient, SNSClient, EventBridgeClient];
    const serviceIds = makers.map((make) => (client(make).config as { serviceId?: string }).serviceId!);
    expect(Object.keys(stack.ready.awsEndpointUrls).sort()).toEqual(['AWS_ENDPOINT_URL', ...serviceIds.map((id) => `AWS_ENDPOINT_URL_${id.toUpperCase().replaceAll(' ', '_')}`)].sort());
    expect(stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL).toBe(stack.ready.edgeEndpoint);
    expect(stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL_CLOUDFORMATION).toBe(stack.ready.cloudformationEndpoint);
    expect(stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL_APIGATEWAYV2).toBe(stack.ready.apiGatewayV2Endpoint);
    expect(stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL_API_GATEWAY).toBe(stack.ready.apiGatewayV2Endpoint);
    expect(stack.ready.stackName).toBe('FanoutBenchChat');
  });

  it('answers CloudWatch, CloudWatch Logs, Parameter Store, Secrets Manager and DynamoDB there', async () => {
    await client(CloudWatchClient).send(new ListMetricsCommand({ Namespace: 'AWS/Lambda' }));
    await client(CloudWatchLogsClient).send(new DescribeLogGroupsCommand({}));
    const parameter = await client(SSMClient).send(new GetParameterCommand({ Name: '/fanout-bench/FanoutBenchChat/connect-token', WithDecryption: true }));
    expect(parameter.Parameter?.Value).toBe(TOKEN);
    // the reference stack has no secrets
    expect((await client(SecretsManagerClient).send(new ListSecretsCommand({}))).SecretList).toEqual([]);
    const tables = await client(DynamoDBClient).send(new ListTablesCommand({}));
    expect(tables.TableNames).toEqual(['fanout-connections', 'fanout-messages', 'fanout-room-members']);
  });
});

describe('CloudFormation DescribeStacks', () => {
  it('describes the running stack, CREATE_COMPLETE, with exactly the outputs the CDK app writes', async () => {
    const out = await client(CloudFormationClient).send(new DescribeStacksCommand({ StackName: 'FanoutBenchChat' }));
    expect(out.Stacks).toHaveLength(1);
    const s = out.Stacks![0]!;
    expect(s).toMatchObject({ StackName: 'FanoutBenchChat', StackStatus: 'CREATE_COMPLETE' });
    expect(s.StackId).toMatch(/^arn:aws:cloudformation:eu-west-1:000000000000:stack\/FanoutBenchChat\/[0-9a-f-]{36}$/);
    expect(s.CreationTime).toBeInstanceOf(Date);
    const outputs = Object.fromEntries((s.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
    // the contract's keys, every route (the emulator runs broadcast too), the authorizer's three
    expect(Object.keys(outputs).sort()).toEqual([...stackOutputKeys(ALL_ROUTES), AUTHORIZER_FUNCTION_OUTPUT, 'AuthTokenParameter', 'AuthIdentitySource'].sort());
    expect(outputs.AuthTokenParameter).toBe('/fanout-bench/FanoutBenchChat/connect-token');
    expect(outputs.AuthIdentitySource).toBe('route.request.header.x-api-key');
    expect(parseStackOutputs(outputs)).toEqual({
      ok: true,
      value: {
        websocketUrl: stack.ready.websocketUrl,
        callbackUrl: stack.ready.callbackUrl,
        apiId: stack.ready.apiId,
        stage: 'local',
        region: REGION,
        tables: { connections: 'fanout-connections', roomMembers: 'fanout-room-members', messages: 'fanout-messages' },
        functions: [...FUNCTIONS.map((f) => ({ route: f.route, name: f.name })), { route: '$connect', name: 'fanout-authorizer', authorizer: true }],
      },
    });
  });

  it('is what the harness reads for aws:FanoutBenchChat; by stack id too, and without a name', async () => {
    const cfn = client(CloudFormationClient);
    const described = await describeStack(cfn, 'FanoutBenchChat', { region: REGION });
    expect(described.websocketUrl).toBe(stack.ready.websocketUrl);
    expect(described.functions.map((f) => f.name)).toContain('fanout-send-message');
    const all = await cfn.send(new DescribeStacksCommand({}));
    expect(all.Stacks?.map((s) => s.StackName)).toEqual(['FanoutBenchChat']);
    const byId = await cfn.send(new DescribeStacksCommand({ StackName: all.Stacks![0]!.StackId }));
    expect(byId.Stacks?.[0]?.StackName).toBe('FanoutBenchChat');
  });

  it('answers a stack it does not run as CloudFormation does: ValidationError, "does not exist"', async () => {
    const cfn = client(CloudFormationClient);
    const err = await cfn.send(new DescribeStacksCommand({ StackName: 'FanoutBenchChatArm' })).then(
      () => expect.fail('described a stack that does not exist'),
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
    );
    expect(err.name).toBe('ValidationError');
    expect(err.message).toBe('Stack with id FanoutBenchChatArm does not exist');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    // and the harness says so in one line
    const refused = await describeStack(cfn, 'FanoutBenchChatArm', { region: REGION }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toMatch(/^aws:FanoutBenchChatArm: no such stack in eu-west-1/);
  });
});

describe('Lambda GetAccountSettings', () => {
  it("reports the account's concurrency quota and what reserved concurrency leaves of it", async () => {
    const out = await client(LambdaClient).send(new GetAccountSettingsCommand({}));
    expect(out.AccountLimit).toMatchObject({ ConcurrentExecutions: 400, UnreservedConcurrentExecutions: 393 });
    // every route's function, the authorizer and the direct server push
    expect(out.AccountUsage?.FunctionCount).toBe(FUNCTIONS.length + 2);
  });
});

describe('API Gateway v2 GetStage', () => {
  it("describes the stage: its own throttle and its routes' (not the account's), detailed metrics on", async () => {
    const out = await client(ApiGatewayV2Client).send(new GetStageCommand({ ApiId: stack.ready.apiId, StageName: stack.ready.stage }));
    expect(out.StageName).toBe('local');
    expect(out.DefaultRouteSettings).toEqual({
      DataTraceEnabled: false,
      DetailedMetricsEnabled: true,
      LoggingLevel: 'OFF',
      ThrottlingBurstLimit: 20,
      ThrottlingRateLimit: 40,
    });
    expect(out.RouteSettings).toEqual({
      sendMessage: { DataTraceEnabled: false, DetailedMetricsEnabled: true, LoggingLevel: 'OFF', ThrottlingBurstLimit: 3, ThrottlingRateLimit: 5 },
    });
    expect(out.AutoDeploy).toBe(true);
    expect(out.CreatedDate).toBeInstanceOf(Date);
  });

  it.each([
    ['an unknown stage', () => ({ ApiId: stack.ready.apiId, StageName: 'prod' }), 'Invalid stage identifier specified'],
    ['an unknown API', () => ({ ApiId: 'zzzzzzzzzz', StageName: stack.ready.stage }), 'Invalid API identifier specified 000000000000:zzzzzzzzzz'],
  ])('answers %s with NotFoundException (404)', async (_, input, message) => {
    const err = await client(ApiGatewayV2Client).send(new GetStageCommand(input())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundException);
    expect((err as NotFoundException).message).toBe(message);
    expect((err as NotFoundException).$metadata.httpStatusCode).toBe(404);
  });
});

describe('API Gateway GetAccount', () => {
  it("answers the account's throttle at AWS_ENDPOINT_URL_API_GATEWAY, through the SDK's APIGatewayClient", async () => {
    const out = await client(APIGatewayClient).send(new GetAccountCommand({}));
    expect(out.throttleSettings).toEqual({ burstLimit: 100, rateLimit: 250 });
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  it('answers any other v1 request with NotFoundException (404)', async () => {
    // GetDomainNames: custom domains are not emulated
    const res = await fetch(`${process.env.AWS_ENDPOINT_URL_API_GATEWAY}/domainnames`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('NotFoundException');
  });
});

describe('AWS/ApiGateway per route', () => {
  it('publishes ApiId; ApiId, Stage; and ApiId, Method, Resource, Stage for each route (Resource = route key)', async () => {
    const c = await connect(stack.ready.websocketUrl, { headers: { 'x-api-key': TOKEN } });
    c.send({ action: 'whoami' });
    expect(await c.nextJson()).toMatchObject({ type: 'whoami' });
    c.close();
    await c.closed;

    const cw = client(CloudWatchClient);
    const api = { Name: 'ApiId', Value: stack.ready.apiId };
    const sets = await eventually(async () => {
      const out = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/ApiGateway', MetricName: 'MessageCount', Dimensions: [api] }));
      return (out.Metrics ?? []).length >= 3 ? out.Metrics!.map((m) => sorted(m.Dimensions)) : undefined;
    }, 10_000, 'MessageCount sets');
    expect(sets.sort((a, b) => a.length - b.length)).toEqual([
      [api],
      [api, { Name: 'Stage', Value: 'local' }],
      [api, { Name: 'Method', Value: 'MESSAGE' }, { Name: 'Resource', Value: 'whoami' }, { Name: 'Stage', Value: 'local' }],
    ]);

    const route = (method: string, resource: string): Dimension[] => [api, { Name: 'Method', Value: method }, { Name: 'Resource', Value: resource }, { Name: 'Stage', Value: 'local' }];
    const now = Date.now();
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 600_000),
        EndTime: new Date(now + 60_000),
        MetricDataQueries: [
          { Id: 'messages', MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'MessageCount', Dimensions: route('MESSAGE', 'whoami') }, Period: 3600, Stat: 'Sum' } },
          { Id: 'latency', MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'IntegrationLatency', Dimensions: route('MESSAGE', 'whoami') }, Period: 3600, Stat: 'SampleCount' } },
          { Id: 'connects', MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: 'ConnectCount', Dimensions: route('CONNECT', '$connect') }, Period: 3600, Stat: 'Sum' } },
        ],
      }),
    );
    const sum = (id: string) => (out.MetricDataResults?.find((r) => r.Id === id)?.Values ?? []).reduce((a, b) => a + b, 0);
    // the message in and its route response out; one invocation; one connect
    expect([sum('messages'), sum('latency'), sum('connects')]).toEqual([2, 1, 1]);
  });
});

describe('a stack of another name beside it (--stack-name)', () => {
  let arm: RunningStack;
  const endpoint = (url: string) => ({ endpoint: url, region: 'us-east-1', credentials });

  beforeAll(async () => {
    arm = await startStack({
      // its functions go by their names in this stack, in the config as in Lambda
      config: defaultStackConfig({ stackName: 'FanoutBenchChatArm', lambda: { preparedPerFunction: 0 }, functions: { 'FanoutBenchChatArm-send-message': { memoryMB: 512 } } }),
      log: () => {},
    });
  });
  afterAll(async () => {
    await arm?.close();
  });

  it('names its functions, tables and outputs after itself, and answers only its own name', async () => {
    const cfn = new CloudFormationClient(endpoint(arm.ready.cloudformationEndpoint));
    clients.push(cfn);
    const described = await describeStack(cfn, 'FanoutBenchChatArm');
    expect(described.tables).toEqual({ connections: 'FanoutBenchChatArm-connections', roomMembers: 'FanoutBenchChatArm-room-members', messages: 'FanoutBenchChatArm-messages' });
    expect(described.functions.map((f) => f.name)).toEqual(FUNCTIONS.map((f) => f.name.replace(/^fanout-/, 'FanoutBenchChatArm-')));
    // the ready line lists every function: the routes' as the outputs name them, and the server push's, which no route invokes
    expect(arm.ready.functions.filter((f) => f.route !== PATH_ROUTE).map((f) => f.name)).toEqual(described.functions.map((f) => f.name));
    expect(arm.ready.functions.filter((f) => f.route === PATH_ROUTE).map((f) => f.name)).toEqual(['FanoutBenchChatArm-push']);
    expect(arm.ready.tables).toEqual(Object.values(described.tables));
    await expect(describeStack(cfn, 'FanoutBenchChat')).rejects.toThrow(/^aws:FanoutBenchChat: no such stack/);

    const lambda = new LambdaClient(endpoint(arm.ready.lambdaEndpoint));
    clients.push(lambda);
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'FanoutBenchChatArm-send-message' }));
    expect(config.Environment?.Variables).toMatchObject({ CONNECTIONS_TABLE: 'FanoutBenchChatArm-connections', ROOM_MEMBERS_TABLE: 'FanoutBenchChatArm-room-members' });
    expect(config.MemorySize).toBe(512);
    // the function's logical id in the template names it too; another stack's name does not
    const logicalId = arm.stack.functions.find((f) => f.name === 'FanoutBenchChatArm-send-message')!.logicalId;
    const byLogicalId = defaultStackConfig({ stackName: 'FanoutBenchChatArm', functions: { [logicalId]: { memoryMB: 512 } } });
    expect(checkConfigAgainstStack(byLogicalId, arm.stack).functions).toEqual({ 'FanoutBenchChatArm-send-message': { memoryMB: 512 } });
    const misnamed = defaultStackConfig({ stackName: 'FanoutBenchChatArm', functions: { 'FanoutBenchChat-send-message': { memoryMB: 512 } } });
    expect(() => checkConfigAgainstStack(misnamed, arm.stack)).toThrow(
      /functions\.FanoutBenchChat-send-message: unknown function "FanoutBenchChat-send-message" \(known: fanoutconnect[0-9A-F]{8} \(FanoutBenchChatArm-connect\), /,
    );
  });

  it('runs the chat on its own tables', async () => {
    const c = await connect(arm.ready.websocketUrl);
    c.send({ action: 'createRoom', room: 'side-by-side' });
    expect(await c.nextJson()).toMatchObject({ type: 'roomCreated' });
    c.close();
    const ddb = new DynamoDBClient(endpoint(arm.ready.dynamodbEndpoint));
    clients.push(ddb);
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual(['FanoutBenchChatArm-connections', 'FanoutBenchChatArm-messages', 'FanoutBenchChatArm-room-members']);
    const rooms = await ddb.send(new ScanCommand({ TableName: 'FanoutBenchChatArm-messages', ConsistentRead: true }));
    expect(rooms.Items?.map((i) => i.room?.S)).toEqual(['side-by-side']);
  });
});

function sorted(dimensions: Dimension[] | undefined): Dimension[] {
  return [...(dimensions ?? [])].sort((a, b) => (a.Name! < b.Name! ? -1 : 1));
}
