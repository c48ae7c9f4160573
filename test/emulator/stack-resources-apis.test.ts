import {
  ApiGatewayV2Client,
  BadRequestException,
  GetApiCommand,
  GetAuthorizersCommand,
  GetIntegrationsCommand,
  GetRoutesCommand,
  GetStageCommand,
  NotFoundException,
} from '@aws-sdk/client-apigatewayv2';
import { CloudFormationClient, DescribeStackResourcesCommand, DescribeStacksCommand, paginateListStackResources, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManagementApis, type ManagementApis } from '../../emulator/management-apis.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { smallStack } from '../fixtures/stack-model/small-stack.ts';
import type { RuleDescription } from '../../emulator/stack-model/stack-description.ts';
import { queueDescription } from './sqs-queue-description.ts';

// CloudFormation's DescribeStackResources / ListStackResources and API Gateway v2's GetApi,
// GetRoutes, GetIntegrations, GetAuthorizers answering from a stack description written by hand
// (two routes, a table, an authorizer, 120 resources not emulated so that ListStackResources
// pages), asked with the real SDK v3 clients. And the reference stack, read from its template,
// beside it.

const REGION = 'eu-west-2';
const ACCOUNT = '123456789012';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const API_ID = 'abc123defg';
const WS = 'ws://127.0.0.1:45678/prod';
const throttle = { rateLimit: 10, burstLimit: 5 };

let small: ManagementApis;
let reference: ManagementApis;
const clients: Array<{ destroy(): void }> = [];
const cfn = (endpoint: string) => remember(new CloudFormationClient({ endpoint, region: REGION, credentials }));
const apigw = (endpoint: string) => remember(new ApiGatewayV2Client({ endpoint, region: REGION, credentials }));
function remember<T extends { destroy(): void }>(c: T): T {
  clients.push(c);
  return c;
}

const common = { accountId: ACCOUNT, region: REGION, apiId: API_ID, throttle, routeThrottles: {}, accountThrottle: throttle, callbackUrl: 'http://127.0.0.1:45678/prod', websocketUrl: WS };

beforeAll(async () => {
  const stack = smallStack({ extraNotEmulated: 120, outputs: [{ key: 'Url', value: 'wss://x' }] });
  small = await startManagementApis({ ...common, stage: 'prod', stack });
  const described = await describeStack(defaultStackConfig({ region: REGION, accountId: ACCOUNT, apiId: API_ID, stage: 'prod', auth: { enabled: true } }), () => {});
  await described.dispose();
  reference = await startManagementApis({ ...common, stage: 'prod', stack: described.stack });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await small?.close();
  await reference?.close();
});

async function allResources(endpoint: string, stackName: string): Promise<{ pages: number; items: StackResourceSummary[] }> {
  let pages = 0;
  const items: StackResourceSummary[] = [];
  for await (const page of paginateListStackResources({ client: cfn(endpoint) }, { StackName: stackName })) {
    pages++;
    items.push(...(page.StackResourceSummaries ?? []));
  }
  return { pages, items };
}

describe('CloudFormation: the stack and its resources', () => {
  it('DescribeStacks answers the description\'s outputs (a template\'s own)', async () => {
    const out = await cfn(small.cloudformation.url).send(new DescribeStacksCommand({ StackName: 'SmallChat' }));
    expect(out.Stacks?.[0]?.Outputs).toEqual([{ OutputKey: 'Url', OutputValue: 'wss://x' }]);
  });

  it('ListStackResources lists every resource, emulated or not, 100 a page, each with its physical id', async () => {
    const { pages, items } = await allResources(small.cloudformation.url, 'SmallChat');
    expect(pages).toBe(2);
    // API, stage, 2 routes, 2 integrations, authorizer, 3 functions, table, parameter, 3 + 120 not emulated
    expect(items).toHaveLength(135);
    const byId = Object.fromEntries(items.map((r) => [r.LogicalResourceId!, r]));
    expect(byId.ChatApi).toMatchObject({ PhysicalResourceId: API_ID, ResourceType: 'AWS::ApiGatewayV2::Api', ResourceStatus: 'CREATE_COMPLETE' });
    expect(byId.ChatApi!.LastUpdatedTimestamp).toBeInstanceOf(Date);
    expect(byId.ProdStage).toMatchObject({ PhysicalResourceId: 'prod', ResourceType: 'AWS::ApiGatewayV2::Stage' });
    expect(byId.SendMessageFunction).toMatchObject({ PhysicalResourceId: 'SmallChat-SendMessage-4D5E6F', ResourceType: 'AWS::Lambda::Function' });
    expect(byId.MessagesTable).toMatchObject({ PhysicalResourceId: 'SmallChat-Messages', ResourceType: 'AWS::DynamoDB::Table' });
    expect(byId.GreetingParameter).toMatchObject({ PhysicalResourceId: '/SmallChat/greeting', ResourceType: 'AWS::SSM::Parameter' });
    expect(byId.SendRoute!.PhysicalResourceId).toMatch(/^[a-z0-9]{7}$/);
    expect(byId.OnConnectFunctionRole).toMatchObject({ ResourceType: 'AWS::IAM::Role' });
    expect(byId.OnConnectFunctionRole!.PhysicalResourceId).toMatch(/^SmallChat-OnConnectFunctionRole-[A-Z0-9]{12}$/);
    expect(byId.ExtraLogGroup119).toMatchObject({ ResourceType: 'AWS::Logs::LogGroup', ResourceStatus: 'CREATE_COMPLETE' });
    expect(new Set(items.map((r) => r.PhysicalResourceId)).size).toBe(items.length);
  });

  it("names a queued path's resources as CloudFormation does: a queue by its URL, a topic by its ARN, a bus by its name, a rule by its name", async () => {
    const rule = (logicalId: string, name: string, busName: string): RuleDescription => ({ logicalId, name, busName, arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`, eventPattern: { source: ['app'] }, state: 'ENABLED', targets: [] });
    const fanout = {
      ...smallStack({ stackName: 'FanoutPaths' }),
      queues: [queueDescription('FanoutPaths-Jobs-1A2B3C', { logicalId: 'Jobs', arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:FanoutPaths-Jobs-1A2B3C` })],
      topics: [{ logicalId: 'Alerts', name: 'alerts', arn: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`, fifo: false, contentBasedDeduplication: false, subscriptions: [] }],
      eventBuses: [{ logicalId: 'LiveBus', name: 'live-scores', arn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/live-scores` }],
      rules: [rule('OnScore', 'on-score', 'live-scores'), rule('OnDefault', 'on-default', 'default')],
    };
    const apis = await startManagementApis({ ...common, stage: 'prod', stack: fanout });
    try {
      const byId = Object.fromEntries((await allResources(apis.cloudformation.url, 'FanoutPaths')).items.map((r) => [r.LogicalResourceId!, r]));
      expect(byId.Jobs).toMatchObject({ ResourceType: 'AWS::SQS::Queue', PhysicalResourceId: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/FanoutPaths-Jobs-1A2B3C` });
      expect(byId.Alerts).toMatchObject({ ResourceType: 'AWS::SNS::Topic', PhysicalResourceId: `arn:aws:sns:${REGION}:${ACCOUNT}:alerts` });
      expect(byId.LiveBus).toMatchObject({ ResourceType: 'AWS::Events::EventBus', PhysicalResourceId: 'live-scores' });
      expect(byId.OnScore).toMatchObject({ ResourceType: 'AWS::Events::Rule', PhysicalResourceId: 'live-scores|on-score' });
      expect(byId.OnDefault).toMatchObject({ ResourceType: 'AWS::Events::Rule', PhysicalResourceId: 'on-default' });
    } finally {
      await apis.close();
    }
  });

  it('DescribeStackResources: all of them, one by logical id, or the stack by a physical id', async () => {
    const client = cfn(small.cloudformation.url);
    const all = await client.send(new DescribeStackResourcesCommand({ StackName: 'SmallChat' }));
    expect(all.StackResources).toHaveLength(135);
    const one = await client.send(new DescribeStackResourcesCommand({ StackName: 'SmallChat', LogicalResourceId: 'ChatApi' }));
    expect(one.StackResources).toEqual([
      expect.objectContaining({ StackName: 'SmallChat', LogicalResourceId: 'ChatApi', PhysicalResourceId: API_ID, ResourceType: 'AWS::ApiGatewayV2::Api', ResourceStatus: 'CREATE_COMPLETE' }),
    ]);
    expect(one.StackResources![0]!.StackId).toMatch(/^arn:aws:cloudformation:eu-west-2:123456789012:stack\/SmallChat\//);
    expect(one.StackResources![0]!.Timestamp).toBeInstanceOf(Date);
    const byPhysical = await client.send(new DescribeStackResourcesCommand({ PhysicalResourceId: 'SmallChat-Messages' }));
    expect(byPhysical.StackResources).toHaveLength(135);
  });

  it('a stack it does not run: ValidationError, "does not exist"', async () => {
    const err = await cfn(small.cloudformation.url).send(new DescribeStackResourcesCommand({ StackName: 'Other' })).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'ValidationError', message: 'Stack with id Other does not exist' });
  });

  it('the reference stack: the outputs contract, and its resources with the names it runs', async () => {
    const out = await cfn(reference.cloudformation.url).send(new DescribeStacksCommand({ StackName: 'FanoutBenchChat' }));
    expect(out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'SendMessageFunction')?.OutputValue).toBe('fanout-send-message');
    const { items } = await allResources(reference.cloudformation.url, 'FanoutBenchChat');
    const physical = (type: string) => items.filter((r) => r.ResourceType === type).map((r) => r.PhysicalResourceId);
    expect(physical('AWS::Lambda::Function').sort()).toEqual([...FUNCTIONS.map((f) => f.name), 'fanout-push', 'fanout-authorizer'].sort());
    expect(physical('AWS::DynamoDB::Table')).toEqual(['fanout-connections', 'fanout-room-members', 'fanout-messages']);
    expect(physical('AWS::ApiGatewayV2::Api')).toEqual([API_ID]);
    expect(physical('AWS::SSM::Parameter')).toEqual(['/fanout-bench/FanoutBenchChat/connect-token']);
  });
});

describe('API Gateway v2: the API, its routes, integrations and authorizer', () => {
  it('GetApi: a WEBSOCKET API whose endpoint is where the gateway listens', async () => {
    const api = await apigw(small.apigatewayv2.url).send(new GetApiCommand({ ApiId: API_ID }));
    expect(api).toMatchObject({ ApiId: API_ID, Name: 'small-chat', ProtocolType: 'WEBSOCKET', ApiEndpoint: 'ws://127.0.0.1:45678', RouteSelectionExpression: '$request.body.action' });
    expect(api.CreatedDate).toBeInstanceOf(Date);
    const err = await apigw(small.apigatewayv2.url).send(new GetApiCommand({ ApiId: 'nope' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundException);
  });

  it('GetRoutes, GetIntegrations, GetAuthorizers name each other and the functions by their invoke ARNs', async () => {
    const client = apigw(small.apigatewayv2.url);
    const routes = (await client.send(new GetRoutesCommand({ ApiId: API_ID }))).Items!;
    const integrations = (await client.send(new GetIntegrationsCommand({ ApiId: API_ID }))).Items!;
    const authorizers = (await client.send(new GetAuthorizersCommand({ ApiId: API_ID }))).Items!;
    expect(routes.map((r) => [r.RouteKey, r.AuthorizationType])).toEqual([['$connect', 'CUSTOM'], ['sendmessage', 'NONE']]);
    expect(authorizers).toEqual([
      {
        AuthorizerId: routes[0]!.AuthorizerId,
        AuthorizerType: 'REQUEST',
        AuthorizerUri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:SmallChat-Auth-7G8H9I/invocations`,
        IdentitySource: ['route.request.querystring.token'],
        Name: 'token-authorizer',
      },
    ]);
    expect(routes[1]!.AuthorizerId).toBeUndefined();
    expect(routes[1]!.RouteResponseSelectionExpression).toBe('$default');
    const byId = Object.fromEntries(integrations.map((i) => [i.IntegrationId!, i]));
    const send = byId[routes[1]!.Target!.replace('integrations/', '')]!;
    expect(send).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationMethod: 'POST',
      IntegrationUri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/arn:aws:lambda:${REGION}:${ACCOUNT}:function:SmallChat-SendMessage-4D5E6F/invocations`,
    });
    expect(byId[routes[0]!.Target!.replace('integrations/', '')]!.IntegrationUri).toContain(':function:SmallChat-OnConnect-1A2B3C/invocations');
    for (const r of routes) expect(r.RouteId).toMatch(/^[a-z0-9]{7}$/);
  });

  it('pages with MaxResults and NextToken; a bad token is BadRequestException', async () => {
    const client = apigw(small.apigatewayv2.url);
    const first = await client.send(new GetRoutesCommand({ ApiId: API_ID, MaxResults: '1' }));
    expect(first.Items).toHaveLength(1);
    expect(first.NextToken).toBeDefined();
    const keys: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await client.send(new GetRoutesCommand({ ApiId: API_ID, MaxResults: '1', NextToken: token }));
      keys.push(...page.Items!.map((r) => r.RouteKey!));
      token = page.NextToken;
      if (!token) break;
    }
    expect(keys).toEqual(['$connect', 'sendmessage']);
    const err = await client.send(new GetRoutesCommand({ ApiId: API_ID, NextToken: 'x' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestException);
  });

  it('GetStage still answers the stage', async () => {
    const s = await apigw(small.apigatewayv2.url).send(new GetStageCommand({ ApiId: API_ID, StageName: 'prod' }));
    expect(s.StageName).toBe('prod');
  });
});
