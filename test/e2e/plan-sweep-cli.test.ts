import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { expectOneLine, runCli } from './cli.ts';

/**
 * `fanout-bench plan` of a recorded room-size sweep (test/fixtures/plan/sweep) with a traffic
 * file through the real CLI, and what it refuses: no stack, seconds.
 */
const SWEEP = fileURLToPath(new URL('../fixtures/plan/sweep', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'plan-sweep-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TRAFFIC = join(tmp, 'launch.yaml');
writeFileSync(TRAFFIC, 'connections: 50000\nroomSize: 200\nmessagesPerS: 250\nprofile:\n  peak: "18-22"\n  offPeak: 0.25\n');

describe('fanout-bench plan <sweep-dir> --traffic file', () => {
  it('fits the fan-out line over the sweep and prices a month of the daily profile', async () => {
    const out = join(tmp, 'plan');
    const r = await runCli(['plan', SWEEP, '--traffic', TRAFFIC, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // the first limit to break comes first; then the month's total
    expect(r.stdout).toMatch(/^first to break: /);
    expect(r.stdout).toMatch(/^plan: \$[\d,.]+ per month \(30 days, a daily profile of 9 peak hours a day\)/m);
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));
    expect(plan.workModel.runs).toHaveLength(3);
    expect(plan.workModel.functions.find((f: { name: string }) => f.name === 'fanout-send-message').fit.points.map((p: { recipients: number }) => p.recipients)).toEqual([5, 10, 20]);
    expect(plan.traffic.profile.source).toBe(`${TRAFFIC}: peak 18-22, off-peak 0.25 (hours UTC)`);
    // 250 messages/s × 3,600 s × 9 peak hours × 30 days
    expect(plan.traffic.totals.messages).toBe(243_000_000);
  });

  it.each([
    ['a traffic flag beside --traffic', ['--connections', '10'], `--connections: --traffic ${TRAFFIC} gives the traffic: set connections in the file, or plan by flags without --traffic`],
  ])('%s: one line, exit 2', async (_, flags, line) => {
    expectOneLine(await runCli(['plan', SWEEP, '--traffic', TRAFFIC, ...flags, '--out', join(tmp, 'x')]), line);
  });

  it('a bad traffic file: one line naming the file and the field, exit 2', async () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, 'connections: 50000\nroomSize: 200\nmessagesPerS: 250\nprofile:\n  peak: "25-3"\n  offPeak: 0.2\n');
    expectOneLine(await runCli(['plan', SWEEP, '--traffic', bad, '--out', join(tmp, 'x')]), new RegExp(`^fanout-bench: ${bad}: profile\\.peak: "25-3" is not an hour range`));
  });

  it('a memory comparison: one line with the run dir to pass, exit 2', async () => {
    const dir = mkdtempSync(join(tmp, 'memory-'));
    copyFileSync(fileURLToPath(new URL('../fixtures/compare/memory-before-sweeps.compare.json', import.meta.url)), join(dir, 'compare.json'));
    expectOneLine(
      await runCli(['plan', dir, '--traffic', TRAFFIC, '--out', join(tmp, 'x')]),
      `${dir}: a memory comparison (256 MB, 1769 MB): a plan is of one memory size: pass one size's run dir (e.g. ${join(dir, '256mb-1')}) and plan each size on its own`,
    );
  });
});
