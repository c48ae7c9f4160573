import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMinimalServer } from '../../bench/minimal-server/server.ts';
import { UserError } from '../../common/errors.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { runBenchmark } from '../../src/modes/run.ts';
import { scenarioFiles } from '../e2e/scenario-files.ts';
import { FANOUT_SCENARIO, readIntervals } from '../fixtures/minimal-server-fanout.ts';

/**
 * The whole harness — real shard processes, real sockets — against the minimal fan-out server.
 * With nothing dropped, every expected delivery must arrive, whichever shard holds the receiver.
 * CI runs this file on Node 20, 22 and 24 (the fleet's sockets, its shard processes and their
 * signals are the Node's); the runs that exercise the harness's modes against the same server,
 * independent of the Node, are fleet-minimal-server-runs.test.ts.
 */
const { dir, scenario } = scenarioFiles('fb-harness-');
const FANOUT = scenario('fanout', FANOUT_SCENARIO);

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
      // A stack of your own: no AWS APIs known, its functions not known, and none assumed (never the
      // reference stack's: its $connect did not answer as the reference stack's), said so.
      expect(results.config.target.endpoints).toEqual({ websocket: results.config.target.url, services: 'unknown' });
      expect(results.config.target.functions).toMatchObject({ source: 'assumed', functions: [] });
      expect(results.config.target.functions!.note).toMatch(/are not known to the harness: no function's metrics, logs or permissions are read$/);
      expect(results.cloudwatch).toBeUndefined();
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
