import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { attachChatNode } from '../../bench/minimal-server/chat-node.ts';
import { LocalHub } from '../../bench/minimal-server/hub.ts';
import { runBenchmark } from '../../src/modes/run.ts';
import { readPriceFile } from '../../src/metrics/cost/prices-file.ts';

// The bytes the clients received — what a price file's data-transfer price is applied to (AWS
// itself charges none on WebSocket APIs) — counted by the harness across its shard processes,
// against what a real chat server (the minimal server) sent them.

const dir = mkdtempSync(join(tmpdir(), 'fb-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bytes received', () => {
  it('are every byte of every message the server sent the clients, and a price file with a transfer price prices them', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 128 * 1024 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    let sent = 0;
    // registered before the chat node's own handler: every send it makes goes through this one
    wss.on('connection', (ws: WebSocket) => {
      const send = ws.send.bind(ws) as (data: string | Buffer, ...rest: unknown[]) => void;
      (ws as unknown as { send: typeof send }).send = (data, ...rest) => {
        sent += Buffer.byteLength(data);
        send(data, ...rest);
      };
    });
    attachChatNode(wss, new LocalHub(), {});
    const scenario = join(dir, 'bytes.yaml');
    writeFileSync(
      scenario,
      'name: bytes\nclients: 40\nrooms: 4\nphases:\n  - connect: { rate: 400 }\n  - join: {}\n  - send: { duration: 2s, rate: 20, payloadBytes: 2000 }\ntimeouts: { grace: 500ms }\n',
    );
    try {
      const { port } = wss.address() as { port: number };
      const prices = join(dir, 'contract.json');
      writeFileSync(prices, '{"dataTransferOut":{"outPerGB":0.05}}');
      const { results } = await runBenchmark({ scenario, target: `ws://127.0.0.1:${port}/`, outDir: dir, shards: 2, seed: 3, cost: { priceFile: readPriceFile(prices) } });
      expect(results.status).toBe('completed');
      expect(results.deliveries.lost).toBe(0);
      // deliveries alone are at least their payloads
      expect(results.bytesReceived).toBeGreaterThan(results.deliveries.received * 2000);
      expect(results.bytesReceived).toBe(sent);
      const transfer = results.cost!.lines.find((l) => l.service === 'Data transfer')!;
      expect(transfer).toMatchObject({ unit: 'GB', unitPrice: 0.05, source: 'client' });
      expect(transfer.quantity).toBeCloseTo(sent / 2 ** 30, 15);
    } finally {
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  }, 60_000);
});
