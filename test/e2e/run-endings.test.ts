import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { allGone, cmdline, descendants } from '../process-tree.ts';

/**
 * Every way a run against the local stack can end, as a user (or `timeout`, or a CI runner)
 * ends it: SIGTERM to the whole process group, SIGKILL of the harness alone, a stack that does
 * not start (in every mode: failed-start.test.ts). Whatever happens, what was measured is written
 * and no process is left behind.
 */
const BIN = fileURLToPath(new URL('../../bin/fanout-bench.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fb-endings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** resolves when stderr matches */
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<void>;
}

function start(args: string[]): Started {
  // its own process group, so the test can signal the group as `timeout` and terminals do
  const child = spawn(process.execPath, [BIN, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (re: RegExp, timeoutMs = 120_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`stderr never matched ${re}: ${stderr.slice(-500)}`));
      }, timeoutMs);
      const check = () => {
        if (!re.test(stderr)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      void exited.then(() => {
        if (waiters.has(check)) {
          waiters.delete(check);
          clearTimeout(timer);
          reject(new Error(`exited before stderr matched ${re}: ${stderr.slice(-2000)}`));
        }
      });
      check();
    });
  return { child, stderr: () => stderr, stdout: () => stdout, exited, waitFor };
}

/** A progress line of the send phase with messages flowing. */
const SENDING = /fanout {2}open \d+ {2}sent [1-9]/;
/** The stack program's process: the checkout's emulator/bootstrap.js, or its build's under dist/ (FANOUT_BENCH_COMPILED=1). */
const isStack = (pid: number) => cmdline(pid).includes('/emulator/bootstrap.js');

/**
 * A stack still busy when the run is stopped, on any host and at little CPU: every function held
 * to the host cap's floor of 4 environments, every @connections post stalled until the send
 * function gives it up (POST_TIMEOUT_MS, 500 ms), and every $disconnect lost (so the closing
 * clients stay members the queued sends post to). Each send then holds an environment for half a
 * second, so 40 sends a second queue at the cap (about 8 finish a second, never a pause long
 * enough to look settled): by the signal, a queue that takes 10 s and more to drain. The wait the
 * closing clients' $disconnects behind a 1,000-client join once made, set by the stack's
 * configuration rather than by how busy the host is.
 */
function busyStackScenario(): string {
  const config = join(dir, 'stalled-posts.yaml');
  writeFileSync(config, ['lambda: { hostEnvironmentsPerCore: 0.01 }', 'faults: { stallPostShare: 1, lostDisconnectShare: 1 }', 'functions:', '  fanout-send-message: { environment: { POST_TIMEOUT_MS: 500 } }', ''].join('\n'));
  const scenario = join(dir, 'busy-stack.yaml');
  writeFileSync(
    scenario,
    ['name: busy-stack', 'clients: 10', 'rooms: 2', 'seed: 5', `target: { config: ${config} }`, 'phases:', '  - connect: { rate: 50 }', '  - join: { rate: 50 }', '  - send: { name: fanout, duration: 60s, rate: 40 }', ''].join('\n'),
  );
  return scenario;
}

describe('how a run ends', () => {
  it('SIGTERM twice, as GNU `timeout` sends it, to a busy stack: ends like Ctrl-C, says what it waits for, writes what was measured, exits 143 within 10 s, nothing left', { timeout: 240_000 }, async () => {
    const out = join(dir, 'sigterm');
    const run = start([busyStackScenario(), '--prepared', '0', '--out', out]);
    // two progress lines of the send phase (5 s apart without a terminal): 150 and more sends by then, most still queued
    await run.waitFor(new RegExp(`${SENDING.source}[\\s\\S]*${SENDING.source}`));
    const tree = descendants(run.child.pid!);
    expect(tree.some(isStack)).toBe(true);
    // `timeout` signals its child, then the child's whole group: the harness may receive both
    const signalledAt = performance.now();
    process.kill(run.child.pid!, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    process.kill(-run.child.pid!, 'SIGTERM');
    const { code } = await run.exited;
    const tookMs = performance.now() - signalledAt;
    expect(code).toBe(143);
    expect(tookMs).toBeLessThan(10_000);
    const lines = run.stderr().split('\n').filter((l) => l.startsWith('fanout-bench: ') && !l.startsWith('fanout-bench: warning: '));
    expect(lines.slice(lines.findIndex((l) => l.includes('interrupting')))).toEqual([
      'fanout-bench: interrupting (SIGTERM): writing what was measured (a second signal quits now)',
      'fanout-bench: stopping: closing 10 clients',
      expect.stringMatching(/^fanout-bench: stopping: (waiting at most [1-4] s for the local stack's last invocations, then reading its CloudWatch|reading the local stack's CloudWatch)$/),
      `fanout-bench: stopping: writing results and reports to ${join(out, readdirSync(out)[0]!)}`,
      'fanout-bench: stopping: stopping the local stack',
    ]);

    const [runId] = readdirSync(out);
    const results = Results.parse(JSON.parse(readFileSync(join(out, runId, 'results.json'), 'utf8')));
    expect(results.status).toBe('interrupted');
    expect(results.statusReason).toBe('interrupted by SIGTERM before the scenario finished');
    expect(results.connections).toMatchObject({ opened: 10 });
    expect(results.sends.sent).toBeGreaterThan(0);
    expect(results.durationMs).toBeLessThan(60_000);
    // the stack was in its own process group: it outlived the signal and answered CloudWatch,
    // within the stop budget: its queue was still draining when the wait for it ended (so the
    // 10 s above are the budget's, not a quick drain's), and what had arrived was read
    expect(results.cloudwatch?.wait).toMatchObject({ rule: 'settle', done: false });
    expect(results.cloudwatch?.status).toBe('partial');
    expect(Object.values(results.cloudwatch?.completeness ?? {}).some((f) => f?.status !== 'complete')).toBe(true);
    expect(results.cloudwatch?.completeness?.lambda?.published).toBeGreaterThan(0);
    expect(results.cloudwatch?.problems).toEqual([]);
    for (const f of ['index.html', 'summary.md', 'junit.xml']) expect(existsSync(join(out, runId, f))).toBe(true);
    expect(run.stdout()).toMatch(/^fanout-bench busy-stack: interrupted in /);
    // the harness waited for its stack and shards: none of them outlives it
    await allGone(tree, 1_000);
  });

  it('SIGKILL of the harness alone: its local stack is gone within a second', { timeout: 240_000 }, async () => {
    const out = join(dir, 'sigkill');
    // two clients in one room: the smallest run that sends (--prepared 0: the stack is gone within a second however it was started)
    const run = start(['fanout', '--clients', '2', '--rooms', '1', '--duration', '60s', '--rate', '5', '--prepared', '0', '--out', out]);
    await run.waitFor(SENDING);
    const tree = descendants(run.child.pid!);
    const stack = tree.filter(isStack);
    expect(stack).toHaveLength(1);
    run.child.kill('SIGKILL');
    await run.exited;
    // the stack sees its stdin pipe close (exitWithStdin) and exits at once
    const took = await allGone(stack, 1_000);
    expect(took).toBeLessThanOrEqual(1_000);
    // shards leave when their IPC channel closes; tsx's esbuild when its stdin does
    await allGone(tree, 5_000);
    // what was streamed while it ran is on disk
    const [runId] = readdirSync(out);
    expect(readFileSync(join(out, runId, 'intervals.ndjson'), 'utf8').split('\n').length).toBeGreaterThan(1);
  });

});
