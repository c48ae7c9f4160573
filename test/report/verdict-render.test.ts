import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Results, SCHEMA_VERSION } from '../../src/contracts/results-schema.ts';
import { renderJunit } from '../../src/report/run/junit.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { verdictLines } from '../../src/report/run/verdict-text.ts';
import type { JudgedResults } from '../../src/verdict/judged.ts';
import { FIXTURES, recorded, slowAgainstBaseline } from '../verdict/recorded-runs.ts';

/**
 * The renderers show the stored verdict: JUnit one test case per check and per threshold,
 * summary.md the thresholds and the comparison table. Runs recorded from the emulator
 * (test/verdict/recorded-runs.ts) are the material; version 1 files among them still render.
 */
const run = promisify(execFile);
const CLI = new URL('../../bin/fanout-bench.js', import.meta.url).pathname;

let dir: string;
let judgedSlow: JudgedResults;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-verdict-render-'));
  judgedSlow = await slowAgainstBaseline();
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('junit.xml', () => {
  it('has one test case per check and one per threshold, named by its expression', () => {
    const xml = renderJunit(judgedSlow);
    const cases = [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map((m) => [m[1], m[2]]);
    expect(cases).toEqual([
      ['fanout-bench.verdict-fixture', 'run completed'],
      ['fanout-bench.verdict-fixture', 'sends went out'],
      ['fanout-bench.verdict-fixture', 'no lost deliveries'],
      ['fanout-bench.verdict-fixture', 'harness not saturated'],
      ['fanout-bench.verdict-fixture', 'no unexpected errors'],
      ['fanout-bench.verdict-fixture.thresholds', 'broadcast.p50 &lt;= baseline * 1.10'],
      ['fanout-bench.verdict-fixture.thresholds', 'broadcast.p99 &lt;= baseline * 1.10'],
      ['fanout-bench.verdict-fixture.thresholds', 'deliveries.lost == 0'],
      ['fanout-bench.verdict-fixture.thresholds', 'dynamodb.readUnitsPerMessage &lt;= 2'],
      ['fanout-bench.verdict-fixture.thresholds', 'stale.timeToCleanMs &lt; 5s'],
    ]);
    // saturated harness, p50 crossed, units crossed, stale cleanup without data; p99 within noise passes
    expect(xml).toContain('<testsuites name="fanout-bench" tests="10" failures="4" errors="0"');
    expect(xml).toMatch(/name="broadcast\.p50 &lt;= baseline \* 1\.10" time="0">\n {6}<failure message="crossed: 2,304 ms \(median of 3 runs/);
    expect(xml).toMatch(/name="broadcast\.p99 &lt;= baseline \* 1\.10" time="0">\n {6}<system-out>within noise: .*not a regression \[nightly\.yaml: thresholds\[1\]\]<\/system-out>/);
    expect(xml).toMatch(/name="stale\.timeToCleanMs &lt; 5s" time="0">\n {6}<failure message="no data: no data: this run dropped no clients; counts as failed \[--threshold\]" type="threshold no data">/);
    expect(xml).toContain(`<property name="baseline" value="${judgedSlow.verdict.baseline!.runId}"/>`);
    expect(xml).toContain('<property name="verdict" value="fail"/>');
  });
});

describe('summary.md', () => {
  it('shows the verdict, the thresholds and the comparison with the baseline', () => {
    const md = renderSummaryMarkdown(judgedSlow);
    const lines = md.split('\n');
    expect(lines[0]).toBe('## fanout-bench: verdict-fixture — ❌ FAIL');
    expect(md).toContain('Verdict: 1 of 5 checks failed (harness not saturated); 2 of 5 thresholds crossed, 1 of 5 without data');
    expect(md).toContain('| threshold | result | this run | limit | detail | from |');
    expect(lines.find((l) => l.startsWith('| broadcast.p99 &lt;= baseline \\* 1.10 |'))).toMatch(/^\| broadcast\.p99 &lt;= baseline \\\* 1\.10 \| 〰️ within noise \| 4,903 ms \| &lt;= 3,915 ms \| .* \| nightly\.yaml: thresholds\\\[1\\\] \|$/);
    expect(lines.find((l) => l.startsWith('| stale.timeToCleanMs &lt; 5s |'))).toBe('| stale.timeToCleanMs &lt; 5s | ❔ no data | – | &lt; 5,000 ms | no data: this run dropped no clients; counts as failed | --threshold |');
    expect(md).toContain(`Baseline \`${judgedSlow.verdict.baseline!.runId}\` (verdict-fixture, ${judgedSlow.verdict.baseline!.startedAt}, 3 runs)`);
    expect(md).toContain('| metric | baseline | this run | change | verdict |');
    expect(md).toContain('| broadcast.p50 | 948 ms | 2,304 ms | +143 % | ❌ crossed |');
    expect(md).toContain('| broadcast.p99 | 3,559 ms | 4,903 ms | +37.7 % | 〰️ within noise |');
    expect(md).toContain('| deliveries.lost | 0 | 0 | – | ✅ pass |');
    // a headline metric without a threshold, and exact: shown, not judged
    expect(md).toContain('| dynamodb.writeUnitsPerMessage | 7.04 | 6.29 | −10.7 % | – |');
    expect(md).toContain('- values are medians of 3 runs');
  });
});

describe('results.json version 1 (written before the verdict)', () => {
  it('is read with a verdict judged from its checks, saying so', async () => {
    const raw = JSON.parse(await readFile(join(FIXTURES, 'base-3.json'), 'utf8'));
    expect(raw.schemaVersion).toBe(1);
    expect(raw.verdict).toBeUndefined();
    const r = await recorded('base-3');
    expect(r.schemaVersion).toBe(SCHEMA_VERSION);
    expect(Results.parse(r)).toEqual(r);
    expect(r.verdict.outcome).toBe('pass');
    expect(r.verdict.checks.map((c) => c.passed)).toEqual([true, true, true, true, true]);
    expect(r.verdict.notes).toEqual(['judged when read: a version 1 results file stores no verdict, so this is its built-in checks']);
  });

  it('`fanout-bench report` re-renders it: exit 0, the three files, the verdict in each', async () => {
    const d = join(dir, 'v1');
    await mkdir(d, { recursive: true });
    await copyFile(join(FIXTURES, 'base-1.json'), join(d, 'results.json'));
    const { stdout, stderr } = await run(process.execPath, [CLI, 'report', d]);
    expect(stderr).toBe('');
    expect(stdout.trim().split('\n').map((l) => l.split('/').pop())).toEqual(['index.html', 'summary.md', 'junit.xml']);
    const md = await readFile(join(d, 'summary.md'), 'utf8');
    expect(md.split('\n')[0]).toBe('## fanout-bench: verdict-fixture — ❌ FAIL');
    expect(md).toContain('| harness not saturated | ❌ |');
    expect(md).toContain('- judged when read: a version 1 results file stores no verdict, so this is its built-in checks');
    expect(await readFile(join(d, 'junit.xml'), 'utf8')).toContain('tests="5" failures="1"');
    expect(await readFile(join(d, 'index.html'), 'utf8')).toContain('<span class="pill fail">FAIL</span>');
    // the file itself is left as it was
    expect(JSON.parse(await readFile(join(d, 'results.json'), 'utf8')).schemaVersion).toBe(1);
  });

  it('a file from a newer version is refused in one line', async () => {
    const d = join(dir, 'v9');
    await mkdir(d, { recursive: true });
    const raw = JSON.parse(await readFile(join(FIXTURES, 'base-1.json'), 'utf8'));
    await writeFile(join(d, 'results.json'), JSON.stringify({ ...raw, schemaVersion: 9 }));
    const err = await run(process.execPath, [CLI, 'report', d]).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toBe(`fanout-bench: ${join(d, 'results.json')}: schemaVersion 9 is newer than this fanout-bench reads (2): upgrade fanout-bench\n`);
  });
});

describe('the verdict for a terminal', () => {
  it('is the headline, then what did not pass, one line each, then each repeat with its figures and why', () => {
    const all = verdictLines(judgedSlow.verdict);
    const at = all.indexOf('  repeats:');
    // the slow build was run three times: one line each, its failed checks' lines under it
    const repeats = all.slice(at + 1);
    expect(repeats.filter((l) => /^ {4}\d\. /.test(l)).map((l) => l.slice(0, 7))).toEqual(['    1. ', '    2. ', '    3. ']);
    expect(repeats.every((l) => /^ {4}\d\. \S+: completed, broadcast p99 [\d,.]+ ms, connect p99 [\d,.]+ ms, lost \d+, unexpected errors \d+$/.test(l) || /^ {7}(check failed|  (why|function errors|where)): /.test(l))).toBe(true);
    const lines = all.slice(0, at);
    expect(lines[0]).toBe('verdict: FAIL: 1 of 5 checks failed (harness not saturated); 2 of 5 thresholds crossed, 1 of 5 without data');
    // the first cause, as the headline of summary.md and the report name it: the first explanation's first line
    const first = judgedSlow.verdict.explanations![0]!;
    expect(lines[1]).toBe(`  first cause (${first.check}): ${first.evidence[0]!.line}`);
    // a failed check's explanation, indented under it
    expect(lines[2]).toMatch(/^ {2}check failed: harness not saturated: /);
    const why = lines.slice(3).filter((l) => l.startsWith('    '));
    expect(why.length).toBeGreaterThan(0);
    expect(why.every((l) => /^ {4}(why|function errors|where): /.test(l))).toBe(true);
    const rest = lines.slice(2).filter((l) => !l.startsWith('    '));
    expect(rest.map((l) => l.slice(0, l.indexOf(':', 3)))).toEqual([
      '  check failed',
      '  crossed',
      '  within noise',
      '  crossed',
      '  no data',
    ]);
    expect(rest[4]).toBe('  no data: stale.timeToCleanMs < 5s: no data: this run dropped no clients; counts as failed [--threshold]');
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });
});
