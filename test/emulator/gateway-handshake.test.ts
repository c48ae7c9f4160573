import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig, loadStackConfig } from '../../emulator/config.ts';
import type { RunningStack } from '../../emulator/stack.ts';
import { startOwnStack } from '../fixtures/stack-model/own-functions-stack.ts';
import { connect, eventually, findConnectEvent, fixture, handshakeStatus } from '../fixtures/gateway/clients.ts';

// The handshake: $connect runs before the upgrade completes, its answer decides the HTTP status.

let stack: RunningStack;
let noConnect: RunningStack;
let limited: RunningStack;

beforeAll(async () => {
  [stack, noConnect, limited] = await Promise.all([
    startOwnStack({
      config: defaultStackConfig({ stage: 'hs' }),
      functions: [fixture('fx-connect', '$connect', 'record.ts'), fixture('fx-echo', 'echo', 'echo.ts')],
      log: () => {},
    }),
    startOwnStack({
      config: loadStackConfig({
        overrides: { functions: { 'fx-throttled-connect': { forceThrottleShare: 1 } } },
      }),
      // every $connect invoke is throttled (forceThrottleShare 1)
      functions: [fixture('fx-throttled-connect', '$connect', 'record.ts')],
      log: () => {},
    }),
    startOwnStack({
      config: defaultStackConfig({ limits: { newConnectionsPerSecond: 2 } }),
      functions: [fixture('fx-echo', 'echo', 'echo.ts')],
      log: () => {},
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([stack?.close(), noConnect?.close(), limited?.close()]);
});

describe('$connect decides the handshake', () => {
  it('accepts when $connect answers 2xx', async () => {
    expect(await handshakeStatus(stack.ready.websocketUrl)).toBe(101);
  });

  it("fails the handshake with $connect's own non-2xx status", async () => {
    expect(await handshakeStatus(`${stack.ready.websocketUrl}?status=401`)).toBe(401);
    expect(await handshakeStatus(`${stack.ready.websocketUrl}?status=403`)).toBe(403);
  });

  it('answers 502 when $connect throws', async () => {
    expect(await handshakeStatus(`${stack.ready.websocketUrl}?throw=1`)).toBe(502);
  });

  it('answers 500 when Lambda throttles the $connect invoke', async () => {
    expect(await handshakeStatus(noConnect.ready.websocketUrl)).toBe(500);
  });

  it('accepts every handshake when there is no $connect route', async () => {
    const c = await connect(limited.ready.websocketUrl);
    c.send({ action: 'echo' });
    expect((await c.nextJson()).routeKey).toBe('echo');
    c.close();
  });

  it('echoes the subprotocol $connect chose', async () => {
    const c = await connect(`${stack.ready.websocketUrl}?protocol=chat.v2`, { protocols: ['chat.v1', 'chat.v2'] });
    expect(c.ws.protocol).toBe('chat.v2');
    c.close();
  });

  it('answers 404 for a path other than /{stage}', async () => {
    const base = new URL(stack.ready.websocketUrl);
    expect(await handshakeStatus(`ws://${base.host}/other`)).toBe(404);
    expect(await handshakeStatus(`ws://${base.host}/hs/more`)).toBe(404);
  });

  it('a connection whose $connect is still running is not ready: @connections answers 410', async () => {
    const marker = `m${Date.now()}`;
    const pending = connect(`${stack.ready.websocketUrl}?delayMs=3000&marker=${marker}`);
    const event = await eventually(() => findConnectEvent(stack.ready.dynamodbEndpoint, marker), 10_000, 'the connect event');
    const id = event.requestContext.connectionId as string;
    const api = new ApiGatewayManagementApiClient({
      endpoint: stack.ready.callbackUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const early = await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'too early' })).catch((e) => e);
    expect(early).toBeInstanceOf(GoneException);
    const c = await pending;
    await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'now' }));
    expect(await c.next()).toBe('now');
    c.close();
    api.destroy();
  });
});

describe('new connections per second', () => {
  it('refuses handshakes over the quota with 429', async () => {
    const statuses = await Promise.all(Array.from({ length: 6 }, () => handshakeStatus(limited.ready.websocketUrl)));
    expect(statuses).toContain(101);
    expect(statuses).toContain(429);
    expect(statuses.every((s) => s === 101 || s === 429)).toBe(true);
  });
});
