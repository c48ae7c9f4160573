import { ApiGatewayV2Client, GetApiCommand, GetIntegrationsCommand, GetRoutesCommand, GetStageCommand, GetStagesCommand } from '@aws-sdk/client-apigatewayv2';
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { inlineFunction, lambdaUri, websocketTemplates } from './websocket-template.ts';

/**
 * HTTP APIs (API Gateway v2, ProtocolType HTTP) beside the WebSocket API, from a CloudFormation
 * template: Route and Integration resources on a `$default` stage, an OpenAPI Body on a named
 * stage; route selection, both payload formats, the response mapping, API Gateway's own answers
 * (404, 429, 500, 503) and its metrics, over real HTTP on 127.0.0.1.
 */
const { read } = websocketTemplates('fb-http-api-');
const ECHO = `exports.handler = async (event) => {
  if (event.rawPath === '/broken' || event.path === '/broken') throw new Error('boom');
  if (event.rawPath === '/slow') await new Promise((r) => setTimeout(r, 400));
  if (event.rawPath === '/plain') return { plain: true };
  if (event.rawPath === '/teapot') return { statusCode: 418, body: 'short and stout', headers: { 'content-type': 'text/plain' }, cookies: ['a=1', 'b=2'] };
  if (event.rawPath === '/malformed') return { statusCode: 'many' };
  return { statusCode: 200, headers: { 'content-type': 'application/json', 'x-seen': 'yes' }, body: JSON.stringify(event) };
};`;
const permission = (api: string, fn = 'Echo') => ({
  Type: 'AWS::Lambda::Permission',
  Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: fn }, Principal: 'apigateway.amazonaws.com', SourceArn: { 'Fn::Sub': `arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${api}}/*` } },
});
const route = (key: string, integration: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::ApiGatewayV2::Route',
  Properties: { ApiId: { Ref: 'Http' }, RouteKey: key, Target: { 'Fn::Sub': `integrations/\${${integration}}` }, ...extra },
});
const integration = (version: '1.0' | '2.0', extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::ApiGatewayV2::Integration',
  Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri('Echo'), PayloadFormatVersion: version, ...extra },
});

const RESOURCES = {
  Echo: inlineFunction({ Code: { ZipFile: ECHO } }),
  Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'rest-of-the-stack', ProtocolType: 'HTTP' } },
  HttpStage: {
    Type: 'AWS::ApiGatewayV2::Stage',
    Properties: {
      ApiId: { Ref: 'Http' },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { DetailedMetricsEnabled: true },
      StageVariables: { table: 'rooms' },
      // one request, then none for a thousand seconds: the second is throttled whatever the host's pace
      RouteSettings: { 'GET /limited': { ThrottlingBurstLimit: 1, ThrottlingRateLimit: 0.001 } },
    },
  },
  V2: integration('2.0'),
  V1: integration('1.0'),
  Quick: integration('2.0', { TimeoutInMillis: 100 }),
  Notify: route('POST /notify', 'V2'),
  Item: route('GET /items/{id}', 'V1'),
  ItemLiteral: route('GET /items/latest', 'V2'),
  Files: route('ANY /files/{proxy+}', 'V2'),
  Default: route('$default', 'V2'),
  Slow: route('GET /slow', 'Quick'),
  Limited: route('GET /limited', 'V2'),
  HttpPermission: permission('Http'),
  // an API of its own written as OpenAPI (as SAM writes one), on a named stage
  Docs: {
    Type: 'AWS::ApiGatewayV2::Api',
    Properties: {
      Name: 'docs',
      ProtocolType: 'HTTP',
      Body: {
        openapi: '3.0.1',
        info: { title: 'docs', version: '1' },
        paths: {
          '/pages/{page}': {
            get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('Echo'), payloadFormatVersion: '2.0' }, responses: {} },
          },
        },
      },
    },
  },
  DocsStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Docs' }, StageName: 'v1' } },
  DocsPermission: permission('Docs'),
  // an API whose function API Gateway may not invoke: no AWS::Lambda::Permission names it
  Locked: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'locked', ProtocolType: 'HTTP', Target: { 'Fn::GetAtt': ['Echo', 'Arn'] } } },
};

let stack: RunningStack;
const lines: string[] = [];
beforeAll(async () => {
  const described = await read(RESOURCES, { outputs: { NotifyUrl: { 'Fn::Sub': 'https://${Http}.execute-api.${AWS::Region}.amazonaws.com/notify' } } });
  stack = await startStack({ config: defaultStackConfig({ accountId: '123456789012', lambda: { preparedPerFunction: 0 } }), stack: described, log: (l) => lines.push(l) });
});
afterAll(() => stack?.close());

const api = (name: string) => stack.ready.httpApis!.find((a) => a.name === name)!;
async function call(path: string, init: RequestInit = {}, name = 'rest-of-the-stack'): Promise<{ status: number; headers: Headers; text: string; json: () => any }> {
  const res = await fetch(`${api(name).url}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

describe('an HTTP API from a CloudFormation template', () => {
  it('is in the ready line with its stage URL and routes, served on a port of its own', () => {
    const a = api('rest-of-the-stack');
    expect(a).toMatchObject({ logicalId: 'Http', stage: '$default', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(a.routes.map((r) => r.routeKey).sort()).toEqual(['$default', 'ANY /files/{proxy+}', 'GET /items/latest', 'GET /items/{id}', 'GET /limited', 'GET /slow', 'POST /notify']);
    expect(a.routes.find((r) => r.routeKey === 'GET /items/{id}')).toMatchObject({ payloadFormatVersion: '1.0', function: expect.stringContaining('Echo') });
    expect(api('docs')).toMatchObject({ stage: 'v1', url: expect.stringMatching(/\/v1$/) });
    expect(stack.ready.notEmulatedResources?.map((r) => r.logicalId) ?? []).not.toContain('Http');
  });

  it('gives a payload 2.0 route the event HTTP APIs give, and maps the response back', async () => {
    const res = await call('/notify?room=a&room=b&x=1', { method: 'POST', headers: { 'content-type': 'application/json', cookie: 'k=v; m=n', 'x-multi': 'one' }, body: '{"text":"hi"}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-seen')).toBe('yes');
    expect(res.headers.get('apigw-requestid')).toBeTruthy();
    const event = res.json();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /notify',
      rawPath: '/notify',
      rawQueryString: 'room=a&room=b&x=1',
      cookies: ['k=v', 'm=n'],
      queryStringParameters: { room: 'a,b', x: '1' },
      body: '{"text":"hi"}',
      isBase64Encoded: false,
      stageVariables: { table: 'rooms' },
      requestContext: { apiId: api('rest-of-the-stack').apiId, stage: '$default', routeKey: 'POST /notify', http: { method: 'POST', path: '/notify', sourceIp: '127.0.0.1' }, accountId: expect.stringMatching(/^\d{12}$/) },
    });
    expect(event.headers['x-multi']).toBe('one');
    expect(event.pathParameters).toBeUndefined();
  });

  it('selects the most specific route: a literal over a variable, a variable route gives pathParameters, a greedy one the rest, $default what none matches', async () => {
    expect((await call('/items/latest')).json()).toMatchObject({ routeKey: 'GET /items/latest' });
    const v1 = (await call('/items/42%20b')).json();
    expect(v1).toMatchObject({ version: '1.0', resource: '/items/{id}', path: '/items/42%20b', httpMethod: 'GET', pathParameters: { id: '42 b' } });
    expect(v1.multiValueHeaders).toBeDefined();
    expect((await call('/files/a/b/c.txt', { method: 'DELETE' })).json()).toMatchObject({ routeKey: 'ANY /files/{proxy+}', pathParameters: { proxy: 'a/b/c.txt' } });
    // POST /items/42 has no route of its own: the $default route takes it
    expect((await call('/items/42', { method: 'POST', body: 'x' })).json()).toMatchObject({ routeKey: '$default', rawPath: '/items/42' });
  });

  it('maps a simple response, cookies and a status of the function\'s own; a malformed one is a 500', async () => {
    const plain = await call('/plain');
    expect([plain.status, plain.headers.get('content-type'), plain.json()]).toEqual([200, 'application/json', { plain: true }]);
    const teapot = await call('/teapot');
    expect([teapot.status, teapot.text, teapot.headers.get('content-type')]).toEqual([418, 'short and stout', 'text/plain']);
    expect(teapot.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const malformed = await call('/malformed');
    expect([malformed.status, malformed.json()]).toEqual([500, { message: 'Internal Server Error' }]);
  });

  it("answers in API Gateway's words: a function error 500, past the integration's timeout 503, past the route's throttle 429", async () => {
    expect(await call('/broken').then((r) => [r.status, r.json()])).toEqual([500, { message: 'Internal Server Error' }]);
    expect(await call('/slow').then((r) => [r.status, r.json()])).toEqual([503, { message: 'Service Unavailable' }]);
    expect((await call('/limited')).status).toBe(200);
    expect(await call('/limited').then((r) => [r.status, r.json()])).toEqual([429, { message: 'Too Many Requests' }]);
  });

  it('serves an OpenAPI-defined API under its named stage, and nothing outside it', async () => {
    expect((await call('/pages/intro', {}, 'docs')).json()).toMatchObject({ routeKey: 'GET /pages/{page}', rawPath: '/v1/pages/intro', pathParameters: { page: 'intro' }, requestContext: { stage: 'v1' } });
    const outside = await fetch(api('docs').url.replace(/\/v1$/, '/pages/intro'));
    expect([outside.status, await outside.json()]).toEqual([404, { message: 'Not Found' }]);
    expect(await call('/nothing-here', {}, 'docs').then((r) => [r.status, r.json()])).toEqual([404, { message: 'Not Found' }]);
  });

  it('answers 500 where API Gateway may not invoke the function, and says why once at start (quick create: a Target makes the $default route and stage)', async () => {
    expect(api('locked')).toMatchObject({ stage: '$default', routes: [{ routeKey: '$default', payloadFormatVersion: '2.0' }] });
    expect(await call('/anything', {}, 'locked').then((r) => [r.status, r.json()])).toEqual([500, { message: 'Internal Server Error' }]);
    expect(lines.filter((l) => l.startsWith('iam: HTTP API'))).toEqual([
      `iam: HTTP API Locked: route $default: API Gateway may not invoke ${api('locked').routes[0]!.function}: no AWS::Lambda::Permission lets apigateway.amazonaws.com do lambda:InvokeFunction from arn:aws:execute-api:us-east-1:123456789012:${api('locked').apiId}/$default/$default: the route fails as on AWS (500 {"message":"Internal Server Error"})`,
    ]);
  });

  it("publishes AWS/ApiGateway's HTTP API metrics by ApiId and Stage, and by route where detailed metrics are on", async () => {
    const cw = new CloudWatchClient({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const apiId = api('rest-of-the-stack').apiId;
      const sum = async (name: string, dims: Record<string, string>) => {
        const out = await cw.send(
          new GetMetricDataCommand({
            StartTime: new Date(Date.now() - 600_000),
            EndTime: new Date(Date.now() + 60_000),
            MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: name, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) }, Period: 60, Stat: 'Sum' } }],
          }),
        );
        return (out.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
      };
      const stage = { ApiId: apiId, Stage: '$default' };
      const before = await sum('Count', stage);
      await call('/broken');
      await call('/limited');
      expect(await sum('Count', stage)).toBe(before + 2);
      // GET /broken has no route of its own: the $default route's (Method ANY) counts it
      expect(await sum('5xx', { ...stage, Method: 'ANY', Resource: '$default' })).toBeGreaterThanOrEqual(2);
      expect(await sum('5xx', stage)).toBeGreaterThanOrEqual(3);
      expect(await sum('4xx', { ApiId: apiId, Method: 'GET', Resource: '/limited', Stage: '$default' })).toBeGreaterThanOrEqual(2);
      expect(await sum('IntegrationLatency', { ApiId: apiId, Method: 'POST', Resource: '/notify', Stage: '$default' })).toBeGreaterThan(0);
      // the docs API's stage has no detailed metrics: its stage set only
      const docs = { ApiId: api('docs').apiId, Stage: 'v1' };
      expect(await sum('Count', docs)).toBeGreaterThanOrEqual(2);
      expect(await sum('Count', { ...docs, Method: 'GET', Resource: '/pages/{page}' })).toBe(0);
    } finally {
      cw.destroy();
    }
  });
});

describe("an HTTP API through API Gateway's and CloudFormation's APIs, as on AWS", () => {
  it('GetApi gives its local endpoint, GetRoutes its routes, GetIntegrations their functions, GetStages its stage; ListStackResources lists it', async () => {
    const a = api('rest-of-the-stack');
    const settings = { endpoint: stack.ready.apiGatewayV2Endpoint, region: stack.ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const v2 = new ApiGatewayV2Client(settings);
    const cfn = new CloudFormationClient({ ...settings, endpoint: stack.ready.cloudformationEndpoint });
    try {
      expect(await v2.send(new GetApiCommand({ ApiId: a.apiId }))).toMatchObject({ ApiEndpoint: a.url, ApiId: a.apiId, Name: 'rest-of-the-stack', ProtocolType: 'HTTP' });
      const routes = (await v2.send(new GetRoutesCommand({ ApiId: a.apiId }))).Items!;
      expect(routes.map((r) => r.RouteKey).sort()).toEqual(a.routes.map((r) => r.routeKey).sort());
      const integrations = (await v2.send(new GetIntegrationsCommand({ ApiId: a.apiId }))).Items!;
      expect(integrations.find((i) => `integrations/${i.IntegrationId}` === routes.find((r) => r.RouteKey === 'GET /items/{id}')!.Target)).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '1.0',
        IntegrationUri: expect.stringContaining(`:function:${a.routes[0]!.function}/invocations`),
      });
      expect((await v2.send(new GetStagesCommand({ ApiId: a.apiId }))).Items).toEqual([
        expect.objectContaining({ StageName: '$default', StageVariables: { table: 'rooms' }, RouteSettings: { 'GET /limited': expect.objectContaining({ ThrottlingBurstLimit: 1 }) } }),
      ]);
      expect(await v2.send(new GetStageCommand({ ApiId: api('docs').apiId, StageName: 'v1' }))).toMatchObject({ StageName: 'v1' });
      await expect(v2.send(new GetStageCommand({ ApiId: api('docs').apiId, StageName: 'prod' }))).rejects.toThrow(/Invalid stage identifier/);
      const resources = (await cfn.send(new ListStackResourcesCommand({ StackName: stack.ready.stackName }))).StackResourceSummaries!;
      const listed = (id: string) => resources.find((r) => r.LogicalResourceId === id);
      expect(listed('Http')).toMatchObject({ ResourceType: 'AWS::ApiGatewayV2::Api', PhysicalResourceId: a.apiId });
      expect(listed('HttpStage')).toMatchObject({ ResourceType: 'AWS::ApiGatewayV2::Stage', PhysicalResourceId: '$default' });
      expect(listed('Notify')).toMatchObject({ ResourceType: 'AWS::ApiGatewayV2::Route', PhysicalResourceId: routes.find((r) => r.RouteKey === 'POST /notify')!.RouteId });
      expect(listed('V2')).toMatchObject({ ResourceType: 'AWS::ApiGatewayV2::Integration' });
      // an output naming the HTTP API's AWS endpoint answers with its local one
      const outputs = (await cfn.send(new DescribeStacksCommand({ StackName: stack.ready.stackName }))).Stacks![0]!.Outputs!;
      expect(outputs.find((o) => o.OutputKey === 'NotifyUrl')!.OutputValue).toBe(`${a.url}/notify`);
    } finally {
      v2.destroy();
      cfn.destroy();
    }
  });
});

describe('an HTTP API the emulator does not run yet', () => {
  it('is not served, and says why in one warning; the stack runs its WebSocket API', async () => {
    const described = await read({
      Echo: inlineFunction(),
      Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'h', ProtocolType: 'HTTP' } },
      R: route('GET /me', 'I'),
      I: integration('2.0', { ConnectionType: 'VPC_LINK', ConnectionId: 'vl-1' }),
    });
    expect(described.httpApis).toBeUndefined();
    expect(described.warnings).toContain('HTTP API Http is not served: integration I goes through a VPC link, which is not emulated');
    expect(described.notEmulated.map((r) => r.logicalId)).toEqual(expect.arrayContaining(['Http', 'R', 'I']));
  });

  it('a custom domain with mutual TLS, its API mapping and a VPC link: one warning each, the API served on its own endpoint', async () => {
    const s = await read({
      Echo: inlineFunction(),
      Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'h', ProtocolType: 'HTTP', Target: { 'Fn::GetAtt': ['Echo', 'Arn'] } } },
      Domain: {
        Type: 'AWS::ApiGatewayV2::DomainName',
        Properties: { DomainName: 'api.example.com', MutualTlsAuthentication: { TruststoreUri: 's3://trust/store.pem' }, DomainNameConfigurations: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x' }] },
      },
      Mapping: { Type: 'AWS::ApiGatewayV2::ApiMapping', Properties: { ApiId: { Ref: 'Http' }, DomainName: { Ref: 'Domain' }, Stage: '$default', ApiMappingKey: 'v1' } },
      Link: { Type: 'AWS::ApiGatewayV2::VpcLink', Properties: { Name: 'l', SubnetIds: ['subnet-1'] } },
    });
    expect(s.httpApis!.map((a) => a.logicalId)).toEqual(['Http']);
    expect(s.warnings).toEqual([
      'custom domain Domain (api.example.com) and its mutual TLS (MutualTlsAuthentication) are not emulated: each API is served on its own endpoint',
      'API mapping Mapping of API Http (/v1) is not emulated: the API is served on its own endpoint',
      'VPC link Link is not emulated: an integration through it is not served',
    ]);
    expect(s.notEmulated.map((r) => r.logicalId)).toEqual(expect.arrayContaining(['Domain', 'Mapping', 'Link']));
  });

  it('a Lambda proxy integration without its payload format version is refused in one line, as CloudFormation refuses it', async () => {
    await expect(read({ Echo: inlineFunction(), Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } }, I: { ...integration('2.0'), Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri('Echo') } } })).rejects.toThrow(
      /resource I property PayloadFormatVersion: missing: an HTTP API's Lambda proxy integration names its payload format version \(1\.0 or 2\.0\)$/,
    );
  });
});
