import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnMinimalServer, startMinimalServer } from '../../bench/minimal-server/server.ts';
import { runBenchmark } from '../../src/modes/run.ts';
import { scenarioFiles } from '../e2e/scenario-files.ts';
import { FANOUT_SCENARIO, readIntervals } from '../fixtures/minimal-server-fanout.ts';

/**
 * The harness's modes against the minimal fan-out server, real shards and sockets: repeats, a
 * drop whose clients stay listed (410s), a server of several processes. Nothing here depends on
 * the Node it runs on: CI runs it on the machine's alone (fleet-minimal-server.test.ts is the
 * part it runs on every Node).
 */
const { dir, scenario } = scenarioFiles('fb-harness-runs-');
const FANOUT = scenario('fanout', FANOUT_SCENARIO);

describe('harness against the minimal server: repeats, drops, several processes', () => {
  it('repeats against a stack of your own back to back: no CloudWatch is pulled, so no fresh minute is waited for', async () => {
    const server = await startMinimalServer();
    try {
      const statuses: string[] = [];
      const { results, runDir } = await runBenchmark({ scenario: FANOUT, target: server.url, outDir: dir, shards: 1, seed: 4, repeat: 2, onStatus: (m) => statuses.push(m) });
      expect(statuses).toEqual([]);
      expect(results.verdict.repeats?.runIds).toHaveLength(2);
      for (const r of ['repeat-1', 'repeat-2']) expect(readIntervals(join(runDir, r)).length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('measures 410s and cleanup when dropped clients stay listed', async () => {
    const server = await startMinimalServer({ lostDisconnectShare: 1 });
    const file = scenario(
      'stale',
      `name: mini-stale
clients: 60
rooms: 6
phases:
  - connect: { rate: 300 }
  - join: { rate: 300 }
  - send: { duration: 1s, rate: 30 }
  - drop: { share: 0.3 }
  - send: { name: after, duration: 3s, rate: 30 }
timeouts: { grace: 500ms }
`,
    );
    try {
      const { results } = await runBenchmark({ scenario: file, target: server.url, outDir: dir, shards: 2, seed: 2 });
      expect(results.status).toBe('completed');
      expect(results.stale).toBeDefined();
      expect(results.stale!.dropped).toBe(18);
      expect(results.stale!.gone410).toBe(18); // each stale member is hit once, then removed
      expect(results.stale!.timeToCleanMs).not.toBeNull();
      expect(results.stale!.wastedPosts).toBe(18);
      expect(results.deliveries.lost).toBe(0);
      expect(results.deliveries.received).toBe(results.deliveries.expected);
      expect(results.errors).toEqual({}); // dropping is not an error
    } finally {
      await server.close();
    }
  });

  it('works against a multi-process server (cluster workers behind one port)', async () => {
    const server = await spawnMinimalServer({ workers: 2 });
    try {
      // one shard: the processes that matter here are the server's
      const { results } = await runBenchmark({ scenario: FANOUT, target: server.url, outDir: dir, shards: 1, seed: 3 });
      expect(results.status).toBe('completed');
      expect(results.deliveries.expected).toBeGreaterThan(0);
      expect(results.deliveries.received).toBe(results.deliveries.expected);
      expect(results.deliveries.lost).toBe(0);
    } finally {
      await server.close();
    }
  });
});
