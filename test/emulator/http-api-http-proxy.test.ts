import { ApiGatewayV2Client, GetIntegrationsCommand } from '@aws-sdk/client-apigatewayv2';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { inlineFunction, websocketTemplates } from './websocket-template.ts';

/**
 * An HTTP API's HTTP proxy integrations (HTTP_PROXY) to a backend on 127.0.0.1: the URI's path
 * variables and stage variables filled, the request passed on, the integration's request
 * parameters applied, the backend's answer as it is; API Gateway's own answers where the backend
 * is slow, down or elsewhere; and what the reader refuses. A real HTTP server is the backend.
 */
const { read } = websocketTemplates('fb-http-proxy-');

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
const seen: Seen[] = [];
let backend: Server;
let port = 0;
/** a port nothing listens on: a server's, closed */
let closedPort = 0;

const listen = (s: Server) => new Promise<number>((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));

const route = (key: string, integration: string) => ({
  Type: 'AWS::ApiGatewayV2::Route',
  Properties: { ApiId: { Ref: 'Http' }, RouteKey: key, Target: { 'Fn::Sub': `integrations/\${${integration}}` } },
});
const proxy = (uri: string, extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::ApiGatewayV2::Integration',
  Properties: { ApiId: { Ref: 'Http' }, IntegrationType: 'HTTP_PROXY', IntegrationUri: uri, IntegrationMethod: 'ANY', PayloadFormatVersion: '1.0', ...extra },
});

let stack: RunningStack;
const lines: string[] = [];
beforeAll(async () => {
  backend = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      const answer = () => res.writeHead(201, { 'content-type': 'text/plain', 'x-backend': 'pets' }).end(`backend saw ${req.method} ${req.url}`);
      // the test's own delay: past the route's 100 ms timeout whatever the host's pace
      if (req.url!.startsWith('/slow')) setTimeout(answer, 1_000);
      else answer();
    });
  });
  port = await listen(backend);
  const closed = createServer();
  closedPort = await listen(closed);
  await new Promise((r) => closed.close(r));
  const described = await read({
    Echo: inlineFunction(),
    Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'proxied', ProtocolType: 'HTTP' } },
    HttpStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Http' }, StageName: 'live', StageVariables: { backendPort: String(port) } } },
    Pets: proxy('http://127.0.0.1:${stageVariables.backendPort}/petstore/{proxy}?from=api'),
    Pets2: route('ANY /pets/{proxy+}', 'Pets'),
    Notify: proxy(`http://127.0.0.1:${port}/unused`, {
      IntegrationMethod: 'PUT',
      RequestParameters: {
        'append:header.x-request-id': '$context.requestId',
        'overwrite:querystring.room': '$request.header.x-room',
        'append:querystring.tag': 'static-${request.path.id}',
        'remove:header.x-secret': "''",
        'overwrite:path': '/hooks/$request.path.id',
      },
    }),
    NotifyRoute: route('POST /rooms/{id}/notify', 'Notify'),
    Slow: proxy(`http://127.0.0.1:${port}/slow`, { TimeoutInMillis: 100 }),
    SlowRoute: route('GET /slow', 'Slow'),
    Down: proxy(`http://127.0.0.1:${closedPort}/`),
    DownRoute: route('GET /down', 'Down'),
    Elsewhere: proxy('http://example.com/hook'),
    ElsewhereRoute: route('GET /elsewhere', 'Elsewhere'),
    // an OpenAPI definition's http_proxy (what SAM's DefinitionBody and imported APIs write), and a quick create's URL Target
    Docs: {
      Type: 'AWS::ApiGatewayV2::Api',
      Properties: {
        Name: 'docs',
        ProtocolType: 'HTTP',
        Body: {
          openapi: '3.0.1',
          info: { title: 'docs', version: '1' },
          paths: { '/pages/{page}': { get: { 'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: `http://127.0.0.1:${port}/docs/{page}`, payloadFormatVersion: '1.0' }, responses: {} } } },
        },
      },
    },
    DocsStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Docs' }, StageName: '$default' } },
    Quick: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'quick', ProtocolType: 'HTTP', Target: `http://127.0.0.1:${port}/quick` } },
  });
  stack = await startStack({ config: defaultStackConfig({ accountId: '123456789012', lambda: { preparedPerFunction: 0 } }), stack: described, log: (l) => lines.push(l) });
});
afterAll(async () => {
  await stack?.close();
  await new Promise((r) => backend?.close(r));
});

const api = () => stack.ready.httpApis!.find((a) => a.name === 'proxied')!;
async function call(path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(`${api().url}${path}`, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe("an HTTP API's HTTP proxy integration to a backend on this host", () => {
  it('is served, its routes in the ready line with no function', () => {
    expect(api()).toMatchObject({ stage: 'live', url: expect.stringMatching(/\/live$/) });
    expect(api().routes.find((r) => r.routeKey === 'ANY /pets/{proxy+}')).toEqual({ routeKey: 'ANY /pets/{proxy+}', payloadFormatVersion: '1.0' });
  });

  it('passes the request on (the greedy path into {proxy}, the stage variable into the URI, query, headers, body, the method under ANY) and the answer back as it is', async () => {
    seen.length = 0;
    const res = await call('/pets/dogs/rex?size=big&size=small', { method: 'DELETE', headers: { 'x-multi': 'one', 'content-type': 'application/json' }, body: '{"why":"adopted"}' });
    expect([res.status, res.text, res.headers.get('x-backend'), res.headers.get('content-type')]).toEqual([201, 'backend saw DELETE /petstore/dogs/rex?from=api&size=big&size=small', 'pets', 'text/plain']);
    expect(res.headers.get('apigw-requestid')).toBeTruthy();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'DELETE', body: '{"why":"adopted"}', headers: { 'x-multi': 'one', 'content-type': 'application/json' } });
  });

  it("applies the integration's request parameters: a header appended from $context, a query parameter from a header, a static value with a path variable, a header removed, the path overwritten; the integration's method", async () => {
    seen.length = 0;
    const res = await call('/rooms/42/notify?room=ignored', { method: 'POST', headers: { 'x-room': 'lobby', 'x-secret': 's3cret' }, body: 'hi' });
    expect(res.status).toBe(201);
    const got = seen[0]!;
    const url = new URL(got.url, 'http://x');
    expect([got.method, url.pathname, url.searchParams.getAll('room'), url.searchParams.getAll('tag'), got.body]).toEqual(['PUT', '/hooks/42', ['lobby'], ['static-42'], 'hi']);
    expect(got.headers['x-request-id']).toBe(res.headers.get('apigw-requestid'));
    expect(got.headers['x-secret']).toBeUndefined();
  });

  it("answers in API Gateway's words: past the timeout 503, a backend that refuses the connection 500 (said once), a backend elsewhere 500 (said at start, never called)", async () => {
    expect(await call('/slow').then((r) => [r.status, JSON.parse(r.text)])).toEqual([503, { message: 'Service Unavailable' }]);
    for (let i = 0; i < 2; i++) expect(await call('/down').then((r) => [r.status, JSON.parse(r.text)])).toEqual([500, { message: 'Internal Server Error' }]);
    expect(lines.filter((l) => l.includes('route GET /down'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('route GET /down'))).toMatch(/^HTTP API Http: route GET \/down \(HTTP_PROXY http:\/\/127\.0\.0\.1:\d+\): .*ECONNREFUSED.*: 500 \{"message":"Internal Server Error"\}$/);
    expect(await call('/elsewhere').then((r) => [r.status, JSON.parse(r.text)])).toEqual([500, { message: 'Internal Server Error' }]);
    expect(lines).toContain('HTTP API Http: route GET /elsewhere (HTTP_PROXY): not run: example.com is not on this host: the emulator calls only addresses on this host (127.x, localhost, ::1): 500 {"message":"Internal Server Error"}');
  });

  it("from an OpenAPI definition's http_proxy and from a quick create's URL Target alike", async () => {
    seen.length = 0;
    const url = (name: string) => stack.ready.httpApis!.find((a) => a.name === name)!.url;
    expect((await fetch(`${url('docs')}/pages/intro%20page`)).status).toBe(201);
    expect((await fetch(`${url('quick')}/anything`, { method: 'POST', body: 'q' })).status).toBe(201);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /docs/intro%20page', 'POST /quick']);
  });

  it('is described by GetIntegrations as API Gateway describes an HTTP proxy integration', async () => {
    const v2 = new ApiGatewayV2Client({ endpoint: stack.ready.apiGatewayV2Endpoint, region: stack.ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const items = (await v2.send(new GetIntegrationsCommand({ ApiId: api().apiId }))).Items ?? [];
      expect(items.find((i) => i.IntegrationUri?.endsWith('/unused'))).toMatchObject({
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'PUT',
        PayloadFormatVersion: '1.0',
        RequestParameters: { 'overwrite:path': '/hooks/$request.path.id' },
      });
    } finally {
      v2.destroy();
    }
  });
});

describe('an HTTP proxy integration the emulator refuses or does not run', () => {
  const base = { Echo: inlineFunction(), Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } }, S: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Http' }, StageName: '$default' } }, R: route('GET /x', 'I') };
  it('payload 2.0, a request parameter API Gateway does not take, the request body in a mapping, a URI that is no URL: one line naming the property', async () => {
    await expect(read({ ...base, I: proxy('http://127.0.0.1:1/', { PayloadFormatVersion: '2.0' }) })).rejects.toThrow(/resource I property PayloadFormatVersion: 2\.0: an HTTP proxy integration's payload format version is 1\.0$/);
    await expect(read({ ...base, I: proxy('http://127.0.0.1:1/', { RequestParameters: { 'overwrite:body': 'x' } }) })).rejects.toThrow(/resource I property RequestParameters\.overwrite:body: overwrite:body: an HTTP API's request parameter is /);
    await expect(read({ ...base, I: proxy('http://127.0.0.1:1/', { RequestParameters: { 'append:header.x-name': '$request.body.name' } }) })).rejects.toThrow(/the request body in a parameter mapping is not run by the emulator$/);
    await expect(read({ ...base, I: proxy('arn:aws:lambda:us-east-1:1:function:f') })).rejects.toThrow(/resource I property IntegrationUri: .*: an HTTP proxy integration's URI is an http:\/\/ or https:\/\/ URL$/);
  });

  it('response parameter mapping: the API not served, one warning naming it', async () => {
    const described = await read({ ...base, I: proxy('http://127.0.0.1:1/', { ResponseParameters: { '200': { 'append:header.x': 'y' } } }) });
    expect(described.httpApis).toBeUndefined();
    expect(described.warnings).toContain('HTTP API Http is not served: integration I maps its responses (ResponseParameters), which the emulator does not run');
  });
});
