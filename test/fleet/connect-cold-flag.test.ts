import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { probe } from '../../src/targets/remote.ts';
import { runBenchmark } from '../../src/modes/run.ts';

/**
 * Connects timed as cold or warm: the reference stack's $connect selects, from the subprotocols
 * the harness offers, the one that says whether it ran in a new execution environment. Real
 * shards and sockets against the local stack, and against plain `ws` servers that either select
 * none of them or echo the first one offered (ws's default), where nothing may be classified and
 * nothing may fail.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-connect-cold-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenario(name: string, body: string): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, body);
  return p;
}

// A burst of connects at once on a stack that prepares no environment ahead (--prepared 0): the
// first connects are cold, those that find an environment a cold start left are warm.
const CLIENTS = 8;
const CONNECTS = scenario('connects', `name: connects\nclients: ${CLIENTS}\nrooms: 1\nphases:\n  - connect: { rate: 200, maxInFlight: ${CLIENTS} }\n`);

async function wsServer(opts: { selectNone: boolean }): Promise<{ url: string; offered: string[]; close(): Promise<void> }> {
  const offered: string[] = [];
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    ...(opts.selectNone ? { handleProtocols: () => false as const } : {}),
  });
  wss.on('connection', (_ws, req) => offered.push(req.headers['sec-websocket-protocol'] ?? ''));
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}`,
    offered,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}

describe('connects timed as cold or warm', () => {
  it('against the local stack: every connect is classified, cold exactly as often as the connect function cold-started', { timeout: 120_000 }, async () => {
    const { results } = await runBenchmark({ scenario: CONNECTS, target: 'local', stackKnobs: { preparedPerFunction: 0 }, outDir: dir, shards: 2, seed: 1 });
    expect(results.status).toBe('completed');
    const cold = results.metrics.connectCold?.count ?? 0;
    const warm = results.metrics.connectWarm?.count ?? 0;
    expect(cold + warm).toBe(CLIENTS);
    expect(cold).toBeGreaterThan(0);
    // the function's own account of it: REPORT lines with an Init Duration
    expect(cold).toBe(results.cloudwatch?.reports?.['fanout-connect']?.coldStarts);
    expect(results.phases?.[0]?.connectCold?.count).toBe(cold);
  });

  it('a server that selects no subprotocol: the probe finds out and the fleet offers none, so every connect opens', { timeout: 60_000 }, async () => {
    const server = await wsServer({ selectNone: true });
    try {
      expect(await probe(server.url)).toBe(false);
      const { results } = await runBenchmark({ scenario: CONNECTS, target: server.url, outDir: dir, shards: 2, seed: 1 });
      expect(results.connections).toMatchObject({ opened: CLIENTS, failed: 0 });
      expect(results.metrics.connectCold).toBeUndefined();
      expect(results.metrics.connectWarm).toBeUndefined();
      // each probe shakes hands twice (with the offer, then without); then the fleet's connects, without
      const offer = 'fanout-bench.v1,fanout-bench.cold,fanout-bench.warm';
      expect(server.offered.slice(0, 4)).toEqual([offer, '', offer, '']);
      expect(server.offered.slice(4)).toEqual(Array(CLIENTS).fill(''));
    } finally {
      await server.close();
    }
  });

  it('a server that echoes the first subprotocol offered says nothing about cold starts', async () => {
    const server = await wsServer({ selectNone: false });
    try {
      expect(await probe(server.url)).toBe(false);
      expect(server.offered).toEqual(['fanout-bench.v1,fanout-bench.cold,fanout-bench.warm']);
    } finally {
      await server.close();
    }
  });
});
