import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { expandSam } from '../../emulator/stack-model/sam-transform.ts';
import { parseTemplate } from '../../emulator/stack-model/stack-template.ts';
import { websocketTemplates } from './websocket-template.ts';

// SAM's REST APIs expanded as samtranslator expands them (its tests/translator/output/implicit_api.json,
// api_with_usageplans.json, api_with_auth_all_minimum.json, api_with_cors_and_only_origins.json,
// api_with_method_settings.json give the shapes): the implicit ServerlessRestApi, explicit
// AWS::Serverless::Api, their Swagger bodies, deployments, stages, usage plans and the functions'
// permissions. Where SAM writes the partition of its region (`arn:aws:`), the emulator writes
// `${AWS::Partition}`; the deployment's hash is the emulator's own (10 hex digits, as SAM's).

const code = { CodeUri: 'src/', Handler: 'app.handler', Runtime: 'nodejs22.x' };
const TRANSFORM = 'AWS::Serverless-2016-10-31';

function expand(raw: Record<string, unknown>) {
  return expandSam('stack.yaml', parseTemplate('stack.yaml', { Transform: TRANSFORM, ...raw }));
}

function refusal(raw: Record<string, unknown>): string {
  try {
    expand(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message.replace(/^stack\.yaml: /, '');
  }
  throw new Error('expected a refusal');
}

const invocation = (target: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${target}}/invocations` });
const proxy = (target: string) => ({ httpMethod: 'POST', type: 'aws_proxy', uri: invocation(target) });
const permission = (fn: string, apiId: unknown, resource: string) => ({
  Type: 'AWS::Lambda::Permission',
  Properties: {
    Action: 'lambda:InvokeFunction',
    FunctionName: { Ref: fn },
    Principal: 'apigateway.amazonaws.com',
    SourceArn: { 'Fn::Sub': [`arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${__ApiId__}/\${__Stage__}/${resource}`, { __ApiId__: apiId, __Stage__: '*' }] },
  },
});
const authorizerPermission = (api: string) => ({
  Type: 'AWS::Lambda::Permission',
  Properties: {
    Action: 'lambda:InvokeFunction',
    FunctionName: { 'Fn::GetAtt': ['AuthFn', 'Arn'] },
    Principal: 'apigateway.amazonaws.com',
    SourceArn: { 'Fn::Sub': ['arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*', { __ApiId__: { Ref: api } }] },
  },
});
const skeleton = (paths: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ swagger: '2.0', info: { version: '1.0', title: { Ref: 'AWS::StackName' } }, paths, ...extra });
const api = (event: Record<string, unknown>) => ({ Type: 'Api', Properties: event });
const deploymentOf = (resources: Record<string, { Type: string }>, apiId: string) => Object.keys(resources).find((id) => resources[id]!.Type === 'AWS::ApiGateway::Deployment' && id.startsWith(`${apiId}Deployment`))!;

describe('SAM Api events and AWS::Serverless::Api', () => {
  it('the implicit API: its Swagger body with each method, a deployment named by its hash, the Prod stage, a permission per event', () => {
    const { template, notEmulated } = expand({
      Resources: {
        RestApiFunction: {
          Type: 'AWS::Serverless::Function',
          Properties: {
            ...code,
            Events: {
              AddItem: api({ Path: '/add', Method: 'post' }),
              CompleteItem: api({ Path: '/complete', Method: 'POST' }),
              GetList: api({ Path: '/getlist', Method: 'get' }),
            },
          },
        },
        GetHtmlFunction: { Type: 'AWS::Serverless::Function', Properties: { ...code, Events: { GetHtml: api({ Path: '/{proxy+}', Method: 'any' }) } } },
      },
    });
    const r = template.Resources;
    expect(notEmulated).toEqual([]);
    expect(r.ServerlessRestApi).toEqual({
      Type: 'AWS::ApiGateway::RestApi',
      Properties: {
        Body: skeleton({
          '/add': { post: { 'x-amazon-apigateway-integration': proxy('RestApiFunction.Arn'), responses: {} } },
          '/complete': { post: { 'x-amazon-apigateway-integration': proxy('RestApiFunction.Arn'), responses: {} } },
          '/getlist': { get: { 'x-amazon-apigateway-integration': proxy('RestApiFunction.Arn'), responses: {} } },
          '/{proxy+}': { 'x-amazon-apigateway-any-method': { 'x-amazon-apigateway-integration': proxy('GetHtmlFunction.Arn'), responses: {} } },
        }),
      },
    });
    const deployment = deploymentOf(r, 'ServerlessRestApi');
    expect(deployment).toMatch(/^ServerlessRestApiDeployment[0-9a-f]{10}$/);
    // SAM leaves the deployment's stage `Stage` beside Prod (unless OpenApiVersion)
    expect(r[deployment]).toEqual({ Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: { Ref: 'ServerlessRestApi' }, StageName: 'Stage', Description: expect.stringMatching(new RegExp(`^RestApi deployment id: ${deployment.slice(-10)}[0-9a-f]{30}$`)) } });
    expect(r.ServerlessRestApiProdStage).toEqual({ Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'ServerlessRestApi' }, DeploymentId: { Ref: deployment }, StageName: 'Prod' } });
    expect(r.RestApiFunctionAddItemPermissionProd).toEqual(permission('RestApiFunction', { Ref: 'ServerlessRestApi' }, 'POST/add'));
    expect(r.RestApiFunctionCompleteItemPermissionProd).toEqual(permission('RestApiFunction', { Ref: 'ServerlessRestApi' }, 'POST/complete'));
    expect(r.RestApiFunctionGetListPermissionProd).toEqual(permission('RestApiFunction', { Ref: 'ServerlessRestApi' }, 'GET/getlist'));
    // ANY and a greedy path variable are both `*`
    expect(r.GetHtmlFunctionGetHtmlPermissionProd).toEqual(permission('GetHtmlFunction', { Ref: 'ServerlessRestApi' }, '*/*'));
    // a body that changes makes another deployment
    const changed = expand({ Resources: { F: { Type: 'AWS::Serverless::Function', Properties: { ...code, Events: { A: api({ Path: '/other', Method: 'get' }) } } } } });
    expect(deploymentOf(changed.template.Resources, 'ServerlessRestApi')).not.toBe(deployment);
  });

  it('usage plans: none, one per API (its name, throttle, quota, tags) and one SHARED by the APIs Globals.Api gives it, with their keys; `Api.UsagePlan` names the plan', () => {
    const fn = (events: Record<string, unknown>) => ({ Type: 'AWS::Serverless::Function', Properties: { ...code, Events: events } });
    const { template } = expand({
      Globals: { Api: { Auth: { ApiKeyRequired: true, UsagePlan: { CreateUsagePlan: 'SHARED' } } } },
      Resources: {
        MyApiOne: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'Prod', Auth: { UsagePlan: { CreateUsagePlan: 'NONE' } } } },
        MyApiTwo: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'Prod',
            Auth: {
              UsagePlan: {
                CreateUsagePlan: 'PER_API',
                UsagePlanName: 'SomeRandomName',
                Description: 'Description for usage plan',
                Throttle: { BurstLimit: 1000, RateLimit: 1000 },
                Tags: [{ Key: 'key1', Value: 'value1' }],
                Quota: { Limit: 10, Offset: 10, Period: 'MONTH' },
              },
            },
          },
        },
        MyApiThree: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'Prod' } },
        MyFunctionOne: fn({ ApiKey: api({ RestApiId: { Ref: 'MyApiOne' }, Method: 'get', Path: '/path/one' }) }),
        MyFunctionTwo: fn({ ApiKey: api({ RestApiId: { Ref: 'MyApiTwo' }, Method: 'get', Path: '/path/two' }), ImplicitApiEvent: api({ Method: 'get', Path: '/path/event' }) }),
        MyFunctionThree: fn({ ApiKey: api({ RestApiId: { Ref: 'MyApiThree' }, Method: 'get', Path: '/path/three' }) }),
      },
      Outputs: { UsagePlan: { Value: { Ref: 'MyApiTwo.UsagePlan' } }, UsagePlanKey: { Value: { Ref: 'MyApiTwo.UsagePlanKey' } }, ApiKey: { Value: { Ref: 'MyApiThree.ApiKey' } } },
    });
    const r = template.Resources;
    // Globals.Api's ApiKeyRequired on every method, the implicit API's too
    for (const [id, path] of [['MyApiOne', '/path/one'], ['MyApiTwo', '/path/two'], ['MyApiThree', '/path/three'], ['ServerlessRestApi', '/path/event']] as const) {
      const fnId = id === 'MyApiOne' ? 'MyFunctionOne' : id === 'MyApiThree' ? 'MyFunctionThree' : 'MyFunctionTwo';
      expect(r[id]!.Properties!.Body).toEqual(
        skeleton({ [path]: { get: { 'x-amazon-apigateway-integration': proxy(`${fnId}.Arn`), responses: {}, security: [{ api_key: [] }] } } }, { securityDefinitions: { api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' } } }),
      );
    }
    expect(r.MyApiTwoUsagePlan).toEqual({
      Type: 'AWS::ApiGateway::UsagePlan',
      DependsOn: ['MyApiTwo'],
      Properties: {
        ApiStages: [{ ApiId: { Ref: 'MyApiTwo' }, Stage: { Ref: 'MyApiTwoProdStage' } }],
        UsagePlanName: 'SomeRandomName',
        Description: 'Description for usage plan',
        Quota: { Limit: 10, Offset: 10, Period: 'MONTH' },
        Tags: [{ Key: 'key1', Value: 'value1' }],
        Throttle: { BurstLimit: 1000, RateLimit: 1000 },
      },
    });
    expect(r.MyApiTwoApiKey).toEqual({ Type: 'AWS::ApiGateway::ApiKey', DependsOn: ['MyApiTwoUsagePlan'], Properties: { Enabled: true, StageKeys: [{ RestApiId: { Ref: 'MyApiTwo' }, StageName: { Ref: 'MyApiTwoProdStage' } }] } });
    expect(r.MyApiTwoUsagePlanKey).toEqual({ Type: 'AWS::ApiGateway::UsagePlanKey', DependsOn: ['MyApiTwoApiKey'], Properties: { KeyId: { Ref: 'MyApiTwoApiKey' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'MyApiTwoUsagePlan' } } });
    expect(r.ServerlessUsagePlan).toEqual({
      Type: 'AWS::ApiGateway::UsagePlan',
      DependsOn: ['MyApiThree', 'ServerlessRestApi'],
      Properties: { ApiStages: [{ ApiId: { Ref: 'MyApiThree' }, Stage: { Ref: 'MyApiThreeProdStage' } }, { ApiId: { Ref: 'ServerlessRestApi' }, Stage: { Ref: 'ServerlessRestApiProdStage' } }] },
    });
    expect(r.ServerlessApiKey!.Properties).toEqual({ Enabled: true, StageKeys: [{ RestApiId: { Ref: 'MyApiThree' }, StageName: { Ref: 'MyApiThreeProdStage' } }, { RestApiId: { Ref: 'ServerlessRestApi' }, StageName: { Ref: 'ServerlessRestApiProdStage' } }] });
    expect(r.ServerlessUsagePlanKey!.Properties).toEqual({ KeyId: { Ref: 'ServerlessApiKey' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'ServerlessUsagePlan' } });
    expect(Object.keys(r).filter((id) => /UsagePlan|ApiKey$/.test(id)).sort()).toEqual(['MyApiTwoApiKey', 'MyApiTwoUsagePlan', 'MyApiTwoUsagePlanKey', 'ServerlessApiKey', 'ServerlessUsagePlan', 'ServerlessUsagePlanKey']);
    expect(template.Outputs).toEqual({ UsagePlan: { Value: { Ref: 'MyApiTwoUsagePlan' } }, UsagePlanKey: { Value: { Ref: 'MyApiTwoUsagePlanKey' } }, ApiKey: { Value: { Ref: 'ServerlessApiKey' } } });
    expect(r.MyFunctionTwoImplicitApiEventPermissionProd).toEqual(permission('MyFunctionTwo', { Ref: 'ServerlessRestApi' }, 'GET/path/event'));
  });

  it('Lambda TOKEN and REQUEST authorizers and a Cognito one: securityDefinitions, the default on every method, their permissions', () => {
    const { template } = expand({
      Resources: {
        TokenApi: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'Prod', Auth: { DefaultAuthorizer: 'MyLambdaTokenAuth', Authorizers: { MyLambdaTokenAuth: { FunctionArn: { 'Fn::GetAtt': ['AuthFn', 'Arn'] } } } } } },
        RequestApi: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'Prod',
            Auth: { DefaultAuthorizer: 'MyLambdaRequestAuth', Authorizers: { MyLambdaRequestAuth: { FunctionPayloadType: 'REQUEST', FunctionArn: { 'Fn::GetAtt': ['AuthFn', 'Arn'] }, Identity: { Headers: ['Authorization1'], QueryStrings: ['token'], ReauthorizeEvery: 0 } } } },
          },
        },
        CognitoApi: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'Prod', Auth: { DefaultAuthorizer: 'MyCognitoAuth', Authorizers: { MyCognitoAuth: { UserPoolArn: { 'Fn::GetAtt': ['MyUserPool', 'Arn'] } } } } } },
        AuthFn: { Type: 'AWS::Serverless::Function', Properties: code },
        MyFn: {
          Type: 'AWS::Serverless::Function',
          Properties: {
            ...code,
            Events: {
              LambdaToken: api({ RestApiId: { Ref: 'TokenApi' }, Method: 'get', Path: '/lambda-token' }),
              Open: api({ RestApiId: { Ref: 'TokenApi' }, Method: 'get', Path: '/open', Auth: { Authorizer: 'NONE' } }),
              LambdaRequest: api({ RestApiId: { Ref: 'RequestApi' }, Method: 'any', Path: '/any/lambda-request' }),
              Cognito: api({ RestApiId: { Ref: 'CognitoApi' }, Method: 'get', Path: '/cognito' }),
            },
          },
        },
        MyUserPool: { Type: 'AWS::Cognito::UserPool', Properties: { UserPoolName: 'pool' } },
      },
    });
    const r = template.Resources;
    const authorizerUri = { 'Fn::Sub': ['arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations', { __FunctionArn__: { 'Fn::GetAtt': ['AuthFn', 'Arn'] } }] };
    expect(r.TokenApi!.Properties!.Body).toEqual(
      skeleton(
        {
          '/lambda-token': { get: { 'x-amazon-apigateway-integration': proxy('MyFn.Arn'), responses: {}, security: [{ MyLambdaTokenAuth: [] }] } },
          // NONE: no authorizer on this method (SAM leaves its marker, which names no security definition)
          '/open': { get: { 'x-amazon-apigateway-integration': proxy('MyFn.Arn'), responses: {}, security: [{ NONE: [] }] } },
        },
        { securityDefinitions: { MyLambdaTokenAuth: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'custom', 'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri } } } },
      ),
    );
    expect((r.RequestApi!.Properties!.Body as { securityDefinitions: unknown }).securityDefinitions).toEqual({
      MyLambdaRequestAuth: {
        type: 'apiKey',
        name: 'Unused',
        in: 'header',
        'x-amazon-apigateway-authtype': 'custom',
        'x-amazon-apigateway-authorizer': { type: 'request', authorizerUri, authorizerResultTtlInSeconds: 0, identitySource: 'method.request.header.Authorization1, method.request.querystring.token' },
      },
    });
    expect((r.CognitoApi!.Properties!.Body as { securityDefinitions: unknown }).securityDefinitions).toEqual({
      MyCognitoAuth: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'cognito_user_pools', 'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [{ 'Fn::GetAtt': ['MyUserPool', 'Arn'] }] } },
    });
    expect(r.TokenApiMyLambdaTokenAuthAuthorizerPermission).toEqual(authorizerPermission('TokenApi'));
    expect(r.RequestApiMyLambdaRequestAuthAuthorizerPermission).toEqual(authorizerPermission('RequestApi'));
    expect(Object.keys(r).filter((id) => id.startsWith('CognitoApi') && id.endsWith('Permission'))).toEqual([]);
    expect(r.MyFnLambdaRequestPermissionProd).toEqual(permission('MyFn', { Ref: 'RequestApi' }, '*/any/lambda-request'));
  });

  it('an explicit API: Cors as OPTIONS methods, Variables, MethodSettings, EndpointConfiguration, BinaryMediaTypes, a stage name SAM hashes, a method opting out of the key', () => {
    const { template } = expand({
      Globals: { Api: { MethodSettings: [{ ResourcePath: '/*', HttpMethod: '*', MetricsEnabled: true }] } },
      Resources: {
        Shop: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'v1-beta',
            Cors: "'https://example.com'",
            Variables: { table: 'items' },
            MethodSettings: [{ ResourcePath: '/~1items', HttpMethod: 'GET', ThrottlingRateLimit: 5 }],
            EndpointConfiguration: 'REGIONAL',
            BinaryMediaTypes: ['image~1png'],
            Auth: { ApiKeyRequired: true },
          },
        },
        Fn: {
          Type: 'AWS::Serverless::Function',
          Properties: {
            ...code,
            AutoPublishAlias: 'live',
            Events: {
              List: api({ RestApiId: { Ref: 'Shop' }, Path: '/items', Method: 'get', RequestParameters: ['method.request.querystring.page', { 'method.request.header.X-Id': { Required: true, Caching: true } }], TimeoutInMillis: 5000 }),
              Health: api({ RestApiId: 'Shop', Path: '/health/', Method: 'get', Auth: { ApiKeyRequired: false } }),
            },
          },
        },
      },
    });
    const r = template.Resources;
    const body = r.Shop!.Properties!.Body as { paths: Record<string, Record<string, unknown>>; [k: string]: unknown };
    expect(body.paths['/items']!.get).toEqual({
      'x-amazon-apigateway-integration': { ...proxy('FnAliaslive'), timeoutInMillis: 5000, cacheKeyParameters: ['method.request.header.X-Id'] },
      responses: {},
      parameters: [
        { in: 'query', name: 'page', required: false, type: 'string' },
        { in: 'header', name: 'X-Id', required: true, type: 'string' },
      ],
      security: [{ api_key: [] }],
    });
    // ApiKeyRequired: false opts the method out of the API's key: no security left
    expect(body.paths['/health/']!.get).toEqual({ 'x-amazon-apigateway-integration': proxy('FnAliaslive'), responses: {}, security: [] });
    expect(body.paths['/items']!.options).toEqual({
      summary: 'CORS support',
      consumes: ['application/json'],
      produces: ['application/json'],
      'x-amazon-apigateway-integration': {
        type: 'mock',
        requestTemplates: { 'application/json': '{\n  "statusCode" : 200\n}\n' },
        responses: { default: { statusCode: '200', responseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'https://example.com'", 'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS'" }, responseTemplates: { 'application/json': '{}\n' } } },
      },
      responses: { '200': { description: 'Default response for CORS method', headers: { 'Access-Control-Allow-Origin': { type: 'string' }, 'Access-Control-Allow-Methods': { type: 'string' } } } },
      // the API's key on the preflight too (AddApiKeyRequiredToCorsPreflight is true unless set)
      security: [{ api_key: [] }],
    });
    expect(body['x-amazon-apigateway-binary-media-types']).toEqual(['image/png']);
    expect(r.Shop!.Properties).toMatchObject({ BinaryMediaTypes: ['image~1png'], EndpointConfiguration: { Types: ['REGIONAL'] }, Parameters: { endpointConfigurationTypes: 'REGIONAL' } });
    // a stage name that is not alphanumeric: SAM's LogicalIdGenerator hash (sha1 of the name, 10 hex digits)
    const stageId = Object.keys(r).find((id) => r[id]!.Type === 'AWS::ApiGateway::Stage')!;
    expect(stageId).toMatch(/^ShopStage[0-9a-f]{10}$/);
    expect(r[stageId]!.Properties).toEqual({
      RestApiId: { Ref: 'Shop' },
      DeploymentId: { Ref: deploymentOf(r, 'Shop') },
      StageName: 'v1-beta',
      Variables: { table: 'items' },
      // Globals' list first, the API's after
      MethodSettings: [{ ResourcePath: '/*', HttpMethod: '*', MetricsEnabled: true }, { ResourcePath: '/~1items', HttpMethod: 'GET', ThrottlingRateLimit: 5 }],
    });
    // the permission's logical id ends in a hash of the stage name; a string RestApiId is written as SAM writes it
    expect(Object.keys(r).filter((id) => id.startsWith('FnHealthPermission'))).toEqual([expect.stringMatching(/^FnHealthPermission[0-9a-f]{10}$/)]);
    expect(r[Object.keys(r).find((id) => id.startsWith('FnHealthPermission'))!]).toEqual({ ...permission('FnAliaslive', 'Shop', 'GET/health') });
  });

  it("an API with its own DefinitionBody is the author's: the events make only permissions; DefinitionUri becomes BodyS3Location", () => {
    const own = skeleton({ '/mine': { get: { 'x-amazon-apigateway-integration': proxy('Fn.Arn'), responses: {} } } });
    const { template } = expand({
      Resources: {
        Mine: { Type: 'AWS::Serverless::Api', Properties: { StageName: { Ref: 'AWS::StackName' }, DefinitionBody: own } },
        InS3: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'prod', DefinitionUri: 's3://bucket/api.yaml' } },
        Fn: { Type: 'AWS::Serverless::Function', Properties: { ...code, Events: { Get: api({ RestApiId: { Ref: 'Mine' }, Path: '/mine', Method: 'get' }) } } },
      },
    });
    const r = template.Resources;
    expect(r.Mine!.Properties!.Body).toEqual(own);
    // a StageName SAM cannot read: the permission's suffix is `Stage`
    expect(r.FnGetPermissionStage).toEqual(permission('Fn', { Ref: 'Mine' }, 'GET/mine'));
    expect(r.MineStage!.Properties).toMatchObject({ StageName: { Ref: 'AWS::StackName' } });
    expect(r.InS3!.Properties).toEqual({ BodyS3Location: { Bucket: 'bucket', Key: 'api.yaml' } });
  });

  it('refusals name the event or the API in SAM\'s words', () => {
    const fn = (events: Record<string, unknown>) => ({ Type: 'AWS::Serverless::Function', Properties: { ...code, Events: events } });
    expect(refusal({ Resources: { Fn: fn({ A: api({ Path: '/a', Method: 'get' }), B: api({ Path: '/a', Method: 'GET' }) }) } })).toBe('resource Fn property Events.B.Properties: API method "get" defined multiple times for path "/a".');
    expect(refusal({ Resources: { Fn: fn({ A: api({ RestApiId: { Ref: 'Http' }, Path: '/a', Method: 'get' }) }), Http: { Type: 'AWS::Serverless::HttpApi' } } })).toBe(
      "resource Fn property Events.A.Properties.RestApiId: RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template",
    );
    expect(refusal({ Resources: { Fn: fn({ A: api({ Path: '/a' }) }) } })).toBe('resource Fn property Events.A.Properties.Method: missing: an Api event needs a Method');
    expect(refusal({ Resources: { Fn: fn({ A: api({ RestApiId: { Ref: 'Rest' }, Path: '/a', Method: 'get', Auth: { Authorizer: 'Other' } }) }), Rest: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'p' } } } })).toBe(
      'resource Fn property Events.A.Properties.Auth.Authorizer: Unable to set Authorizer [Other] on API method [get] for path [/a] because the related API does not define any Authorizers.',
    );
    expect(refusal({ Resources: { Fn: fn({ A: api({ Path: '/a', Method: 'get', Auth: { ApiKeyRequired: false } }) }) } })).toBe(
      'resource Fn property Events.A.Properties.Auth.ApiKeyRequired: Unable to set ApiKeyRequired [False] on API method [get] for path [/a] because the related API does not specify any ApiKeyRequired.',
    );
    expect(refusal({ Resources: { Rest: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'p', Auth: { UsagePlan: { CreateUsagePlan: 'ALL' } } } } } })).toBe(
      "resource Rest property Auth.UsagePlan.CreateUsagePlan: 'CreateUsagePlan' accepts one of ['SHARED', 'PER_API', 'NONE'].",
    );
    expect(refusal({ Resources: { Rest: { Type: 'AWS::Serverless::Api', Properties: {} } } })).toBe("resource Rest property StageName: Missing required property 'StageName'");
    expect(refusal({ Resources: { Rest: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'p', Throttle: 1 } } } })).toBe('resource Rest property Throttle: not a property of AWS::Serverless::Api');
    expect(refusal({ Globals: { Api: { StageName: 'x' } }, Resources: { Rest: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'p' } } } })).toMatch(/^Globals\.Api\.StageName: not a property Globals\.Api may set/);
    expect(refusal({ Resources: { Fn: fn({ A: api({ Path: '/a', Method: 'get' }) }), ServerlessRestApi: { Type: 'AWS::SNS::Topic' } } })).toBe(
      'resource ServerlessRestApi: SAM makes the implicit REST API of this logical id for the Api events without RestApiId: rename this resource',
    );
  });
});

describe('a SAM REST API read into the stack description', () => {
  const { read } = websocketTemplates('fb-sam-rest-api-');
  it('its methods, both stages (Prod and the deployment\'s Stage), its usage plan and generated key; the functions its events invoke run', async () => {
    const s = await read(
      {
        Backend: {
          Type: 'AWS::Serverless::Function',
          Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', InlineCode: 'exports.handler = async () => ({ statusCode: 200, body: "{}" });', Events: { Post: api({ RestApiId: { Ref: 'Backend2' }, Path: '/DynamoBackend', Method: 'post' }) } },
        },
        Backend2: {
          Type: 'AWS::Serverless::Api',
          Properties: { StageName: 'dev', Auth: { ApiKeyRequired: true, UsagePlan: { CreateUsagePlan: 'PER_API', Throttle: { RateLimit: 250, BurstLimit: 500 } } } },
        },
      },
      { template: { Transform: TRANSFORM }, stackName: 'walkthrough' },
    );
    const rest = s.restApis![0]!;
    expect(rest).toMatchObject({ logicalId: 'Backend2', name: 'walkthrough', stages: [{ name: 'Stage' }, { logicalId: 'Backend2devStage', name: 'dev' }] });
    expect(rest.methods).toEqual([{ path: '/DynamoBackend', httpMethod: 'POST', authorizationType: 'NONE', apiKeyRequired: true, integration: { type: 'AWS_PROXY', functionId: 'Backend', timeoutMs: 29_000 } }]);
    expect(s.usagePlans).toEqual([{ logicalId: 'Backend2UsagePlan', id: expect.any(String), name: expect.any(String), apiStages: [{ apiId: rest.id, stage: 'dev', throttle: {} }], throttle: { rateLimit: 250, burstLimit: 500 }, keys: ['Backend2ApiKey'] }]);
    expect(s.apiKeys).toEqual([{ logicalId: 'Backend2ApiKey', id: expect.any(String), name: expect.any(String), value: expect.stringMatching(/^[A-Za-z0-9]{40}$/), enabled: true }]);
    expect(s.functions.map((f) => f.logicalId).sort()).toEqual(['Backend', 'Fn']);
    expect(s.invokePermissions!.map((p) => p.logicalId)).toContain('BackendPostPermissiondev');
    expect(s.notEmulatedPaths).toEqual([]);
    expect(s.notEmulated.map((r) => r.logicalId)).not.toContain('Backend2');
  });

  it('one the emulator does not serve (a Cognito authorizer on its methods): one warning, and its methods listed among the paths not run', async () => {
    const s = await read(
      {
        Pool: { Type: 'AWS::Cognito::UserPool', Properties: {} },
        Guarded: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'prod', Auth: { DefaultAuthorizer: 'Users', Authorizers: { Users: { UserPoolArn: { 'Fn::GetAtt': ['Pool', 'Arn'] } } } } } },
        Worker: {
          Type: 'AWS::Serverless::Function',
          Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', InlineCode: 'exports.handler = async () => ({ statusCode: 200 });', Events: { Get: api({ RestApiId: { Ref: 'Guarded' }, Path: '/me', Method: 'get' }) } },
        },
      },
      { template: { Transform: TRANSFORM } },
    );
    expect(s.restApis).toBeUndefined();
    expect(s.warnings).toEqual(['REST API Guarded is not served: GET /me of its OpenAPI definition uses the Cognito user pool authorizer Users, which is not emulated']);
    expect(s.notEmulatedPaths).toEqual([expect.objectContaining({ kind: 'integration', source: 'REST API', resource: 'Guarded', function: 'Worker', text: 'its requests are not served here' })]);
    expect(s.functions.map((f) => f.logicalId)).toEqual(['Fn']);
  });
});
