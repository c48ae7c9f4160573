import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { addPlanCommand, planCommand } from '../../src/commands/plan.ts';
import { expectOneLine, runCli } from './cli.ts';

/** `fanout-bench plan` through the real CLI: no stack, a recorded run dir; seconds. */
const RUN_DIR = fileURLToPath(new URL('../fixtures/plan/', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'plan-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('fanout-bench plan', () => {
  it('writes plan.json, index.html and summary.md for a month of traffic, and prints the total', async () => {
    const r = await runCli(['plan', RUN_DIR, '--connections', '50000', '--room-size', '200', '--messages-per-s', '250', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // the first limit to break on the first line, then the month's total
    // (a line wider than 160 characters goes on under its label: console-lines.ts)
    expect(r.stdout).toMatch(/^first to break: .+(?:\n {2}.+)? × connections \([\d,]+ connections\), \$[\d,.]+\/month there\n  what moves it: .+\nplan: \$[\d,.]+ per month \(30 days × 24 h, flat\)/);
    const plan = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));
    expect(plan.traffic).toMatchObject({ source: 'flags', connections: 50000, roomSize: 200, messagesPerS: 250 });
    expect(plan.firstBreak).toMatchObject({ axis: 'connections' });
    expect(plan.headroom.map((h: { limit: string }) => h.limit)).toContain('lambdaConcurrency');
    // the load hosts a rehearsal needs: 50,000 connections over one source address's 28,232 ports
    expect(r.stdout).toContain('\n  c7i.large (2 vCPUs, 4 GiB): 2 hosts, bound by ports (50,000 connections ÷ 28,232 a host; memory 388,464 and open files 144,000 would hold more); 1 host past the ports (more source or target addresses; open files next)\n');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/^## fanout-bench plan: \$/);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(/<h1>\$[\d,.]+ per month/);
    // the files written, last on stdout
    expect(r.stdout.trimEnd().split('\n').slice(-3)).toEqual(['plan.json', 'index.html', 'summary.md'].map((f) => relative(process.cwd(), join(out, f))));
  });

  it('a connection lasting --session 10m turns 60,000 over at 100 a second; --connects-per-s says the rate outright and wins', async () => {
    const traffic = ['--connections', '60000', '--room-size', '200', '--messages-per-s', '250'];
    const planned = async (dir: string, extra: string[]) => {
      const r = await runCli(['plan', RUN_DIR, ...traffic, ...extra, '--out', join(out, dir)]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(readFileSync(join(out, dir, 'plan.json'), 'utf8')).traffic;
    };
    expect(await planned('session', ['--session', '10m'])).toMatchObject({ source: 'flags', connections: 60000, sessionSec: 600, connectsPerS: 100 });
    expect(await planned('connects', ['--session', '10m', '--connects-per-s', '7'])).toMatchObject({ connectsPerS: 7 });
  });

  it("--target-tracking sets the target and the minimum of every function's launch, against scheduled scaling to its peak", async () => {
    const traffic = { connections: '50000', roomSize: '200', messagesPerS: '250' };
    await planCommand([RUN_DIR], { ...traffic, targetTracking: 'target=0.5,min=20', out: join(out, 'tracking') });
    const summary = readFileSync(join(out, 'tracking', 'summary.md'), 'utf8');
    const plan = JSON.parse(readFileSync(join(out, 'tracking', 'plan.json'), 'utf8'));
    const needs = plan.provisioned as Array<{ fn: string; environments: number; launch: { scheduled: { environments: number }; targetTracking: { targetValue: number; minCapacity: number } } }>;
    expect(needs.length).toBeGreaterThan(0);
    for (const n of needs) {
      expect(n.launch.targetTracking).toMatchObject({ targetValue: 0.5, minCapacity: 20 });
      expect(n.launch.scheduled.environments).toBe(n.environments);
      expect(summary).toContain(`launch at the peak, ${n.fn}: scheduled scaling to `);
    }
  });

  it("--out a run's directory: one line, exit 2, the run's index.html and summary.md untouched", async () => {
    const runDir = join(out, 'a-run');
    mkdirSync(runDir);
    cpSync(join(RUN_DIR, 'results.json'), join(runDir, 'results.json'));
    writeFileSync(join(runDir, 'index.html'), "the run's page");
    writeFileSync(join(runDir, 'summary.md'), "the run's summary");
    expectOneLine(
      await runCli(['plan', runDir, '--out', runDir]),
      `--out ${runDir}: holds index.html, results.json, summary.md, not a plan: a plan is written to a folder of its own (its page is index.html); name a new or empty directory`,
    );
    expect(readdirSync(runDir).sort()).toEqual(['index.html', 'results.json', 'summary.md']);
    expect(readFileSync(join(runDir, 'index.html'), 'utf8')).toBe("the run's page");
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toBe("the run's summary");
  });

  it('bad traffic, as a user runs it: one line, exit 2', async () => {
    expectOneLine(await runCli(['plan', RUN_DIR, '--connections', '0', '--room-size', '2', '--messages-per-s', '1', '--out', out]), /^fanout-bench: --connections: must be an integer >= 1, got "0"\n$/);
  });

  // Each flag's own refusal, through the plan command's commander parsing in this process (the
  // CLI's process and its printing of a UserError as that one line are the test above's): a
  // process per flag would cost about half a CPU-second each to print a line.
  const plan = (flags: string[]) => {
    const program = new Command('fanout-bench').exitOverride();
    addPlanCommand(program);
    return program.parseAsync(['plan', RUN_DIR, ...flags, '--out', out], { from: 'user' });
  };
  it.each([
    [['--connections', '10', '--room-size', '2', '--messages-per-s', '-3'], /^--messages-per-s: must be more than 0, got "-3"$/],
    [['--connections', '10', '--room-size', '20', '--messages-per-s', '1'], /^--room-size: 20 is more than --connections \(10\)$/],
    [['--connections', '10'], /^--room-size, --messages-per-s: missing/],
    [['--memory', 'no-such-fn=512'], /^--memory no-such-fn: the runs have no function no-such-fn/],
    [['--reserved', 'fanout-send-message=0'], /^--reserved: expected fn=N with N a whole number >= 1, got "fanout-send-message=0"$/],
    [['--table-capacity', 'read=100'], /^--table-capacity: expected read=R,write=W in whole units\/s >= 1, got "read=100"$/],
    [['--grow', 'rooms'], /^--grow: must be connections, room-size, rate, got "rooms"$/],
    [['--target-tracking', 'target=1.5'], /^--target-tracking: expected target=T \(above 0, at most 1\) and\/or min=N \(a whole number >= 1\), comma-separated, got "target=1\.5"$/],
    [['--target-tracking', 'target=0.7,min=0'], /^--target-tracking: .*got "target=0\.7,min=0"$/],
  ])('bad traffic %j: a UserError of one line (exit 2)', async (flags, line) => {
    const err = await plan(flags).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message).toMatch(line);
    expect((err as UserError).message).not.toContain('\n');
  });

  it('a dir with neither results.json nor compare.json: one line naming it, exit 2', async () => {
    expectOneLine(await runCli(['plan', out, '--out', out]), `${out}: no results.json nor compare.json: give a run dir (holding results.json) or a compare or sweep dir (holding compare.json)`);
  });
});
