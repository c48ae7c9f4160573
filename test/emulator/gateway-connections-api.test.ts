import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GetConnectionCommand,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import type { RunningStack } from '../../emulator/stack.ts';
import { startOwnStack } from '../fixtures/stack-model/own-functions-stack.ts';
import { connect, connectionIdOf, eventually, fixture, recordedEvents } from '../fixtures/gateway/clients.ts';

// The @connections management API through the real SDK v3 client: each error must surface as
// the SDK's own exception class.

const functions = [
  fixture('fx-connect', '$connect', 'record.ts'),
  fixture('fx-disconnect', '$disconnect', 'record.ts'),
  fixture('fx-echo', 'echo', 'echo.ts'),
];
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let stack: RunningStack;
let throttled: RunningStack;
let api: ApiGatewayManagementApiClient;

beforeAll(async () => {
  [stack, throttled] = await Promise.all([
    startOwnStack({ config: defaultStackConfig({ stage: 'prod' }), functions, log: () => {} }),
    startOwnStack({ config: defaultStackConfig({ limits: { accountRps: 1, accountBurst: 1 } }), functions, log: () => {} }),
  ]);
  api = new ApiGatewayManagementApiClient({ endpoint: stack.ready.callbackUrl, region: 'us-east-1', credentials });
});

afterAll(async () => {
  api?.destroy();
  await Promise.all([stack?.close(), throttled?.close()]);
});

describe('POST @connections/{id}', () => {
  it('delivers text as a text frame, byte for byte', async () => {
    const c = await connect(stack.ready.websocketUrl);
    const id = await connectionIdOf(c);
    const text = '{"type":"message","payload":{"emoji":"\u{1F680}","n":1}}';
    await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: text }));
    const frame = await c.nextFrame();
    expect(frame).toEqual({ data: text, binary: false });
    c.close();
  });

  it('delivers bytes that are not UTF-8 as a binary frame', async () => {
    const c = await connect(stack.ready.websocketUrl);
    const id = await connectionIdOf(c);
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x80]);
    await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: bytes }));
    const frame = await c.nextFrame();
    expect(frame.binary).toBe(true);
    expect(Buffer.from(frame.data, 'base64')).toEqual(Buffer.from(bytes));
    c.close();
  });

  it('raises GoneException (410) for an unknown connection', async () => {
    const err = await api.send(new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: 'x' })).catch((e) => e);
    expect(err).toBeInstanceOf(GoneException);
    expect(err.$metadata.httpStatusCode).toBe(410);
  });

  it('raises ForbiddenException (403) for another stage', async () => {
    const wrong = new ApiGatewayManagementApiClient({
      endpoint: stack.ready.callbackUrl.replace(/\/prod$/, '/dev'),
      region: 'us-east-1',
      credentials,
    });
    const err = await wrong.send(new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: 'x' })).catch((e) => e);
    wrong.destroy();
    expect(err).toBeInstanceOf(ForbiddenException);
    expect(err.$metadata.httpStatusCode).toBe(403);
  });

  it('raises PayloadTooLargeException (413) over 128 KB and delivers exactly 128 KB', async () => {
    const c = await connect(stack.ready.websocketUrl);
    const id = await connectionIdOf(c);
    const err = await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'a'.repeat(131_073) })).catch((e) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeException);
    expect(err.$metadata.httpStatusCode).toBe(413);
    await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'b'.repeat(131_072) }));
    expect((await c.next()).length).toBe(131_072);
    c.close();
  });

  it('raises LimitExceededException (429) over the account throttle', async () => {
    const limitedApi = new ApiGatewayManagementApiClient({
      endpoint: throttled.ready.callbackUrl,
      region: 'us-east-1',
      credentials,
      maxAttempts: 1, // the SDK would retry a throttle; see the raw answer
    });
    const results = await Promise.all(
      Array.from({ length: 4 }, () => limitedApi.send(new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: 'x' })).catch((e) => e)),
    );
    limitedApi.destroy();
    expect(results.some((r) => r instanceof LimitExceededException)).toBe(true);
    const limited = results.find((r) => r instanceof LimitExceededException);
    expect(limited?.$metadata.httpStatusCode).toBe(429);
  });
});

describe('GET and DELETE @connections/{id}', () => {
  it('GET describes the connection with camelCase fields', async () => {
    const c = await connect(stack.ready.websocketUrl, { headers: { 'User-Agent': 'get-test/2' } });
    const id = await connectionIdOf(c);

    const raw = await fetch(`${stack.ready.callbackUrl}/@connections/${encodeURIComponent(id)}`);
    expect(raw.status).toBe(200);
    const body = await raw.json();
    expect(Object.keys(body).sort()).toEqual(['connectedAt', 'identity', 'lastActiveAt']);
    expect(body.identity).toEqual({ sourceIp: '127.0.0.1', userAgent: 'get-test/2' });
    expect(new Date(body.connectedAt).toISOString()).toBe(body.connectedAt);

    const out = await api.send(new GetConnectionCommand({ ConnectionId: id }));
    expect(out.ConnectedAt).toBeInstanceOf(Date);
    expect(out.LastActiveAt!.getTime()).toBeGreaterThanOrEqual(out.ConnectedAt!.getTime());
    expect(out.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'get-test/2' });
    c.close();
  });

  it('DELETE closes the socket, $disconnect follows, and the id is gone afterwards', async () => {
    const c = await connect(stack.ready.websocketUrl);
    const id = await connectionIdOf(c);
    await api.send(new DeleteConnectionCommand({ ConnectionId: id }));
    await c.closed;
    const disconnect = await eventually(async () => {
      const events = await recordedEvents(stack.ready.dynamodbEndpoint, id);
      return events.find((e) => e.requestContext.eventType === 'DISCONNECT');
    }, 15_000, 'the disconnect event');
    expect(disconnect.requestContext.connectionId).toBe(id);
    const err = await api.send(new GetConnectionCommand({ ConnectionId: id })).catch((e) => e);
    expect(err).toBeInstanceOf(GoneException);
    const del = await api.send(new DeleteConnectionCommand({ ConnectionId: id })).catch((e) => e);
    expect(del).toBeInstanceOf(GoneException);
  });
});
