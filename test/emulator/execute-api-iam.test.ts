import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { signRequest } from '../../emulator/gateway/aws-integration-signing.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { inlineFunction, lambdaUri, websocketTemplates } from './websocket-template.ts';

/**
 * IAM authorization (`AWS_IAM`) of an HTTP API route and a REST method, over real HTTP: unsigned,
 * refused in each API type's words; signed with the local credentials (a caller outside the
 * stack), admitted, the integration told who called; signed by a stack function with its own
 * session (its code signs with Signature Version 4, as an SDK does), admitted where its role
 * allows `execute-api:Invoke` on the route's ARN and refused where it does not, in IAM's words.
 */
const { read } = websocketTemplates('fb-execute-api-iam-');
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ECHO = `exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext) });`;
/**
 * A backend function behind a public route: it calls the URL its request names, signed with its
 * own role's session, SigV4 written out as AWS documents it, and answers what it got.
 */
const CALLER = `const crypto = require('node:crypto');
const hex = (d) => crypto.createHash('sha256').update(d).digest('hex');
const hmac = (k, d) => crypto.createHmac('sha256', k).update(d).digest();
exports.handler = async (event) => {
  const asked = JSON.parse(event.body);
  const url = new URL(asked.url);
  const body = 'from a function';
  const stamp = new Date().toISOString().replace(/[:-]|\\.\\d{3}/g, '');
  const date = stamp.slice(0, 8);
  const region = process.env.AWS_REGION;
  const headers = { host: url.host, 'x-amz-date': stamp, 'x-amz-security-token': process.env.AWS_SESSION_TOKEN };
  const names = Object.keys(headers).sort();
  const canonical = [asked.method, url.pathname, '', ...names.map((n) => n + ':' + headers[n]), '', names.join(';'), hex(body)].join('\\n');
  const scope = date + '/' + region + '/execute-api/aws4_request';
  const key = hmac(hmac(hmac(hmac('AWS4' + process.env.AWS_SECRET_ACCESS_KEY, date), region), 'execute-api'), 'aws4_request');
  const signature = crypto.createHmac('sha256', key).update(['AWS4-HMAC-SHA256', stamp, scope, hex(canonical)].join('\\n')).digest('hex');
  const authorization = 'AWS4-HMAC-SHA256 Credential=' + process.env.AWS_ACCESS_KEY_ID + '/' + scope + ', SignedHeaders=' + names.join(';') + ', Signature=' + signature;
  const res = await fetch(url, { method: asked.method, body, headers: { ...headers, authorization } });
  return { status: res.status, body: await res.text() };
};`;

const role = (statements: unknown[]) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
    ...(statements.length ? { Policies: [{ PolicyName: 'invoke', PolicyDocument: { Version: '2012-10-17', Statement: statements } }] } : {}),
  },
});
const permission = (api: string, fn = 'Echo') => ({
  Type: 'AWS::Lambda::Permission',
  Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: fn }, Principal: 'apigateway.amazonaws.com', SourceArn: { 'Fn::Sub': `arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${api}}/*` } },
});

const RESOURCES = {
  Echo: inlineFunction({ Code: { ZipFile: ECHO } }),
  // may invoke the HTTP API's signed route and the REST API's method; the other may invoke nothing
  AllowedRole: role([
    { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: { 'Fn::Sub': 'arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Http}/$default/POST/signed' } },
    { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: { 'Fn::Sub': 'arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${Rest}/*/POST/*' } },
  ]),
  DeniedRole: role([]),
  Allowed: inlineFunction({ Code: { ZipFile: CALLER }, Role: { 'Fn::GetAtt': ['AllowedRole', 'Arn'] } }),
  Denied: inlineFunction({ Code: { ZipFile: CALLER }, Role: { 'Fn::GetAtt': ['DeniedRole', 'Arn'] } }),
  Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'signed-http', ProtocolType: 'HTTP' } },
  HttpStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Http' }, StageName: '$default' } },
  HttpEcho: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri('Echo'), PayloadFormatVersion: '2.0' } },
  Signed: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Http' }, RouteKey: 'POST /signed', AuthorizationType: 'AWS_IAM', Target: { 'Fn::Sub': 'integrations/${HttpEcho}' } } },
  HttpPermission: permission('Http'),
  // the backends, each behind a public route of its own
  AllowedCall: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri('Allowed'), PayloadFormatVersion: '2.0' } },
  DeniedCall: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri('Denied'), PayloadFormatVersion: '2.0' } },
  CallAllowed: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Http' }, RouteKey: 'POST /call/allowed', Target: { 'Fn::Sub': 'integrations/${AllowedCall}' } } },
  CallDenied: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Http' }, RouteKey: 'POST /call/denied', Target: { 'Fn::Sub': 'integrations/${DeniedCall}' } } },
  AllowedPermission: permission('Http', 'Allowed'),
  DeniedPermission: permission('Http', 'Denied'),
  Rest: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'signed-rest' } },
  Items: { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: { Ref: 'Rest' }, ParentId: { 'Fn::GetAtt': ['Rest', 'RootResourceId'] }, PathPart: 'items' } },
  ItemsPost: {
    Type: 'AWS::ApiGateway::Method',
    Properties: { RestApiId: { Ref: 'Rest' }, ResourceId: { Ref: 'Items' }, HttpMethod: 'POST', AuthorizationType: 'AWS_IAM', Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: lambdaUri('Echo') } },
  },
  RestDeployment: { Type: 'AWS::ApiGateway::Deployment', DependsOn: 'ItemsPost', Properties: { RestApiId: { Ref: 'Rest' }, StageName: 'dev' } },
  RestPermission: permission('Rest'),
};

let stack: RunningStack;
let httpUrl: string;
let restUrl: string;
beforeAll(async () => {
  stack = await startStack({ config: defaultStackConfig({ accountId: ACCOUNT, region: REGION, lambda: { preparedPerFunction: 0 } }), stack: await read(RESOURCES), log: () => {} });
  httpUrl = stack.ready.httpApis!.find((a) => a.name === 'signed-http')!.url;
  restUrl = stack.ready.restApis!.find((a) => a.name === 'signed-rest')!.stages[0]!.url;
});
afterAll(() => stack?.close());

/** A request signed with the local credentials, as a backend or the harness signs one. */
async function signedByLocal(url: string): Promise<{ status: number; json: Record<string, any> }> {
  const u = new URL(url);
  const headers: Record<string, string> = { host: u.host };
  await signRequest({ method: 'POST', path: u.pathname, query: '', headers, body: 'from the harness' }, { accessKeyId: 'local', secretAccessKey: 'local' }, { region: REGION, service: 'execute-api' });
  const res = await fetch(url, { method: 'POST', headers, body: 'from the harness' });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}
/** What the backend `name` got calling `url` signed with its own session. */
async function signedBy(name: 'Allowed' | 'Denied', url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${httpUrl}/call/${name.toLowerCase()}`, { method: 'POST', body: JSON.stringify({ url, method: 'POST' }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: number; body: string };
}
const roleArn = (name: 'Allowed' | 'Denied') => {
  const fn = stack.stack.functions.find((f) => f.logicalId === name)!;
  return new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/[^/]+/${fn.name}$`);
};

describe('an HTTP API route with AWS_IAM authorization', () => {
  it('refuses an unsigned request: 403 Forbidden, the function never called', async () => {
    const res = await fetch(`${httpUrl}/signed`, { method: 'POST', body: 'x' });
    expect([res.status, await res.json()]).toEqual([403, { message: 'Forbidden' }]);
  });

  it('admits a request signed with the local credentials, the integration told who called (requestContext.authorizer.iam)', async () => {
    const { status, json } = await signedByLocal(`${httpUrl}/signed`);
    expect(status).toBe(200);
    expect(json.authorizer.iam).toEqual({ accessKey: 'local', accountId: ACCOUNT, callerId: expect.stringMatching(/^AIDA/), cognitoIdentity: null, principalOrgId: null, userArn: `arn:aws:iam::${ACCOUNT}:user/fanout-bench-local`, userId: expect.stringMatching(/^AIDA/) });
  });

  it("admits a function whose role allows execute-api:Invoke on the route, and refuses one whose role does not", async () => {
    const allowed = await signedBy('Allowed', `${httpUrl}/signed`);
    expect(allowed.status).toBe(200);
    expect(JSON.parse(allowed.body).authorizer.iam.userArn).toMatch(roleArn('Allowed'));
    expect(await signedBy('Denied', `${httpUrl}/signed`)).toEqual({ status: 403, body: '{"message":"Forbidden"}' });
  });
});

describe('a REST method with AWS_IAM authorization', () => {
  it('refuses an unsigned request as API Gateway does: 403 Missing Authentication Token', async () => {
    const res = await fetch(`${restUrl}/items`, { method: 'POST', body: 'x' });
    expect([res.status, res.headers.get('x-amzn-errortype'), await res.json()]).toEqual([403, 'MissingAuthenticationTokenException', { message: 'Missing Authentication Token' }]);
  });

  it('admits a signed caller, named in requestContext.identity', async () => {
    const { status, json } = await signedByLocal(`${restUrl}/items`);
    expect(status).toBe(200);
    expect(json.identity).toMatchObject({ accessKey: 'local', accountId: ACCOUNT, userArn: `arn:aws:iam::${ACCOUNT}:user/fanout-bench-local`, caller: expect.stringMatching(/^AIDA/) });
  });

  it("refuses a function whose role does not allow execute-api:Invoke on the method's ARN, in IAM's words", async () => {
    const allowed = await signedBy('Allowed', `${restUrl}/items`);
    expect(allowed.status).toBe(200);
    expect(JSON.parse(allowed.body).identity.userArn).toMatch(roleArn('Allowed'));
    const denied = await signedBy('Denied', `${restUrl}/items`);
    expect(denied.status).toBe(403);
    const api = stack.ready.restApis!.find((a) => a.name === 'signed-rest')!;
    expect(JSON.parse(denied.body).Message).toMatch(new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/\\S+ is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:${REGION}:${ACCOUNT}:${api.apiId}/dev/POST/items$`));
  });
});
