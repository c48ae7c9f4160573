import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { inlineFunction, lambdaUri, websocketTemplates } from './websocket-template.ts';

/**
 * An HTTP API's CORS configuration as API Gateway applies it, over real HTTP on 127.0.0.1: the
 * API answers a preflight itself (204, the configured headers for an allowed origin, none for
 * another), unless an OPTIONS route or `$default` takes it; every answer to an allowed origin gets
 * Allow-Origin, Expose-Headers and Allow-Credentials, and the function's own Access-Control-*
 * headers are dropped. CorsConfiguration (PascalCase) and the Body's x-amazon-apigateway-cors
 * (camelCase) alike; a setting out of range refused in one line.
 */
const { read } = websocketTemplates('fb-http-cors-');
// answers with a CORS header of its own (API Gateway drops it) and says which route ran
const ECHO = `exports.handler = async (event) => ({ statusCode: 200, headers: { 'access-control-allow-origin': 'https://evil.example', 'x-seen': 'yes' }, body: event.routeKey });`;
const permission = (api: string) => ({
  Type: 'AWS::Lambda::Permission',
  Properties: { Action: 'lambda:InvokeFunction', FunctionName: { Ref: 'Echo' }, Principal: 'apigateway.amazonaws.com', SourceArn: { 'Fn::Sub': `arn:aws:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${api}}/*` } },
});
const route = (key: string) => ({ Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Http' }, RouteKey: key, Target: { 'Fn::Sub': 'integrations/${HttpIntegration}' } } });
const CORS = { AllowOrigins: ['https://app.example.com', 'http://*'], AllowMethods: ['GET', 'POST'], AllowHeaders: ['authorization', 'content-type'], ExposeHeaders: ['x-seen'], MaxAge: 300, AllowCredentials: true };

const RESOURCES = {
  Echo: inlineFunction({ Code: { ZipFile: ECHO } }),
  Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'cors', ProtocolType: 'HTTP', CorsConfiguration: CORS } },
  HttpStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Http' }, StageName: '$default' } },
  HttpIntegration: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri('Echo'), PayloadFormatVersion: '2.0' } },
  Notify: route('POST /notify'),
  Custom: route('OPTIONS /custom'),
  HttpPermission: permission('Http'),
  // the Body's form, every origin allowed, and a $default route that takes every preflight
  Docs: {
    Type: 'AWS::ApiGatewayV2::Api',
    Properties: {
      Name: 'docs',
      ProtocolType: 'HTTP',
      Body: {
        openapi: '3.0.1',
        info: { title: 'docs', version: '1' },
        'x-amazon-apigateway-cors': { allowOrigins: ['*'], allowMethods: ['*'] },
        paths: { $default: { 'x-amazon-apigateway-any-method': { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('Echo'), payloadFormatVersion: '2.0' }, responses: {} } } },
      },
    },
  },
  DocsStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Docs' }, StageName: '$default' } },
  DocsPermission: permission('Docs'),
};

let stack: RunningStack;
beforeAll(async () => {
  const described = await read(RESOURCES);
  stack = await startStack({ config: defaultStackConfig({ accountId: '123456789012', lambda: { preparedPerFunction: 0 } }), stack: described, log: () => {} });
});
afterAll(() => stack?.close());

async function call(api: string, path: string, init: RequestInit): Promise<{ status: number; cors: Record<string, string>; text: string }> {
  const res = await fetch(`${stack.ready.httpApis!.find((a) => a.name === api)!.url}${path}`, init);
  const cors = Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('access-control-')));
  return { status: res.status, cors, text: await res.text() };
}
const preflight = (origin: string) => ({ method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });

describe("an HTTP API's CORS configuration", () => {
  it('answers a preflight itself, 204 with the configured headers, for an allowed origin (exact, or its scheme\'s wildcard)', async () => {
    const allowed = { 'access-control-allow-methods': 'GET,POST', 'access-control-allow-headers': 'authorization,content-type', 'access-control-max-age': '300', 'access-control-allow-credentials': 'true' };
    expect(await call('cors', '/notify', preflight('https://app.example.com'))).toEqual({ status: 204, cors: { 'access-control-allow-origin': 'https://app.example.com', ...allowed }, text: '' });
    expect(await call('cors', '/anywhere', preflight('http://localhost:3000'))).toEqual({ status: 204, cors: { 'access-control-allow-origin': 'http://localhost:3000', ...allowed }, text: '' });
    // another origin: answered, without a header the browser needs
    expect(await call('cors', '/notify', preflight('https://other.example'))).toEqual({ status: 204, cors: {}, text: '' });
  });

  it("adds Allow-Origin, Expose-Headers and Allow-Credentials to the integration's answer for an allowed origin, its own Access-Control-* dropped", async () => {
    const hit = await call('cors', '/notify', { method: 'POST', headers: { origin: 'https://app.example.com' }, body: 'x' });
    expect(hit).toEqual({ status: 200, cors: { 'access-control-allow-origin': 'https://app.example.com', 'access-control-expose-headers': 'x-seen', 'access-control-allow-credentials': 'true' }, text: 'POST /notify' });
    expect(await call('cors', '/notify', { method: 'POST', headers: { origin: 'https://other.example' }, body: 'x' })).toEqual({ status: 200, cors: {}, text: 'POST /notify' });
    expect(await call('cors', '/notify', { method: 'POST', body: 'x' })).toEqual({ status: 200, cors: {}, text: 'POST /notify' });
    // API Gateway's own answers too
    expect(await call('cors', '/nowhere', { method: 'GET', headers: { origin: 'https://app.example.com' } })).toMatchObject({ status: 404, cors: { 'access-control-allow-origin': 'https://app.example.com' } });
  });

  it('leaves a preflight to an OPTIONS route of its path, and to $default (the Body form, every origin)', async () => {
    expect(await call('cors', '/custom', preflight('https://app.example.com'))).toMatchObject({ status: 200, text: 'OPTIONS /custom' });
    expect(await call('docs', '/pages/1', preflight('https://any.example'))).toEqual({ status: 200, cors: { 'access-control-allow-origin': '*' }, text: '$default' });
  });

  it('refuses a setting out of range or unknown in one line naming it', async () => {
    const withCors = (cors: Record<string, unknown>) => ({ ...RESOURCES, Http: { ...RESOURCES.Http, Properties: { ...RESOURCES.Http.Properties, CorsConfiguration: cors } } });
    await expect(read(withCors({ MaxAge: 90_000 }))).rejects.toThrow(/resource Http property CorsConfiguration\.MaxAge: .*86400/);
    await expect(read(withCors({ AllowOrigin: ['*'] }))).rejects.toThrow(/resource Http property CorsConfiguration\.AllowOrigin: not a CORS setting of an HTTP API$/);
  });
});
