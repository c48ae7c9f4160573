import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { awsTimedStack, cliIn, onlyRun, results, SCENARIO, stopAwsTimedStacks } from './aws-timed-stack.ts';

/**
 * `compare --memory` with `--target aws:FanoutBenchChat` against a stack that publishes CloudWatch
 * as AWS does (aws-timed-stack.ts): the same path as a run, each measurement waiting for its own
 * minutes to be published.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-aws-compare-'));
const cli = cliIn(dir);
afterAll(() => {
  stopAwsTimedStacks();
  rmSync(dir, { recursive: true, force: true });
});

describe('compare on an AWS-timed target', { timeout: 600_000 }, () => {
  it('compare --target aws:FanoutBenchChat --memory 256,1769 runs on the same path: each measurement waits and is complete', async () => {
    const C = await awsTimedStack(dir);
    const r = await cli(['compare', ...SCENARIO, '--target', 'aws:FanoutBenchChat', '--memory', '256,1769', '--warm-up', '1s', '--out', join(dir, 'compare')], C.env, 590_000);
    expect(r.code, r.stderr).toBe(0);
    const cmp = onlyRun(join(dir, 'compare'));
    const c = JSON.parse(readFileSync(join(cmp, 'compare.json'), 'utf8'));
    expect(c.sizes.map((s: { memoryMB: number; status: string }) => [s.memoryMB, s.status])).toEqual([[256, 'ok'], [1769, 'ok']]);
    for (const s of c.sizes) {
      const run = results(join(cmp, s.runs[0].dir));
      expect(run.cloudwatch.wait).toMatchObject({ rule: 'published', done: true });
      expect(run.cloudwatch.completeness.lambda.status).toBe('complete');
      expect(run.cloudwatch.reports['fanout-send-message'].memorySizeMB).toBe(s.memoryMB);
    }
  });
});
