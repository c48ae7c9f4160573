import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const work = mkdtempSync(join(tmpdir(), 'fb-timing-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
import {
  FILE_BUDGET_S,
  formatSummary,
  LAST_RUN_TIMING,
  OVER_BUDGET,
  overBudget,
  readLanes,
  readSteps,
  type RunTiming,
} from './timing.js';

/**
 * The suite's time budget: no single test file may pass FILE_BUDGET_S on any lane of .ci/run, so
 * that a slow new test is seen when it is written, not when CI is over its 15 minutes. Run by hand
 * after a CI run, it reads that run's timing; .ci/run itself lists the files over the budget at its
 * end but does not fail on them yet: on a host busy with the whole suite, files beside the AWS-timed
 * ones still pass 180 s.
 */
describe('the per-file time budget', () => {
  it.runIf(existsSync(LAST_RUN_TIMING))(`the last .ci/run has no file over ${FILE_BUDGET_S} s`, () => {
    const run = JSON.parse(readFileSync(LAST_RUN_TIMING, 'utf8')) as RunTiming;
    expect(run.files.length).toBeGreaterThan(0);
    expect(overBudget(run.files)).toEqual([]);
  });

  it('allows only files that exist past the budget, each with its reason', () => {
    for (const [file, why] of Object.entries(OVER_BUDGET)) {
      expect(existsSync(file), file).toBe(true);
      expect(why, file).not.toBe('');
    }
    const allowed = { file: 'test/e2e/aws-metrics-compare.test.ts', lane: 'waiting-node20', wallS: 500, tests: 1, failed: 0 };
    expect(overBudget([allowed])).toEqual([]);
    expect(overBudget([allowed], FILE_BUDGET_S, {})).toHaveLength(1);
  });

  it('reads a lane from the JSON reporter and the CPU lines, and names a file over budget', () => {
    const dir = mkdtempSync(join(work, 'timing-'));
    const root = '/repo';
    writeFileSync(
      join(dir, 'full-node20.json'),
      JSON.stringify({
        testResults: [
          { name: '/repo/test/a.test.ts', startTime: 1_000, endTime: 201_000, assertionResults: [{ status: 'passed' }] },
          // its work all in a beforeAll: the reporter's times start at its first test
          { name: '/repo/test/c.test.ts', startTime: 60_000, endTime: 60_030, assertionResults: [{ status: 'passed' }] },
          {
            name: '/repo/test/b.test.ts',
            startTime: 1_000,
            endTime: 13_500,
            assertionResults: [{ status: 'passed' }, { status: 'failed' }],
          },
        ],
      }),
    );
    writeFileSync(
      join(dir, 'full-node20.cpu.ndjson'),
      `${JSON.stringify({ file: 'test/a.test.ts', cpuSelfS: 2, cpuChildrenS: 40.25 })}\n${JSON.stringify({ file: 'test/c.test.ts', cpuSelfS: 1, cpuChildrenS: 30, wallS: 61.5 })}\n`,
    );
    const files = readLanes(dir, root);
    expect(files).toEqual([
      { lane: 'full-node20', file: 'test/a.test.ts', wallS: 200, cpuS: 42.3, tests: 1, failed: 0 },
      { lane: 'full-node20', file: 'test/c.test.ts', wallS: 61.5, cpuS: 31, tests: 1, failed: 0 },
      { lane: 'full-node20', file: 'test/b.test.ts', wallS: 12.5, tests: 2, failed: 1 },
    ]);
    expect(overBudget(files)).toEqual([
      `test/a.test.ts took 200 s on lane full-node20 (budget ${FILE_BUDGET_S} s per file)`,
    ]);

    const steps = readSteps('18\tnpm ci\n420\ttest suite, full\n');
    expect(steps).toEqual([
      { s: 18, step: 'npm ci' },
      { s: 420, step: 'test suite, full' },
    ]);
    const text = formatSummary({ files, steps, totalS: 438 }, 1);
    expect(text).toContain('   420 s  test suite, full');
    expect(text).toContain('   438 s  in all');
    // Only the slowest file is listed when one is asked for.
    expect(text).toContain('   200   42.3  test/a.test.ts  [full-node20]');
    expect(text).not.toContain('test/b.test.ts');
  });
});
