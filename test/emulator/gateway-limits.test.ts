import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig, type StackConfigInput } from '../../emulator/config.ts';
import type { RunningStack } from '../../emulator/stack.ts';
import { startOwnStack } from '../fixtures/stack-model/own-functions-stack.ts';
import { connect, connectionIdOf, eventually, fixture, handshakeStatus, recordedEvents, type TestClient } from '../fixtures/gateway/clients.ts';

// Message size, idle timeout (and what resets it), maximum connection duration, and the throttles:
// the account's, the stage's and a route's own, with small configured values where AWS's would
// take minutes or thousands of messages.

const functions = [
  fixture('fx-connect', '$connect', 'record.ts'),
  fixture('fx-disconnect', '$disconnect', 'record.ts'),
  fixture('fx-echo', 'echo', 'echo.ts'),
  fixture('fx-quiet', 'quiet', 'echo.ts', false),
];

let big: RunningStack; // AWS's default limits
let short: RunningStack; // 1 s idle timeout, 3 s max duration
let throttled: RunningStack; // account throttle 1 rps, burst 2
let staged: RunningStack; // stage throttle 1 rps, burst 3; echo and $connect have their own
let connectStaged: RunningStack; // stage throttle 1 rps, burst 2, on $connect too
let idleEither: RunningStack; // 1.5 s idle timeout, reset by traffic either way
let idleClient: RunningStack; // 1.5 s idle timeout, reset by the client's messages only

/**
 * A stack of the fixture functions. `prepared`: environments INIT'd ahead per function: one where
 * a test times a short idle timeout from a message whose answer a cold start could delay past it;
 * none elsewhere (a throttle counts requests as they arrive, before any function runs).
 */
const start = (limits: StackConfigInput['limits'], prepared: 0 | 1) =>
  startOwnStack({ config: defaultStackConfig({ limits, lambda: { preparedPerFunction: prepared } }), functions, log: () => {} });

beforeAll(async () => {
  [big, short, throttled, staged, connectStaged, idleEither, idleClient] = await Promise.all([
    start({}, 0),
    start({ idleTimeoutSeconds: 1, maxConnectionSeconds: 3 }, 1),
    start({ accountRps: 1, accountBurst: 2 }, 0),
    start({ stageRps: 1, stageBurst: 3, routeThrottles: { echo: { rps: 1, burst: 8 }, $connect: { rps: 50, burst: 50 } } }, 0),
    start({ stageRps: 1, stageBurst: 2 }, 0),
    start({ idleTimeoutSeconds: 1.5, idleTimeoutRule: 'either' }, 1),
    start({ idleTimeoutSeconds: 1.5, idleTimeoutRule: 'client' }, 1),
  ]);
});

afterAll(async () => {
  await Promise.all([big, short, throttled, staged, connectStaged, idleEither, idleClient].map((s) => s?.close()));
});

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const TOO_MANY = /^\{"message": "Too Many Requests", "connectionId":"[^"]+", "requestId":"[^"]+"\}$/;

/** Every frame that arrives until none has for `quietMs`. */
async function drain(c: TestClient, quietMs = 1_000): Promise<string[]> {
  const frames: string[] = [];
  for (;;) {
    try {
      frames.push(await c.next(quietMs));
    } catch {
      return frames;
    }
  }
}

async function disconnectEventOf(stack: RunningStack, id: string): Promise<any> {
  return eventually(async () => {
    const events = await recordedEvents(stack.ready.dynamodbEndpoint, id);
    return events.find((e) => e.requestContext.eventType === 'DISCONNECT');
  }, 15_000, 'the disconnect event');
}

describe('message size', () => {
  it('accepts a 128 KB message and closes the connection with 1009 for a larger one', async () => {
    const c = await connect(big.ready.websocketUrl);
    const id = await connectionIdOf(c);
    const envelope = '{"action":"quiet","pad":""}';
    const exact = `{"action":"quiet","pad":"${'a'.repeat(131_072 - envelope.length)}"}`;
    expect(Buffer.byteLength(exact)).toBe(131_072);
    c.send(exact);
    c.send({ action: 'echo', still: 'open' });
    expect((await c.nextJson(20_000)).body).toContain('still');

    c.send(`${exact} `);
    const closed = await c.closed;
    expect(closed.code).toBe(1009);
    const event = await disconnectEventOf(big, id);
    expect(event.requestContext.disconnectStatusCode).toBe(1009);
  });
});

describe('connection lifetime', () => {
  it('closes an idle connection with 1001 "Going away" and sends $disconnect', async () => {
    const c = await connect(short.ready.websocketUrl);
    const id = await connectionIdOf(c);
    const closed = await c.closed;
    expect(closed).toEqual({ code: 1001, reason: 'Going away' });
    const event = await disconnectEventOf(short, id);
    expect(event.requestContext).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: 'Going away' });
  });

  it('closes a busy connection at the maximum duration', async () => {
    const c = await connect(short.ready.websocketUrl);
    const opened = Date.now();
    let open = true;
    void c.closed.then(() => (open = false));
    // keep it active: one message every 300 ms, well inside the 1 s idle timeout
    for (let i = 0; open && i < 60; i++) {
      c.send({ action: 'quiet' });
      await new Promise((r) => setTimeout(r, 300));
    }
    const closed = await c.closed;
    expect(closed.code).toBe(1001);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(2_900);
  });
});

describe('account throttle', () => {
  it('drops messages over the rate with a "Too Many Requests" frame and keeps the connection', async () => {
    const c = await connect(throttled.ready.websocketUrl);
    for (let i = 0; i < 6; i++) c.send({ action: 'echo', i });
    const frames: string[] = [];
    for (let i = 0; i < 6; i++) frames.push(await c.next(20_000));
    const throttledFrames = frames.filter((f) => f.startsWith('{"message": "Too Many Requests"'));
    expect(throttledFrames.length).toBeGreaterThanOrEqual(3);
    expect(throttledFrames[0]).toMatch(/^\{"message": "Too Many Requests", "connectionId":"[^"]+", "requestId":"[^"]+"\}$/);
    expect(frames.some((f) => f.includes('"type":"echo"'))).toBe(true);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.close();
  });
});

describe("the stage's throttle (its default route settings) and a route's own", () => {
  it('answers messages over the stage throttle with Too Many Requests, while @connections posts past it pass', async () => {
    const c = await connect(staged.ready.websocketUrl);
    // quiet is held to the stage's throttle (3 at once, 1/s): a message it lets through gets no frame
    for (let i = 0; i < 8; i++) c.send({ action: 'quiet', i });
    const refused = await drain(c);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    expect(refused.length).toBeLessThanOrEqual(5);
    for (const f of refused) expect(f).toMatch(TOO_MANY);

    // posts are held to the account's throttle only (10,000/s here), not the stage's
    const id = JSON.parse(refused[0]!).connectionId as string;
    const api = new ApiGatewayManagementApiClient({ endpoint: staged.ready.callbackUrl, region: 'us-east-1', credentials });
    try {
      await Promise.all(Array.from({ length: 30 }, (_, i) => api.send(new PostToConnectionCommand({ ConnectionId: id, Data: `post ${i}` }))));
    } finally {
      api.destroy();
    }
    const delivered = await drain(c);
    expect(delivered.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `post ${i}`).sort());
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.close();
  });

  it("holds a route with a throttle of its own to it, and the other routes to the stage's", async () => {
    const c = await connect(staged.ready.websocketUrl);
    // echo's own throttle: 8 at once, though the stage lets 3 through
    for (let i = 0; i < 12; i++) c.send({ action: 'echo', i });
    // each gets one frame: its echo (after a cold start, maybe) or Too Many Requests
    const echoed: string[] = [];
    for (let i = 0; i < 12; i++) echoed.push(await c.next(20_000));
    const echoes = echoed.filter((f) => f.includes('"type":"echo"'));
    expect(echoes.length).toBeGreaterThanOrEqual(8);
    expect(echoes.length).toBeLessThanOrEqual(9);
    expect(echoed.filter((f) => TOO_MANY.test(f))).toHaveLength(12 - echoes.length);
    // and quiet, the stage's: at most 3 (its burst) and 1/s since, whatever echo took
    for (let i = 0; i < 10; i++) c.send({ action: 'quiet', i });
    const refused = await drain(c);
    expect(refused.length).toBeGreaterThanOrEqual(6);
    for (const f of refused) expect(f).toMatch(TOO_MANY);
    c.close();
  });

  it('answers a $connect burst over the stage throttle with 429 at the handshake', async () => {
    // the account's new-connection quota (500/s) is far away: the stage's 2 at once, 1/s, refuses these
    const statuses = await Promise.all(Array.from({ length: 6 }, () => handshakeStatus(connectStaged.ready.websocketUrl)));
    const accepted = statuses.filter((s) => s === 101).length;
    expect(accepted).toBeGreaterThanOrEqual(2);
    expect(accepted).toBeLessThanOrEqual(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6 - accepted);
  });
});

describe('what resets the idle timer (limits.idleTimeoutRule)', () => {
  /** Posts to `c` every 300 ms for `ms` or until it closes; when it closed, and how many posts it got. */
  async function postEvery300ms(stack: RunningStack, c: TestClient, id: string, ms: number): Promise<{ delivered: number; closedAt?: number }> {
    const api = new ApiGatewayManagementApiClient({ endpoint: stack.ready.callbackUrl, region: 'us-east-1', credentials });
    let closedAt: number | undefined;
    void c.closed.then(() => (closedAt = Date.now()));
    let delivered = 0;
    try {
      for (const until = Date.now() + ms; closedAt === undefined && Date.now() < until; ) {
        await api.send(new PostToConnectionCommand({ ConnectionId: id, Data: `tick ${delivered}` })).then(
          () => delivered++,
          (err: unknown) => {
            if (!(err instanceof GoneException)) throw err;
          },
        );
        await new Promise((r) => setTimeout(r, 300));
      }
    } finally {
      api.destroy();
    }
    return { delivered, closedAt };
  }

  it('either: a client that only receives (a post every 300 ms) stays open past the idle timeout', async () => {
    const c = await connect(idleEither.ready.websocketUrl);
    const id = await connectionIdOf(c); // its last message of its own
    const { delivered, closedAt } = await postEvery300ms(idleEither, c, id, 4_500);
    expect(closedAt).toBeUndefined();
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect(delivered).toBeGreaterThanOrEqual(10);
    c.close();
  });

  it('client: the same client is closed with 1001 once it has sent nothing for the idle timeout', async () => {
    const c = await connect(idleClient.ready.websocketUrl);
    // its last message of its own leaves now (connectionIdOf sends it, then waits for the answer,
    // which a busy host delays: the idle timer runs from the message, not from its answer)
    const lastOwn = Date.now();
    const id = await connectionIdOf(c);
    const { closedAt } = await postEvery300ms(idleClient, c, id, 4_500);
    expect(await c.closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(closedAt! - lastOwn).toBeGreaterThanOrEqual(1_400);
    expect(closedAt! - lastOwn).toBeLessThan(3_000);
  });
});
