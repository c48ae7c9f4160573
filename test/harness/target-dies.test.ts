import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { runChecks } from '../../src/report/checks.ts';
import { runBenchmark } from '../../src/run.ts';

/**
 * A target that dies in the middle of a send phase must fail the run (README: exit 1, "the
 * target stopped answering mid-run"), not end as "completed" with its sends quietly skipped.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-target-dies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = join(dir, 'dies.yaml');
writeFileSync(
  SCENARIO,
  `name: target-dies
clients: 24
rooms: 3
phases:
  - connect: { rate: 300 }
  - join: { rate: 300 }
  - send: { duration: 4s, rate: 30 }
timeouts: { grace: 500ms }
`,
);

/** Chat protocol v1 that, `dieAfterMs` after the first sendMessage, drops every socket and stops listening. */
async function startDyingServer(dieAfterMs: number): Promise<{ url: string; died: () => boolean; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const rooms = new Map<string, WebSocket[]>();
  let timer: NodeJS.Timeout | undefined;
  let dead = false;
  const die = () => {
    dead = true;
    for (const c of wss.clients) c.terminate();
    wss.close();
  };
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
        timer ??= setTimeout(die, dieAfterMs);
        const messageId = randomUUID();
        const frame = JSON.stringify({ type: 'message', room: req.room, messageId, cold: false, payload: req.payload });
        for (const m of members) m.send(frame);
        ws.send(JSON.stringify({ type: 'sent', room: req.room, messageId, recipients: members.length, gone: 0 }));
      }
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    died: () => dead,
    close: async () => {
      clearTimeout(timer);
      if (!dead) die();
    },
  };
}

describe('a target that dies mid-run', () => {
  it('fails the run with the reason, and the sends check fails', async () => {
    const server = await startDyingServer(1_000);
    try {
      const { results } = await runBenchmark({ scenario: SCENARIO, target: server.url, outDir: dir, shards: 2, seed: 5 });
      expect(server.died()).toBe(true);
      expect(results.sends.sent).toBeGreaterThan(0); // it did answer before it died
      expect(results.status).toBe('failed');
      expect(results.statusReason).toMatch(/^the target stopped answering: \d+ of 24 connections closed unexpectedly$/);
      const checks = runChecks(results);
      expect(checks.find((c) => c.name === 'run completed')!.passed).toBe(false);
      expect(checks.find((c) => c.name === 'sends went out')!.passed).toBe(false);
    } finally {
      await server.close();
    }
  });
});
