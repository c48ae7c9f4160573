import { ApiGatewayV2Client, GetRoutesCommand } from '@aws-sdk/client-apigatewayv2';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import type { StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { inlineFunction, lambdaUri, websocketTemplates } from './websocket-template.ts';

/**
 * HTTP APIs' authorizers, over real HTTP on 127.0.0.1: a JWT authorizer checking tokens signed here
 * against a JWKS file the stack config names (template.jwks), a Lambda REQUEST authorizer with
 * simple responses (cached for its TTL) and one answering an IAM policy, routes written as
 * resources and in an OpenAPI Body; and the refusal of a JWT authorizer whose issuer's keys are not
 * given, before the stack starts.
 */
const { read } = websocketTemplates('fb-http-authorizers-');
const keysDir = mkdtempSync(join(tmpdir(), 'fb-http-authorizers-jwks-'));
afterAll(() => rmSync(keysDir, { recursive: true, force: true }));

const ISSUER = 'https://issuer.example.com/pool';
const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwksFile = join(keysDir, 'jwks.json');
writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...signing.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' }] }));

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function jwt(claims: Record<string, unknown>, key: KeyObject = signing.privateKey, kid = 'k1'): string {
  const head = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64(claims)}`;
  return `${head}.${sign('sha256', Buffer.from(head), key).toString('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: 'fanout', sub: 'user-1', iat: now() - 10, exp: now() + 600, ...extra });

const ECHO = `exports.handler = async (event) => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });`;
// simple responses: allowed for tokens starting "let-me-in", with a context of any JSON
const SIMPLE = `exports.handler = async (event) => ({ isAuthorized: event.headers['x-token'].startsWith('let-me-in'), context: { user: 'ana', level: 3, tags: ['a', 'b'], seen: event.identitySource } });`;
// an IAM policy on the routeArn, payload 2.0, no simple responses, no cache
const POLICY = `exports.handler = async (event) => {
  const token = event.headers['x-token'];
  if (token === 'boom') throw new Error('boom');
  if (token === 'unauth') throw new Error('Unauthorized');
  if (token === 'malformed') return { isAuthorized: true };
  return {
    principalId: 'ana',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: token === 'allow' ? 'Allow' : 'Deny', Resource: event.routeArn }] },
    context: { who: 'ana', arn: event.routeArn, type: event.type },
  };
};`;

const integration = (api: string, version: '1.0' | '2.0') => ({
  Type: 'AWS::ApiGatewayV2::Integration',
  Properties: { ApiId: { Ref: api }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri('Echo'), PayloadFormatVersion: version },
});
const route = (key: string, target: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::ApiGatewayV2::Route',
  Properties: { ApiId: { Ref: 'Http' }, RouteKey: key, Target: { 'Fn::Sub': `integrations/\${${target}}` }, ...extra },
});
const permission = (fn: string, source: string) => ({
  Type: 'AWS::Lambda::Permission',
  Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: fn }, Principal: 'apigateway.amazonaws.com', SourceArn: { 'Fn::Sub': `arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:${source}` } },
});
const jwtSpec = { 'x-amazon-apigateway-authorizer': { type: 'jwt', identitySource: '$request.header.Authorization', jwtConfiguration: { issuer: ISSUER, audience: ['fanout'] } } };

const RESOURCES = {
  Echo: inlineFunction({ Code: { ZipFile: ECHO } }),
  Simple: inlineFunction({ Code: { ZipFile: SIMPLE } }),
  Policy: inlineFunction({ Code: { ZipFile: POLICY } }),
  Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'guarded', ProtocolType: 'HTTP' } },
  HttpStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Http' }, StageName: '$default' } },
  Jwt: {
    Type: 'AWS::ApiGatewayV2::Authorizer',
    Properties: { ApiId: { Ref: 'Http' }, Name: 'JwtAuth', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: ISSUER, Audience: ['fanout', 'other'] } },
  },
  SimpleAuth: {
    Type: 'AWS::ApiGatewayV2::Authorizer',
    Properties: {
      ApiId: { Ref: 'Http' },
      Name: 'SimpleAuth',
      AuthorizerType: 'REQUEST',
      AuthorizerUri: lambdaUri('Simple'),
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.x-token'],
      AuthorizerResultTtlInSeconds: 300,
    },
  },
  PolicyAuth: {
    Type: 'AWS::ApiGatewayV2::Authorizer',
    Properties: { ApiId: { Ref: 'Http' }, Name: 'PolicyAuth', AuthorizerType: 'REQUEST', AuthorizerUri: lambdaUri('Policy'), AuthorizerPayloadFormatVersion: '2.0', IdentitySource: ['$request.header.x-token'], AuthorizerResultTtlInSeconds: 0 },
  },
  V2: integration('Http', '2.0'),
  V1: integration('Http', '1.0'),
  Me: route('GET /me', 'V2', { AuthorizationType: 'JWT', AuthorizerId: { Ref: 'Jwt' } }),
  Admin: route('GET /admin', 'V2', { AuthorizationType: 'JWT', AuthorizerId: { Ref: 'Jwt' }, AuthorizationScopes: ['admin', 'root'] }),
  MeV1: route('GET /me-v1', 'V1', { AuthorizationType: 'JWT', AuthorizerId: { Ref: 'Jwt' } }),
  SimpleRoute: route('GET /simple', 'V2', { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'SimpleAuth' } }),
  PolicyRoute: route('GET /policy/{id}', 'V2', { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'PolicyAuth' } }),
  Open: route('GET /open', 'V2'),
  EchoPermission: permission('Echo', '${Http}/*'),
  SimplePermission: permission('Simple', '${Http}/authorizers/*'),
  PolicyPermission: permission('Policy', '${Http}/authorizers/*'),
  // an API written in OpenAPI as SAM's HttpApi writes one: a security scheme and an operation's security
  Docs: {
    Type: 'AWS::ApiGatewayV2::Api',
    Properties: {
      Body: {
        openapi: '3.0.1',
        info: { title: 'docs', version: '1' },
        paths: {
          '/pages': {
            get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('Echo'), payloadFormatVersion: '2.0' }, security: [{ JwtAuth: [] }], responses: {} },
          },
          '/public': {
            get: { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('Echo'), payloadFormatVersion: '2.0' }, security: [{ NONE: [] }], responses: {} },
          },
        },
        components: { securitySchemes: { JwtAuth: { type: 'oauth2', ...jwtSpec } } },
      },
    },
  },
  DocsStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Docs' }, StageName: '$default' } },
  DocsPermission: permission('Echo', '${Docs}/*'),
};

let described: StackDescription;
let stack: RunningStack;
const lines: string[] = [];
beforeAll(async () => {
  described = await read(RESOURCES);
  stack = await startStack({
    config: defaultStackConfig({ accountId: '123456789012', lambda: { preparedPerFunction: 0 }, template: { path: described.source.templateFile, jwks: { [ISSUER]: jwksFile } } }),
    stack: described,
    log: (l) => lines.push(l),
  });
});
afterAll(() => stack?.close());

const api = (name: string) => stack.ready.httpApis!.find((a) => a.name === name)!;
async function call(path: string, headers: Record<string, string> = {}, name = 'guarded'): Promise<{ status: number; headers: Headers; json: () => any }> {
  const res = await fetch(`${api(name).url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: () => JSON.parse(text) };
}
const invocations = (logicalId: string) => stack.runtime.stats()[stack.stack.functions.find((f) => f.logicalId === logicalId)!.name]?.invocations ?? 0;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('an HTTP API with a JWT authorizer, against the issuer keys the stack config gives', () => {
  it('is served: its routes name their authorizer, GetRoutes says so, nothing is left unemulated', async () => {
    expect(described.warnings ?? []).toEqual([]);
    const http = described.httpApis!.find((a) => a.logicalId === 'Http')!;
    expect(http.authorizers!.map((a) => [a.name, a.type]).sort()).toEqual([
      ['JwtAuth', 'JWT'],
      ['PolicyAuth', 'REQUEST'],
      ['SimpleAuth', 'REQUEST'],
    ]);
    expect(http.routes.find((r) => r.routeKey === 'GET /admin')!.authorization).toMatchObject({ type: 'JWT', scopes: ['admin', 'root'] });
    expect(http.authorizers!.find((a) => a.name === 'SimpleAuth')).toMatchObject({ payloadFormatVersion: '2.0', simpleResponses: true, identitySource: ['$request.header.x-token'], ttlSeconds: 300 });
    expect(described.notEmulated.map((r) => r.logicalId)).not.toEqual(expect.arrayContaining(['Http', 'Jwt', 'SimpleAuth', 'Docs']));
    const v2 = new ApiGatewayV2Client({ endpoint: stack.ready.apiGatewayV2Endpoint, region: stack.ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const routes = (await v2.send(new GetRoutesCommand({ ApiId: api('guarded').apiId }))).Items!;
      expect(routes.find((r) => r.RouteKey === 'GET /admin')).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: http.authorizers!.find((a) => a.name === 'JwtAuth')!.id, AuthorizationScopes: ['admin', 'root'] });
      expect(routes.find((r) => r.RouteKey === 'GET /open')).toMatchObject({ AuthorizationType: 'NONE' });
    } finally {
      v2.destroy();
    }
  });

  it('lets a valid token through, and gives the integration its claims (every value a string; scopes null on a route without)', async () => {
    const res = await call('/me', bearer(jwt(claims({ groups: ['a', 'b'], admin: true }))));
    expect(res.status).toBe(200);
    const { authorizer } = res.json().requestContext;
    expect(authorizer.jwt.scopes).toBeNull();
    expect(authorizer.jwt.claims).toMatchObject({ iss: ISSUER, aud: 'fanout', sub: 'user-1', groups: '[a b]', admin: 'true', exp: expect.stringMatching(/^\d+$/) });
    // the token without "Bearer " is taken as well; payload 1.0 gets the claims at requestContext.authorizer
    const v1 = await call('/me-v1', { authorization: jwt(claims()) });
    expect(v1.status).toBe(200);
    expect(v1.json().requestContext.authorizer).toEqual({ claims: expect.objectContaining({ sub: 'user-1' }), scopes: null });
    // without aud, client_id is the audience (a Cognito access token)
    expect((await call('/me', bearer(jwt(claims({ aud: undefined, client_id: 'other' }))))).status).toBe(200);
  });

  it('answers 401 {"message":"Unauthorized"} with www-authenticate for no token, an expired one, a wrong audience, a wrong signature, an unknown kid', async () => {
    const refused = async (headers: Record<string, string>) => {
      const res = await call('/me', headers);
      return [res.status, res.json(), res.headers.get('www-authenticate')];
    };
    expect(await refused({})).toEqual([401, { message: 'Unauthorized' }, null]);
    expect(await refused(bearer(jwt(claims({ exp: now() - 5 }))))).toEqual([401, { message: 'Unauthorized' }, 'Bearer scope="" error="invalid_token" error_description="the token has expired"']);
    expect(await refused(bearer(jwt(claims({ aud: 'someone-else' }))))).toEqual([401, { message: 'Unauthorized' }, 'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"']);
    expect((await refused(bearer(jwt(claims(), stranger.privateKey))))[2]).toMatch(/error_description="the token has an invalid signature"/);
    expect((await refused(bearer(jwt(claims(), signing.privateKey, 'k2'))))[2]).toMatch(/the token's kid k2/);
    expect((await refused(bearer(jwt(claims({ iss: 'https://elsewhere.example.com' })))))[2]).toMatch(/valid issuer/);
    expect((await refused(bearer(jwt(claims({ nbf: now() + 600 })))))[0]).toBe(401);
  });

  it('wants one of the route\'s scopes in scope or scp: without, 403 {"message":"Forbidden"}; with, the token\'s scopes in the event', async () => {
    const missing = await call('/admin', bearer(jwt(claims({ scope: 'read write' }))));
    expect([missing.status, missing.json()]).toEqual([403, { message: 'Forbidden' }]);
    const scoped = await call('/admin', bearer(jwt(claims({ scope: 'read admin' }))));
    expect(scoped.status).toBe(200);
    expect(scoped.json().requestContext.authorizer.jwt.scopes).toEqual(['read', 'admin']);
    expect((await call('/admin', bearer(jwt(claims({ scp: ['root'] }))))).status).toBe(200);
  });

  it('serves an OpenAPI Body\'s security scheme and operation security as SAM writes them', async () => {
    expect((await call('/pages', {}, 'docs')).status).toBe(401);
    expect((await call('/pages', bearer(jwt(claims())), 'docs')).json().requestContext.authorizer.jwt.claims.sub).toBe('user-1');
    expect((await call('/public', {}, 'docs')).status).toBe(200);
  });

  it('leaves a route without authorization open', async () => {
    expect((await call('/open')).status).toBe(200);
  });
});

describe('an HTTP API with Lambda REQUEST authorizers', () => {
  it('simple responses: allowed with its context in requestContext.authorizer.lambda, denied 403; cached for the TTL per identity source values', async () => {
    const before = invocations('Simple');
    const first = await call('/simple', { 'x-token': 'let-me-in-1' });
    expect(first.status).toBe(200);
    expect(first.json().requestContext.authorizer).toEqual({ lambda: { user: 'ana', level: 3, tags: ['a', 'b'], seen: ['let-me-in-1'] } });
    // the same header within the TTL: the cached answer, the function not invoked again
    expect((await call('/simple', { 'x-token': 'let-me-in-1' })).status).toBe(200);
    expect(invocations('Simple')).toBe(before + 1);
    // another value is another key
    expect((await call('/simple', { 'x-token': 'let-me-in-2' })).status).toBe(200);
    expect(invocations('Simple')).toBe(before + 2);
    const denied = await call('/simple', { 'x-token': 'nope' });
    expect([denied.status, denied.json()]).toEqual([403, { message: 'Forbidden' }]);
  });

  it('a missing identity source is 401 without invoking the function', async () => {
    const before = invocations('Simple');
    const res = await call('/simple');
    expect([res.status, res.json()]).toEqual([401, { message: 'Unauthorized' }]);
    expect(invocations('Simple')).toBe(before);
  });

  it('an IAM policy on the routeArn: Allow lets through with the context, Deny is 403, a failure 500, "Unauthorized" thrown 401', async () => {
    const allowed = await call('/policy/42', { 'x-token': 'allow' });
    expect(allowed.status).toBe(200);
    expect(allowed.json().requestContext.authorizer).toEqual({ lambda: { who: 'ana', arn: `arn:aws:execute-api:us-east-1:123456789012:${api('guarded').apiId}/$default/GET/policy/42`, type: 'REQUEST' } });
    const status = async (token: string) => {
      const res = await call('/policy/42', { 'x-token': token });
      return [res.status, res.json()];
    };
    expect(await status('deny')).toEqual([403, { message: 'Forbidden' }]);
    expect(await status('boom')).toEqual([500, { message: 'Internal Server Error' }]);
    expect(await status('malformed')).toEqual([500, { message: 'Internal Server Error' }]);
    expect(await status('unauth')).toEqual([401, { message: 'Unauthorized' }]);
    // TTL 0: every request asks the function
    const before = invocations('Policy');
    await status('allow');
    await status('allow');
    expect(invocations('Policy')).toBe(before + 2);
    expect(lines.filter((l) => l.includes('authorizer PolicyAuth'))).toEqual([
      expect.stringMatching(/^HTTP API Http: authorizer PolicyAuth: the function failed \(Error\): 500/),
      expect.stringMatching(/^HTTP API Http: authorizer PolicyAuth: invalid authorizer output: no principalId: 500/),
    ]);
  });
});

describe("SAM's HttpApi Auth: its Lambda and JWT authorizers, the default one on every event and an event's own", () => {
  it('serves them as SAM writes them (its authorizer permission included)', async () => {
    const sam = (code: string, events: Record<string, unknown> = {}) => ({ Type: 'AWS::Serverless::Function', Properties: { Runtime: 'nodejs22.x', Handler: 'index.handler', InlineCode: code, Events: events } });
    const event = (path: string, auth?: Record<string, unknown>) => ({ Type: 'HttpApi', Properties: { ApiId: { Ref: 'Gate' }, Path: path, Method: 'GET', ...(auth ? { Auth: auth } : {}) } });
    const samStack = await read(
      {
        AuthFn: sam(SIMPLE),
        EchoFn: sam(ECHO, { Closed: event('/closed'), Token: event('/token', { Authorizer: 'Jwt', AuthorizationScopes: ['read'] }), Open: event('/open', { Authorizer: 'NONE' }) }),
        Gate: {
          Type: 'AWS::Serverless::HttpApi',
          Properties: {
            Auth: {
              Authorizers: {
                Lambda: { FunctionArn: { 'Fn::GetAtt': ['AuthFn', 'Arn'] }, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, EnableFunctionDefaultPermissions: true, Identity: { Headers: ['x-token'], ReauthorizeEvery: 0 } },
                Jwt: { JwtConfiguration: { issuer: ISSUER, audience: ['fanout'] }, IdentitySource: '$request.header.Authorization' },
              },
              DefaultAuthorizer: 'Lambda',
            },
          },
        },
      },
      { template: { Transform: 'AWS::Serverless-2016-10-31' } },
    );
    expect(samStack.warnings ?? []).toEqual([]);
    const s = await startStack({ config: defaultStackConfig({ accountId: '123456789012', lambda: { preparedPerFunction: 0 }, template: { path: samStack.source.templateFile, jwks: { [ISSUER]: jwksFile } } }), stack: samStack, log: () => {} });
    try {
      const url = s.ready.httpApis![0]!.url;
      const status = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${url}${path}`, { headers })).status;
      expect(await status('/closed')).toBe(401);
      expect(await status('/closed', { 'x-token': 'nope' })).toBe(403);
      expect(await status('/closed', { 'x-token': 'let-me-in' })).toBe(200);
      expect(await status('/token', bearer(jwt(claims({ scope: 'read' }))))).toBe(200);
      expect(await status('/token', bearer(jwt(claims())))).toBe(403);
      expect(await status('/open')).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('a JWT authorizer whose issuer has no local keys', () => {
  it('is refused before the stack starts, in one line saying how to give them', async () => {
    const refused = await startStack({ config: defaultStackConfig({ lambda: { preparedPerFunction: 0 } }), stack: described, log: () => {} }).then(
      (s) => s.close().then(() => undefined),
      (err: Error) => err,
    );
    expect(refused).toBeInstanceOf(Error);
    expect(refused!.message.split('\n')).toHaveLength(1);
    expect(refused!.message).toBe(
      `${described.source.templateFile}: HTTP API Http: authorizer JwtAuth (JWT, issuer ${ISSUER}): its signing keys (the jwks_uri of ${ISSUER}/.well-known/openid-configuration) cannot be fetched offline: give a local copy in the stack config as template.jwks["${ISSUER}"]: <file>`,
    );
  });
});
