import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { startMinimalServer } from '../../bench/minimal-server/server.ts';
import { runBenchmark } from '../../src/run.ts';

/**
 * A target that skips a member and reports the smaller `recipients` (as a stack whose Query
 * misses a page would) must show lost deliveries: expected deliveries come from the harness's own
 * room membership, not from the target's claim.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-underreport-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = join(dir, 'underreport.yaml');
writeFileSync(
  SCENARIO,
  `name: underreport
clients: 24
rooms: 3
phases:
  - connect: { rate: 300 }
  - join: { rate: 300 }
  - send: { duration: 1s, rate: 30 }
timeouts: { grace: 500ms }
`,
);

/** Chat protocol v1, except that sendMessage never reaches the room's last joined member. */
async function startLyingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const rooms = new Map<string, WebSocket[]>();
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const req = JSON.parse(data.toString('utf8')) as { action: string; room: string; payload?: unknown };
      const members = rooms.get(req.room) ?? [];
      rooms.set(req.room, members);
      if (req.action === 'createRoom') ws.send(JSON.stringify({ type: 'roomCreated', room: req.room }));
      else if (req.action === 'joinRoom') {
        if (!members.includes(ws)) members.push(ws);
        ws.send(JSON.stringify({ type: 'joined', room: req.room, members: members.length }));
      } else if (req.action === 'sendMessage') {
        const messageId = randomUUID();
        const frame = JSON.stringify({ type: 'message', room: req.room, messageId, cold: false, payload: req.payload });
        const posted = members.slice(0, -1);
        for (const m of posted) m.send(frame);
        ws.send(JSON.stringify({ type: 'sent', room: req.room, messageId, recipients: posted.length, gone: 0 }));
      }
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

describe('expected deliveries come from the harness, not the target', () => {
  it('a target that skips a member and under-reports recipients shows lost deliveries', async () => {
    const server = await startLyingServer();
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 2, seed: 4 });
      const d = results.deliveries;
      expect(results.sends.acked).toBeGreaterThan(0);
      expect(d.lost).toBeGreaterThan(0);
      expect(d.underreported).toBeGreaterThan(0);
      // each message misses exactly one of its room's members
      expect(d.underreported).toBe(results.sends.acked);
      expect(d.expected).toBe(d.received + d.lost);
    } finally {
      await server.close();
    }
  });

  it('an honest target still shows nothing lost and nothing under-reported', async () => {
    const server = await startMinimalServer();
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 2, seed: 4 });
      expect(results.status).toBe('completed');
      expect(results.sends.acked).toBeGreaterThan(0);
      expect(results.deliveries.lost).toBe(0);
      expect(results.deliveries.underreported).toBe(0);
      expect(results.deliveries.received).toBe(results.deliveries.expected);
    } finally {
      await server.close();
    }
  });
});
