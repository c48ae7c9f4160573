import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { notEmulatedPathText } from '../../common/not-emulated-paths.ts';
import type { StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { inlineFunction, lambdaUri, websocketTemplates } from './websocket-template.ts';

/**
 * REST APIs (API Gateway v1) read from a CloudFormation template into the stack description
 * (rest-api-reader.ts): resources nested from the root, methods and their integrations (Lambda
 * proxy, MOCK, HTTP_PROXY, AWS), a TOKEN authorizer, stages from a Deployment's StageName and a
 * Stage with MethodSettings, API keys and usage plans; an OpenAPI Body; what is not run left
 * unserved with one warning, what AWS refuses refused in one line.
 */
const { read } = websocketTemplates('fb-rest-api-');

const api = (extra: Record<string, unknown> = {}) => ({ Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'shop', ...extra } });
const resource = (parent: unknown, part: string, apiId = 'Shop') => ({ Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: { Ref: apiId }, ParentId: parent, PathPart: part } });
const root = (apiId = 'Shop') => ({ 'Fn::GetAtt': [apiId, 'RootResourceId'] });
const method = (resourceId: unknown, httpMethod: string, integration: Record<string, unknown>, extra: Record<string, unknown> = {}, apiId = 'Shop') => ({
  Type: 'AWS::ApiGateway::Method',
  Properties: { RestApiId: { Ref: apiId }, ResourceId: resourceId, HttpMethod: httpMethod, AuthorizationType: 'NONE', Integration: integration, ...extra },
});
const proxy = (fn = 'Fn') => ({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: lambdaUri(fn) });
const deployment = (stageName?: string, apiId = 'Shop', extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::ApiGateway::Deployment',
  DependsOn: [],
  Properties: { RestApiId: { Ref: apiId }, ...(stageName ? { StageName: stageName } : {}), ...extra },
});

/** The shop: /items (GET key required, POST to SQS), /items/{id} (GET behind a TOKEN authorizer), /files/{proxy+} (ANY, HTTP_PROXY), /health (MOCK). */
const SHOP = {
  Shop: api({ BinaryMediaTypes: ['image~1png'] }),
  Items: resource(root(), 'items'),
  Item: resource({ Ref: 'Items' }, '{id}'),
  Files: resource(root(), 'files'),
  FilesProxy: resource({ Ref: 'Files' }, '{proxy+}'),
  Health: resource(root(), 'health'),
  Queue: { Type: 'AWS::SQS::Queue' },
  ListItems: method({ Ref: 'Items' }, 'GET', proxy(), { ApiKeyRequired: true }),
  AddItem: method({ Ref: 'Items' }, 'POST', {
    Type: 'AWS',
    IntegrationHttpMethod: 'POST',
    Uri: { 'Fn::Sub': 'arn:aws:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${Queue.QueueName}' },
    Credentials: 'arn:aws:iam::123456789012:role/api-to-sqs',
    RequestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
    RequestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$input.body' },
    PassthroughBehavior: 'NEVER',
    IntegrationResponses: [{ StatusCode: '200', ResponseTemplates: { 'application/json': '{"queued":true}' } }, { StatusCode: '500', SelectionPattern: '5\\d{2}' }],
  }),
  GetItem: method({ Ref: 'Item' }, 'GET', { ...proxy(), TimeoutInMillis: 5000 }, { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Token' } }),
  AnyFile: method({ Ref: 'FilesProxy' }, 'ANY', {
    Type: 'HTTP_PROXY',
    IntegrationHttpMethod: 'ANY',
    Uri: 'https://files.example.com/{proxy}',
    RequestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
  }),
  GetHealth: method({ Ref: 'Health' }, 'GET', {
    Type: 'MOCK',
    RequestTemplates: { 'application/json': '{"statusCode": 200}' },
    IntegrationResponses: [{ StatusCode: '200', ResponseTemplates: { 'application/json': '{"ok":true}' }, ResponseParameters: { 'method.response.header.X-Health': "'fine'" } }],
  }),
  Token: {
    Type: 'AWS::ApiGateway::Authorizer',
    Properties: {
      RestApiId: { Ref: 'Shop' },
      Name: 'token',
      Type: 'TOKEN',
      AuthorizerUri: lambdaUri('AuthFn'),
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: '^Bearer .+$',
    },
  },
  AuthFn: inlineFunction(),
  ShopDeployment: { ...deployment(), DependsOn: ['ListItems', 'AddItem', 'GetItem', 'AnyFile', 'GetHealth'] },
  ShopStage: {
    Type: 'AWS::ApiGateway::Stage',
    Properties: {
      RestApiId: { Ref: 'Shop' },
      DeploymentId: { Ref: 'ShopDeployment' },
      StageName: 'v1',
      Variables: { table: 'items' },
      MethodSettings: [
        { HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, MetricsEnabled: true },
        // API Gateway's ResourcePath writes each `/` of the path as `~1`
        { HttpMethod: 'GET', ResourcePath: '/~1items~1{id}', ThrottlingRateLimit: 5 },
      ],
    },
  },
  GoldKey: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Name: 'gold', Value: 'gold-key-0123456789abcdef', Enabled: true } },
  SilverKey: { Type: 'AWS::ApiGateway::ApiKey', Properties: {} },
  Plan: {
    Type: 'AWS::ApiGateway::UsagePlan',
    Properties: {
      UsagePlanName: 'gold',
      ApiStages: [{ ApiId: { Ref: 'Shop' }, Stage: { Ref: 'ShopStage' }, Throttle: { '/items/GET': { RateLimit: 10, BurstLimit: 20 } } }],
      Throttle: { RateLimit: 50, BurstLimit: 100 },
      Quota: { Limit: 10000, Period: 'MONTH' },
    },
  },
  PlanKey: { Type: 'AWS::ApiGateway::UsagePlanKey', Properties: { KeyId: { Ref: 'GoldKey' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'Plan' } } },
};

const shop = (s: StackDescription) => s.restApis!.find((a) => a.logicalId === 'Shop')!;
const methodAt = (s: StackDescription, key: string) => shop(s).methods.find((m) => `${m.httpMethod} ${m.path}` === key)!;

async function refusal(resources: Record<string, unknown>): Promise<string> {
  try {
    await read(resources);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message.replace(/^.*?stack\.json: /, '');
  }
  throw new Error('expected a refusal');
}

describe('a REST API written as resources', () => {
  it('its methods at the paths its nested resources give, ANY and a greedy variable, the integrations as written', async () => {
    const s = await read(SHOP);
    const a = shop(s);
    expect(a).toMatchObject({ logicalId: 'Shop', name: 'shop', id: expect.stringMatching(/^[a-z0-9]{10}$/), apiKeySource: 'HEADER', binaryMediaTypes: ['image/png'] });
    expect(a.methods.map((m) => `${m.httpMethod} ${m.path}`)).toEqual(['GET /items', 'POST /items', 'GET /items/{id}', 'ANY /files/{proxy+}', 'GET /health']);
    expect(methodAt(s, 'GET /items')).toEqual({ logicalId: 'ListItems', path: '/items', httpMethod: 'GET', authorizationType: 'NONE', apiKeyRequired: true, integration: { type: 'AWS_PROXY', functionId: 'Fn', timeoutMs: 29_000 } });
    expect(methodAt(s, 'POST /items').integration).toEqual({
      type: 'AWS',
      uri: expect.stringMatching(/^arn:aws:apigateway:us-east-1:sqs:path\/123456789012\/.+-Queue-[A-Z0-9]{13}$/),
      httpMethod: 'POST',
      timeoutMs: 29_000,
      credentials: expect.objectContaining({ arn: 'arn:aws:iam::123456789012:role/api-to-sqs', external: true }),
      requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
      requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$input.body' },
      passthroughBehavior: 'NEVER',
      responses: [
        { statusCode: '200', responseTemplates: { 'application/json': '{"queued":true}' }, responseParameters: {} },
        { selectionPattern: '5\\d{2}', statusCode: '500', responseTemplates: {}, responseParameters: {} },
      ],
    });
    expect(methodAt(s, 'ANY /files/{proxy+}').integration).toEqual({
      type: 'HTTP_PROXY',
      uri: 'https://files.example.com/{proxy}',
      httpMethod: 'ANY',
      timeoutMs: 29_000,
      requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
    });
    expect(methodAt(s, 'GET /health').integration).toEqual({
      type: 'MOCK',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      passthroughBehavior: 'WHEN_NO_MATCH',
      responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' }, responseParameters: { 'method.response.header.X-Health': "'fine'" } }],
    });
  });

  it('a TOKEN authorizer: its function runs, its header and validation expression, the cache 300 s by default', async () => {
    const s = await read(SHOP);
    const a = shop(s);
    expect(a.authorizers).toEqual([
      { logicalId: 'Token', id: expect.stringMatching(/^[a-z0-9]{6}$/), name: 'token', type: 'TOKEN', functionId: 'AuthFn', identitySource: 'method.request.header.Authorization', ttlSeconds: 300, identityValidationExpression: '^Bearer .+$' },
    ]);
    expect(methodAt(s, 'GET /items/{id}')).toMatchObject({ authorizationType: 'CUSTOM', authorizerId: 'Token', integration: { type: 'AWS_PROXY', functionId: 'Fn', timeoutMs: 5000 } });
    expect(s.functions.map((f) => f.logicalId).sort()).toEqual(['AuthFn', 'Fn']);
  });

  it('a stage with variables and MethodSettings: the whole stage\'s throttle, one method\'s by /{path}/{METHOD}, metrics', async () => {
    const s = await read(SHOP);
    expect(shop(s).stages).toEqual([
      { logicalId: 'ShopStage', name: 'v1', variables: { table: 'items' }, throttle: { rateLimit: 100, burstLimit: 200 }, methodThrottles: { '/items/{id}/GET': { rateLimit: 5, burstLimit: 5000 } }, detailedMetrics: true },
    ]);
  });

  it('API keys (a given value, a generated one of 40 characters, Enabled false unless set) and a usage plan with its throttles, quota and key', async () => {
    const s = await read(SHOP, { stackName: 'shop' });
    const [gold, silver] = s.apiKeys!;
    expect(gold).toEqual({ logicalId: 'GoldKey', id: expect.stringMatching(/^[a-z0-9]{10}$/), name: 'gold', value: 'gold-key-0123456789abcdef', enabled: true });
    expect(silver).toMatchObject({ logicalId: 'SilverKey', name: expect.stringMatching(/-SilverKey-[A-Z0-9]{13}$/), value: expect.stringMatching(/^[A-Za-z0-9]{40}$/), enabled: false });
    // generated alike on every read of the stack, another for another stack
    expect((await read(SHOP, { stackName: 'shop' })).apiKeys![1]!.value).toBe(silver!.value);
    expect((await read(SHOP, { stackName: 'other' })).apiKeys![1]!.value).not.toBe(silver!.value);
    expect(s.usagePlans).toEqual([
      {
        logicalId: 'Plan',
        id: expect.stringMatching(/^[a-z0-9]{6}$/),
        name: 'gold',
        apiStages: [{ apiId: shop(s).id, stage: 'v1', throttle: { '/items/GET': { rateLimit: 10, burstLimit: 20 } } }],
        throttle: { rateLimit: 50, burstLimit: 100 },
        quota: { limit: 10000, period: 'MONTH', offset: 0 },
        keys: ['GoldKey'],
      },
    ]);
    const listed = s.notEmulated.map((r) => r.logicalId);
    for (const id of ['Shop', 'Items', 'ListItems', 'Token', 'ShopDeployment', 'ShopStage', 'GoldKey', 'Plan', 'PlanKey']) expect(listed).not.toContain(id);
    expect(s.warnings ?? []).toEqual([]);
  });

  it('Ref and GetAtt give ids as API Gateway does: the API and a resource 10 characters, an authorizer, deployment and plan 6, a key 10', async () => {
    const s = await read(SHOP, {
      outputs: {
        Api: { Ref: 'Shop' },
        Root: { 'Fn::GetAtt': ['Shop', 'RootResourceId'] },
        Resource: { Ref: 'Items' },
        Authorizer: { Ref: 'Token' },
        Deployment: { Ref: 'ShopDeployment' },
        Stage: { Ref: 'ShopStage' },
        Plan: { Ref: 'Plan' },
        Key: { Ref: 'GoldKey' },
        KeyId: { 'Fn::GetAtt': ['GoldKey', 'APIKeyId'] },
      },
    });
    const out = Object.fromEntries(s.outputs.map((o) => [o.key, o.value]));
    expect(out).toEqual({
      Api: shop(s).id,
      Root: expect.stringMatching(/^[a-z0-9]{10}$/),
      Resource: expect.stringMatching(/^[a-z0-9]{10}$/),
      Authorizer: shop(s).authorizers[0]!.id,
      Deployment: expect.stringMatching(/^[a-z0-9]{6}$/),
      Stage: 'v1',
      Plan: s.usagePlans![0]!.id,
      Key: s.apiKeys![0]!.id,
      KeyId: s.apiKeys![0]!.id,
    });
    expect(out.Root).not.toBe(out.Resource);
  });
});

describe('the walkthrough\'s API: POST /DynamoBackend to a Lambda function, a key required, stage dev, a usage plan of 250 requests a second, bursts of 500', () => {
  const WALKTHROUGH = {
    LambdaMicroservice: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'LambdaMicroservice', Description: 'Created by AWS Lambda' } },
    DynamoBackend: resource(root('LambdaMicroservice'), 'DynamoBackend', 'LambdaMicroservice'),
    Backend: inlineFunction(),
    Post: method({ Ref: 'DynamoBackend' }, 'POST', proxy('Backend'), { ApiKeyRequired: true }, 'LambdaMicroservice'),
    Deploy: { ...deployment('dev', 'LambdaMicroservice'), DependsOn: ['Post'] },
    Permission: {
      Type: 'AWS::Lambda::Permission',
      Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Backend' }, Principal: 'apigateway.amazonaws.com', SourceArn: { 'Fn::Sub': 'arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${LambdaMicroservice}/*/POST/DynamoBackend' } },
    },
    Plan: { Type: 'AWS::ApiGateway::UsagePlan', DependsOn: ['Deploy'], Properties: { UsagePlanName: 'walkthrough', ApiStages: [{ ApiId: { Ref: 'LambdaMicroservice' }, Stage: 'dev' }], Throttle: { RateLimit: 250, BurstLimit: 500 } } },
    Key: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Name: 'walkthrough-key', Enabled: true } },
    PlanKey: { Type: 'AWS::ApiGateway::UsagePlanKey', Properties: { KeyId: { Ref: 'Key' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'Plan' } } },
  };

  it('is read whole', async () => {
    const s = await read(WALKTHROUGH);
    const a = s.restApis![0]!;
    expect(a).toEqual({
      logicalId: 'LambdaMicroservice',
      name: 'LambdaMicroservice',
      id: expect.stringMatching(/^[a-z0-9]{10}$/),
      stages: [{ name: 'dev', variables: {}, methodThrottles: {}, detailedMetrics: false }],
      methods: [{ logicalId: 'Post', path: '/DynamoBackend', httpMethod: 'POST', authorizationType: 'NONE', apiKeyRequired: true, integration: { type: 'AWS_PROXY', functionId: 'Backend', timeoutMs: 29_000 } }],
      authorizers: [],
      apiKeySource: 'HEADER',
      binaryMediaTypes: [],
      // the root as GetAtt RootResourceId gives it, the Resource as Ref does
      resources: [
        { id: expect.stringMatching(/^[a-z0-9]{10}$/), path: '/' },
        { logicalId: 'DynamoBackend', id: expect.stringMatching(/^[a-z0-9]{10}$/), path: '/DynamoBackend' },
      ],
    });
    expect(s.usagePlans).toEqual([{ logicalId: 'Plan', id: expect.any(String), name: 'walkthrough', apiStages: [{ apiId: a.id, stage: 'dev', throttle: {} }], throttle: { rateLimit: 250, burstLimit: 500 }, keys: ['Key'] }]);
    expect(s.apiKeys).toEqual([{ logicalId: 'Key', id: expect.any(String), name: 'walkthrough-key', value: expect.stringMatching(/^[A-Za-z0-9]{40}$/), enabled: true }]);
    expect(s.functions.map((f) => f.logicalId).sort()).toEqual(['Backend', 'Fn']);
    expect(s.invokePermissions!.map((p) => p.logicalId)).toEqual(['Permission']);
    expect(s.notEmulatedPaths).toEqual([]);
  });
});

describe('a REST API written as OpenAPI (its Body)', () => {
  const uri = lambdaUri('Fn');
  const swagger = (extra: Record<string, unknown> = {}) => ({
    swagger: '2.0',
    info: { title: 'pets', version: '1' },
    'x-amazon-apigateway-api-key-source': 'AUTHORIZER',
    'x-amazon-apigateway-binary-media-types': ['application/octet-stream'],
    paths: {
      '/pets': {
        get: { security: [{ api_key: [] }], 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri }, responses: {} },
        post: { security: [{ Guard: [] }, { api_key: [] }], 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri, timeoutInMillis: 1000 }, responses: {} },
        options: {
          'x-amazon-apigateway-integration': {
            type: 'mock',
            requestTemplates: { 'application/json': '{"statusCode": 200}' },
            responses: { default: { statusCode: '200', responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'" } } },
          },
          responses: {},
        },
      },
      '/pets/{id}': { 'x-amazon-apigateway-any-method': { 'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'ANY', uri: 'http://pets.example.com/{id}', passthroughBehavior: 'when_no_match' }, responses: {} } },
    },
    securityDefinitions: {
      api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' },
      Guard: {
        type: 'apiKey',
        name: 'X-Token',
        in: 'header',
        'x-amazon-apigateway-authtype': 'custom',
        'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri: lambdaUri('AuthFn'), authorizerResultTtlInSeconds: 60 },
      },
    },
    ...extra,
  });

  it('its operations, their security (an API key, a Lambda authorizer from securityDefinitions), the key source and binary media types', async () => {
    const s = await read({ AuthFn: inlineFunction(), Pets: { Type: 'AWS::ApiGateway::RestApi', Properties: { Body: swagger() } }, PetsDeployment: deployment('prod', 'Pets') });
    const a = s.restApis![0]!;
    expect(a).toMatchObject({ name: 'pets', apiKeySource: 'AUTHORIZER', binaryMediaTypes: ['application/octet-stream'], stages: [{ name: 'prod' }] });
    expect(a.methods).toEqual([
      { path: '/pets', httpMethod: 'GET', authorizationType: 'NONE', apiKeyRequired: true, integration: { type: 'AWS_PROXY', functionId: 'Fn', timeoutMs: 29_000 } },
      { path: '/pets', httpMethod: 'POST', authorizationType: 'CUSTOM', authorizerId: 'Guard', apiKeyRequired: true, integration: { type: 'AWS_PROXY', functionId: 'Fn', timeoutMs: 1000 } },
      {
        path: '/pets',
        httpMethod: 'OPTIONS',
        authorizationType: 'NONE',
        apiKeyRequired: false,
        integration: { type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' }, passthroughBehavior: 'WHEN_NO_MATCH', responses: [{ statusCode: '200', responseTemplates: {}, responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'" } }] },
      },
      { path: '/pets/{id}', httpMethod: 'ANY', authorizationType: 'NONE', apiKeyRequired: false, integration: { type: 'HTTP_PROXY', uri: 'http://pets.example.com/{id}', httpMethod: 'ANY', timeoutMs: 29_000, requestParameters: {} } },
    ]);
    // a resource for each path and the paths above it, as API Gateway makes them on import
    expect(a.resources.map((r) => r.path)).toEqual(['/', '/pets', '/pets/{id}']);
    expect(new Set(a.resources.map((r) => r.id)).size).toBe(3);
    // a TOKEN authorizer of the definition takes its token from the header its scheme names
    expect(a.authorizers).toEqual([{ logicalId: 'Guard', id: expect.stringMatching(/^[a-z0-9]{6}$/), name: 'Guard', type: 'TOKEN', functionId: 'AuthFn', identitySource: 'method.request.header.X-Token', ttlSeconds: 60 }]);
  });

  it('an OpenAPI 3 definition: its security schemes under components, an endpoint that is disabled served with a warning', async () => {
    const body = {
      openapi: '3.0.1',
      info: { title: 'v3', version: '1' },
      servers: [{ url: '/', 'x-amazon-apigateway-endpoint-configuration': { disableExecuteApiEndpoint: true } }],
      security: [{ key: [] }],
      paths: { '/': { get: { 'x-amazon-apigateway-integration': { type: 'AWS_PROXY', httpMethod: 'POST', uri } } } },
      components: { securitySchemes: { key: { type: 'apiKey', name: 'x-api-key', in: 'header' } } },
    };
    const s = await read({ V3: { Type: 'AWS::ApiGateway::RestApi', Properties: { Body: body } }, V3Deployment: deployment('live', 'V3') });
    expect(s.restApis![0]!.methods).toEqual([{ path: '/', httpMethod: 'GET', authorizationType: 'NONE', apiKeyRequired: true, integration: { type: 'AWS_PROXY', functionId: 'Fn', timeoutMs: 29_000 } }]);
    expect(s.warnings).toEqual([
      'REST API V3: DisableExecuteApiEndpoint: on AWS its execute-api endpoint answers 403 and clients reach it through a custom domain, which is not emulated; here it is served on its own endpoint',
    ]);
  });
});

describe('a REST API the emulator does not run', () => {
  const served = (extra: Record<string, unknown>, integration: Record<string, unknown> = proxy()) => ({
    Shop: api(extra),
    Get: method(root(), 'GET', integration),
    Deploy: { ...deployment('prod'), DependsOn: ['Get'] },
  });

  it('is not served, one warning each, and the stack runs its WebSocket API; its integrations are listed as paths not run', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [served({ EndpointConfiguration: { Types: ['PRIVATE'] } }), 'REST API Shop is not served: it is a private API (EndpointConfiguration PRIVATE), reached only through a VPC endpoint, which is not emulated'],
      [served({}, { ...proxy(), ConnectionType: 'VPC_LINK', ConnectionId: 'abc' }), 'REST API Shop is not served: method GET / (Get) goes through a VPC link (ConnectionType VPC_LINK), which is not emulated'],
      [{ Shop: api({ BodyS3Location: { Bucket: 'b', Key: 'k.yaml' } }) }, 'REST API Shop is not served: its OpenAPI definition is in S3 (BodyS3Location), which the emulator cannot read'],
      [
        served({}, { Type: 'AWS', IntegrationHttpMethod: 'POST', Uri: 'arn:aws:apigateway:us-east-1:dynamodb:action/PutItem' }),
        'REST API Shop is not served: method GET / (Get)\'s AWS integration calls dynamodb (action/PutItem), which is not emulated: only Lambda, SQS (SendMessage), SNS (Publish) and EventBridge (PutEvents)',
      ],
      [
        {
          ...served({}),
          Get: method(root(), 'GET', proxy(), { AuthorizationType: 'COGNITO_USER_POOLS', AuthorizerId: { Ref: 'Pool' } }),
          Pool: { Type: 'AWS::ApiGateway::Authorizer', Properties: { RestApiId: { Ref: 'Shop' }, Name: 'pool', Type: 'COGNITO_USER_POOLS', ProviderARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/x'], IdentitySource: 'method.request.header.Authorization' } },
        },
        'REST API Shop is not served: method GET / (Get) uses a Cognito user pool authorizer (COGNITO_USER_POOLS), which is not emulated',
      ],
      [{ Shop: api() }, 'REST API Shop is not served: it has no method'],
      [{ Shop: api(), Get: method(root(), 'GET', proxy()) }, "REST API Shop is not served: it has no stage (a Deployment's StageName or an AWS::ApiGateway::Stage), so nothing reaches it"],
    ];
    for (const [resources, warning] of cases) {
      const s = await read(resources);
      expect(s.restApis).toBeUndefined();
      expect(s.warnings).toEqual([warning]);
      expect(s.notEmulated.map((r) => r.logicalId)).toContain('Shop');
    }
    const unserved = await read({ ...served({ EndpointConfiguration: { Types: ['PRIVATE'] } }), Worker: inlineFunction() , Get: method(root(), 'GET', proxy('Worker')) });
    expect(unserved.notEmulatedPaths!.map(notEmulatedPathText)).toEqual(['REST API Shop → Worker (its requests are not served here)']);
    expect(unserved.functions.map((f) => f.logicalId)).toEqual(['Fn']);
  });

  it('a custom domain and its base path mapping: one warning each, the API served on its own endpoint', async () => {
    const s = await read({
      ...served({}),
      Domain: { Type: 'AWS::ApiGateway::DomainName', Properties: { DomainName: 'api.example.com', RegionalCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x' } },
      Mapping: { Type: 'AWS::ApiGateway::BasePathMapping', Properties: { DomainName: { Ref: 'Domain' }, RestApiId: { Ref: 'Shop' }, Stage: 'prod', BasePath: 'shop' } },
    });
    expect(s.restApis).toHaveLength(1);
    expect(s.warnings).toEqual([
      'custom domain Domain (api.example.com) is not emulated: each API is served on its own endpoint',
      'base path mapping Mapping of REST API Shop (/shop) is not emulated: the API is served on its own endpoint',
    ]);
    expect(s.notEmulated.map((r) => r.logicalId)).toEqual(expect.arrayContaining(['Domain', 'Mapping']));
  });

  it("a timeout past 29 s is run as written, said once; a stage's cache is said not to run", async () => {
    const s = await read({
      Shop: api({ EndpointConfiguration: { Types: ['REGIONAL'] } }),
      Get: method(root(), 'GET', { ...proxy(), TimeoutInMillis: 60_000 }),
      Deploy: { ...deployment('prod', 'Shop', { StageDescription: { CacheClusterEnabled: true, CachingEnabled: true } }), DependsOn: ['Get'] },
    });
    expect(s.restApis![0]!.methods[0]!.integration).toMatchObject({ timeoutMs: 60_000 });
    expect(s.warnings).toEqual([
      "REST API Shop method GET / (Get): TimeoutInMillis 60000 is past API Gateway's 29,000 ms, which AWS accepts only for a Regional or private API whose account has the quota raised; run as written",
      'REST API Shop stage prod: its cache (CacheClusterEnabled, CachingEnabled) is not emulated: every request reaches the integration',
    ]);
  });
});

describe('what CloudFormation or API Gateway refuses, refused in one line', () => {
  const base = { Shop: api(), Items: resource(root(), 'items'), Get: method({ Ref: 'Items' }, 'GET', proxy()), Deploy: { ...deployment('prod'), DependsOn: ['Get'] } };
  it.each([
    [{ Get: method({ Ref: 'Items' }, 'GET', { ...proxy(), Uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:elsewhere/invocations' }) }, /^resource Get property Integration\.Uri: arn:aws:lambda:us-east-1:123456789012:function:elsewhere is not a function of this stack/],
    [{ Again: method({ Ref: 'Items' }, 'get', proxy()) }, /^resource Again: a second method GET \/items on Shop: API Gateway refuses it \(ConflictException\)$/],
    [{ Get: method({ Ref: 'Items' }, 'GET', { ...proxy(), TimeoutInMillis: 10 }) }, /^resource Get property Integration\.TimeoutInMillis: 10: an integration's timeout is 50 ms to 29000 ms \(300000 ms where the account's quota is raised\)$/],
    [{ Get: method({ Ref: 'Items' }, 'GET', { ...proxy(), IntegrationHttpMethod: 'GET' }) }, /^resource Get property Integration\.IntegrationHttpMethod: GET: a Lambda integration calls Lambda's Invoke, which is a POST; with GET every request of method GET \/items \(Get\) fails$/],
    [{ Get: method({ Ref: 'Items' }, 'GET', { ...proxy(), Uri: { 'Fn::GetAtt': ['Fn', 'Arn'] } }) }, /^resource Get property Integration\.Uri: arn:aws:lambda:.* is not a Lambda function's invocation URI .*, which a REST API's AWS_PROXY integration names$/],
    [{ Get: { ...method({ Ref: 'Items' }, 'GET', {}), Properties: { RestApiId: { Ref: 'Shop' }, ResourceId: { Ref: 'Items' }, HttpMethod: 'GET', AuthorizationType: 'NONE' } } }, /^resource Get property Integration: missing: method GET \/items has no integration, and API Gateway refuses to deploy a method without one$/],
    [{ Get: method({ Ref: 'Items' }, 'GET', proxy(), { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Tok' } }), Tok: { Type: 'AWS::ApiGateway::Authorizer', Properties: { RestApiId: { Ref: 'Shop' }, Name: 't', Type: 'TOKEN', AuthorizerUri: lambdaUri('Fn') } } }, /^resource Tok property IdentitySource: missing: a TOKEN authorizer takes its token from one header/],
    [{ Under: resource({ Ref: 'Greedy' }, 'more'), Greedy: resource({ Ref: 'Items' }, '{proxy+}') }, /^resource Under property ParentId: \/items\/\{proxy\+\} ends in a greedy path variable, and API Gateway refuses a resource under one$/],
    [{ Twin: resource(root(), 'items') }, /^resource Twin property PathPart: items is also resource Items's path part under the same parent: API Gateway refuses it \(ConflictException\)$/],
    [{ A: resource({ Ref: 'Items' }, '{id}'), B: resource({ Ref: 'Items' }, '{name}') }, /^resource B property PathPart: \{name\}: its sibling A already has a variable path part \(\{id\}\), and API Gateway allows one$/],
    [{ Short: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Value: 'tooshort' } } }, /^resource Short property Value: 8 characters: an API key's value is 20 to 128 characters$/],
    [{ Plan: { Type: 'AWS::ApiGateway::UsagePlan', Properties: { ApiStages: [{ ApiId: { Ref: 'Shop' }, Stage: 'nope' }] } } }, /^resource Plan property ApiStages\[0\]\.Stage: nope is not a stage of Shop \(it has prod\): API Gateway refuses the plan$/],
    [{ RestStage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Shop' }, DeploymentId: { Ref: 'Deploy' }, StageName: 'prod' } } }, /^resource RestStage property StageName: a second stage prod of Shop: API Gateway refuses it \(ConflictException\)$/],
    [{ Shop: { Type: 'AWS::ApiGateway::RestApi', Properties: {} } }, /^resource Shop property Name: missing: a REST API without an OpenAPI definition \(Body\) needs a Name$/],
  ])('%#', async (resources, message) => {
    expect(await refusal({ ...base, ...resources })).toMatch(message);
  });
});
