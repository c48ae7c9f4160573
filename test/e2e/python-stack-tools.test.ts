import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedName } from '../../emulator/stack-model/physical-names.ts';
import { Comparison } from '../../src/analyses/compare/compare-schema.ts';
import { Plan } from '../../src/analyses/plan/plan-schema.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';
import { scenarioFiles } from './scenario-files.ts';

/**
 * The tools on a Python stack, as on a Node one (issue 40's "knobs and tools work on it"): the
 * python-rooms fixture's MessageFunction sized by `--memory` and set through Lambda's API by
 * `compare --memory`, `run --repeat` with a threshold, and `plan` from what a run measured. The
 * REPORT lines' Memory Size is what the Python environments ran with, so a size set is a size the
 * processes were started at (an update retires the old ones: compare's second size runs after its
 * first warmed them). `search --memory` on a template stack, its steps and the size put back, is
 * own-stack-limits.test.ts; the runtime plays no part in it beyond what compare holds here (a
 * search of its own here was a Python stack and its cold starts more). Small runs: these count and
 * read back, they do not time.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const PYTHON_ROOMS = join(ROOT, 'test/fixtures/stacks/python-rooms/template.yaml');
const MESSAGE = generatedName('python-rooms', 'MessageFunction', 64);
const { dir, scenario } = scenarioFiles('fb-python-tools-');

/**
 * One room of two, plain-text frames: /join answered, each message to the other member. Two
 * clients: the run's end closes them at once, each $disconnect a Python cold start (0.4 CPU-s or
 * more) when it finds no environment free.
 */
const ROOMS = scenario(
  'rooms',
  [
    'name: rooms',
    'clients: 2',
    'rooms: 1',
    'seed: 11',
    'protocol:',
    '  name: slash-rooms',
    '  membership: { model: join, frame: "/join {{room}}", answer: { contains: "joined " } }',
    '  send: { frame: "{{probe}}" }',
    '  recipients: others',
    'target: { preparedPerFunction: 0 }',
    // counted, not timed: a busy CI host may make a delivery seconds late
    'timeouts: { loss: 30s, grace: 2s }',
    'thresholds: ["deliveries.lostShare < 100%"]',
    // 0.1 s apart, each connect and join mostly finds the environment the one before it (or the
    // protocol's check) left warm; at 40/s they overlapped into a second cold start of each
    // function, ~0.75 CPU-s of Python and boto3 each
    'phases:',
    '  - connect: { rate: 10 }',
    '  - join: { rate: 10 }',
    '  - send: { duration: 1s, rate: 2 }',
    '',
  ].join('\n'),
);

const cli = (args: string[]) => runCli([...args, '--template', PYTHON_ROOMS, '--shards', '1', '--no-progress'], { timeoutMs: 170_000, cwd: dir });
const onlyDir = (out: string): string => {
  const [d] = existsSync(out) ? readdirSync(out) : [];
  expect(d, `nothing in ${out}`).toBeDefined();
  return join(out, d!);
};
const readResults = (d: string) => Results.parse(JSON.parse(readFileSync(join(d, 'results.json'), 'utf8')));
/** The memory the function's invocations ran with (REPORT lines), and the one Lambda's API gave for it. */
const memoryOf = (r: Results) => [r.lambda!.functions[MESSAGE]!.memoryMB, r.config.target!.functions!.functions.find((f) => f.name === MESSAGE)!.memoryMB];

describe('the tools on the python-rooms fixture', () => {
  it('run --repeat 2 with --memory: both repeats at that size, the threshold judged; plan from a repeat', { timeout: 180_000 }, async () => {
    const out = join(dir, 'repeat');
    const r = await cli(['run', ROOMS, '--memory', 'MessageFunction=512', '--repeat', '2', '--out', out]);
    const runDir = onlyDir(out);
    const whole = readResults(runDir);
    expectPassedButForHost(r.code, whole, r.stdout + r.stderr);
    expect(whole.verdict!.repeats!.runIds).toHaveLength(2);
    expect(readdirSync(runDir).filter((d) => d.startsWith('repeat-')).sort()).toEqual(['repeat-1', 'repeat-2']);
    for (const repeat of ['repeat-1', 'repeat-2']) {
      const one = readResults(join(runDir, repeat));
      expect(one.status, one.statusReason).toBe('completed');
      expect(one.deliveries, repeat).toMatchObject({ expected: one.sends.sent, received: one.sends.sent, lost: 0 });
      expect(memoryOf(one), repeat).toEqual([512, 512]);
      expect(one.verdict!.thresholds.map((t) => [t.expression, t.outcome])).toEqual([['deliveries.lostShare < 100%', 'pass']]);
    }

    const planOut = join(dir, 'plan');
    const p = await runCli(['plan', join(runDir, 'repeat-1'), '--connections', '1000', '--room-size', '2', '--messages-per-s', '5', '--out', planOut], { cwd: dir });
    expect(p.code, p.stderr).toBe(0);
    const plan = Plan.parse(JSON.parse(readFileSync(join(planOut, 'plan.json'), 'utf8')));
    const message = plan.workModel.functions.find((f) => f.name === MESSAGE);
    expect(message, JSON.stringify(plan.workModel.functions.map((f) => f.name))).toMatchObject({ route: '$default', measuredMemoryMB: 512, memoryMB: 512 });
    expect(message!.billedMsPer).toBeGreaterThan(0);
    expect(message!.coldStarts).toBeGreaterThanOrEqual(1);
    expect(plan.cost).toBeDefined();
  });

  it('compare --memory sets MessageFunction to each size through Lambda\'s API, runs each, and puts the template\'s back', { timeout: 180_000 }, async () => {
    const out = join(dir, 'compare');
    const r = await cli(['compare', ROOMS, '--memory', '256,512', '--function', 'MessageFunction', '--warm-up', '0s', '--out', out]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const cmp = onlyDir(out);
    const c = Comparison.parse(JSON.parse(readFileSync(join(cmp, 'compare.json'), 'utf8')));
    expect(c.functions).toEqual([MESSAGE]);
    expect(c.sizes.map((s) => s.memoryMB)).toEqual([256, 512]);
    for (const size of [256, 512]) {
      const run = readResults(join(cmp, `${size}mb-1`));
      expect(run.status, run.statusReason).toBe('completed');
      expect(run.deliveries.lost, `${size} MB`).toBe(0);
      expect(memoryOf(run), `${size} MB`).toEqual([size, size]);
    }
    const updates = readFileSync(join(cmp, 'stack.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('UpdateFunctionConfiguration'))
      .map((l) => l.replace(/^.*UpdateFunctionConfiguration /, ''));
    // each size, then the template's own (1024, its Globals) put back
    expect(updates).toEqual([`${MESSAGE}: MemorySize 256`, `${MESSAGE}: MemorySize 512`, `${MESSAGE}: MemorySize 1024`]);
  });
});
