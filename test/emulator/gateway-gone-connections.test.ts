import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GoneConnections, type GoneConnection } from '../../common/gone-connections.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { GoneConnectionRecord } from '../../emulator/gateway/gone-connections.ts';
import type { RunningStack } from '../../emulator/stack.ts';
import { startOwnStack } from '../fixtures/stack-model/own-functions-stack.ts';
import { connect, connectionIdOf, eventually, fixture } from '../fixtures/gateway/clients.ts';

// The emulator's record of connections that went away and of the @connections posts made to them
// afterwards (GET /@emulator/gone-connections), with real sockets and the real SDK client.

const functions = [fixture('fx-connect', '$connect', 'record.ts'), fixture('fx-disconnect', '$disconnect', 'record.ts'), fixture('fx-echo', 'echo', 'echo.ts')];

let stack: RunningStack;
let api: ApiGatewayManagementApiClient;

beforeAll(async () => {
  stack = await startOwnStack({ config: defaultStackConfig(), functions, log: () => {} });
  api = new ApiGatewayManagementApiClient({ endpoint: stack.ready.callbackUrl, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  api?.destroy();
  await stack?.close();
});

async function record(query = ''): Promise<GoneConnections> {
  const res = await fetch(`${stack.ready.goneConnectionsEndpoint}${query}`);
  expect(res.status).toBe(200);
  return GoneConnections.parse(await res.json());
}

async function goneRecord(id: string): Promise<GoneConnection> {
  return eventually(async () => (await record()).connections.find((c) => c.connectionId === id), 5_000, `${id} in the record`);
}

const post = (id: string) => api.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'x' })).catch((e: unknown) => e);

describe('GET /@emulator/gone-connections', () => {
  it('records a client dropped without a close frame and every post to it after, each answered 410', async () => {
    const c = await connect(stack.ready.websocketUrl);
    const id = await connectionIdOf(c);
    const before = Date.now();
    c.ws.terminate(); // no close frame: the way a phone loses its network
    expect((await goneRecord(id)).posts).toBe(0);
    const t0 = Date.now();
    expect(await post(id)).toBeInstanceOf(GoneException);
    expect(await post(id)).toBeInstanceOf(GoneException);
    const g = await goneRecord(id);
    expect(g).toMatchObject({ cause: 'no-close-frame', closeCode: 1006, posts: 2 });
    expect(g.goneAt).toBeGreaterThanOrEqual(before);
    expect(g.firstPostAt!).toBeGreaterThanOrEqual(t0);
    expect(g.lastPostAt!).toBeGreaterThanOrEqual(g.firstPostAt!);
  });

  it('tells a client\'s own close and the gateway\'s apart, and filters by when they went', async () => {
    const mine = await connect(stack.ready.websocketUrl);
    const mineId = await connectionIdOf(mine);
    const since = Date.now();
    mine.close(1000, 'bye');
    const deleted = await connect(stack.ready.websocketUrl);
    const deletedId = await connectionIdOf(deleted);
    await api.send(new DeleteConnectionCommand({ ConnectionId: deletedId }));
    expect(await goneRecord(mineId)).toMatchObject({ cause: 'client-close', closeCode: 1000, posts: 0, firstPostAt: null, lastPostAt: null });
    expect(await goneRecord(deletedId)).toMatchObject({ cause: 'gateway-close', closeCode: 1000 });
    const later = await record(`?since=${Date.now() + 60_000}`);
    expect(later.connections).toEqual([]);
    const recent = await record(`?since=${since}`);
    expect(recent.connections.every((c) => c.goneAt >= since)).toBe(true);
    expect(recent.connections.map((c) => c.connectionId)).toContain(deletedId);
  });

  it('counts posts to ids it never saw apart; a bad since is 400, another method 405', async () => {
    const unrecorded = (await record()).unrecordedPosts;
    expect(await post('AAAAAAAAAAAAAAA=')).toBeInstanceOf(GoneException);
    expect((await record()).unrecordedPosts).toBe(unrecorded + 1);
    expect((await fetch(`${stack.ready.goneConnectionsEndpoint}?since=soon`)).status).toBe(400);
    expect((await fetch(stack.ready.goneConnectionsEndpoint, { method: 'POST' })).status).toBe(405);
  });
});

describe('the record is bounded', () => {
  it('forgets the oldest past its cap and counts them', () => {
    const r = new GoneConnectionRecord(2);
    for (const id of ['a', 'b', 'c']) r.went({ connectionId: id, connectedAt: 0 }, 'no-close-frame', 1006, 10);
    r.posted('a', 20);
    r.posted('c', 30);
    const s = r.snapshot();
    expect(s).toMatchObject({ cap: 2, evicted: 1, unrecordedPosts: 1 });
    expect(s.connections.map((c) => [c.connectionId, c.posts])).toEqual([['b', 0], ['c', 1]]);
  });
});
