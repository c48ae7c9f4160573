import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { encodeProbe } from '../../common/probe-text.ts';
import { parsePolicyDocument } from '../../common/iam/policy-document.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import type { ApiKeyDescription, FunctionDescription, RestApiDescription, RestMethodDescription, UsagePlanDescription } from '../../emulator/stack-model/stack-description.ts';
import { inlineFunction, websocketTemplates } from './websocket-template.ts';

/**
 * REST APIs (API Gateway v1) beside the WebSocket API, from a description written by hand (the
 * template reader's REST side is written elsewhere): stages at `/{stage}`, resource routing and
 * Missing Authentication Token, the Lambda proxy event, API keys and usage plans (403, the plan's
 * throttle, its quota), a TOKEN authorizer (allow, deny, 401, its cache), MOCK, HTTP_PROXY to a
 * server of the test's, the integration timeout, and AWS/ApiGateway's REST metrics read back
 * through CloudWatch, over real HTTP on 127.0.0.1.
 */
const { read } = websocketTemplates('fb-rest-api-');
const API_ID = 'resttest01';
const ECHO = `exports.handler = async (event) => {
  if (event.path === '/broken') throw new Error('boom');
  if (event.path === '/slow') await new Promise((r) => setTimeout(r, 400));
  if (event.path === '/malformed') return { statusCode: 200, body: 'results', ok: true };
  return { statusCode: 200, headers: { 'x-seen': 'yes' }, multiValueHeaders: { 'x-multi': ['a', 'b'] }, body: JSON.stringify(event) };
};`;
// allow-*: an Allow on the whole API (so a cached answer allows any method), deny-*: a Deny, boom: the 401 error, else a function failure
const AUTH = `exports.handler = async (event) => {
  const token = event.type === 'REQUEST' ? event.queryStringParameters.token : event.authorizationToken;
  const api = event.methodArn.split('/', 1)[0];
  if (event.type === 'REQUEST') {
    return {
      principalId: 'req-' + token + '-' + Object.entries(event.headers).find(([name]) => name.toLowerCase() === 'x-room')[1],
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: token.startsWith('allow') ? 'Allow' : 'Deny', Resource: event.methodArn }] },
      ...(event.queryStringParameters.usekey ? { usageIdentifierKey: event.queryStringParameters.usekey } : {}),
    };
  }
  if (token === 'boom') throw new Error('Unauthorized');
  if (token.startsWith('allow') || token.startsWith('deny')) {
    return {
      principalId: 'user-' + token,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: token.startsWith('allow') ? 'Allow' : 'Deny', Resource: api + '/*' }] },
      context: { user: 'ann', tier: 3 },
    };
  }
  throw new Error('no such token');
};`;
const PARTNER_ID = 'resttest02';
const permission = (functionId: string, source: string, apiId = API_ID) => ({
  logicalId: `${functionId}Permission${apiId}`,
  functionId,
  principal: 'apigateway.amazonaws.com',
  action: 'lambda:InvokeFunction',
  sourceArn: `arn:aws:execute-api:us-east-1:123456789012:${apiId}/${source}`,
});
const codeDir = mkdtempSync(join(tmpdir(), 'fb-rest-api-auth-'));
afterAll(() => rmSync(codeDir, { recursive: true, force: true }));

const proxy = (path: string, httpMethod = 'GET', extra: Partial<RestMethodDescription> = {}, timeoutMs = 29_000): RestMethodDescription => ({
  path,
  httpMethod,
  authorizationType: 'NONE',
  apiKeyRequired: false,
  integration: { type: 'AWS_PROXY', functionId: 'Fn', timeoutMs },
  ...extra,
});
const keyed = (path: string) => proxy(path, 'GET', { apiKeyRequired: true });
const QUEUE = 'rest-inbox';
// the role API Gateway sends to the queue as (an AWS integration's CredentialsArn), allowed sqs:SendMessage on it alone
const queueRole = {
  name: 'ApiToQueue',
  arn: 'arn:aws:iam::123456789012:role/ApiToQueue',
  notes: [],
  statements: parsePolicyDocument({ Statement: { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:us-east-1:123456789012:${QUEUE}` } }, 'inline policy', (path, message) => {
    throw new UserError(`${path.join('.')}: ${message}`);
  }),
};

let backend: Server;
let stack: RunningStack;
const lines: string[] = [];

function restApi(backendUrl: string): RestApiDescription {
  return {
    logicalId: 'Shop',
    name: 'shop',
    id: API_ID,
    stages: [
      {
        name: 'prod',
        variables: { table: 'rooms' },
        // one request, then none for a thousand seconds: the second is throttled whatever the host's pace
        methodThrottles: { '/limited/GET': { rateLimit: 0.001, burstLimit: 1 } },
        detailedMetrics: true,
      },
      { name: 'dev', variables: {}, methodThrottles: {}, detailedMetrics: false },
    ],
    methods: [
      proxy('/'),
      proxy('/items/{id}'),
      proxy('/items/latest'),
      proxy('/files/{proxy+}', 'ANY'),
      proxy('/broken'),
      proxy('/malformed'),
      proxy('/slow', 'GET', {}, 100),
      proxy('/limited'),
      keyed('/keyed'),
      keyed('/quota'),
      keyed('/throttled'),
      proxy('/private', 'GET', { authorizationType: 'CUSTOM', authorizerId: 'TokenAuth' }),
      proxy('/private/{item}', 'GET', { authorizationType: 'CUSTOM', authorizerId: 'TokenAuth' }),
      {
        path: '/mock',
        httpMethod: 'POST',
        authorizationType: 'NONE',
        apiKeyRequired: false,
        integration: {
          type: 'MOCK',
          requestTemplates: { 'application/json': `{ #if( $input.params('scope') == "internal" ) "statusCode": 200 #else "statusCode": 500 #end }` },
          passthroughBehavior: 'WHEN_NO_TEMPLATES',
          responses: [
            {
              statusCode: '200',
              responseTemplates: { 'application/json': '{"ok": true, "stage": "$context.stage", "table": "$stageVariables.table", "asked": "$input.params(\'scope\')"}' },
              responseParameters: { 'method.response.header.X-Mocked': "'yes'", 'method.response.header.X-Stage': 'context.stage' },
            },
            { selectionPattern: '5\\d{2}', statusCode: '503', responseTemplates: { 'application/json': '{"ok": false}' }, responseParameters: {} },
          ],
        },
      },
      {
        path: '/backend/{proxy+}',
        httpMethod: 'ANY',
        authorizationType: 'NONE',
        apiKeyRequired: false,
        integration: { type: 'HTTP_PROXY', uri: `${backendUrl}/echo/{proxy}`, httpMethod: 'ANY', timeoutMs: 29_000, requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' } },
      },
      {
        path: '/enqueue',
        httpMethod: 'POST',
        authorizationType: 'NONE',
        apiKeyRequired: false,
        integration: {
          type: 'AWS',
          uri: `arn:aws:apigateway:us-east-1:sqs:path/123456789012/${QUEUE}`,
          httpMethod: 'POST',
          timeoutMs: 29_000,
          credentials: queueRole,
          requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
          requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
          passthroughBehavior: 'NEVER',
          responses: [{ statusCode: '200', responseTemplates: { 'application/json': '{"queued": true}' }, responseParameters: {} }],
        },
      },
      // a function API Gateway may not invoke: the authorizer's permission covers authorizers/* only
      { ...proxy('/locked'), integration: { type: 'AWS_PROXY', functionId: 'Auth', timeoutMs: 29_000 } },
      {
        path: '/elsewhere',
        httpMethod: 'GET',
        authorizationType: 'NONE',
        apiKeyRequired: false,
        integration: { type: 'HTTP_PROXY', uri: 'http://example.com/', httpMethod: 'GET', timeoutMs: 29_000, requestParameters: {} },
      },
    ],
    authorizers: [
      { logicalId: 'TokenAuth', id: 'auth01', name: 'token', type: 'TOKEN', functionId: 'Auth', identitySource: 'method.request.header.Authorization', ttlSeconds: 300, identityValidationExpression: '(allow|deny|boom|other).*' },
    ],
    apiKeySource: 'HEADER',
    binaryMediaTypes: ['image/png'],
    resources: [{ id: 'shoproot00', path: '/' }],
  };
}

// an API whose keys come from its REQUEST authorizer's usageIdentifierKey (ApiKeySource AUTHORIZER)
const PARTNER: RestApiDescription = {
  logicalId: 'Partner',
  name: 'partner',
  id: PARTNER_ID,
  stages: [{ name: 'v1', variables: {}, methodThrottles: {}, detailedMetrics: false }],
  methods: [proxy('/data', 'GET', { authorizationType: 'CUSTOM', authorizerId: 'RequestAuth', apiKeyRequired: true })],
  authorizers: [{ logicalId: 'RequestAuth', id: 'auth02', name: 'request', type: 'REQUEST', functionId: 'Auth', identitySource: 'method.request.querystring.token, method.request.header.X-Room', ttlSeconds: 0 }],
  apiKeySource: 'AUTHORIZER',
  binaryMediaTypes: [],
  resources: [{ id: 'partnerroo', path: '/' }],
};

const KEYS: ApiKeyDescription[] = [
  { logicalId: 'Gold', id: 'key-gold', name: 'gold', value: 'gold-key-value-0000000000000000000000000', enabled: true },
  { logicalId: 'Off', id: 'key-off', name: 'off', value: 'off-key-value-00000000000000000000000000', enabled: false },
  { logicalId: 'Stray', id: 'key-stray', name: 'stray', value: 'stray-key-value-000000000000000000000000', enabled: true },
  { logicalId: 'Counted', id: 'key-counted', name: 'counted', value: 'counted-key-value-0000000000000000000000', enabled: true },
  { logicalId: 'Slowed', id: 'key-slowed', name: 'slowed', value: 'slowed-key-value-00000000000000000000000', enabled: true },
  { logicalId: 'PartnerKey', id: 'key-partner', name: 'partner', value: 'partner-key-value-0000000000000000000000', enabled: true },
];
const stageOf = (stage = 'prod') => [{ apiId: API_ID, stage, throttle: {} }];
const PLANS: UsagePlanDescription[] = [
  { logicalId: 'Basic', id: 'plan-basic', name: 'basic', apiStages: stageOf(), keys: ['Gold', 'Off'] },
  { logicalId: 'Quota', id: 'plan-quota', name: 'quota', apiStages: stageOf(), quota: { limit: 2, period: 'DAY', offset: 0 }, keys: ['Counted'] },
  // one request, then none for a thousand seconds
  { logicalId: 'Slow', id: 'plan-slow', name: 'slow', apiStages: stageOf(), throttle: { rateLimit: 0.001, burstLimit: 1 }, keys: ['Slowed'] },
  { logicalId: 'PartnerPlan', id: 'plan-partner', name: 'partner', apiStages: [{ apiId: PARTNER_ID, stage: 'v1', throttle: {} }], keys: ['PartnerKey'] },
];

beforeAll(async () => {
  backend = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-backend': 'yes' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  // the WebSocket API's $default function is the REST methods' too; the authorizer's, which nothing in the template invokes, is described as the reader describes Fn
  const described = await read({ Fn: inlineFunction({ Code: { ZipFile: ECHO } }), Inbox: { Type: 'AWS::SQS::Queue', Properties: { QueueName: QUEUE } } });
  writeFileSync(join(codeDir, 'index.js'), AUTH);
  const fn = described.functions.find((f) => f.logicalId === 'Fn')!;
  const authFunction: FunctionDescription = { ...fn, logicalId: 'Auth', name: `${described.stackName}-Auth`, code: { kind: 'handler', dir: codeDir, handler: 'index.handler' } };
  described.functions.push(authFunction);
  described.invokePermissions = [permission('Fn', '*'), permission('Auth', 'authorizers/*'), permission('Fn', '*', PARTNER_ID), permission('Auth', 'authorizers/*', PARTNER_ID)];
  described.restApis = [restApi(`http://127.0.0.1:${(backend.address() as AddressInfo).port}`), PARTNER];
  described.apiKeys = KEYS;
  described.usagePlans = PLANS;
  stack = await startStack({ config: defaultStackConfig({ accountId: '123456789012', lambda: { preparedPerFunction: 0 } }), stack: described, log: (l) => lines.push(l) });
});
afterAll(async () => {
  await stack?.close();
  await new Promise((r) => backend?.close(r));
});

const api = () => stack.ready.restApis!.find((a) => a.name === 'shop')!;
const stageUrl = (stage = 'prod') => api().stages.find((s) => s.name === stage)!.url;
async function call(path: string, init: RequestInit = {}, stage = 'prod'): Promise<{ status: number; headers: Headers; text: string; json: () => any }> {
  const res = await fetch(`${stageUrl(stage)}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}
const withKey = (key: ApiKeyDescription) => ({ headers: { 'x-api-key': key.value } });
const key = (logicalId: string) => KEYS.find((k) => k.logicalId === logicalId)!;

describe('a REST API', () => {
  it('is in the ready line with every stage at /{stage} on a port of its own, and each method; no key value is printed', () => {
    expect(api()).toMatchObject({ logicalId: 'Shop', apiId: API_ID, stages: [{ name: 'prod', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/prod$/) }, { name: 'dev' }] });
    expect(api().methods).toContainEqual({ method: 'GET', path: '/items/{id}', function: expect.stringContaining('Fn'), apiKeyRequired: false });
    expect(api().methods).toContainEqual({ method: 'POST', path: '/mock', apiKeyRequired: false });
    expect(api().methods).toContainEqual(expect.objectContaining({ path: '/keyed', apiKeyRequired: true }));
    const said = [JSON.stringify(stack.ready), ...lines].join('\n');
    for (const k of KEYS) expect(said).not.toContain(k.value);
  });

  it('routes a literal over a {param} over a {proxy+}, the method over ANY; what no method takes is 403 Missing Authentication Token', async () => {
    expect((await call('/items/latest')).json()).toMatchObject({ resource: '/items/latest' });
    expect((await call('/items/42%20b')).json()).toMatchObject({ resource: '/items/{id}', pathParameters: { id: '42 b' } });
    expect((await call('/files/a/b.txt', { method: 'DELETE' })).json()).toMatchObject({ resource: '/files/{proxy+}', httpMethod: 'DELETE', pathParameters: { proxy: 'a/b.txt' } });
    expect((await call('/')).json()).toMatchObject({ resource: '/', path: '/' });
    for (const [path, method] of [['/nothing', 'GET'], ['/items/42', 'POST'], ['', 'GET']] as const) {
      const res = await call(path, { method });
      expect([res.status, res.text, res.headers.get('x-amzn-errortype')]).toEqual([403, '{"message":"Missing Authentication Token"}', 'MissingAuthenticationTokenException']);
      expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const outside = await fetch(`${api().stages[0]!.url.replace(/\/prod$/, '/staging')}/items/1`);
    expect([outside.status, await outside.text()]).toEqual([403, '{"message":"Forbidden"}']);
  });

  it("gives the function REST's proxy event and answers with its result", async () => {
    const res = await call('/items/7?room=a&room=b', { headers: { 'x-client': 'one', 'user-agent': 'tester' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-seen')).toBe('yes');
    expect(res.headers.get('x-multi')).toBe('a, b');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(res.headers.get('x-amzn-errortype')).toBeNull();
    const event = res.json();
    expect(event).toMatchObject({
      resource: '/items/{id}',
      path: '/items/7',
      httpMethod: 'GET',
      queryStringParameters: { room: 'b' },
      multiValueQueryStringParameters: { room: ['a', 'b'] },
      pathParameters: { id: '7' },
      stageVariables: { table: 'rooms' },
      body: null,
      isBase64Encoded: false,
      requestContext: {
        resourcePath: '/items/{id}',
        httpMethod: 'GET',
        path: '/prod/items/7',
        stage: 'prod',
        apiId: API_ID,
        accountId: '123456789012',
        requestId: res.headers.get('x-amzn-requestid'),
        identity: { sourceIp: '127.0.0.1', userAgent: 'tester' },
      },
    });
    expect(event.headers).toMatchObject({ 'x-client': 'one', 'X-Forwarded-Proto': 'https' });
    expect(event).not.toHaveProperty('version');
    // a body of the API's binary media types reaches the function base64-encoded
    const png = await call('/files/up.png', { method: 'PUT', headers: { 'content-type': 'image/png' }, body: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
    expect(png.json()).toMatchObject({ isBase64Encoded: true, body: Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64') });
  });

  it("answers in API Gateway's words: a function error or a malformed result 502, past the integration's timeout 504, past the method's throttle 429", async () => {
    for (const path of ['/broken', '/malformed']) {
      const res = await call(path);
      expect([res.status, res.text, res.headers.get('x-amzn-errortype')]).toEqual([502, '{"message": "Internal server error"}', 'InternalServerErrorException']);
    }
    const slow = await call('/slow');
    expect([slow.status, slow.text]).toEqual([504, '{"message": "Endpoint request timed out"}']);
    expect((await call('/limited')).status).toBe(200);
    const limited = await call('/limited');
    expect([limited.status, limited.text, limited.headers.get('x-amzn-errortype')]).toEqual([429, '{"message":"Too Many Requests"}', 'TooManyRequestsException']);
    // the method's throttle is the prod stage's: dev's method has none
    expect((await call('/limited', {}, 'dev')).status).toBe(200);
  });
});

describe('API keys and usage plans', () => {
  it('refuses a method requiring a key without one, with a disabled key, or a key of no plan: 403 Forbidden', async () => {
    expect((await call('/keyed', withKey(key('Gold')))).status).toBe(200);
    for (const init of [{}, withKey(key('Off')), withKey(key('Stray')), { headers: { 'x-api-key': 'no-such-key' } }]) {
      const res = await call('/keyed', init);
      expect([res.status, res.text, res.headers.get('x-amzn-errortype')]).toEqual([403, '{"message":"Forbidden"}', 'ForbiddenException']);
    }
    // the plan covers prod only
    expect((await call('/keyed', withKey(key('Gold')), 'dev')).status).toBe(403);
  });

  it("throttles a key past its plan's throttle (429 Too Many Requests) and refuses it past the plan's quota (429 Limit Exceeded)", async () => {
    expect((await call('/throttled', withKey(key('Slowed')))).status).toBe(200);
    const throttled = await call('/throttled', withKey(key('Slowed')));
    expect([throttled.status, throttled.text, throttled.headers.get('x-amzn-errortype')]).toEqual([429, '{"message":"Too Many Requests"}', 'TooManyRequestsException']);
    expect((await call('/quota', withKey(key('Counted')))).status).toBe(200);
    expect((await call('/quota', withKey(key('Counted')))).status).toBe(200);
    const over = await call('/quota', withKey(key('Counted')));
    expect([over.status, over.text, over.headers.get('x-amzn-errortype')]).toEqual([429, '{"message":"Limit Exceeded"}', 'LimitExceededException']);
  });
});

describe('a TOKEN authorizer', () => {
  const auth = (token?: string) => (token === undefined ? {} : { headers: { Authorization: token } });

  it("lets an Allow through with its context in requestContext.authorizer; a Deny is 403, no token or the function's Unauthorized 401, a failure 500", async () => {
    const allowed = await call('/private', auth('allow-1'));
    expect(allowed.status).toBe(200);
    expect(allowed.json().requestContext.authorizer).toMatchObject({ principalId: 'user-allow-1', user: 'ann', tier: '3', integrationLatency: expect.any(Number) });
    const denied = await call('/private', auth('deny-1'));
    expect([denied.status, denied.text, denied.headers.get('x-amzn-errortype')]).toEqual([
      403,
      '{"Message":"User is not authorized to access this resource with an explicit deny"}',
      'AccessDeniedException',
    ]);
    for (const init of [auth(), auth('boom'), auth('zzz-fails-the-validation-expression')]) {
      const res = await call('/private', init);
      expect([res.status, res.text, res.headers.get('x-amzn-errortype')]).toEqual([401, '{"message":"Unauthorized"}', 'UnauthorizedException']);
    }
    const failed = await call('/private', auth('other'));
    expect([failed.status, failed.text]).toEqual([500, '{"message":null}']);
  });

  it('caches its answer by token for its TTL: two requests with one token invoke it once, the cached policy applied to another method', async () => {
    const cw = cloudwatch();
    try {
      const fn = stack.stack.functions.find((f) => f.logicalId === 'Auth')!.name;
      const invocations = () => sum(cw, 'AWS/Lambda', 'Invocations', { FunctionName: fn });
      const before = await invocations();
      expect((await call('/private', auth('allow-cached'))).status).toBe(200);
      expect((await call('/private/thing', auth('allow-cached'))).status).toBe(200);
      expect(await invocations()).toBe(before + 1);
    } finally {
      cw.destroy();
    }
  });
});

describe('a REQUEST authorizer naming the API key (ApiKeySource AUTHORIZER)', () => {
  const partner = (query: string, headers: Record<string, string> = { 'X-Room': 'r1' }) => fetch(`${stack.ready.restApis!.find((a) => a.name === 'partner')!.stages[0]!.url}/data?${query}`, { headers });

  it('gets the request less its body, every identity source required; the key it names admits the request, another is 403; with no TTL every request invokes it', async () => {
    const cw = cloudwatch();
    try {
      const fn = stack.stack.functions.find((f) => f.logicalId === 'Auth')!.name;
      const before = await sum(cw, 'AWS/Lambda', 'Invocations', { FunctionName: fn });
      const ok = await partner(`token=allow-p&usekey=${key('PartnerKey').value}`);
      expect(ok.status).toBe(200);
      expect((await ok.json()).requestContext.authorizer).toMatchObject({ principalId: 'req-allow-p-r1' });
      expect((await partner(`token=allow-p&usekey=${key('PartnerKey').value}`)).status).toBe(200);
      expect(await sum(cw, 'AWS/Lambda', 'Invocations', { FunctionName: fn })).toBe(before + 2);
      const stray = await partner(`token=allow-p&usekey=${key('Stray').value}`);
      expect([stray.status, await stray.text()]).toEqual([403, '{"message":"Forbidden"}']);
      expect((await partner('token=allow-p')).status).toBe(403);
      const noRoom = await partner(`token=allow-p&usekey=${key('PartnerKey').value}`, {});
      expect([noRoom.status, await noRoom.text()]).toEqual([401, '{"message":"Unauthorized"}']);
      expect((await partner(`token=deny-p&usekey=${key('PartnerKey').value}`)).status).toBe(403);
    } finally {
      cw.destroy();
    }
  });
});

describe('MOCK and HTTP_PROXY integrations', () => {
  it('MOCK: the request template\'s statusCode selects the integration response, its template rendered and its headers mapped', async () => {
    const ok = await call('/mock?scope=internal', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({ ok: true, stage: 'prod', table: 'rooms', asked: 'internal' });
    expect([ok.headers.get('x-mocked'), ok.headers.get('x-stage'), ok.headers.get('content-type')]).toEqual(['yes', 'prod', 'application/json']);
    const refused = await call('/mock', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect([refused.status, refused.json()]).toEqual([503, { ok: false }]);
    // WHEN_NO_TEMPLATES: a type no template takes is refused
    expect((await call('/mock', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
  });

  it("HTTP_PROXY: passes the method, the path parameter in the URI, the query string, headers and body to a backend on this host, and its answer back", async () => {
    const res = await call('/backend/a/b?x=1', { method: 'PATCH', headers: { 'content-type': 'text/plain', 'x-client': 'me' }, body: 'hello' });
    expect([res.status, res.headers.get('x-backend')]).toEqual([201, 'yes']);
    expect(res.json()).toMatchObject({ method: 'PATCH', url: '/echo/a/b?x=1', body: 'hello', headers: { 'x-client': 'me', 'content-type': 'text/plain' } });
  });

  it('stamps the reach of a probe a request carries at rest:<METHOD> <path>, the method it took', async () => {
    const cw = cloudwatch();
    try {
      await call('/backend/probe', { method: 'POST', body: encodeProbe({ origin: 1, slot: 0, sender: 2, seq: 3, intended: Date.now() }, 64) });
      expect(await sum(cw, 'FanoutBench/Path', 'ProbeReachMs', { Hop: 'rest:ANY /backend/{proxy+}' }, 'SampleCount')).toBe(1);
    } finally {
      cw.destroy();
    }
  });

  it('answers 500 for a backend elsewhere, and says why once at start', async () => {
    const res = await call('/elsewhere');
    expect([res.status, res.text]).toEqual([500, '{"message": "Internal server error"}']);
    expect(lines.filter((l) => l.includes('/elsewhere'))).toEqual([
      expect.stringMatching(/^REST API Shop: stage prod: method GET \/elsewhere \(HTTP_PROXY http:\/\/example\.com\/\): example\.com is not on this host/),
      expect.stringMatching(/^REST API Shop: stage dev: method GET \/elsewhere/),
    ]);
  });
});

describe('an AWS integration, and a function API Gateway may not invoke', () => {
  it("AWS: the request template's form sent to the stack's queue, signed as the CredentialsArn role; the integration response's template answers", async () => {
    const res = await call('/enqueue', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"order":7}' });
    expect([res.status, res.json()]).toEqual([200, { queued: true }]);
    const sqs = new SQSClient({ endpoint: stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL_SQS!, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL_SQS}/123456789012/${QUEUE}`, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
      expect(got.Messages?.map((m) => m.Body)).toEqual(['{"order":7}']);
      expect(got.Messages![0]!.Attributes!.SenderId).toMatch(/:API Gateway method Shop POST \/enqueue$/);
    } finally {
      sqs.destroy();
    }
    // PassthroughBehavior NEVER: a type no template takes is 415
    expect((await call('/enqueue', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' })).status).toBe(415);
  });

  it('answers 500 where no AWS::Lambda::Permission lets API Gateway invoke the function, and says why once at start', async () => {
    const res = await call('/locked');
    expect([res.status, res.text, res.headers.get('x-amzn-errortype')]).toEqual([500, '{"message": "Internal server error"}', 'InternalServerErrorException']);
    expect(lines.filter((l) => l.startsWith('iam: REST API Shop'))).toEqual([
      expect.stringMatching(/^iam: REST API Shop: method GET \/locked on stage prod: API Gateway may not invoke \S+-Auth: no AWS::Lambda::Permission lets apigateway\.amazonaws\.com do lambda:InvokeFunction from arn:aws:execute-api:us-east-1:123456789012:resttest01\/prod\/GET\/locked: the method fails as on AWS/),
      expect.stringMatching(/^iam: REST API Shop: method GET \/locked on stage dev: /),
    ]);
  });
});

describe("AWS/ApiGateway's REST metrics", () => {
  it('publishes Count, 4XXError, 5XXError, Latency and IntegrationLatency by ApiName, ApiName and Stage, and by method where detailed metrics are on', async () => {
    const cw = cloudwatch();
    try {
      const stage = { ApiName: 'shop', Stage: 'prod' };
      const before = await sum(cw, 'AWS/ApiGateway', 'Count', stage);
      const before5xx = await sum(cw, 'AWS/ApiGateway', '5XXError', stage);
      await call('/broken');
      await call('/nothing');
      expect(await sum(cw, 'AWS/ApiGateway', 'Count', stage)).toBe(before + 2);
      expect(await sum(cw, 'AWS/ApiGateway', '5XXError', stage)).toBe(before5xx + 1);
      expect(await sum(cw, 'AWS/ApiGateway', '4XXError', stage)).toBeGreaterThanOrEqual(1);
      expect(await sum(cw, 'AWS/ApiGateway', 'Count', { ApiName: 'shop' })).toBeGreaterThanOrEqual(before + 2);
      const broken = { ApiName: 'shop', Method: 'GET', Resource: '/broken', Stage: 'prod' };
      expect(await sum(cw, 'AWS/ApiGateway', '5XXError', broken)).toBeGreaterThanOrEqual(2);
      expect(await sum(cw, 'AWS/ApiGateway', 'IntegrationLatency', { ApiName: 'shop', Method: 'GET', Resource: '/items/{id}', Stage: 'prod' })).toBeGreaterThan(0);
      expect(await sum(cw, 'AWS/ApiGateway', 'Latency', stage)).toBeGreaterThan(0);
      // the dev stage has no detailed metrics: its stage set only
      await call('/items/1', {}, 'dev');
      expect(await sum(cw, 'AWS/ApiGateway', 'Count', { ApiName: 'shop', Stage: 'dev' })).toBeGreaterThanOrEqual(1);
      expect(await sum(cw, 'AWS/ApiGateway', 'Count', { ApiName: 'shop', Method: 'GET', Resource: '/items/{id}', Stage: 'dev' })).toBe(0);
    } finally {
      cw.destroy();
    }
  });
});

function cloudwatch(): CloudWatchClient {
  return new CloudWatchClient({ endpoint: stack.ready.cloudwatchEndpoint, region: stack.ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

async function sum(cw: CloudWatchClient, namespace: string, name: string, dims: Record<string, string>, stat = 'Sum'): Promise<number> {
  const out = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(Date.now() - 600_000),
      EndTime: new Date(Date.now() + 60_000),
      MetricDataQueries: [{ Id: 'm', MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) }, Period: 60, Stat: stat } }],
    }),
  );
  return (out.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
}
