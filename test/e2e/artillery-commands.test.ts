import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportedScript } from '../../src/artillery-interop/plan-schema.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { expectOneLine, runCli } from './cli.ts';

// `fanout-bench artillery export` and `report --artillery` as a user runs them (the CLI in a child
// process): the files they write, the exit codes, and every mistake as one line naming the flag,
// the scenario or the file. Artillery itself is not needed: the report reads the recorded output
// of a real run (test/fixtures/artillery); test/e2e/artillery-cli.test.ts runs Artillery.

const FIXTURES = fileURLToPath(new URL('../fixtures/artillery/', import.meta.url));
const OUTPUT = join(FIXTURES, 'output.json');
const SCRIPT = join(FIXTURES, 'script.yml');
const URL_ = 'ws://127.0.0.1:9/local';
const dir = mkdtempSync(join(tmpdir(), 'fb-artillery-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], env?: NodeJS.ProcessEnv) => runCli(args, { env, timeoutMs: 60_000 });

const exportCli = (args: string[], env?: NodeJS.ProcessEnv) => cli(['artillery', 'export', ...args], env);
const report = (args: string[]) => cli(['report', ...args]);
const raw = () => JSON.parse(readFileSync(OUTPUT, 'utf8'));

describe('fanout-bench artillery export (CLI)', { timeout: 120_000 }, () => {
  it('writes the script, never the token, and says how to run it', async () => {
    const token = `secret-${process.pid}-${Date.now()}`;
    const out = join(dir, 'fanout.yml');
    const r = await exportCli(['fanout', '--target', URL_, '--workers', '4', '--clients', '40', '--rooms', '8', '--seed', '3', '--token-in', 'query', '--out', out], {
      ...process.env,
      FANOUT_BENCH_TOKEN: token,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`fanout-bench: ${out}: scenario fanout for 4 workers, each 10 clients in 2 rooms; run it with: artillery run-fargate --count 4`);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toContain(token);
    expect(r.stderr).not.toContain(token);
    const plan = ExportedScript.parse(parse(text)).config.engines.fanout;
    expect(plan).toMatchObject({ workers: 4, tokenIn: 'query', seed: 3, total: { clients: 40, rooms: 8 } });
    expect(plan.rooms).toHaveLength(2);
  });

  it('prints the script on stdout without --out', async () => {
    const r = await exportCli(['connect-storm', '--target', 'wss://abc123.execute-api.eu-west-1.amazonaws.com/prod']);
    expect(r.code).toBe(0);
    expect(ExportedScript.parse(parse(r.stdout)).config.target).toBe('wss://abc123.execute-api.eu-west-1.amazonaws.com/prod');
  });

  it('bad input: one line naming the flag, the scenario or the file, exit 2', async () => {
    expectOneLine(await exportCli(['nope', '--target', URL_]), /^fanout-bench: nope: not a built-in scenario \(.*\) nor a scenario file\n$/);
    expectOneLine(await exportCli(['fanout', '--target', URL_, '--workers', '0']), '--workers: must be an integer from 1 to 10000, got "0"');
    expectOneLine(await exportCli(['fanout', '--target', URL_, '--workers', '40']), '--workers: 40 workers but 20 rooms: a room never spans workers, so at most 20 workers');
    expectOneLine(await exportCli(['fanout']), /^fanout-bench: --target: the ws:\/\/ or wss:\/\/ URL the workers connect to is needed/);
    expectOneLine(await exportCli(['fanout', '--target', 'http://127.0.0.1:9/']), /^fanout-bench: --target: expected .*, got "http:\/\/127\.0\.0\.1:9\/"\n$/);
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\nclients: 10\nrooms: 20\nphases:\n  - connect: {}\n');
    expectOneLine(await exportCli([file, '--target', URL_]), `${file}: rooms: must not exceed clients (10)`);
    expectOneLine(await exportCli(['fanout', '--target', URL_, '--out', join(dir, 'missing', 'dir', 'x.yml')]), `--out ${join(dir, 'missing', 'dir', 'x.yml')}: cannot write (ENOENT)`);
  });
});

describe('fanout-bench report --artillery (CLI)', { timeout: 180_000 }, () => {
  it('renders results.json, index.html, summary.md and junit.xml with the verdict; thresholds set the exit code', async () => {
    const out = join(dir, 'ok');
    const r = await report(['--artillery', OUTPUT, '--script', SCRIPT, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [runId] = readdirSync(out);
    const runDir = join(out, runId);
    expect(r.stdout).toMatch(/^fanout-bench artillery-fixture: completed in [\d,.]+ s against remote ws:\/\/127\.0\.0\.1:\d+\/local\n/);
    expect(r.stdout).toContain('deliveries   expected 606  received 606  lost 0');
    expect(r.stdout).toContain('verdict: PASS');
    const results = Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));
    // the script's own threshold was judged
    expect(results.verdict!.thresholds.map((t) => [t.expression, t.source, t.outcome])).toEqual([['broadcast.p99 < 5s', `${SCRIPT}: thresholds[0]`, 'pass']]);
    expect(results.verdict!.notes[0]).toMatch(/^from Artillery's output .*: 2 workers; latencies are Artillery's DDSketch summaries/);
    const html = readFileSync(join(runDir, 'index.html'), 'utf8');
    const md = readFileSync(join(runDir, 'summary.md'), 'utf8');
    expect(html).toContain('artillery-fixture');
    expect(html).toContain('per 10-second Artillery period');
    expect(md).toContain('606 of 606 expected received');
    expect(md).toContain('| broadcast | 606 |');
    // finished as a run is (src/session/finish.ts): the verdict stored in results.json, and the JUnit
    // file CI reads shows it, the script's threshold a test case of its own
    const junit = readFileSync(join(runDir, 'junit.xml'), 'utf8');
    expect(junit).toContain(`<property name="verdict" value="${results.verdict!.outcome}"/>`);
    expect(junit).toContain('<testcase classname="fanout-bench.artillery-fixture.thresholds" name="broadcast.p99 &lt; 5s" time="0">');
    // the reports written, one per line, after the summary
    expect(r.stdout.trim().split('\n').slice(-3).map((l) => l.split('/').pop())).toEqual(['index.html', 'summary.md', 'junit.xml']);

    // that results.json re-renders like any run's, and serves as a baseline
    const again = await report([runDir]);
    expect(again.code).toBe(0);
    const crossed = await report(['--artillery', OUTPUT, '--script', SCRIPT, '--out', join(dir, 'crossed'), '--threshold', 'deliveries.received > 1000', '--baseline', join(runDir, 'results.json'), '--threshold', 'broadcast.p99 <= baseline * 1.1']);
    expect(crossed.code).toBe(99);
    expect(crossed.stdout).toContain('verdict: FAIL');
  });

  it('bad input: one line naming the file and the field, exit 2, nothing written', async () => {
    const out = join(dir, 'bad');
    expectOneLine(await report(['--artillery', join(dir, 'none.json'), '--out', out]), `${join(dir, 'none.json')}: cannot read Artillery output (artillery run --output) (ENOENT)`);
    const write = (name: string, data: unknown) => {
      const f = join(dir, name);
      writeFileSync(f, typeof data === 'string' ? data : JSON.stringify(data));
      return f;
    };
    const notJson = write('not.json', '{"aggregate":');
    expectOneLine(await report(['--artillery', notJson, '--out', out]), new RegExp(`^fanout-bench: ${notJson}: not valid JSON \\(`));
    const o = raw();
    delete o.aggregate.counters;
    const noCounters = write('no-counters.json', o);
    expectOneLine(await report(['--artillery', noCounters, '--out', out]), `${noCounters}: aggregate.counters: missing (expected record)`);
    const other = raw();
    other.aggregate.counters = { 'http.requests': 10 };
    const otherEngine = write('http.json', other);
    expectOneLine(
      await report(['--artillery', otherEngine, '--out', out]),
      `${otherEngine}: aggregate.counters["fanout.workers"]: missing: not the output of a run of the fanout engine (a script from fanout-bench artillery export)`,
    );
    expectOneLine(await report(['--artillery', OUTPUT, '--script', OUTPUT, '--out', out]), `${OUTPUT}: config: missing (expected object)`);
    expectOneLine(await report(['--artillery', OUTPUT, '--threshold', 'broadcast.p98 < 1s', '--out', out]), /^fanout-bench: --threshold: "broadcast.p98 < 1s": unknown metric/);
    expectOneLine(await report(['--artillery', OUTPUT, '--prices', 'x.yaml', '--out', out]), /^fanout-bench: --prices: an Artillery run has no cost estimate/);
    expectOneLine(await report([dir, '--artillery', OUTPUT]), 'report: give a run directory or --artillery <output.json>, not both');
    expectOneLine(await report([dir, '--threshold', 'broadcast.p99 < 1s']), '--threshold: applies to --artillery only (a run directory keeps the verdict it was judged by)');
    expect(existsSync(out)).toBe(false);
  });
});
