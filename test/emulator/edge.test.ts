import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ApiGatewayV2Client, GetApiCommand, GetIntegrationsCommand, GetRoutesCommand, GetStageCommand } from '@aws-sdk/client-apigatewayv2';
import { APIGatewayClient, GetAccountCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBStreamsClient, ListStreamsCommand } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { startEdge, type EdgeHandlers } from '../../emulator/edge/server.ts';
import { EDGE_SERVICES } from '../../emulator/edge/request-service.ts';
import type { RequestHandler } from '../../emulator/local-listener.ts';
import { connect } from '../fixtures/gateway/clients.ts';

// The edge: every AWS API the emulator serves on one port. Each real SDK v3 client is configured
// with nothing but `endpoint: edge` (region and credentials come from the environment, as in a
// user's shell), and one with no endpoint at all, only AWS_ENDPOINT_URL in the environment.

let stack: RunningStack;
let edge: string;
const saved: Record<string, string | undefined> = {};
const clients: Array<{ destroy(): void }> = [];
function only<T extends { destroy(): void }>(make: new (config: { endpoint: string }) => T, endpoint = edge): T {
  const c = new make({ endpoint });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  for (const k of ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL']) saved[k] = process.env[k];
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  stack = await startStack({ config: defaultStackConfig({ lambda: { preparedPerFunction: 0 } }), log: () => {} });
  edge = stack.ready.edgeEndpoint;
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await stack?.close();
});

describe('the edge answers every service on one port', () => {
  it('is in the ready line and is AWS_ENDPOINT_URL', () => {
    expect(edge).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL).toBe(edge);
  });

  it('DynamoDB, Lambda, CloudWatch, CloudWatch Logs, SSM', async () => {
    const table = await only(DynamoDBClient).send(new DescribeTableCommand({ TableName: 'fanout-connections' }));
    expect(table.Table?.TableStatus).toBe('ACTIVE');
    const fn = await only(LambdaClient).send(new GetFunctionConfigurationCommand({ FunctionName: 'fanout-send-message' }));
    expect(fn.MemorySize).toBe(1024);
    expect((await only(CloudWatchClient).send(new ListMetricsCommand({ Namespace: 'AWS/Lambda' }))).$metadata.httpStatusCode).toBe(200);
    const groups = await only(CloudWatchLogsClient).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/fanout-' }));
    expect(groups.$metadata.httpStatusCode).toBe(200);
    const ssm = only(SSMClient);
    await ssm.send(new PutParameterCommand({ Name: '/edge/test', Value: 'through the edge', Type: 'String' }));
    expect((await ssm.send(new GetParameterCommand({ Name: '/edge/test' }))).Parameter?.Value).toBe('through the edge');
  });

  it('CloudFormation, API Gateway v2 and v1', async () => {
    const stacks = await only(CloudFormationClient).send(new DescribeStacksCommand({ StackName: 'FanoutBenchChat' }));
    expect(stacks.Stacks?.[0]?.StackStatus).toBe('CREATE_COMPLETE');
    const resources = await only(CloudFormationClient).send(new ListStackResourcesCommand({ StackName: 'FanoutBenchChat' }));
    expect(resources.StackResourceSummaries?.find((r) => r.ResourceType === 'AWS::ApiGatewayV2::Api')?.PhysicalResourceId).toBe(stack.ready.apiId);
    const v2 = only(ApiGatewayV2Client);
    const api = await v2.send(new GetApiCommand({ ApiId: stack.ready.apiId }));
    // the stage's URL is the API's endpoint and the stage, on the emulator as on AWS
    expect(`${api.ApiEndpoint}/${stack.ready.stage}`).toBe(stack.ready.websocketUrl);
    expect((await v2.send(new GetStageCommand({ ApiId: stack.ready.apiId, StageName: stack.ready.stage }))).StageName).toBe('local');
    const routes = (await v2.send(new GetRoutesCommand({ ApiId: stack.ready.apiId }))).Items!;
    const integrations = (await v2.send(new GetIntegrationsCommand({ ApiId: stack.ready.apiId }))).Items!;
    const send = routes.find((r) => r.RouteKey === 'sendMessage')!;
    const integration = integrations.find((i) => `integrations/${i.IntegrationId}` === send.Target)!;
    expect(integration.IntegrationUri).toBe('arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:fanout-send-message/invocations');
    expect((await only(APIGatewayClient).send(new GetAccountCommand({}))).throttleSettings?.rateLimit).toBeGreaterThan(0);
  });

  it('@connections with the stage path (execute-api), a large post streamed through', async () => {
    const ws = await connect(stack.ready.websocketUrl);
    try {
      ws.send({ action: 'whoami' });
      const { connectionId } = (await ws.nextJson()) as { connectionId: string };
      const mgmt = only(ApiGatewayManagementApiClient, `${edge}/${stack.ready.stage}`);
      const big = 'x'.repeat(100_000);
      await mgmt.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(big) }));
      expect(await ws.next()).toBe(big);
      const gone = await mgmt.send(new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: Buffer.from('x') })).catch((e: unknown) => e);
      expect(gone).toBeInstanceOf(GoneException);
    } finally {
      ws.close();
    }
  });

  it('a client with no endpoint finds it through AWS_ENDPOINT_URL alone', async () => {
    process.env.AWS_ENDPOINT_URL = edge;
    try {
      const lambda = new LambdaClient({});
      clients.push(lambda);
      expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'fanout-whoami' }))).FunctionName).toBe('fanout-whoami');
    } finally {
      delete process.env.AWS_ENDPOINT_URL;
    }
  });

  it('SQS, SNS, EventBridge and DynamoDB Streams (which signs as dynamodb: told by its target)', async () => {
    const sqs = only(SQSClient);
    const created = await sqs.send(new CreateQueueCommand({ QueueName: 'edge-queue' }));
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'edge-queue' }))).QueueUrl).toBe(created.QueueUrl);
    const sns = only(SNSClient);
    const topic = await sns.send(new CreateTopicCommand({ Name: 'edge-topic' }));
    expect((await sns.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn)).toContain(topic.TopicArn);
    expect((await only(EventBridgeClient).send(new ListRulesCommand({}))).Rules).toEqual([]);
    expect((await only(DynamoDBStreamsClient).send(new ListStreamsCommand({}))).Streams).toEqual([]);
  });

  it('an unsigned Query call goes by its Action; a request no service claims is a 404 naming what it serves', async () => {
    const q = await fetch(edge, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=DescribeStacks&Version=2010-05-15&StackName=FanoutBenchChat' });
    expect(q.status).toBe(200);
    expect(await q.text()).toContain('<StackName>FanoutBenchChat</StackName>');
    // STS beside IAM: a caller with no function's session is the emulator's local user
    const sts = await fetch(edge, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
    expect(await sts.text()).toContain(`<Arn>arn:aws:iam::000000000000:user/fanout-bench-local</Arn>`);
    const lost = await fetch(`${edge}/nowhere`);
    expect(lost.status).toBe(404);
    expect(((await lost.json()) as { message: string }).message).toContain('it serves dynamodb, dynamodb-streams, lambda, cloudwatch, ssm, secretsmanager, cloudformation, apigateway, execute-api, iam, access-analyzer, sqs, sns, events,');
  });
});

describe('the edge hands each request to its service in process', () => {
  it('a service sees the request as sent, an unsigned form body read for its Action given again, and the socket stays open for the next', async () => {
    const seen: Array<{ service: string; method?: string; url?: string; body: string }> = [];
    const handler = (service: string): RequestHandler => (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ service, method: req.method, url: req.url, body: Buffer.concat(chunks).toString('utf8') });
        res.end(service);
      });
    };
    const own = await startEdge(Object.fromEntries(EDGE_SERVICES.map((s) => [s, handler(s)])) as EdgeHandlers);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const post = (path: string, headers: Record<string, string>, body: string) =>
      new Promise<string>((resolve, reject) => {
        const req = request(`${own.url}${path}`, { method: 'POST', headers, agent }, (res) => {
          sockets.add(req.socket);
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end(body);
      });
    try {
      const form = 'Action=SendMessage&Version=2012-11-05&MessageBody=hello';
      expect(await post('/', { 'content-type': 'application/x-www-form-urlencoded' }, form)).toBe('sqs');
      expect(await post('/?x=1', { 'x-amz-target': 'DynamoDB_20120810.GetItem', 'content-type': 'application/x-amz-json-1.0' }, '{"TableName":"t"}')).toBe('dynamodb');
      expect(seen).toEqual([
        { service: 'sqs', method: 'POST', url: '/', body: form },
        { service: 'dynamodb', method: 'POST', url: '/?x=1', body: '{"TableName":"t"}' },
      ]);
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
      await own.close();
    }
  });
});
