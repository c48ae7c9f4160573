import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { connect, type TestClient } from '../fixtures/gateway/clients.ts';

// A chat session through the real reference-stack handlers, the real Lambda runtime, the
// gateway and dynalite: what the harness will drive at scale.

let stack: RunningStack;
const clients: TestClient[] = [];

beforeAll(async () => {
  // no environments INIT'd ahead of need: a first invocation is as cold without them
  stack = await startStack({ config: defaultStackConfig({ lambda: { preparedPerFunction: 0 } }), log: () => {} });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await stack?.close();
});

async function join(query = ''): Promise<TestClient> {
  const c = await connect(`${stack.ready.websocketUrl}${query}`);
  clients.push(c);
  return c;
}

async function request(c: TestClient, body: object, type: string): Promise<any> {
  c.send(body);
  return c.take((f) => f.type === type || f.type === 'error', 30_000);
}

describe('chat protocol v1 through the emulator', () => {
  it('runs a session of three clients: names, rooms, messages, leave', async () => {
    const [alice, bob, carol] = await Promise.all([join(), join(), join('?name=carol')]);

    const ids = await Promise.all(
      [alice, bob, carol].map(async (c) => (await request(c, { action: 'whoami' }, 'whoami')).connectionId as string),
    );
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);

    expect(await request(alice, { action: 'setName', name: 'alice' }, 'name')).toEqual({ type: 'name', name: 'alice' });
    expect(await request(bob, { action: 'setName', name: 'bob' }, 'name')).toEqual({ type: 'name', name: 'bob' });

    expect(await request(alice, { action: 'createRoom', room: 'r1' }, 'roomCreated')).toEqual({ type: 'roomCreated', room: 'r1' });
    expect(await request(bob, { action: 'createRoom', room: 'r1' }, 'roomCreated')).toEqual({ type: 'roomCreated', room: 'r1' });
    expect(await request(alice, { action: 'joinRoom', room: 'r1' }, 'joined')).toEqual({ type: 'joined', room: 'r1', members: 1 });
    expect(await request(bob, { action: 'joinRoom', room: 'r1' }, 'joined')).toEqual({ type: 'joined', room: 'r1', members: 2 });
    expect(await request(carol, { action: 'joinRoom', room: 'r1' }, 'joined')).toEqual({ type: 'joined', room: 'r1', members: 3 });

    const payload = { id: 'p-1', sentAt: 1_700_000_000_123, nested: [1, 'two', { three: null }], text: 'h\u00e9llo \u{1F680}' };
    const sent = await request(alice, { action: 'sendMessage', room: 'r1', payload }, 'sent');
    expect(sent).toMatchObject({ type: 'sent', room: 'r1', recipients: 3, gone: 0 });
    expect(sent.messageId).toBeTypeOf('string');

    const [toAlice, toBob, toCarol] = await Promise.all(
      [alice, bob, carol].map((c) => c.take((f) => f.type === 'message' && f.messageId === sent.messageId, 30_000)),
    );
    for (const frame of [toAlice, toBob, toCarol]) {
      expect(Object.keys(frame)).toEqual(['type', 'room', 'from', 'name', 'messageId', 'serverTime', 'cold', 'payload']);
      expect(frame).toMatchObject({ type: 'message', room: 'r1', from: ids[0], name: 'alice', messageId: sent.messageId });
      expect(frame.payload).toEqual(payload);
      expect(frame.serverTime).toBeTypeOf('number');
    }
    // the first sendMessage ran in a fresh execution environment
    expect(toBob.cold).toBe(true);

    const again = await request(bob, { action: 'sendMessage', room: 'r1', payload: 'second' }, 'sent');
    expect(again.recipients).toBe(3);
    const fromBob = await carol.take((f) => f.type === 'message' && f.messageId === again.messageId, 30_000);
    expect(fromBob).toMatchObject({ from: ids[1], name: 'bob', payload: 'second', cold: false });
    await alice.take((f) => f.messageId === again.messageId, 30_000);
    await bob.take((f) => f.messageId === again.messageId, 30_000);

    expect(await request(carol, { action: 'leaveRoom', room: 'r1' }, 'left')).toEqual({ type: 'left', room: 'r1' });
    const third = await request(alice, { action: 'sendMessage', room: 'r1', payload: 3 }, 'sent');
    expect(third.recipients).toBe(2);
    await bob.take((f) => f.messageId === third.messageId, 30_000);
    await alice.take((f) => f.messageId === third.messageId, 30_000);
    expect(carol.frames.some((f) => f.data.includes(third.messageId))).toBe(false);

    const notMember = await request(carol, { action: 'sendMessage', room: 'r1', payload: 1 }, 'error');
    expect(notMember).toMatchObject({ type: 'error', code: 'NOT_A_MEMBER' });

    const unknown = await request(carol, { action: 'dance' }, 'error');
    expect(unknown).toMatchObject({ type: 'error', code: 'UNKNOWN_ACTION' });
  });
});

// The server push's direct path (the default pushFanout): a PutEvents on the stack's bus, through
// the edge with the real SDK, reaches the room's members as sendMessage's frame, or every
// connection as broadcast's; no client sent anything.
describe('server push, direct: an event on the push bus reaches the room, or everyone', () => {
  it('posts the published payload to each member (and only them), then to every connection', async () => {
    const [m1, m2, other] = await Promise.all([join(), join(), join()]);
    await request(m1, { action: 'createRoom', room: 'p1' }, 'roomCreated');
    for (const m of [m1, m2]) expect(await request(m, { action: 'joinRoom', room: 'p1' }, 'joined')).toMatchObject({ room: 'p1' });
    expect(stack.stack.rules?.map((r) => [r.name, r.targets.map((t) => t.arn.split(':').at(-1))])).toEqual([['fanout-push-rule', ['fanout-push']]]);
    expect(stack.stack.queues ?? []).toEqual([]);

    const events = new EventBridgeClient({ endpoint: stack.ready.awsEndpointUrls.AWS_ENDPOINT_URL!, region: stack.ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const put = (detail: object) => events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'fanout-push', Source: 'fanout-bench.push', DetailType: 'push', Detail: JSON.stringify(detail) }] }));
      const toRoom = await put({ room: 'p1', payload: { probe: 'p-1' } });
      expect(toRoom.FailedEntryCount).toBe(0);
      const id = toRoom.Entries![0]!.EventId!;
      for (const m of [m1, m2]) {
        expect(await m.take((f) => f.messageId === id, 30_000)).toMatchObject({ type: 'message', room: 'p1', from: 'push', name: 'fanout-bench.push', payload: { probe: 'p-1' } });
      }
      const everyone = (await put({ everyone: true, payload: 'all' })).Entries![0]!.EventId!;
      for (const c of [m1, m2, other]) expect(await c.take((f) => f.messageId === everyone, 30_000)).toMatchObject({ type: 'broadcast', from: 'push', payload: 'all' });
      // the room's push never reached the connection outside it
      expect(other.frames.some((f) => f.data.includes(id))).toBe(false);
    } finally {
      events.destroy();
    }
  }, 60_000);
});

describe('closing the stack', () => {
  it('closes open sockets with 1001 and can be called again', async () => {
    const c = await join();
    c.send({ action: 'whoami' });
    await c.take((f) => f.type === 'whoami', 30_000);
    await Promise.all([stack.close(), stack.close()]);
    expect(await c.closed).toEqual({ code: 1001, reason: 'Going away' });
    await stack.close();
    await expect(connect(stack.ready.websocketUrl)).rejects.toThrow();
  });
});
