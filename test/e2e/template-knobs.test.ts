import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatedName } from '../../emulator/stack-model/physical-names.ts';
import { Comparison } from '../../src/analyses/compare/compare-schema.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { expectOneLine, runCli } from './cli.ts';
import { expectAllDelivered, publishInvocations } from './own-stack-measure.ts';

/**
 * The harness's tools on a stack of your own (issue 31, "knobs and tools work on it"), through the
 * CLI as a user runs them against the SAM rooms fixture: memory set by logical id (the scenario's
 * `target.memory`), by physical name (`--memory`) and by a template parameter, `run --repeat 2`
 * writing both repeats, a scenario threshold that holds and one that fails (exit 99), `compare
 * --memory` setting the functions it names by logical id and by name to each size, and a function
 * the template does not have refused in one line. Every function's memory is read where Lambda
 * reports it: the REPORT lines' Memory Size (results' lambda.functions) and
 * GetFunctionConfiguration (the target's functions). Few clients, 1 s sends, no warm-up. The
 * repeats also measure the fixture by its described protocol (room in the connect URL, raw
 * deliveries, no acks): every delivery in the room, one publish invocation per send.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const ROOMS = join(ROOT, 'test/fixtures/stacks/sam-rooms/template.yaml');
/** The names the emulator gives the template's unnamed functions, as CloudFormation would (the same every run). */
const name = (logicalId: string) => generatedName('sam-rooms', logicalId, 64);
const [JOIN, PUBLISH] = [name('JoinFunction'), name('PublishFunction')];

const work = mkdtempSync(join(tmpdir(), 'fb-template-knobs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * The rooms fixture's protocol (the room in the connect URL, raw deliveries), 4 clients in one
 * room; `target` knobs beside no prepared environments (INIT in the cold invocation: half the
 * stack's CPU on a host this small).
 */
function scenario(file: string, o: { target?: string; lines?: string[] } = {}): string {
  const path = join(work, file);
  writeFileSync(
    path,
    [
      `name: ${file.replace(/\.yaml$/, '')}`,
      'clients: 4',
      'rooms: 1',
      'seed: 7',
      'protocol:',
      '  name: rooms',
      '  connect: { query: { room: "{{room}}" } }',
      '  membership: { model: connect }',
      '  send: { frame: { action: publish, text: "{{probe}}" } }',
      `target: { preparedPerFunction: 0${o.target ? `, ${o.target}` : ''} }`,
      // 30 s: these runs count deliveries, not time them; four stacks at once beside a busy CI
      // host once made deliveries later than a 4 s loss timeout, and the run called them lost
      'timeouts: { loss: 30s, grace: 2s }',
      ...(o.lines ?? []),
      'phases:',
      // 0.1 s apart: each connect mostly finds the environment the one before it left warm
      '  - connect: { rate: 10 }',
      '  - send: { duration: 1s, rate: 3 }',
      '',
    ].join('\n'),
  );
  return path;
}

const readResults = (dir: string) => Results.parse(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
/** The memory each invocation of a function ran with: its REPORT lines' Memory Size. */
const reportedMemory = (r: Results, fn: string) => r.lambda!.functions[fn]!.memoryMB;
/** The memory Lambda's GetFunctionConfiguration gave for a function when the run was measured. */
const configuredMemory = (r: Results, fn: string) => r.config.target!.functions!.functions.find((f) => f.name === fn)!.memoryMB;

function onlyDir(out: string): string {
  const [dir] = existsSync(out) ? readdirSync(out) : [];
  expect(dir, `nothing in ${out}`).toBeDefined();
  return join(out, dir!);
}

describe('a function the template does not have', () => {
  it('is one line, exit 2, naming its functions by logical id and name (run --memory, stack up --reserved, compare without --function)', { timeout: 120_000 }, async () => {
    const rooms = scenario('unknown.yaml');
    const [byRun, byStack, byCompare] = await Promise.all([
      runCli(['run', rooms, '--template', ROOMS, '--memory', 'Nope=512', '--shards', '1', '--no-progress', '--out', join(work, 'unknown-run')]),
      runCli(['stack', 'up', '--template', ROOMS, '--reserved', 'Nope=5']),
      // compare's default function is the reference stack's: this stack is asked to name its own
      runCli(['compare', rooms, '--template', ROOMS, '--memory', '1024,1769', '--shards', '1', '--no-progress', '--out', join(work, 'unknown-compare')]),
    ]);
    const known = `JoinFunction (${JOIN}), LeaveFunction (${name('LeaveFunction')}), PublishFunction (${PUBLISH})`;
    expectOneLine(byStack, `--reserved: functions.Nope: unknown function "Nope" (known: ${known})`);
    // the stack the run started refused it: its own line, not the list of what is not emulated
    expectOneLine(byRun, new RegExp(`^fanout-bench: local stack exited before it was ready \\(code 2\\): --memory: functions\\.Nope: unknown function "Nope" \\(known: ${escape(known)}\\) \\(its log: `));
    expectOneLine(byCompare, `--function: this stack has no fanout-send-message (the reference stack's, set by default): name the functions to set to each size (its functions: ${known})`);
  });
});

// Measured at once: most of each is waiting (stack start, cold starts, the drain, CloudWatch's
// window), and each has a stack of its own.
describe.concurrent('knobs and tools on a template stack (the SAM rooms fixture)', () => {
  // One run for both thresholds and all three ways to set memory: a run of its own each was a
  // stack, a CLI and a shard more. A threshold that holds exiting 0 on a template stack:
  // test/e2e/python-stack-tools.test.ts ("run --repeat 2 with --memory: …").
  it('run --repeat 2: both repeats written, memory set by logical id, by name and by a template parameter; a threshold that holds and one that fails: exit 99, and says which', { timeout: 120_000 }, async () => {
    const file = scenario('repeat.yaml', { target: 'memory: { JoinFunction: 1024 }', lines: ['thresholds: ["deliveries.lostShare < 100%", "broadcast.p50 < 1ms"]'] });
    const out = join(work, 'repeat');
    const LEAVE = name('LeaveFunction');
    // --prepared 0 here and below: these runs check knobs and counts, not cold starts
    const r = await runCli(['run', file, '--template', ROOMS, '--memory', `${LEAVE}=1024`, '--parameter', 'PublishMemory=1024', '--repeat', '2', '--prepared', '0', '--shards', '1', '--no-progress', '--summary', 'full', '--out', out]);
    const dir = onlyDir(out);
    expect(readdirSync(dir).filter((d) => d.startsWith('repeat-')).sort()).toEqual(['repeat-1', 'repeat-2']);
    for (const repeat of ['repeat-1', 'repeat-2']) {
      const own = readResults(join(dir, repeat));
      expect(own.status, own.statusReason).toBe('completed');
      expect(own.sends.sent).toBeGreaterThan(0);
      // the scenario's by logical id, --memory's by name, the parameter's through the template
      for (const fn of [JOIN, LEAVE, PUBLISH]) expect([reportedMemory(own, fn), configuredMemory(own, fn)], `${repeat} ${fn}`).toEqual([1024, 1024]);
      // the described protocol measured: one room of four, each message to all of it, sender included
      expectAllDelivered(own, own.sends.sent * 4);
      expect(publishInvocations(own), repeat).toBe(own.sends.sent);
      // held against the template's own stage throttle (its test environment's 200/s, its publish route's 100/s), never the reference stack's 500/s
      expect(own.quotas!.limits.requestsPerSecond, repeat).toEqual({ value: 200, source: 'emulator-config' });
      expect(own.quotas!.routes, repeat).toEqual({ publish: { rate: { value: 100, source: 'emulator-config' }, burst: { value: 50, source: 'emulator-config' } } });
    }
    const whole = readResults(dir);
    expect(whole.verdict!.repeats!.runIds).toHaveLength(2);
    expect(whole.verdict!.thresholds.map((t) => [t.expression, t.outcome])).toEqual([
      ['deliveries.lostShare < 100%', 'pass'],
      ['broadcast.p50 < 1ms', 'fail'],
    ]);
    // the failed threshold alone fails the run; a host busy with other work may also saturate the
    // harness (a check of its own, exit 99 as well)
    const failed = whole.verdict!.checks.filter((c) => !c.passed).map((c) => c.name);
    expect(failed.filter((c) => c !== 'harness not saturated'), r.stdout).toEqual([]);
    expect(r.code, r.stdout + r.stderr).toBe(99);
    expect(r.stdout).toContain(`  crossed: broadcast.p50 < 1ms: ${whole.verdict!.thresholds[1]!.detail} [${file}: thresholds[1]]\n`);
  });

  it('compare --memory sets the functions it names, by logical id and by name, to each size, and writes the comparison', { timeout: 150_000 }, async () => {
    const out = join(work, 'compare');
    const r = await runCli(['compare', scenario('compare.yaml'), '--template', ROOMS, '--memory', '1024,1769', '--function', `PublishFunction,${JOIN}`, '--warm-up', '0s', '--prepared', '0', '--shards', '1', '--no-progress', '--out', out], {
      timeoutMs: 140_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const dir = onlyDir(out);
    const c = Comparison.parse(JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')));
    // by the names Lambda knows them by
    expect(c.functions).toEqual([PUBLISH, JOIN]);
    expect(c.sizes.map((s) => s.memoryMB)).toEqual([1024, 1769]);
    for (const size of [1024, 1769]) {
      const run = readResults(join(dir, `${size}mb-1`));
      expect(run.status, run.statusReason).toBe('completed');
      for (const fn of [PUBLISH, JOIN]) expect([reportedMemory(run, fn), configuredMemory(run, fn)], `${size} MB ${fn}`).toEqual([size, size]);
    }
    // through Lambda's API, then each function's template size put back
    const updates = readFileSync(join(dir, 'stack.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('UpdateFunctionConfiguration'))
      .map((l) => l.replace(/^.*UpdateFunctionConfiguration /, ''));
    expect(updates.sort()).toEqual([`${JOIN}: MemorySize 1024`, `${JOIN}: MemorySize 1769`, `${JOIN}: MemorySize 256`, `${PUBLISH}: MemorySize 1024`, `${PUBLISH}: MemorySize 1769`, `${PUBLISH}: MemorySize 512`].sort());
    expect(r.stdout).toContain(`compare: ${join(dir, 'compare.json')}`);
    expect(r.stdout).toContain(`report:  ${join(dir, 'index.html')}`);
    expect(existsSync(join(dir, 'index.html'))).toBe(true);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
