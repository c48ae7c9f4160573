import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { freshWindowStart } from '../../src/session/fresh-window.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';

/**
 * A regression check as a nightly job runs it, through the real CLI against the local emulator:
 * a baseline run, then a build whose sendMessage got 4 s slower (the emulator's
 * addedLatencyMs) judged against it, and the same build as the baseline judged against it.
 */
const BIN = fileURLToPath(new URL('../../bin/fanout-bench.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fb-regression-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// small: the 4 s the slow build adds to every message is the signal whatever the load (more than
// the baseline's cold start, its p99, can take on a busy host). Connects and joins one at a time
// boot one environment each, and a message a second keeps few sendMessage environments in flight
// in the slow build
const SCENARIO = `name: regression
clients: 8
rooms: 2
seed: 7
phases:
  - connect: { rate: 40, maxInFlight: 1 }
  - join: { rate: 40, maxInFlight: 1 }
  - send: { duration: 3s, rate: 1 }
`;
const THRESHOLD = 'broadcast.p99 <= baseline + 1000ms';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  results: Results;
  runDir: string;
}

// --prepared 0: a check compares runs made alike; no INITs ahead for functions the scenario never calls
function run(scenario: string, out: string, extra: string[] = []): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, 'run', scenario, '--out', out, '--no-progress', '--prepared', '0', ...extra], { timeout: 150_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      try {
        const [runId] = readdirSync(out);
        const runDir = join(out, runId!);
        resolve({ code, stdout, stderr, runDir, results: Results.parse(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'))) });
      } catch (e) {
        reject(new Error(`run ${scenario} wrote no results (exit ${code}): ${stderr}`, { cause: e }));
      }
    });
  });
}


let baseline: Ran;
beforeAll(async () => {
  writeFileSync(join(dir, 'fast.yaml'), SCENARIO);
  writeFileSync(join(dir, 'slow-stack.yaml'), 'functions:\n  fanout-send-message: { addedLatencyMs: 4000 }\n');
  writeFileSync(join(dir, 'slow.yaml'), `${SCENARIO}target: { config: ${join(dir, 'slow-stack.yaml')} }\n`);
  baseline = await run(join(dir, 'fast.yaml'), join(dir, 'baseline'));
}, 200_000);

describe('a regression check against a baseline', () => {
  it('fails a slower build with the thresholds exit code, and its diff names broadcast p99', { timeout: 200_000 }, async () => {
    expect(baseline.results.status, baseline.stderr).toBe('completed');
    const slow = await run(join(dir, 'slow.yaml'), join(dir, 'slow'), ['--baseline', join(baseline.runDir, 'results.json'), '--threshold', THRESHOLD]);
    expect(slow.code, slow.stderr).toBe(99);
    const v = slow.results.verdict!;
    expect(v.outcome).toBe('fail');
    expect(v.thresholds).toHaveLength(1);
    expect(v.thresholds[0]).toMatchObject({ expression: THRESHOLD, source: '--threshold', outcome: 'fail' });
    expect(v.baseline?.runId).toBe(baseline.results.runId);
    const row = v.diff!.find((d) => d.metric === 'broadcast.p99');
    expect(row).toMatchObject({ outcome: 'fail', baseline: baseline.results.metrics.broadcast.p99 });
    expect(row!.current!).toBeGreaterThan(row!.baseline! + 1000);
    // the reports show it: the summary's diff table and the console's verdict
    expect(readFileSync(join(slow.runDir, 'summary.md'), 'utf8')).toMatch(/broadcast\.p99|broadcast p99/);
    expect(slow.stdout).toContain(THRESHOLD);
    // one JUnit test case per threshold, failed
    expect(readFileSync(join(slow.runDir, 'junit.xml'), 'utf8')).toMatch(new RegExp(`<testcase[^>]*name="${THRESHOLD.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/</g, '&lt;')}"[^>]*>\\s*<failure`));
  });

  it('passes the same build against its own baseline', { timeout: 200_000 }, async () => {
    const same = await run(join(dir, 'fast.yaml'), join(dir, 'same'), ['--baseline', join(baseline.runDir, 'results.json'), '--threshold', THRESHOLD]);
    const v = same.results.verdict!;
    expect(v.thresholds[0]!.outcome, JSON.stringify(v.thresholds[0])).toBe('pass');
    expectPassedButForHost(same.code, same.results, same.stderr);
  });

  it('refuses a malformed threshold or a bad baseline before any load: one line, exit 2', async () => {
    const bad = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [BIN, 'run', join(dir, 'fast.yaml'), '--out', join(dir, 'bad'), '--threshold', 'broadcast.p99 <'], (err, _o, stderr) =>
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stderr }),
      ),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--threshold: "broadcast.p99 <"');
    const missing = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [BIN, 'run', join(dir, 'fast.yaml'), '--out', join(dir, 'bad'), '--baseline', join(dir, 'nope.json')], (err, _o, stderr) =>
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stderr }),
      ),
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`fanout-bench: ${join(dir, 'nope.json')}: no such file`);
    expect(() => readdirSync(join(dir, 'bad'))).toThrow(); // nothing was started or written
  });
});

describe('repeats against one target', () => {
  it('start each measurement in a CloudWatch window of its own', () => {
    // the emulator's per-second metrics, read 5 s either side: the next measurement starts 6 s after the last second
    expect(freshWindowStart(Date.UTC(2026, 0, 1, 10, 0, 12, 400), { periodSec: 1, marginSec: 5 })).toBe(Date.UTC(2026, 0, 1, 10, 0, 19));
    // minute periods (the emulator with AWS's timing): 6 s into the next minute
    expect(freshWindowStart(Date.UTC(2026, 0, 1, 10, 0, 12), { periodSec: 60, marginSec: 5 })).toBe(Date.UTC(2026, 0, 1, 10, 1, 6));
    // ending exactly on a boundary: that minute is already fresh
    expect(freshWindowStart(Date.UTC(2026, 0, 1, 10, 1, 0), { periodSec: 60, marginSec: 5 })).toBe(Date.UTC(2026, 0, 1, 10, 1, 6));
    // on AWS the window reaches back 60 s: the next measurement starts 61 s past the boundary
    expect(freshWindowStart(Date.UTC(2026, 0, 1, 10, 0, 12), { periodSec: 60, marginSec: 60 })).toBe(Date.UTC(2026, 0, 1, 10, 2, 1));
  });
});
