import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { runBenchmark } from '../../src/run.ts';

/**
 * README: "createRoom once per room, then joinRoom for every open client" — whatever the number
 * of shards, and never a join before its room exists.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-create-once-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = join(dir, 'create-once.yaml');
writeFileSync(
  SCENARIO,
  `name: create-once
clients: 40
rooms: 8
phases:
  - connect: { rate: 400 }
  - join: { rate: 400 }
timeouts: { grace: 200ms }
`,
);

/** Counts createRoom per room; refuses a joinRoom for a room not created yet. */
async function startCountingServer(): Promise<{ url: string; creates: Map<string, number>; earlyJoins: () => number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const creates = new Map<string, number>();
  const members = new Map<string, Set<WebSocket>>();
  let early = 0;
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const req = JSON.parse(data.toString('utf8')) as { action: string; room: string };
      if (req.action === 'createRoom') {
        creates.set(req.room, (creates.get(req.room) ?? 0) + 1);
        if (!members.has(req.room)) members.set(req.room, new Set());
        ws.send(JSON.stringify({ type: 'roomCreated', room: req.room }));
      } else if (req.action === 'joinRoom') {
        const room = members.get(req.room);
        if (!room) {
          early++;
          ws.send(JSON.stringify({ type: 'error', code: 'NO_SUCH_ROOM', message: 'createRoom first', action: 'joinRoom' }));
          return;
        }
        room.add(ws);
        ws.send(JSON.stringify({ type: 'joined', room: req.room, members: room.size }));
      }
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    creates,
    earlyJoins: () => early,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

describe('room creation', () => {
  it('sends createRoom exactly once per room across 3 shards, before any join', async () => {
    const server = await startCountingServer();
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 3, seed: 6 });
      expect(results.status).toBe('completed');
      expect(server.creates.size).toBe(8);
      expect([...server.creates.values()]).toEqual(new Array(8).fill(1));
      expect(server.earlyJoins()).toBe(0);
      expect(results.connections).toMatchObject({ opened: 40, joined: 40, joinFailed: 0 });
    } finally {
      await server.close();
    }
  });
});
