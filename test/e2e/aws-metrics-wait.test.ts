import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';

/**
 * `--target aws:FanoutBenchChat` against `stack up --aws-metrics --aws-metrics-lag 5s`: the real
 * CLI, the real SDK clients pointed at the emulator by the ready line's AWS_ENDPOINT_URL_*
 * variables (as a user exports them), CloudWatch published as AWS publishes it (whole minutes,
 * each 5 s after it ends, DynamoDB and EMF 10 s). No mock. Four stacks, so that no run's minutes
 * hold another's traffic: A for the run that waits, B for the one whose wait runs out (then
 * --repull), C for compare, D for search. The four start together in beforeAll: each mostly
 * waits for minutes to be published, and one after the other they would wait four times as long.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fb-aws-wait-'));
/** small and short: 4 clients in one room, 2 s of sends */
const SCENARIO = ['fanout', '--clients', '4', '--rooms', '1', '--duration', '2s', '--rate', '4', '--seed', '7', '--no-progress'];

interface Stack {
  child: ChildProcess;
  env: NodeJS.ProcessEnv;
}
const stacks: Stack[] = [];

async function stackUp(): Promise<Stack> {
  const child = spawn(process.execPath, ['bin/fanout-bench.js', 'stack', 'up', '--aws-metrics', '--aws-metrics-lag', '5s', '--prepared', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  // CI starts this lane beside the whole suite: a first stack start there waited out 60 s
  const deadline = Date.now() + 150_000;
  while (!out.includes('\n')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ready line; stderr: ${err}`);
    await sleep(50);
  }
  const ready = JSON.parse(out.split('\n')[0]!) as { awsEndpointUrls: Record<string, string>; region: string };
  // the CLI's environment as a user's shell has it after pasting the export block: no other AWS settings
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, ready.awsEndpointUrls, {
    AWS_REGION: ready.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const stack = { child, env };
  stacks.push(stack);
  return stack;
}

const cli = (args: string[], env?: NodeJS.ProcessEnv, timeoutMs = 400_000): Promise<CliResult> => runCli(args, { env, cwd: dir, timeoutMs });
const onlyRun = (out: string) => {
  const [name] = readdirSync(out);
  return join(out, name!);
};
const results = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'));
/**
 * The cost's work counts: requests, messages and write units. Not time (GB-s, connection-minutes),
 * nor read units: joinRoom reads a room's metadata once per execution environment, so reads follow
 * how many environments the load happened to start.
 */
const workCounts = (r: { cost: { lines: Array<{ service: string; item: string; unit: string; quantity: number }> } }) =>
  Object.fromEntries(r.cost.lines.filter((l) => ['requests', 'messages', 'WRU'].includes(l.unit)).map((l) => [`${l.service} ${l.item}`, l.quantity]));
/**
 * What an aws: target adds to the scenario's own work: before any client starts, one WebSocket
 * proves the URL answers (remote.ts probe): one $connect and one $disconnect, a connection row
 * written and deleted.
 */
const PROBE = { connects: 1, writeUnits: 2 };

let B: Stack;
let partial: Promise<CliResult>;
let waited: Promise<CliResult>;
let compared: Promise<CliResult>;
let searched: Promise<CliResult>;
/** a search of two steps, 4 then 8 messages/s, each warmed up for 1 s, both well inside the SLO */
const SEARCH = ['search', 'fanout', '--clients', '4', '--rooms', '1', '--seed', '7', '--no-progress', '--vary', 'rate', '--slo', 'broadcast.p99 < 5s', '--from', '4', '--to', '8', '--hold', '2s', '--resolution', '100%', '--warm-up', '1s'];

beforeAll(async () => {
  const [A, stackB, C, D] = await Promise.all([stackUp(), stackUp(), stackUp(), stackUp()]);
  B = stackB;
  partial = cli(['run', ...SCENARIO, '--target', 'aws:FanoutBenchChat', '--metrics-wait', '1s', '--threshold', 'emf.FanoutDeliveries > 0', '--out', join(dir, 'partial')], B.env);
  waited = cli(['run', ...SCENARIO, '--target', 'aws:FanoutBenchChat', '--threshold', 'emf.FanoutDeliveries > 0', '--out', join(dir, 'aws')], A.env);
  compared = cli(['compare', ...SCENARIO, '--target', 'aws:FanoutBenchChat', '--memory', '256,1769', '--warm-up', '1s', '--out', join(dir, 'compare')], C.env, 900_000);
  searched = cli([...SEARCH, '--target', 'aws:FanoutBenchChat', '--out', join(dir, 'search')], D.env, 900_000);
}, 200_000);

afterAll(async () => {
  for (const s of stacks) if (s.child.exitCode === null) s.child.kill('SIGTERM');
  await Promise.all([partial, waited, compared, searched].map((p) => p?.catch(() => undefined)));
  rmSync(dir, { recursive: true, force: true });
});

describe('the harness waits for CloudWatch on an AWS-timed target', { timeout: 900_000 }, () => {
  let partialDir: string;
  /** the built-in checks the partial run failed (judged again unchanged by --repull) */
  let partialFailedChecks: string[];
  let awsRun: ReturnType<typeof results>;

  it('with --metrics-wait shorter than the lag: partial or missing with counts, the cost says which lines, a threshold on them is no data (exit 99)', async () => {
    const r = await partial;
    expect(r.code, r.stdout + r.stderr).toBe(99);
    partialDir = onlyRun(join(dir, 'partial'));
    const res = results(partialDir);
    partialFailedChecks = res.verdict.checks.filter((x: { passed: boolean }) => !x.passed).map((x: { name: string }) => x.name);
    const c = res.cloudwatch.completeness;
    expect(res.cloudwatch.wait).toMatchObject({ rule: 'published', maxMs: 1000, done: false });
    expect(res.cloudwatch.status).toBe('partial');
    for (const family of ['lambda', 'apiGateway', 'emf']) {
      expect(['partial', 'missing'], `${family}: ${JSON.stringify(c[family])}`).toContain(c[family].status);
      // short of what the run owes, or all of it but not yet unchanged for a full period (a
      // family whose minutes closed before the run ended, under load, can be fully published)
      if (c[family].published >= c[family].expected) expect(c[family].detail).toContain('the counts were still changing');
    }
    expect(c.lambda.expected).toBe(res.sends.acked + res.connections.opened + res.connections.joined);
    expect(c.apiGateway.expected).toBe(res.connections.opened);
    expect(res.cost.lines.some((l: { partial?: string }) => l.partial)).toBe(true);
    expect(res.cost.lines.find((l: { service: string }) => l.service === 'DynamoDB').partial).toMatch(/^dynamodb (partial|missing)/);
    expect(res.verdict.thresholds[0]).toMatchObject({ outcome: 'no-data' });
    expect(res.verdict.thresholds[0].detail).toMatch(/CloudWatch's emf metrics were (partial|missing) when pulled/);
    expect(readFileSync(join(partialDir, 'summary.md'), 'utf8')).toContain('partial data:');
  });

  it('waits until the run is published: complete, and the same work as the scenario run locally (plus the probe connection of an aws: target)', async () => {
    const r = await waited;
    expect(r.stderr).toMatch(/waiting for CloudWatch: .* \d+ s \(at most 300 s\)/);
    awsRun = results(onlyRun(join(dir, 'aws')));
    // the threshold on the EMF metric holds; a CI host busy with the suites beside this lane may
    // saturate the harness, its own check, and nothing else
    expect(awsRun.verdict.thresholds[0]).toMatchObject({ outcome: 'pass' });
    expectPassedButForHost(r.code, awsRun, r.stderr);
    const cw = awsRun.cloudwatch;
    expect(cw.wait).toMatchObject({ rule: 'published', done: true });
    expect(cw.status, JSON.stringify(cw.problems)).toBe('complete');
    for (const family of ['lambda', 'apiGateway', 'dynamodb', 'emf', 'reports']) expect(cw.completeness[family].status, family).toBe('complete');
    // per-route metrics found by ListMetrics, no advice to turn on what the stage has on
    expect(Object.keys(cw.apiGatewayRoutes ?? {})).toContain('sendMessage');
    expect(cw.notes.join('\n')).not.toMatch(/detailed metrics/);

    const local = join(dir, 'local');
    const l = await cli(['run', ...SCENARIO, '--target', 'local', '--out', local]);
    const localRun = results(onlyRun(local));
    expectPassedButForHost(l.code, localRun, l.stderr);
    const invocations = (x: typeof awsRun) => Object.fromEntries(Object.entries(x.cloudwatch.lambda as Record<string, { invocations: number }>).map(([fn, t]) => [fn, t.invocations]));
    const localInvocations = invocations(localRun);
    expect(invocations(awsRun)).toEqual({
      ...localInvocations,
      'fanout-connect': localInvocations['fanout-connect']! + PROBE.connects,
      'fanout-disconnect': localInvocations['fanout-disconnect']! + PROBE.connects,
    });
    expect(cw.apiGatewayTotals.connectCount).toBe(localRun.cloudwatch.apiGatewayTotals.connectCount + PROBE.connects);
    expect(awsRun.deliveries.received).toBe(localRun.deliveries.received);
    expect(cw.emf.FanoutDeliveries.sum).toBe(localRun.cloudwatch.emf.FanoutDeliveries.sum);
    const units = (x: typeof awsRun, table: string) => [x.cloudwatch.dynamodb[table].readUnits, x.cloudwatch.dynamodb[table].writeUnits];
    expect(units(awsRun, 'fanout-room-members')).toEqual(units(localRun, 'fanout-room-members'));
    expect(units(awsRun, 'fanout-messages')[1]).toBe(units(localRun, 'fanout-messages')[1]);
    expect(units(awsRun, 'fanout-connections')[1]).toBe(units(localRun, 'fanout-connections')[1]! + PROBE.writeUnits);
    const work = workCounts(localRun);
    expect(workCounts(awsRun)).toEqual({
      ...work,
      'Lambda requests': work['Lambda requests']! + 2 * PROBE.connects,
      'DynamoDB write request units': work['DynamoDB write request units']! + PROBE.writeUnits,
    });
    expect(awsRun.cost.lines.some((x: { partial?: string }) => x.partial)).toBe(false);
  });

  it('report --repull, once CloudWatch has published the run: complete, the threshold judged again and passing', async () => {
    const ended = Date.parse(results(partialDir).endedAt);
    // the run's last minute is published 10 s (DynamoDB, EMF) after it ends
    await sleep(Math.ceil(ended / 60_000) * 60_000 + 12_000 - Date.now());
    const r = await cli(['report', '--repull', partialDir], B.env);
    const res = results(partialDir);
    // the exit code is the verdict's: the threshold now passes; the built-in checks (a saturated
    // harness on a busy CI host, say) are judged as they were
    expect(r.code, r.stdout + r.stderr).toBe(res.verdict.outcome === 'pass' ? 0 : 99);
    expect(res.verdict.checks.filter((x: { passed: boolean }) => !x.passed).map((x: { name: string }) => x.name)).toEqual(partialFailedChecks);
    for (const family of ['lambda', 'apiGateway', 'dynamodb', 'emf', 'reports']) expect(res.cloudwatch.completeness[family].status, family).toBe('complete');
    expect(res.cloudwatch.status).toBe('complete');
    expect(res.cost.lines.some((l: { partial?: string }) => l.partial)).toBe(false);
    expect(res.verdict.thresholds[0]).toMatchObject({ outcome: 'pass' });
    expect(workCounts(res)).toEqual(workCounts(awsRun));
  });

  it('compare --target aws:FanoutBenchChat --memory 256,1769 runs on the same path: each measurement waits and is complete', async () => {
    const r = await compared;
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

  it('search --target aws:FanoutBenchChat: each step waits for a minute of its own and for its publication, and counts only its own work', async () => {
    const r = await searched;
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
