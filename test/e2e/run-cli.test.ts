import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_RUNTIMES, nodeMajorOf } from '../../common/node-runtimes.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli, type CliOptions } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';
import { findNode } from '../../src/local-stack/node-binaries.ts';

/** `fanout-bench run` as a user runs it: a child process, its exit code, stdout and stderr. */
const dir = mkdtempSync(join(tmpdir(), 'fb-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], opts: CliOptions = {}) => runCli(['run', ...args], opts);

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

  // A completed run against the local emulator (summary on stdout, results and reports on disk,
  // plain progress lines, exit 0, the functions on Node 22 from what `npm ci` installed) is
  // asserted of the default run's in default-run.test.ts: the README's first command, run anyway.

  it('--runtime without its Node at hand: one warning line, the run completes, results record the mismatch', { timeout: 180_000 }, async () => {
    const out = join(dir, 'fallback');
    const emptyCache = join(dir, 'no-node-cache');
    // a runtime whose Node is neither this one nor one that npm installed
    const runtime = NODE_RUNTIMES.find((x) => findNode(nodeMajorOf(x), { cacheDir: emptyCache, path: '' }) === undefined)!;
    // only this Node on PATH and an empty cache: nothing of the runtime's major to be found
    const env = { ...process.env, FANOUT_BENCH_NODE_CACHE: emptyCache, PATH: dirname(process.execPath) };
    // two clients, one room: the functions run (and are judged) on the Node at hand
    const r = await run(['fanout', '--clients', '2', '--rooms', '1', '--duration', '1s', '--rate', '2', '--runtime', runtime, '--prepared', '0', '--out', out], { env });
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
    // two clients, one room (--prepared 0: no INITs ahead for functions the run never calls)
    const r = await run(['fanout', '--clients', '2', '--rooms', '1', '--duration', '60s', '--rate', '5', '--prepared', '0', '--out', out], {
      onStderr: (text, kill) => {
        // a progress line of the send phase with messages flowing
        if (!sent && /fanout {2}open 2 {2}sent [1-9]/.test(text)) {
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
