import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { awsTimedStack, cliIn, onlyRun, results, stopAwsTimedStacks } from './aws-timed-stack.ts';

/**
 * `search` with `--target aws:FanoutBenchChat` against a stack that publishes CloudWatch as AWS
 * does (aws-timed-stack.ts): each step waits for a minute of its own and for its publication.
 */
const dir = mkdtempSync(join(tmpdir(), 'fb-aws-search-'));
const cli = cliIn(dir);
afterAll(() => {
  stopAwsTimedStacks();
  rmSync(dir, { recursive: true, force: true });
});

/** a search of two steps, 4 then 8 messages/s, each warmed up for 1 s, both well inside the SLO */
const SEARCH = ['search', 'fanout', '--clients', '4', '--rooms', '1', '--seed', '7', '--no-progress', '--vary', 'rate', '--slo', 'broadcast.p99 < 5s', '--from', '4', '--to', '8', '--hold', '2s', '--resolution', '100%', '--warm-up', '1s', '--access-log', 'off'];

describe('search on an AWS-timed target', { timeout: 600_000 }, () => {
  it('search --target aws:FanoutBenchChat: each step waits for a minute of its own and for its publication, and counts only its own work', async () => {
    const D = await awsTimedStack(dir);
    const r = await cli([...SEARCH, '--target', 'aws:FanoutBenchChat', '--out', join(dir, 'search')], D.env, 590_000);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const at = onlyRun(join(dir, 'search'));
    const s = JSON.parse(readFileSync(join(at, 'search.json'), 'utf8'));
    expect(s.answer).toMatchObject({ kind: 'to-passed', maxPassing: 8 });
    expect(s.steps.map((x: { load: number }) => x.load)).toEqual([4, 8]);
    // after each warm-up, the measurement waits for a CloudWatch minute the warm-up's traffic is not in
    expect(r.stderr.match(/waiting \d+ s, so CloudWatch's one-minute totals do not mix this measurement with the previous one/g)?.length).toBe(2);
    const windows: Array<[number, number]> = [];
    for (const step of s.steps) {
      const run = results(join(at, step.dir));
      expect(run.cloudwatch.wait, step.dir).toMatchObject({ rule: 'published', done: true });
      expect(run.cloudwatch.status, step.dir).toBe('complete');
      // the step's sendMessage invocations are its own acked sends: not the warm-up's, not the step before's
      expect(run.cloudwatch.lambda['fanout-send-message'].invocations, step.dir).toBe(run.sends.acked);
      windows.push([Date.parse(run.startedAt), Date.parse(run.endedAt)]);
    }
    // the second step's minutes begin after the first step's last minute
    expect(Math.floor(windows[1]![0] / 60_000)).toBeGreaterThan(Math.floor(windows[0]![1] / 60_000));
  });
});
