import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../reference-stack/local/config.ts';
import { startStack, type RunningStack } from '../../reference-stack/local/stack.ts';
import { connect, connectionIdOf, eventually, fixture, recordedEvents } from '../fixtures/gateway/clients.ts';

// Message size, idle timeout, maximum connection duration and the account throttle, with small
// configured values where AWS's would take minutes.

const functions = [
  fixture('fx-connect', '$connect', 'record.ts'),
  fixture('fx-disconnect', '$disconnect', 'record.ts'),
  fixture('fx-echo', 'echo', 'echo.ts'),
  fixture('fx-quiet', 'quiet', 'echo.ts', false),
];

let big: RunningStack; // AWS's default limits
let short: RunningStack; // 1 s idle timeout, 3 s max duration
let throttled: RunningStack; // account throttle 1 rps, burst 2

beforeAll(async () => {
  [big, short, throttled] = await Promise.all([
    startStack({ config: defaultStackConfig(), functions, log: () => {} }),
    startStack({ config: defaultStackConfig({ limits: { idleTimeoutSeconds: 1, maxConnectionSeconds: 3 } }), functions, log: () => {} }),
    startStack({ config: defaultStackConfig({ limits: { accountRps: 1, accountBurst: 2 } }), functions, log: () => {} }),
  ]);
});

afterAll(async () => {
  await Promise.all([big?.close(), short?.close(), throttled?.close()]);
});

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
