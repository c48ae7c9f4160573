import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_RUNTIMES, nodeMajorOf } from '../../common/node-runtimes.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli, type CliOptions } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';
import { bundledNodePackage, findNode } from '../../src/local-stack/node-binaries.ts';

/** `fanout-bench run` as a user runs it: a child process, its exit code, stdout and stderr. */
const dir = mkdtempSync(join(tmpdir(), 'fb-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], opts: CliOptions = {}) => runCli(['run', ...args], opts);
/** `npm ci` installs Node 22 on the platforms package.json's optionalDependencies name */
const BUNDLED_NODE_22 = existsSync(join(fileURLToPath(new URL('../../node_modules', import.meta.url)), bundledNodePackage(22)));

describe('fanout-bench run (CLI)', () => {
  it('a bad scenario file: one line naming file and field, exit 2', { timeout: 60_000 }, async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\nclients: 10\nrooms: 2\nphases:\n  - connect: { rate: -5 }\n');
    const r = await run([file, '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fanout-bench: ${file}: phases[0].connect.rate: must be a number > 0 and at most 1000000\n`);
    expect(r.stdout).toBe('');
  });

  // Other refusals are proved where they are decided, their way out of the CLI (one line, exit 2)
  // by the bad file's above: a bad flag's line in run-input.test.ts ('--clients, --rooms, --rate,
  // --duration and --seed: the schema's limits, named by the flag'), an unreachable target's (and
  // that nothing is written) in run-unreachable-target.test.ts, both under test/harness.

  it('a completed run against the local emulator: summary on stdout, results on disk, exit 0', { timeout: 180_000 }, async () => {
    const out = join(dir, 'ok');
    // nothing in the cache folder, as on a fresh machine: Node 22 comes from what `npm ci` installed
    const emptyCache = join(dir, 'fresh-node-cache');
    // --prepared 0 (here and below): no INITs ahead for functions the run never calls
    const r = await run(['fanout', '--clients', '20', '--rooms', '2', '--duration', '2s', '--rate', '5', '--prepared', '0', '--out', out], {
      env: { ...process.env, FANOUT_BENCH_NODE_CACHE: emptyCache },
    });
    expect(r.stdout).toMatch(/^fanout-bench fanout: completed in [\d.]+s against local ws:\/\/127\.0\.0\.1:\d+\//);
    const [runId] = readdirSync(out);
    expect(r.stdout).toContain(`results: ${join(out, runId, 'results.json')}`);
    const results = Results.parse(JSON.parse(readFileSync(join(out, runId, 'results.json'), 'utf8')));
    expect(results.status).toBe('completed');
    expectPassedButForHost(r.code, results, r.stderr);
    expect(results.deliveries.received).toBe(results.deliveries.expected);
    // the functions ran on the default runtime's Node 22 when one is at hand, else said once why not
    const node22 = findNode(22, { cacheDir: emptyCache });
    if (BUNDLED_NODE_22 && !process.versions.node.startsWith('22.')) expect(node22).toMatchObject({ source: 'node_modules', version: expect.stringMatching(/^22\./) });
    const ranOn = node22?.version ?? process.versions.node;
    expect(results.environment.lambdaRuntime).toMatchObject({ runtime: 'nodejs22.x', node: ranOn, matches: node22 !== undefined });
    expect(results.config.stack).toMatchObject({ lambdaRuntime: results.environment.lambdaRuntime });
    expect(r.stdout).toMatch(new RegExp(`^  lambda {7}nodejs22\\.x (?:\\(.+\\) )?on Node ${ranOn.replaceAll('.', '\\.')}${node22 ? '$' : ' \\(not its Node'}`, 'm'));
    expect(r.stderr.match(/warning: nodejs22\.x runs on Node 22/g) ?? []).toHaveLength(node22 ? 0 : 1);
    expect(existsSync(join(out, runId, 'intervals.ndjson'))).toBe(true);
    expect(existsSync(join(out, runId, 'stack.log'))).toBe(true);
    // not a TTY: plain progress lines on stderr
    expect(r.stderr).toMatch(/^fanout {2}\d+s\/\d+s {2}\S+ {2}open \d+/m);

    // after the run: the emulator's CloudWatch answered GetMetricData for the run's invocations,
    // the cost was estimated and the three reports were rendered
    const cw = results.cloudwatch!;
    expect(cw.status).toBe('complete');
    expect(cw.lambda['fanout-send-message']!.invocations).toBeGreaterThanOrEqual(results.sends.acked);
    expect(cw.lambda['fanout-connect']!.invocations).toBeGreaterThanOrEqual(20);
    expect(results.cost!.totals.total).toBeGreaterThan(0);
    for (const file of ['index.html', 'summary.md', 'junit.xml']) expect(existsSync(join(out, runId, file))).toBe(true);
    expect(r.stdout).toContain(`report:  ${join(out, runId, 'index.html')}`);
  });

  it('--runtime without its Node at hand: one warning line, the run completes, results record the mismatch', { timeout: 180_000 }, async () => {
    const out = join(dir, 'fallback');
    const emptyCache = join(dir, 'no-node-cache');
    // a runtime whose Node is neither this one nor one that npm installed
    const runtime = NODE_RUNTIMES.find((x) => findNode(nodeMajorOf(x), { cacheDir: emptyCache, path: '' }) === undefined)!;
    // only this Node on PATH and an empty cache: nothing of the runtime's major to be found
    const env = { ...process.env, FANOUT_BENCH_NODE_CACHE: emptyCache, PATH: dirname(process.execPath) };
    const r = await run(['fanout', '--clients', '10', '--rooms', '1', '--duration', '1s', '--rate', '2', '--runtime', runtime, '--prepared', '0', '--out', out], { env });
    // (a loaded host may add its own saturation warning; only the runtime's is this test's)
    const warnings = r.stderr.split('\n').filter((l) => l.includes('warning:') && !l.includes('harness saturated'));
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^fanout-bench: warning: ${runtime.replace('.', '\\.')} runs on Node ${nodeMajorOf(runtime)}, and none was found in `))]);
    const [runId] = readdirSync(out);
    const results = Results.parse(JSON.parse(readFileSync(join(out, runId, 'results.json'), 'utf8')));
    expect(results.status).toBe('completed');
    expectPassedButForHost(r.code, results, r.stderr);
    expect(results.environment.lambdaRuntime).toEqual({
      runtime,
      node: process.versions.node,
      matches: false,
      note: warnings[0]!.replace('fanout-bench: warning: ', ''),
    });
    expect(results.config.stackArgs).toEqual(['--prepared', '0', '--runtime', runtime]);
  });

  it('Ctrl-C (SIGINT) writes results.json from what was measured, status interrupted', { timeout: 180_000 }, async () => {
    const out = join(dir, 'sigint');
    let sent = false;
    const r = await run(['fanout', '--clients', '20', '--rooms', '2', '--duration', '60s', '--rate', '5', '--prepared', '0', '--out', out], {
      onStderr: (text, kill) => {
        // a progress line of the send phase with messages flowing
        if (!sent && /fanout {2}open 20 {2}sent [1-9]/.test(text)) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('fanout-bench: interrupting: writing what was measured');
    const [runId] = readdirSync(out);
    const results = Results.parse(JSON.parse(readFileSync(join(out, runId, 'results.json'), 'utf8')));
    expect(results.status).toBe('interrupted');
    expect(results.sends.sent).toBeGreaterThan(0);
    expect(results.durationMs).toBeLessThan(60_000);
  });
});
