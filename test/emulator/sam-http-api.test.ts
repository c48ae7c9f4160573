import { describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { expandSam } from '../../emulator/stack-model/sam-transform.ts';
import { parseTemplate } from '../../emulator/stack-model/stack-template.ts';

// SAM's HTTP APIs expanded as samtranslator expands them (its tests/translator/output/http_api_*.json,
// implicit_http_api.json, explicit_http_api.json give the shapes): the implicit ServerlessHttpApi,
// an explicit AWS::Serverless::HttpApi, their OpenAPI bodies, stages and the functions' permissions.

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
const sourceArn = (api: string, resource: string) => ({
  'Fn::Sub': [`arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${__ApiId__}/\${__Stage__}/${resource}`, { __ApiId__: { Ref: api }, __Stage__: '*' }],
});
const permission = (fn: unknown, api: string, resource: string) => ({
  Type: 'AWS::Lambda::Permission',
  Properties: { Action: 'lambda:InvokeFunction', FunctionName: fn, Principal: 'apigateway.amazonaws.com', SourceArn: sourceArn(api, resource) },
});
const SAM_TAG = [{ name: 'httpapi:createdBy', 'x-amazon-apigateway-tag-value': 'SAM' }];

/** Two functions: POST /notify and GET /items/{id} on the implicit API; an explicit API (stage v1, a JWT default authorizer) with a 1.0 route and ANY /{proxy+}. */
function twoFunctions(): Record<string, unknown> {
  return {
    Globals: { HttpApi: { DefaultRouteSettings: { ThrottlingBurstLimit: 50 } } },
    Resources: {
      NotifyFn: {
        Type: 'AWS::Serverless::Function',
        Properties: {
          ...code,
          Events: {
            Notify: { Type: 'HttpApi', Properties: { Path: '/notify', Method: 'POST' } },
            Legacy: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Api' }, Path: '/legacy', Method: 'get', PayloadFormatVersion: '1.0', TimeoutInMillis: 5000, RouteSettings: { ThrottlingRateLimit: 10 } } },
          },
        },
      },
      ItemsFn: {
        Type: 'AWS::Serverless::Function',
        Properties: {
          ...code,
          AutoPublishAlias: 'live',
          Events: {
            GetItem: { Type: 'HttpApi', Properties: { Path: '/items/{id}', Method: 'GET' } },
            Proxy: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Api' }, Path: '/{proxy+}', Method: 'ANY', Auth: { AuthorizationScopes: ['items.write'] } } },
          },
        },
      },
      Api: {
        Type: 'AWS::Serverless::HttpApi',
        Properties: {
          StageName: 'v1',
          StageVariables: { mode: 'test' },
          CorsConfiguration: { AllowOrigins: ['https://example.com'], AllowMethods: ['GET', 'POST'], MaxAge: 600 },
          Auth: {
            Authorizers: {
              Jwt: {
                JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['fanout'] },
                IdentitySource: '$request.header.Authorization',
                AuthorizationScopes: ['items.read'],
              },
            },
            DefaultAuthorizer: 'Jwt',
          },
        },
      },
    },
    Outputs: { StageName: { Value: { Ref: 'Api.Stage' } } },
  };
}

describe('SAM HttpApi events and AWS::Serverless::HttpApi', () => {
  it('the implicit API: its OpenAPI body with each route, its $default stage, a permission per event', () => {
    const { template, notEmulated } = expand(twoFunctions());
    const r = template.Resources;
    expect(notEmulated).toEqual([]);
    expect(r.ServerlessHttpApi).toEqual({
      Type: 'AWS::ApiGatewayV2::Api',
      Properties: {
        Body: {
          openapi: '3.0.1',
          info: { version: '1.0', title: { Ref: 'AWS::StackName' } },
          paths: {
            '/notify': {
              post: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', payloadFormatVersion: '2.0', uri: invocation('NotifyFn.Arn') }, responses: {} },
            },
            '/items/{id}': {
              get: {
                // an AutoPublishAlias function is invoked through its alias
                'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', payloadFormatVersion: '2.0', uri: invocation('ItemsFnAliaslive') },
                responses: {},
                parameters: [{ name: 'id', in: 'path', required: true }],
              },
            },
          },
          tags: SAM_TAG,
        },
      },
    });
    expect(r.ServerlessHttpApiApiGatewayDefaultStage).toEqual({
      Type: 'AWS::ApiGatewayV2::Stage',
      Properties: { ApiId: { Ref: 'ServerlessHttpApi' }, StageName: '$default', DefaultRouteSettings: { ThrottlingBurstLimit: 50 }, Tags: { 'httpapi:createdBy': 'SAM' }, AutoDeploy: true },
    });
    expect(r.NotifyFnNotifyPermission).toEqual(permission({ Ref: 'NotifyFn' }, 'ServerlessHttpApi', 'POST/notify'));
    // a path parameter is `*` in the permission's ARN
    expect(r.ItemsFnGetItemPermission).toEqual(permission({ Ref: 'ItemsFnAliaslive' }, 'ServerlessHttpApi', 'GET/items/*'));
  });

  it('an explicit API: stage v1, CORS, a JWT default authorizer on every route, an event\'s payload format, timeout and route settings', () => {
    const { template } = expand(twoFunctions());
    const r = template.Resources;
    expect(r.Api).toEqual({
      Type: 'AWS::ApiGatewayV2::Api',
      Properties: {
        Body: {
          openapi: '3.0.1',
          info: { version: '1.0', title: { Ref: 'AWS::StackName' } },
          paths: {
            '/legacy': {
              get: {
                'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', payloadFormatVersion: '1.0', uri: invocation('NotifyFn.Arn'), timeoutInMillis: 5000 },
                responses: {},
                security: [{ Jwt: ['items.read'] }],
              },
            },
            '/{proxy+}': {
              // ANY is API Gateway's any-method; the event's scopes replace the authorizer's
              'x-amazon-apigateway-any-method': {
                'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', payloadFormatVersion: '2.0', uri: invocation('ItemsFnAliaslive') },
                responses: {},
                security: [{ Jwt: ['items.write'] }],
                parameters: [{ name: 'proxy+', in: 'path', required: true }],
              },
            },
          },
          'x-amazon-apigateway-cors': { allowOrigins: ['https://example.com'], allowMethods: ['GET', 'POST'], maxAge: 600 },
          components: {
            securitySchemes: {
              // the JWT configuration's keys lower-cased, as the extension takes them
              Jwt: { type: 'oauth2', 'x-amazon-apigateway-authorizer': { jwtConfiguration: { issuer: 'https://issuer.example.com', audience: ['fanout'] }, identitySource: '$request.header.Authorization', type: 'jwt' } },
            },
          },
          tags: SAM_TAG,
        },
      },
    });
    expect(r.Apiv1Stage).toEqual({
      Type: 'AWS::ApiGatewayV2::Stage',
      Properties: {
        ApiId: { Ref: 'Api' },
        StageName: 'v1',
        StageVariables: { mode: 'test' },
        DefaultRouteSettings: { ThrottlingBurstLimit: 50 },
        Tags: { 'httpapi:createdBy': 'SAM' },
        AutoDeploy: true,
        // the event's RouteSettings under its route key
        RouteSettings: { 'GET /legacy': { ThrottlingRateLimit: 10 } },
      },
    });
    expect(r.NotifyFnLegacyPermission).toEqual(permission({ Ref: 'NotifyFn' }, 'Api', 'GET/legacy'));
    // ANY and a greedy path parameter are both `*`
    expect(r.ItemsFnProxyPermission).toEqual(permission({ Ref: 'ItemsFnAliaslive' }, 'Api', '*/*'));
    // `Api.Stage` names the stage SAM made
    expect(template.Outputs).toEqual({ StageName: { Value: { Ref: 'Apiv1Stage' } } });
    expect(Object.keys(r).filter((id) => r[id]!.Type.startsWith('AWS::ApiGatewayV2::')).sort()).toEqual(['Api', 'Apiv1Stage', 'ServerlessHttpApi', 'ServerlessHttpApiApiGatewayDefaultStage']);
    expect(Object.values(r).some((x) => x.Type.startsWith('AWS::Serverless::'))).toBe(false);
  });

  it('an event without Path and Method is the $default route; the function needs no other permission on that API', () => {
    const { template } = expand({
      Resources: {
        Fn: {
          Type: 'AWS::Serverless::Function',
          Properties: { ...code, Events: { Health: { Type: 'HttpApi', Properties: { Path: '/health', Method: 'get' } }, Everything: { Type: 'HttpApi' } } },
        },
      },
    });
    const r = template.Resources;
    expect((r.ServerlessHttpApi!.Properties!.Body as { paths: unknown }).paths).toEqual({
      $default: {
        'x-amazon-apigateway-any-method': {
          'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', payloadFormatVersion: '2.0', uri: invocation('Fn.Arn') },
          isDefaultRoute: true,
          responses: {},
        },
      },
      '/health': { get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', payloadFormatVersion: '2.0', uri: invocation('Fn.Arn') }, responses: {} } },
    });
    expect(r.FnEverythingPermission).toEqual(permission({ Ref: 'Fn' }, 'ServerlessHttpApi', '*'));
    expect(r.FnHealthPermission).toBeUndefined();
  });

  it('a Lambda REQUEST authorizer, an event opting out with NONE, Name, FailOnWarnings and a stage name SAM hashes', () => {
    const { template } = expand({
      Resources: {
        AuthFn: { Type: 'AWS::Serverless::Function', Properties: code },
        Fn: {
          Type: 'AWS::Serverless::Function',
          Properties: {
            ...code,
            Events: {
              Open: { Type: 'HttpApi', Properties: { ApiId: 'Api', Path: '/open', Method: 'GET', Auth: { Authorizer: 'NONE' } } },
              Closed: { Type: 'HttpApi', Properties: { ApiId: 'Api', Path: '/closed', Method: 'GET' } },
            },
          },
        },
        Api: {
          Type: 'AWS::Serverless::HttpApi',
          Properties: {
            Name: 'fanout-http',
            StageName: 'my-stage',
            FailOnWarnings: true,
            Auth: {
              Authorizers: {
                Lambda: {
                  FunctionArn: { 'Fn::GetAtt': ['AuthFn', 'Arn'] },
                  AuthorizerPayloadFormatVersion: '2.0',
                  EnableSimpleResponses: true,
                  EnableFunctionDefaultPermissions: true,
                  Identity: { Headers: ['Authorization'], ReauthorizeEvery: 0 },
                },
              },
              DefaultAuthorizer: 'Lambda',
            },
          },
        },
      },
    });
    const r = template.Resources;
    const body = r.Api!.Properties!.Body as { info: unknown; paths: Record<string, Record<string, { security?: unknown }>>; components: unknown };
    expect(r.Api!.Properties!.FailOnWarnings).toBe(true);
    expect(body.info).toEqual({ version: '1.0', title: 'fanout-http' });
    expect(body.paths['/open']!.get!.security).toEqual([{ NONE: [] }]);
    expect(body.paths['/closed']!.get!.security).toEqual([{ Lambda: [] }]);
    expect(body.components).toEqual({
      securitySchemes: {
        Lambda: {
          type: 'apiKey',
          name: 'Unused',
          in: 'header',
          'x-amazon-apigateway-authorizer': {
            type: 'request',
            authorizerUri: { 'Fn::Sub': ['arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations', { __FunctionArn__: { 'Fn::GetAtt': ['AuthFn', 'Arn'] } }] },
            authorizerResultTtlInSeconds: 0,
            identitySource: ['$request.header.Authorization'],
            authorizerPayloadFormatVersion: '2.0',
            enableSimpleResponses: true,
          },
        },
      },
    });
    expect(r.ApiLambdaAuthorizerPermission).toEqual({
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': ['AuthFn', 'Arn'] },
        Principal: 'apigateway.amazonaws.com',
        SourceArn: { 'Fn::Sub': ['arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*', { __ApiId__: { Ref: 'Api' } }] },
      },
    });
    // a stage name that is not alphanumeric: SAM's LogicalIdGenerator hash (sha1 of the name, 10 hex digits)
    expect(r.ApiStagea9d64949ee?.Properties).toMatchObject({ StageName: 'my-stage', AutoDeploy: true });
  });

  it('Domain and DisableExecuteApiEndpoint become what SAM makes of them; a condition on the functions reaches the implicit API', () => {
    const { template } = expand({
      Conditions: { Enabled: { 'Fn::Equals': ['a', 'a'] } },
      Resources: {
        Fn: { Type: 'AWS::Serverless::Function', Condition: 'Enabled', Properties: { ...code, Events: { Get: { Type: 'HttpApi', Properties: { Path: '/x', Method: 'GET' } } } } },
        Api: {
          Type: 'AWS::Serverless::HttpApi',
          Properties: {
            DisableExecuteApiEndpoint: true,
            Domain: { DomainName: 'api.example.com', CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc', BasePath: ['/v1'], Route53: { HostedZoneId: 'Z123' } },
          },
        },
      },
    });
    const r = template.Resources;
    expect((r.Api!.Properties!.Body as { servers: unknown }).servers).toEqual([{ 'x-amazon-apigateway-endpoint-configuration': { disableExecuteApiEndpoint: true } }]);
    const domainId = Object.keys(r).find((id) => r[id]!.Type === 'AWS::ApiGatewayV2::DomainName')!;
    expect(domainId).toMatch(/^ApiGatewayDomainNameV2[0-9a-f]{10}$/);
    expect(r[domainId]!.Properties).toEqual({
      DomainName: 'api.example.com',
      DomainNameConfigurations: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc', EndpointType: 'REGIONAL' }],
      Tags: { 'httpapi:createdBy': 'SAM' },
    });
    expect(r.Apiv1ApiMapping!.Properties).toEqual({ DomainName: { Ref: domainId }, ApiId: { Ref: 'Api' }, Stage: { Ref: 'ApiApiGatewayDefaultStage' }, ApiMappingKey: 'v1' });
    const group = Object.keys(r).find((id) => id.startsWith('RecordSetGroup'))!;
    expect(r[group]!.Properties).toEqual({
      HostedZoneId: 'Z123',
      RecordSets: [{ Name: 'api.example.com', Type: 'A', AliasTarget: { HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] }, DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] } } }],
    });
    // every route of the implicit API is the conditional function's: the API, its stage and the route are under its condition
    expect(r.ServerlessHttpApi!.Condition).toBe('Enabled');
    expect(r.ServerlessHttpApiApiGatewayDefaultStage!.Condition).toBe('Enabled');
    expect(r.FnGetPermission!.Condition).toBe('Enabled');
    const paths = (r.ServerlessHttpApi!.Properties!.Body as { paths: Record<string, unknown> }).paths;
    expect(paths['/x']).toEqual({
      'Fn::If': [
        'Enabled',
        {
          get: {
            'Fn::If': [
              'Enabled',
              { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', payloadFormatVersion: '2.0', uri: { 'Fn::If': ['Enabled', invocation('Fn.Arn'), { Ref: 'AWS::NoValue' }] } }, responses: {} },
              { Ref: 'AWS::NoValue' },
            ],
          },
        },
        { Ref: 'AWS::NoValue' },
      ],
    });
  });

  it('an explicit DefinitionBody keeps its own integration and gets the events\' routes beside it', () => {
    const mine = { 'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'ANY', uri: 'https://example.com', payloadFormatVersion: '1.0' } };
    const { template } = expand({
      Resources: {
        Fn: { Type: 'AWS::Serverless::Function', Properties: { ...code, Events: { Get: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Api' }, Path: '/x', Method: 'GET' } } } } },
        Api: { Type: 'AWS::Serverless::HttpApi', Properties: { DefinitionBody: { openapi: '3.0', info: { title: 'mine' }, paths: { '/proxy': { get: mine } } } } },
      },
    });
    const body = template.Resources.Api!.Properties!.Body as { paths: Record<string, unknown> };
    expect(body.paths['/proxy']).toEqual({ get: mine });
    expect(body.paths['/x']).toEqual({ get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', payloadFormatVersion: '2.0', uri: invocation('Fn.Arn') }, responses: {} } });
  });

  it('a REST Api event makes a REST API (sam-rest-api.ts), an HttpApi event naming one stays not emulated; refusals name the event or the API', () => {
    const rest = expand({ Resources: { Fn: { Type: 'AWS::Serverless::Function', Properties: { ...code, Events: { Rest: { Type: 'Api', Properties: { Path: '/r', Method: 'get' } } } } } } });
    expect(rest.notEmulated).toEqual([]);
    expect(rest.template.Resources.ServerlessHttpApi).toBeUndefined();
    expect(rest.template.Resources.ServerlessRestApi?.Type).toBe('AWS::ApiGateway::RestApi');
    const toRest = expand({
      Resources: {
        Fn: { Type: 'AWS::Serverless::Function', Properties: { ...code, Events: { Http: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Rest' }, Path: '/h', Method: 'get' } } } } },
        Rest: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'prod' } },
      },
    });
    expect(toRest.notEmulated).toEqual([{ logicalId: 'FnHttp', type: 'AWS::Serverless::Function event HttpApi (to a REST API)' }]);

    const fn = (events: Record<string, unknown>) => ({ Type: 'AWS::Serverless::Function', Properties: { ...code, Events: events } });
    expect(refusal({ Resources: { Fn: fn({ A: { Type: 'HttpApi', Properties: { Path: '/a', Method: 'get' } }, B: { Type: 'HttpApi', Properties: { Path: '/a', Method: 'GET' } } }) } })).toBe(
      "resource Fn property Events.B.Properties: API method 'get' defined multiple times for path '/a'",
    );
    expect(refusal({ Resources: { Fn: fn({ A: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Nope' }, Path: '/a', Method: 'get' } } }) } })).toBe(
      "resource Fn property Events.A.Properties.ApiId: ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template",
    );
    expect(refusal({ Resources: { Fn: fn({ A: { Type: 'HttpApi', Properties: { Path: '/a' } } }) } })).toBe('resource Fn property Events.A.Properties.Method: missing: an HttpApi event with a Path needs a Method');
    expect(
      refusal({
        Resources: {
          Fn: fn({ A: { Type: 'HttpApi', Properties: { ApiId: { Ref: 'Api' }, Path: '/a', Method: 'get', Auth: { Authorizer: 'Other' } } } }),
          Api: { Type: 'AWS::Serverless::HttpApi', Properties: { Auth: { Authorizers: { Jwt: { JwtConfiguration: { issuer: 'x' }, IdentitySource: '$request.header.Authorization' } } } } },
        },
      }),
    ).toBe("resource Fn property Events.A.Properties.Auth.Authorizer: Unable to set Authorizer [Other] on API method [get] for path [/a] because it wasn't defined in the API's Authorizers");
    expect(refusal({ Resources: { Api: { Type: 'AWS::Serverless::HttpApi', Properties: { RouteSettings: [] } } } })).toBe('resource Api property RouteSettings: must be a map');
    expect(refusal({ Resources: { Api: { Type: 'AWS::Serverless::HttpApi', Properties: { Throttle: 1 } } } })).toBe('resource Api property Throttle: not a property of AWS::Serverless::HttpApi');
    expect(refusal({ Globals: { HttpApi: { StageName: 'x' } }, Resources: { Api: { Type: 'AWS::Serverless::HttpApi' } } })).toMatch(/^Globals\.HttpApi\.StageName: not a property Globals\.HttpApi may set/);
    expect(refusal({ Resources: { Fn: fn({ A: { Type: 'HttpApi' } }), ServerlessHttpApi: { Type: 'AWS::SNS::Topic' } } })).toBe(
      'resource ServerlessHttpApi: SAM makes the implicit HTTP API of this logical id for the HttpApi events without ApiId: rename this resource',
    );
  });
});
