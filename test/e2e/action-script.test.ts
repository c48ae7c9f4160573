import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';

/**
 * The action's run step (.github/action/run.sh) as action.yml runs it: the inputs in FB_*
 * variables, a job summary and step outputs of its own (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT), the
 * real CLI against the local emulator. The job must fail with the run's exit code (99 when a
 * threshold is crossed, 2 on bad input), the summary must say what it means and hold the run's
 * summary.md, and the outputs must name the code and the report folder.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'fb-action-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Step {
  code: number | null;
  stdout: string;
  summary: string;
  outputs: string;
}

let n = 0;
function runStep(inputs: Record<string, string>): Promise<Step> {
  const dir = join(work, `step-${++n}`);
  rmSync(dir, { recursive: true, force: true });
  const summary = join(work, `summary-${n}.md`);
  const outputs = join(work, `outputs-${n}`);
  writeFileSync(summary, '');
  writeFileSync(outputs, '');
  return new Promise((done) => {
    const child = spawn(join(ROOT, '.github/action/run.sh'), [], {
      cwd: work,
      env: { ...process.env, FANOUT_BENCH_BIN: join(ROOT, 'bin/fanout-bench.js'), GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: outputs, ...inputs },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.resume();
    child.on('exit', (code) => done({ code, stdout, summary: readFileSync(summary, 'utf8'), outputs: readFileSync(outputs, 'utf8') }));
  });
}

describe("the action's run script", () => {
  it('a threshold crossed: exit 99 passed through, the summary says so and holds the run\'s summary.md', { timeout: 180_000 }, async () => {
    writeFileSync(join(work, 'tiny.yaml'), ['name: tiny', 'clients: 6', 'rooms: 1', 'seed: 3', 'phases:', '  - connect: { rate: 50 }', '  - join: { rate: 50 }', '  - send: { duration: 2s, rate: 3 }', ''].join('\n'));
    const r = await runStep({
      FB_SCENARIO: 'tiny.yaml',
      // a threshold no run of 6 clients meets
      FB_THRESHOLDS: 'deliveries.received >= 1000000\n',
      FB_ARGS: '--prepared 0 --shards 1',
      FB_OUT: 'reports/ci',
    });
    expect(r.code).toBe(99);
    expect(r.outputs).toBe('exit-code=99\nreport-dir=reports/ci\n');
    const [runId] = readdirSync(join(work, 'reports/ci'));
    const runDir = join(work, 'reports/ci', runId!);
    const results = Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')));
    expect(results.verdict!.thresholds.map((t) => [t.expression, t.outcome])).toEqual([['deliveries.received >= 1000000', 'fail']]);
    expect(r.summary).toBe(
      `**fanout-bench: a check or threshold failed (exit 99):** a regression against the baseline or an absolute threshold; see below.\n\n${readFileSync(join(runDir, 'summary.md'), 'utf8')}\n`,
    );
  });

  it('bad input: exit 2 passed through, and a summary that says nothing was measured', { timeout: 60_000 }, async () => {
    const r = await runStep({ FB_SCENARIO: 'fanout', FB_TARGET: 'ws://127.0.0.1:1/x', FB_OUT: 'reports/bad' });
    expect(r.code).toBe(2);
    expect(r.outputs).toBe('exit-code=2\nreport-dir=reports/bad\n');
    expect(r.summary).toBe(
      '**fanout-bench: bad input (exit 2):** see the step log (a flag, the scenario, a threshold, the baseline file or the target).\n\nNo run directory under `reports/bad`: nothing was measured.\n',
    );
  });
});
