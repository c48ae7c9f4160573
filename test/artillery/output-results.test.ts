import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { COUNTERS as C, HISTOGRAMS as H } from '../../src/artillery/metric-names.ts';
import { artilleryResults, summaryOf } from '../../src/artillery/output-results.ts';
import { ArtilleryOutput } from '../../src/artillery/output-schema.ts';
import { readArtilleryOutput, readExportedScript } from '../../src/artillery/read-output.ts';
import { Results } from '../../src/metrics/results-schema.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { exitCodeOf } from '../../src/verdict/exit-codes.ts';

// Artillery's --output JSON → fanout-bench's results, from a real run: test/fixtures/artillery
// holds the output of `artillery run --output` of an exported script (two workers, a drop with
// $disconnect lost, so stale connections were cleaned by 410s) against the emulator, and that
// script.

const FIXTURES = fileURLToPath(new URL('../fixtures/artillery/', import.meta.url));
const OUTPUT = join(FIXTURES, 'output.json');
const SCRIPT = join(FIXTURES, 'script.yml');
const BIN = fileURLToPath(new URL('../../bin/fanout-bench.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fb-artillery-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const raw = () => JSON.parse(readFileSync(OUTPUT, 'utf8'));

describe('results from an Artillery run of the fanout engine', () => {
  const output = readArtilleryOutput(OUTPUT);
  const script = readExportedScript(SCRIPT);
  const counters = output.aggregate.counters;
  const results = artilleryResults({ output, outputFile: OUTPUT, script, runId: 'r1' });

  it('carries the delivery ledger, sends, connections and stale cleanup summed over the workers', () => {
    expect(Results.parse(results)).toEqual(results);
    expect(results.status).toBe('completed');
    expect(results.config.shards).toBe(2);
    expect(results.config.artillery).toMatchObject({ workers: 2, plannedWorkers: 2, virtualUsers: { created: 2, completed: 2, failed: 0 } });
    expect(results.config).toMatchObject({ clients: 40, rooms: 4, target: { kind: 'remote', url: script.config.target } });
    expect(results.scenario.name).toBe('artillery-fixture');
    expect(results.deliveries).toMatchObject({
      expected: counters[C.expected],
      received: counters[C.received],
      lost: 0,
      lossTimeoutMs: 30_000,
      graceMs: 2_000,
    });
    expect(results.deliveries.expected).toBe(606);
    expect(results.sends).toEqual({ intended: 70, sent: 70, acked: 70, failed: 0, missedSlots: 1, skipped: 0 });
    expect(results.connections).toEqual({ attempted: 40, opened: 40, failed: 0, missedSlots: 11, joined: 40, joinFailed: 0, openAtEnd: 30 });
    // both workers dropped 5 of their 20 clients; each still saw broadcasts run clean: the slower of the two
    expect(results.stale).toEqual({ dropped: 10, gone410: 10, wastedPosts: 10, timeToCleanMs: output.aggregate.summaries[H.staleTimeToClean].max });
    expect(results.errors).toEqual({});
    expect(results.histograms).toEqual({});
    expect(results.cloudwatch).toBeUndefined();
    expect(results.cost).toBeUndefined();
  });

  it('takes latencies from Artillery\'s summaries, percentiles clipped into the recorded min and max', () => {
    const broadcast = output.aggregate.summaries[H.broadcast];
    expect(results.metrics.broadcast).toMatchObject({ count: broadcast.count, min: broadcast.min, max: broadcast.max, mean: broadcast.mean });
    expect(results.metrics.broadcast.count).toBe(counters[C.received]);
    expect(results.metrics.fanoutCompletion.count).toBe(70);
    for (const s of Object.values(results.metrics)) {
      if (!s) continue;
      for (const p of [s.p50, s.p90, s.p99, s.p999]) {
        expect(p).toBeGreaterThanOrEqual(s.min);
        expect(p).toBeLessThanOrEqual(s.max);
      }
    }
    // in this very run the sketch put a median below the smallest value recorded
    const clean = output.aggregate.summaries[H.staleTimeToClean];
    expect(clean.p50).toBeLessThan(clean.min);
    expect(summaryOf(clean)!.p50).toBe(clean.min);
  });

  it('has one interval per Artillery period, the first from the first metric and the last to the last', () => {
    expect(results.intervals).toHaveLength(output.intermediate.length);
    const sum = (f: (i: (typeof results.intervals)[number]) => number) => results.intervals.reduce((a, i) => a + f(i), 0);
    expect(sum((i) => i.delivered)).toBe(counters[C.arrived]);
    expect(sum((i) => i.sent)).toBe(counters[C.sendsSent]);
    expect(sum((i) => i.connects)).toBe(counters[C.connectsOpened]);
    expect(sum((i) => i.periodMs ?? 0)).toBe(results.durationMs);
    expect(results.intervals[0].t).toBe(Date.parse(results.startedAt));
    expect(results.intervals.at(-1)!.openClients).toBe(0); // every socket closed at the end
    // phases by their names in the script: the last period saw the last phase begin
    expect(results.intervals.at(-1)!.phase).toBe('after');
  });

  it('is judged like a run: built-in checks, the script\'s thresholds and the flags\'', () => {
    const verdict = evaluate(results);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.checks.map((c) => [c.name, c.passed])).toEqual([
      ['run completed', true],
      ['sends went out', true],
      ['no lost deliveries', true],
      ['harness not saturated', true],
      ['no unexpected errors', true],
    ]);
  });

  it('says when a worker failed, and why', () => {
    const o = raw();
    o.aggregate.counters['vusers.failed'] = 1;
    o.aggregate.counters['vusers.completed'] = 1;
    o.aggregate.counters['errors.fanout: none of the 20 connects opened (20 failed)'] = 1;
    o.aggregate.counters['errors.handshake:403'] = 20;
    const r = artilleryResults({ output: ArtilleryOutput.parse(o), outputFile: OUTPUT, script });
    expect(r.status).toBe('failed');
    expect(r.statusReason).toBe('1 of 2 workers failed: none of the 20 connects opened (20 failed)');
    expect(r.errors).toEqual({ 'fanout: none of the 20 connects opened (20 failed)': 1, 'handshake:403': 20 });
    expect(exitCodeOf(evaluate(r))).toBe(1);
  });

  it('says when fewer workers ran than the script was planned for', () => {
    const o = raw();
    o.aggregate.counters[C.workers] = 1;
    const r = artilleryResults({ output: ArtilleryOutput.parse(o), outputFile: OUTPUT, script });
    expect(r.harness.warnings).toContain('the script was planned for 2 workers and 1 ran: this run carried 1/2 of the scenario\'s load');
  });

  it('without the script: the counts, with the scenario and its target unknown', () => {
    const r = artilleryResults({ output, outputFile: OUTPUT });
    expect(r.scenario).toEqual({ name: 'artillery', definition: {} });
    expect(r.config.target.url).toBe('unknown (no --script)');
    expect(r.deliveries.received).toBe(606);
    expect(r.deliveries.lossTimeoutMs).toBeUndefined();
    expect(r.intervals.at(-1)!.phase).toBe('phase 4');
  });
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function report(args: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'report', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hung: ${args.join(' ')}`));
    }, 60_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function expectOneLine(r: Ran, line: string | RegExp): void {
  expect(r.code).toBe(2);
  if (typeof line === 'string') expect(r.stderr).toBe(`fanout-bench: ${line}\n`);
  else expect(r.stderr).toMatch(line);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
}

describe('fanout-bench report --artillery (CLI)', { timeout: 180_000 }, () => {
  it('renders results.json, index.html, summary.md and junit.xml with the verdict; thresholds set the exit code', async () => {
    const out = join(dir, 'ok');
    const r = await report(['--artillery', OUTPUT, '--script', SCRIPT, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [runId] = readdirSync(out);
    const runDir = join(out, runId);
    expect(r.stdout).toMatch(/^fanout-bench artillery-fixture: completed in [\d.]+s against remote ws:\/\/127\.0\.0\.1:\d+\/local\n/);
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
    expect(existsSync(join(runDir, 'junit.xml'))).toBe(true);

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
