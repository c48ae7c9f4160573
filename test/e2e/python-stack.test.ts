import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { runCli } from './cli.ts';
import { expectAllDelivered, ownStackWork } from './own-stack-measure.ts';

/**
 * Stacks that are not Node.js, measured through the CLI as a user measures them (issue 40's "done
 * when"): the python-rooms fixture (Python on the machine's python3, boto3 included) with a
 * described protocol unlike ours (plain text, a /join answered, others only), every delivery
 * accounted for, a dropped client's stale connection cleaned by the function's GoneException
 * handling, cold starts with their Init Duration; the same stack posting from a thread its
 * handler does not wait for loses those posts, as on AWS; and the provided.al2023 fixture (a sh +
 * curl bootstrap) measured the same way.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const PYTHON_ROOMS = join(ROOT, 'test/fixtures/stacks/python-rooms/template.yaml');
const PROVIDED_ECHO = join(ROOT, 'test/fixtures/stacks/provided-echo/template.yaml');
const { dir, scenario, measure } = ownStackWork('fb-python-stack-');

const SLASH_ROOMS = [
  'protocol:',
  '  name: slash-rooms',
  '  membership: { model: join, frame: "/join {{room}}", answer: { contains: "joined " } }',
  '  send: { frame: "{{probe}}" }',
  '  recipients: others',
];

/** The function of a template by logical id, in results.cloudwatch. */
const fnOf = (names: string[], logicalId: string) => names.find((n) => n.includes(logicalId))!;

describe('the python-rooms fixture, by --template', () => {
  it('accounts for every delivery to the others in the room, cleans a dropped client\'s connection on its 410, and reports cold starts with Init Duration', { timeout: 120_000 }, async () => {
    const file = scenario('python-rooms', [
      'clients: 6',
      'rooms: 2',
      'seed: 5',
      ...SLASH_ROOMS,
      // a dropped connection is not disconnected: its row stays until a post to it answers 410
      'target: { lostDisconnectShare: 1, preparedPerFunction: 0 }',
      'timeouts: { loss: 20s, grace: 4s }',
      // 0.1 s apart: each connect and join mostly finds a warm environment (a second cold start
      // of a Python function is ~0.75 CPU-s); the protocol check's own connect and join start cold
      'phases:',
      '  - connect: { rate: 10 }',
      '  - join: { rate: 10 }',
      '  - send: { name: before, duration: 2s, rate: 3 }',
      '  - idle: { duration: 3s }',
      '  - drop: { share: 0.34 }',
      '  - send: { name: after, duration: 2s, rate: 3 }',
    ]);
    const r = await measure('python-rooms', [file, '--template', PYTHON_ROOMS]);
    expect(r.environment.lambdaRuntime).toMatchObject({ nodeFunctions: false, others: [expect.stringMatching(/^python3\.12 on the host's Python 3\.\d+/)] });
    const [before, after] = [r.phases!.find((p) => p.name === 'before')!, r.phases!.find((p) => p.name === 'after')!];
    expect(r.stale!.dropped).toBe(2);
    // two rooms of three: each message goes to the two others; after the drop, to who is left
    expect(before.deliveries.expected).toBe(before.sends.sent * 2);
    const expected = before.deliveries.expected + after.deliveries.expected;
    expect(r.deliveries).toMatchObject({ expected, received: expected, lost: 0, duplicates: 0 });
    expect(r.metrics.broadcast.count).toBe(expected);
    // a sender left alone in its room by the drop has nobody to fan out to: no fan-out completion
    expect(r.metrics.fanoutCompletion!.count).toBeLessThanOrEqual(r.sends.sent);
    const cw = r.cloudwatch!;
    expect(cw.status, JSON.stringify(cw.completeness)).toBe('complete');
    const message = fnOf(cw.functions, 'MessageFunction');
    // one invocation per send and per join (the /join frames go to $default too), and the join
    // of the client that checks the protocol's answer matcher before the fleet starts
    expect(cw.lambda[message]!.invocations).toBe(r.sends.sent + 6 + 1);
    // the stale rows: the first posts after the drop answered 410 and the function deleted them
    expect(r.stale!.gone410).toBeGreaterThanOrEqual(2);
    const table = Object.values(cw.dynamodb!)[0]!;
    expect(table.operations!.DeleteItem!.requests).toBeGreaterThanOrEqual(2);
    // the stack's own EMF metric, pulled from the namespace its functions' environment names (a post per delivery)
    expect(r.config.target.functions!.functions.every((f) => f.emf?.namespace === 'Rooms' && f.emf.service === 'rooms')).toBe(true);
    expect(Object.keys(cw.emf)).toEqual(['RoomPosts']);
    expect(cw.emf.RoomPosts!.sum).toBe(expected);
    // cold starts: every REPORT line with an Init Duration is one, each environment's first
    for (const id of ['ConnectFunction', 'MessageFunction']) {
      const report = cw.reports[fnOf(cw.functions, id)]!;
      expect(report.coldStarts, id).toBeGreaterThanOrEqual(1);
      expect(report.initDuration!.count, id).toBe(report.coldStarts);
      expect(report.initDuration!.min, id).toBeGreaterThan(0);
      expect(report.memorySizeMB).toBe(1024);
      expect(report.maxMemoryUsedMB).toBeGreaterThan(10);
    }
  });

  it('loses the posts its handler leaves to a thread when it returns, as on AWS: the verdict fails on lost deliveries', { timeout: 120_000 }, async () => {
    const file = scenario('python-thread', [
      'clients: 4',
      'rooms: 1',
      'seed: 3',
      ...SLASH_ROOMS,
      // no $disconnect runs: the run's end closes the four clients at once, each $disconnect a
      // Python cold start of its own (0.4 CPU-s or more), and this test is about the posts
      'target: { preparedPerFunction: 0, lostDisconnectShare: 1 }',
      'timeouts: { loss: 3s, grace: 1s }',
      'phases:',
      '  - connect: { rate: 10 }',
      '  - join: { rate: 10 }',
      '  - send: { duration: 2s, rate: 2 }',
    ]);
    const out = join(dir, 'out-python-thread');
    const run = await runCli(['run', file, '--template', PYTHON_ROOMS, '--parameter', 'PostInThread=true', '--shards', '1', '--no-progress', '--out', out], { timeoutMs: 110_000, cwd: dir });
    const r = Results.parse(JSON.parse(readFileSync(join(out, readdirSync(out)[0]!, 'results.json'), 'utf8')));
    expect(run.code, run.stdout + run.stderr).toBe(99);
    expect(r.sends.sent).toBe(4);
    expect(r.deliveries.expected).toBe(12);
    expect(r.deliveries.lost).toBeGreaterThan(0);
    expect(r.verdict!.checks.filter((c) => !c.passed).map((c) => c.name)).toContain('no lost deliveries');
  });
});

describe('the provided.al2023 fixture, by --template', () => {
  it('accounts for every echo, and reports the bootstrap\'s cold starts with Init Duration', { timeout: 120_000 }, async () => {
    const file = scenario('provided-echo', [
      'clients: 4',
      'rooms: 4',
      'seed: 9',
      'protocol:',
      '  name: echo',
      // each client alone in a room the stack does not know of: its own echo is its delivery
      '  connect: { query: { room: "{{room}}" } }',
      '  membership: { model: connect }',
      '  send: { frame: "{{probe}}" }',
      'target: { preparedPerFunction: 0 }',
      'timeouts: { loss: 20s, grace: 4s }',
      'phases:',
      '  - connect: { rate: 20 }',
      '  - send: { duration: 2s, rate: 4 }',
    ]);
    const r = await measure('provided-echo', [file, '--template', PROVIDED_ECHO]);
    expect(r.environment.lambdaRuntime).toMatchObject({ nodeFunctions: false, others: ["provided.al2023 on each function's own bootstrap"] });
    // and beside it, the runtime in use with its functions and what ran it
    expect(r.environment.lambdaRuntimes).toEqual([{ runtime: 'provided.al2023', functions: r.config.target.functions!.functions.map((f) => f.name), ranOn: "each function's own bootstrap", matches: true }]);
    expectAllDelivered(r, r.sends.sent);
    const cw = r.cloudwatch!;
    expect(cw.status, JSON.stringify(cw.completeness)).toBe('complete');
    const echo = fnOf(cw.functions, 'EchoFunction');
    // every send, and every $connect (one function serves every route)
    expect(cw.lambda[echo]!.invocations).toBeGreaterThanOrEqual(r.sends.sent + 4);
    const report = cw.reports[echo]!;
    expect(report.coldStarts).toBeGreaterThanOrEqual(1);
    expect(report.initDuration!.count).toBe(report.coldStarts);
    expect(report.memorySizeMB).toBe(512);
  });
});

describe('a stack the host cannot run', () => {
  const refused = async (args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const r = await runCli(['stack', 'up', ...args], { env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe(''); // no ready line: nothing listened
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    return lines[0]!;
  };

  // A runtime the emulator does not run (java21) is the template reader's refusal, before the host
  // is asked for anything: test/emulator/template-refusals.test.ts ("a runtime it does not run,
  // listing the ones it does; a retired one named as retired"), and through the CLI by
  // test/e2e/template-stack.test.ts ("an HTTP integration: one line naming …").
  it('is one line naming the function and the fix, exit 2, before anything listens: no Python, no boto3', { timeout: 60_000 }, async () => {
    const bin = join(dir, 'bin-without-python');
    mkdirSync(bin, { recursive: true });
    expect(await refused(['--template', PYTHON_ROOMS], { ...process.env, PATH: bin })).toBe(
      'fanout-bench: resource ConnectFunction (python3.12): no Python on this host (tried python3.12, python3 on PATH): install Python 3 and boto3 (apt-get install python3 python3-boto3)',
    );
    // a python3 that does not see its site-packages: boto3 is not importable
    const real = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    const noSite = join(dir, 'bin-without-boto3');
    mkdirSync(noSite, { recursive: true });
    writeFileSync(join(noSite, 'python3'), `#!/bin/sh\nexec ${real} -S "$@"\n`, { mode: 0o755 });
    expect(await refused(['--template', PYTHON_ROOMS], { ...process.env, PATH: noSite })).toMatch(
      /^fanout-bench: resource ConnectFunction \(python3\.12\): boto3 is not importable by the host's Python 3\.\d+\.\d+ \(\S+\), and Lambda's Python runtime has it: apt-get install python3-boto3 \(Debian, Ubuntu\), or pip install boto3$/,
    );
  });
});
