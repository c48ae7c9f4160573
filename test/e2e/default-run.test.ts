import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';
import { Results } from '../../src/contracts/results-schema.ts';

/**
 * README's first command, `fanout-bench run` with no scenario: `default` against the local
 * emulator, all four measurements on one fleet, every report written.
 */
const out = mkdtempSync(join(tmpdir(), 'fb-default-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const runDefault = () => runCli(['run', '--out', out, '--no-progress'], { timeoutMs: 240_000 });

describe('the default run', () => {
  it('completes, accounts for every message, measures all four scenarios and writes the reports', { timeout: 300_000 }, async () => {
    const r = await runDefault();
    const [runId] = readdirSync(out);
    const dir = join(out, runId);
    const results = Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
    expectPassedButForHost(r.code, results, r.stderr);
    expect(results.scenario.name).toBe('default');
    expect(results.status).toBe('completed');
    // connect-storm
    expect(results.metrics.connect.count).toBe(results.config.clients);
    // every connect timed as cold or warm, cold exactly as often as $connect cold-started
    const coldConnects = results.metrics.connectCold?.count ?? 0;
    expect(coldConnects + (results.metrics.connectWarm?.count ?? 0)).toBe(results.config.clients);
    expect(coldConnects).toBe(results.cloudwatch?.reports?.['fanout-connect']?.coldStarts);
    // fanout: every expected delivery arrives
    expect(results.deliveries.expected).toBeGreaterThan(0);
    expect(results.deliveries.received).toBe(results.deliveries.expected);
    expect(results.deliveries.lost).toBe(0);
    // both scenarios' knobs reached the stack it started
    expect(results.config.stackArgs).toEqual(['--lost-disconnect-share', '1', '--idle-reap-seconds', '3']);
    // cold-start: deliveries in the burst after the idle period (past the reap time) from cold
    // environments, warm ones besides (what builtin-scenarios.test.ts asserted of cold-start's own run)
    const burstCold = results.intervals.filter((i) => i.phase === 'burst').reduce((a, i) => a + (i.deliveredCold ?? 0), 0);
    expect(burstCold).toBeGreaterThan(0);
    expect(results.metrics.broadcastCold?.count ?? 0).toBeGreaterThan(0);
    expect(results.metrics.broadcastWarm?.count ?? 0).toBeGreaterThan(0);
    // stale-cleanup: a fifth of the clients dropped, 410s seen only after the drop, posts wasted on
    // them, and broadcasts ran clean afterwards (as stale-cleanup's own run was asserted)
    expect(results.stale?.dropped).toBe(results.config.clients / 5);
    expect(results.stale?.gone410 ?? 0).toBeGreaterThan(0);
    expect(results.stale?.timeToCleanMs).not.toBeNull();
    expect(results.stale?.wastedPosts ?? 0).toBeGreaterThan(0);
    const dropAt = results.phases!.findIndex((p) => p.kind === 'drop');
    expect(dropAt).toBeGreaterThan(0);
    expect(results.phases!.slice(0, dropAt).map((p) => p.gone410)).toEqual(results.phases!.slice(0, dropAt).map(() => 0));
    // after the run
    expect(results.cloudwatch?.status).toBe('complete');
    expect(results.cost?.totals.total ?? 0).toBeGreaterThan(0);
    // every request traced to its invocation through the stage's access log (enabled for the run),
    // connects by $connect's invocation; the stack's figures (host waits taken out) never above the
    // client's, over the same requests
    const a = results.attribution!;
    expect(a).toMatchObject({ source: 'access-log', accessLog: 'enable' });
    expect(a.requests.attributed + a.requests.unattributed).toBe(a.requests.timed);
    expect(a.connect!.all.count).toBe(results.config.clients);
    expect(a.routes.find((x) => x.kind === 'connect')).toMatchObject({ route: '$connect', functionName: 'fanout-connect' });
    const stack = a.stack!;
    expect(stack.heldBack).toBeLessThanOrEqual(stack.invocations);
    for (const k of ['connect', 'join', 'ack', 'broadcast', 'fanoutCompletion'] as const) {
      const own = stack[k]!;
      const client = results.metrics[k]!;
      expect(own.count, k).toBe(client.count);
      // the two are read from the clock microseconds apart and kept to 3 significant digits: that much slack
      for (const stat of ['p50', 'p99', 'max'] as const) expect(own[stat], `${k} ${stat}`).toBeLessThanOrEqual(client[stat] * 1.001 + 0.005);
    }
    // the local host's own account: never more invocations held back than there were, a busy share in range
    const host = results.cloudwatch?.localHost;
    expect(host?.stackCpuMs ?? 0).toBeGreaterThan(0);
    expect(host?.hostBusyPeakPercent ?? -1).toBeGreaterThan(0);
    expect(host?.hostBusyPeakPercent ?? 101).toBeLessThanOrEqual(100);
    for (const [fn, held] of Object.entries(host?.heldBack ?? {})) expect(held.count, fn).toBeLessThanOrEqual(results.cloudwatch!.lambda[fn].invocations);
    for (const file of ['index.html', 'summary.md', 'junit.xml', 'intervals.ndjson']) expect(existsSync(join(dir, file)), file).toBe(true);
  });
});
