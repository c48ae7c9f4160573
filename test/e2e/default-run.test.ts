import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { BRIEF_MAX_LINES } from '../../src/report/shared/summary-length.ts';
import { consoleSummary } from '../../src/report/run/console.ts';
import { bundledNodePackage, findNode } from '../../src/local-stack/node-binaries.ts';

/**
 * README's first command, `fanout-bench run` with no scenario: `default` against the local
 * emulator, all four measurements on one fleet, every report written. One run (the heaviest of
 * the e2e runs, by design) serves every assertion here, among them what a completed CLI run
 * shows a user (its summary, files, progress lines and the Node its functions ran on), which
 * run-cli.test.ts's other runs do not repeat.
 */
const out = mkdtempSync(join(tmpdir(), 'fb-default-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
/** nothing in the cache folder, as on a fresh machine: Node 22 comes from what `npm ci` installed */
const emptyCache = join(out, 'fresh-node-cache');
/** `npm ci` installs Node 22 on the platforms package.json's optionalDependencies name */
const BUNDLED_NODE_22 = existsSync(join(fileURLToPath(new URL('../../node_modules', import.meta.url)), bundledNodePackage(22)));

let r: CliResult;
let dir: string;
let results: Results;
beforeAll(async () => {
  // the command as typed (the report folder aside): progress on, no scenario, no flags
  r = await runCli(['run', '--out', join(out, 'reports')], { timeoutMs: 240_000, env: { ...process.env, FANOUT_BENCH_NODE_CACHE: emptyCache } });
  const [runId] = readdirSync(join(out, 'reports'));
  dir = join(out, 'reports', runId!);
  results = Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
}, 300_000);

describe('the default run', () => {
  it('completes, accounts for every message, measures all four scenarios and writes the reports', () => {
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
    // the drop brings its built-in check, which the reference stack passes
    expect(results.verdict!.checks.find((c) => c.name === 'stale connections cleaned')).toEqual({
      name: 'stale connections cleaned',
      passed: true,
      detail: expect.stringMatching(/^[\d,]+ posts answered 410 to the [\d,]+ dropped clients' connections; time to clean [\d.,]+ (ms|s)$/),
    });
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
    for (const file of ['index.html', 'summary.md', 'junit.xml', 'intervals.ndjson', 'stack.log']) expect(existsSync(join(dir, file)), file).toBe(true);
  });

  it('as a completed CLI run: summary on stdout naming results and report, plain progress lines on stderr, the stack\'s CloudWatch read', () => {
    expect(r.stdout).toMatch(/^fanout-bench default: completed in [\d,.]+ s against local ws:\/\/127\.0\.0\.1:\d+\//);
    expect(r.stdout).toContain(`results: ${join(dir, 'results.json')}`);
    expect(r.stdout).toContain(`report:  ${join(dir, 'index.html')}`);
    // brief by default: read at a glance, the latency table and the verdict's checks in it
    const console = r.stdout.trimEnd().split('\n');
    expect(console.length).toBeLessThanOrEqual(BRIEF_MAX_LINES);
    expect(console).toContainEqual(expect.stringMatching(/^ {2}latency {6}whose +n +p50 +p90 +p99 +max$/));
    expect(console).toContainEqual(expect.stringMatching(/^verdict: (PASS|FAIL): /));
    expect(console.filter((l) => /^ {2}[✓✗] /.test(l)).length).toBeGreaterThan(0);
    expect(console).toContainEqual(expect.stringMatching(/^ {2}more {9}[\d,]+ lines of .*\blambda\b.*: --summary full prints them; summary\.md has every fact$/));
    // not a TTY: plain progress lines on stderr
    expect(r.stderr).toMatch(/^default {2}\d+s\/\d+s {2}\S+ {2}open \d+/m);
    // after the run: the emulator's CloudWatch answered GetMetricData for the run's invocations
    const cw = results.cloudwatch!;
    expect(cw.lambda['fanout-send-message']!.invocations).toBeGreaterThanOrEqual(results.sends.acked);
    expect(cw.lambda['fanout-connect']!.invocations).toBeGreaterThanOrEqual(results.config.clients);
  });

  it("the functions ran on the default runtime's Node 22 when one is at hand, else said once why not", () => {
    const node22 = findNode(22, { cacheDir: emptyCache });
    if (BUNDLED_NODE_22 && !process.versions.node.startsWith('22.')) expect(node22).toMatchObject({ source: 'node_modules', version: expect.stringMatching(/^22\./) });
    const ranOn = node22?.version ?? process.versions.node;
    expect(results.environment.lambdaRuntime).toMatchObject({ runtime: 'nodejs22.x', node: ranOn, matches: node22 !== undefined });
    expect(results.config.stack).toMatchObject({ lambdaRuntime: results.environment.lambdaRuntime });
    // the full summary's line (`--summary full`; the brief one counts it under "more")
    expect(consoleSummary(results, 'results.json')).toMatch(new RegExp(`^  lambda {7}nodejs22\\.x (?:\\(.+\\) )?on Node ${ranOn.replaceAll('.', '\\.')}${node22 ? '$' : ' \\(not its Node'}`, 'm'));
    expect(r.stderr.match(/warning: nodejs22\.x runs on Node 22/g) ?? []).toHaveLength(node22 ? 0 : 1);
  });
});
