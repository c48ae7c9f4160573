import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnMinimalServer, startMinimalServer } from '../../bench/minimal-server/server.ts';
import { UserError } from '../../common/errors.ts';
import { IntervalRecord, Results } from '../../src/contracts/results-schema.ts';
import { runBenchmark } from '../../src/modes/run.ts';

/**
 * The whole harness — real shard processes, real sockets — against the minimal fan-out server.
 * With nothing dropped, every expected delivery must arrive, whichever shard holds the receiver.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-harness-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenario(name: string, body: string): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, body);
  return p;
}

const FANOUT = scenario(
  'fanout',
  `name: mini-fanout
clients: 60
rooms: 6
roomSizes: { distribution: zipf, exponent: 1 }
phases:
  - connect: { rate: 300, maxInFlight: 30 }
  - join: { rate: 300, maxInFlight: 30 }
  - send: { duration: 2s, rate: 40, senders: { share: 0.5 }, payloadBytes: 120 }
timeouts: { grace: 500ms }
`,
);

function readIntervals(runDir: string): IntervalRecord[] {
  return readFileSync(join(runDir, 'intervals.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => IntervalRecord.parse(JSON.parse(l)));
}

describe('harness against the minimal server', () => {
  it('delivers every expected message across shards and writes valid results', async () => {
    const server = await startMinimalServer();
    try {
      const { results, runDir } = await runBenchmark({ scenario: FANOUT, target: server.url, outDir: dir, shards: 2, seed: 1 });
      expect(Results.safeParse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'))).success).toBe(true);
      expect(results.status).toBe('completed');
      expect(results.connections).toMatchObject({ opened: 60, failed: 0, joined: 60 });
      expect(results.sends.sent).toBeGreaterThan(60);
      expect(results.sends.acked).toBe(results.sends.sent);
      expect(results.sends.failed).toBe(0);
      const d = results.deliveries;
      expect(d.expected).toBeGreaterThan(results.sends.sent);
      expect(d.received).toBe(d.expected);
      expect(d.lost).toBe(0);
      expect(d.duplicates).toBe(0);
      expect(d.unacknowledged).toBe(0);
      expect(results.metrics.broadcast.count).toBe(d.received);
      expect(results.metrics.fanoutCompletion.count).toBe(results.sends.acked);
      expect(results.metrics.connect.count).toBe(60);
      expect(results.errors).toEqual({});
      expect(results.harness.shards).toBe(2);
      expect(Object.keys(results.histograms)).toEqual(expect.arrayContaining(['connect', 'broadcast', 'fanoutCompletion']));
      const phases = results.phases!;
      expect(phases.map((p) => p.name)).toEqual(['connect', 'join', 'send', 'drain']);
      expect(phases[2].deliveries.received).toBe(d.received);
      expect(readIntervals(runDir)).toEqual(results.intervals);
      // A stack of your own: no AWS APIs known, its functions not asked for but assumed, and marked so.
      expect(results.config.target.endpoints).toEqual({ websocket: results.config.target.url, services: 'unknown' });
      expect(results.config.target.functions!.source).toBe('assumed');
      expect(results.config.target.functions!.note).toMatch(/are not known to the harness: assumed the reference stack's functions and default memory sizes$/);
      expect(results.cloudwatch).toBeUndefined();
    } finally {
      await server.close();
    }
  });

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
      const { results } = await runBenchmark({ scenario: FANOUT, target: server.url, outDir: dir, shards: 2, seed: 3 });
      expect(results.status).toBe('completed');
      expect(results.deliveries.expected).toBeGreaterThan(0);
      expect(results.deliveries.received).toBe(results.deliveries.expected);
      expect(results.deliveries.lost).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('an interrupt keeps what was measured (status interrupted)', async () => {
    const server = await startMinimalServer();
    const controller = new AbortController();
    try {
      const run = runBenchmark({
        scenario: FANOUT,
        target: server.url,
        outDir: dir,
        shards: 2,
        durationMs: 60_000,
        signal: controller.signal,
        onInterval: (r) => {
          if (r.phase === 'send' && r.sent > 0) controller.abort();
        },
      });
      const { results, runDir } = await run;
      expect(results.status).toBe('interrupted');
      expect(results.sends.sent).toBeGreaterThan(0);
      expect(results.durationMs).toBeLessThan(30_000);
      expect(existsSync(join(runDir, 'results.json'))).toBe(true);
      expect(readIntervals(runDir).length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('an unreachable target is one UserError line, before anything runs', async () => {
    await expect(runBenchmark({ scenario: FANOUT, target: 'ws://127.0.0.1:1/x', outDir: dir })).rejects.toThrow(
      new UserError('target ws://127.0.0.1:1/x unreachable: cannot connect (ECONNREFUSED)'),
    );
    await expect(runBenchmark({ scenario: FANOUT, target: 'http://example.com', outDir: dir })).rejects.toThrow(
      '--target: expected "local", a ws:// or wss:// URL, aws:<stackName> or aws-api:<apiId>/<stage>, got "http://example.com"',
    );
  });
});
