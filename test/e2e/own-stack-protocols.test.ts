import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReadyLine, type StackReady } from '../../common/stack-ready.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { BIN, runCli } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';

/**
 * Stacks of other protocols, measured through the CLI as a user measures them (issue 29's "done
 * when"): our sendmessage-broadcast fixture with `protocol: sendmessage` on the emulator, a
 * dropped client's stale connection included; the SAM rooms fixture with a described protocol
 * (room in the connect URL, raw deliveries, no acks) by `--template`, and through
 * `--target aws:sam-rooms` and `--target aws-api:<id>/<stage>` against `stack up --template
 * --aws-metrics` reached only through AWS_ENDPOINT_URL.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const SENDMESSAGE = join(ROOT, 'test/fixtures/stacks/sendmessage-broadcast/template.yaml');
const ROOMS = join(ROOT, 'test/fixtures/stacks/sam-rooms/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-own-protocols-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function scenario(name: string, lines: string[]): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, [`name: ${name}`, ...lines, ''].join('\n'));
  return file;
}

async function measure(name: string, args: string[], env?: NodeJS.ProcessEnv): Promise<Results> {
  const out = join(work, `out-${name}`);
  const r = await runCli(['run', ...args, '--out', out, '--shards', '1', '--no-progress'], { timeoutMs: 240_000, cwd: work, ...(env ? { env } : {}) });
  const [run] = existsSync(out) ? readdirSync(out) : [];
  expect(run, `no results: ${r.stderr}`).toBeDefined();
  const results = Results.parse(JSON.parse(readFileSync(join(out, run!, 'results.json'), 'utf8')));
  expectPassedButForHost(r.code, results, `${r.stdout}\n${r.stderr}`);
  return results;
}

/**
 * `stack up --template <rooms> --aws-metrics` in the background (AWS's metric timing, a 1 s lag),
 * and the environment of a user's shell after its export block: the edge, no AWS configuration.
 */
async function stackUpForAws(): Promise<{ ready: StackReady; env: NodeJS.ProcessEnv }> {
  const child = spawn(process.execPath, [BIN, 'stack', 'up', '--exit-with-stdin', '--template', ROOMS, '--aws-metrics', '--aws-metrics-lag', '1s'], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  const ready = await new Promise<StackReady>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no ready line in 120 s: ${err.slice(-800)}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      for (const line of out.split('\n')) {
        const r = parseReadyLine(line);
        if (r) {
          clearTimeout(timer);
          done(r);
        }
      }
    });
    child.once('exit', (code) => fail(new Error(`stack up exited ${code}: ${err.slice(-800)}`)));
  });
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, {
    AWS_ENDPOINT_URL: ready.edgeEndpoint,
    AWS_REGION: ready.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_CONFIG_FILE: join(work, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  return { ready, env };
}

/** Every delivery accounted for, each message's fan-out completed, latencies present. */
function expectAllDelivered(r: Results, expected: number): void {
  expect(r.deliveries).toMatchObject({ expected, received: expected, lost: 0, duplicates: 0 });
  expect(r.sends.acked).toBe(0);
  expect(r.metrics.broadcast.count).toBe(expected);
  expect(r.metrics.fanoutCompletion!.count).toBe(r.sends.sent);
}

/** The publish function's invocations in CloudWatch, and the pull complete for what it expects. */
function publishInvocations(r: Results): number {
  const cw = r.cloudwatch!;
  expect(cw.status, JSON.stringify(cw.completeness)).toBe('complete');
  const fn = cw.functions.find((f) => f.includes('PublishFunction'))!;
  return cw.lambda[fn]!.invocations;
}

describe('protocol: sendmessage against the sendmessage-broadcast fixture', () => {
  it('accounts for every delivery, before and after a drop, and shows the dropped clients cleaned on the emulator, from its gateway', { timeout: 240_000 }, async () => {
    const file = scenario('scan-broadcast', [
      'clients: 6',
      'rooms: 1',
      'seed: 7',
      'protocol: sendmessage',
      // a dropped connection is not disconnected: its row stays until a post to it answers 410
      'target: { lostDisconnectShare: 1 }',
      'timeouts: { loss: 8s, grace: 4s }',
      'phases:',
      '  - connect: { rate: 50 }',
      '  - send: { name: before, duration: 2s, rate: 3 }',
      // what is in flight arrives before anyone is dropped
      '  - idle: { duration: 4s }',
      '  - drop: { share: 0.34 }',
      '  - send: { name: after, duration: 2s, rate: 3 }',
    ]);
    const r = await measure('sendmessage', [file, '--template', SENDMESSAGE]);
    const [before, after] = [r.phases!.find((p) => p.name === 'before')!, r.phases!.find((p) => p.name === 'after')!];
    expect(r.stale!.dropped).toBe(2);
    // membership all: every open client receives every message, the sender too
    expect(before.deliveries.expected).toBe(before.sends.sent * 6);
    expect(after.deliveries.expected).toBe(after.sends.sent * 4);
    expectAllDelivered(r, before.deliveries.expected + after.deliveries.expected);
    // the emulator's view of the stale rows: no $disconnect ran, the first posts after the drop
    // answered 410 (ClientError) and the function deleted each dropped connection's row
    const cw = r.cloudwatch!;
    const fn = (part: string) => cw.lambda[cw.functions.find((f) => f.includes(part))!]!;
    expect(fn('OnDisconnectFunction').invocations).toBe(0);
    expect(fn('SendMessageFunction').invocations).toBe(r.sends.sent);
    expect(cw.apiGatewayTotals!.clientError).toBeGreaterThanOrEqual(2);
    const table = Object.values(cw.dynamodb!)[0]!;
    expect(table.operations!.DeleteItem!.requests).toBeGreaterThanOrEqual(2);
    expect(table.operations!.PutItem!.requests).toBe(6);
    // no ack counts 410s, so the stale figures come from the emulator's gateway: every post to the
    // two dropped clients' connections (each at least once, each a ClientError), then clean
    const stale = r.stale!;
    expect(stale.source).toMatch(/^the emulator's gateway: \d+ @connections posts? answered 410 to the 2 connections that ended without a close frame/);
    expect(stale.gone410).toBeGreaterThanOrEqual(2);
    expect(stale.gone410).toBeLessThanOrEqual(cw.apiGatewayTotals!.clientError);
    expect(stale.wastedPosts).toBe(stale.gone410);
    const drop = r.phases!.find((p) => p.kind === 'drop')!;
    expect(stale.timeToCleanMs).toEqual(expect.any(Number));
    expect(stale.timeToCleanMs!).toBeGreaterThanOrEqual(0);
    expect(stale.timeToCleanMs!).toBeLessThan(after.startedAt + after.durationMs - drop.startedAt);
    for (const f of ['stale.gone410', 'stale.timeToCleanMs', 'stale.wastedPosts']) expect(r.protocol!.notObservable[f]).toBe(`from ${stale.source}`);
    // and the reports show the figures with their source
    const runDir = join(work, 'out-sendmessage', readdirSync(join(work, 'out-sendmessage'))[0]!);
    expect(readFileSync(join(runDir, 'summary.md'), 'utf8')).toContain(`${stale.gone410} × 410 Gone · time to clean`);
    expect(readFileSync(join(runDir, 'index.html'), 'utf8')).toContain('from the emulator&#39;s gateway: ');
  });
});

const ROOMS_PROTOCOL = [
  'protocol:',
  '  name: rooms',
  '  connect: { query: { room: "{{room}}" } }',
  '  membership: { model: connect }',
  '  send: { frame: { action: publish, text: "{{probe}}" } }',
];

describe('a described protocol against the SAM rooms fixture', () => {
  const file = (name: string) =>
    scenario(name, ['clients: 6', 'rooms: 2', 'seed: 7', ...ROOMS_PROTOCOL, 'timeouts: { loss: 8s, grace: 4s }', 'phases:', '  - connect: { rate: 50 }', '  - send: { duration: 2s, rate: 3 }']);

  it('locally by --template: every delivery in the sender\'s room, invocations equal to the sends', { timeout: 240_000 }, async () => {
    const r = await measure('rooms-local', [file('rooms-local'), '--template', ROOMS]);
    // two rooms of three: each message goes to its room, sender included
    expectAllDelivered(r, r.sends.sent * 3);
    expect(publishInvocations(r)).toBe(r.sends.sent);
  });

  describe('through the emulator\'s AWS APIs (stack up --template --aws-metrics)', () => {
    // One stack per target kind, measured at once: AWS's minute periods make each pull wait a
    // minute or two, and a stack of its own keeps each run's CloudWatch counts its own.
    const stacks = new Map<string, { ready: StackReady; env: NodeJS.ProcessEnv }>();
    beforeAll(async () => {
      const [byName, byId] = await Promise.all([stackUpForAws(), stackUpForAws()]);
      stacks.set('aws:sam-rooms', byName).set('aws-api', byId);
    }, 150_000);

    it.concurrent.each([['aws:sam-rooms'], ['aws-api']])('--target %s: CloudWatch complete, publish invocations equal to the sends, cost and quotas', { timeout: 300_000 }, async (kind) => {
      const { ready, env } = stacks.get(kind)!;
      const target = kind === 'aws-api' ? `aws-api:${ready.apiId}/${ready.stage}` : kind;
      const name = kind.replace(':', '-');
      const r = await measure(name, [file(name), '--target', target], env);
      expectAllDelivered(r, r.sends.sent * 3);
      expect(r.config.target).toMatchObject({ kind: 'remote', url: ready.websocketUrl, label: target });
      expect(r.cloudwatch!.source).toBe('aws');
      expect(publishInvocations(r)).toBe(r.sends.sent);
      expect(r.cost!.lines.length).toBeGreaterThan(0);
      expect(r.cost!.totals.total).toBeGreaterThan(0);
      expect(r.cost!.totals.lambda).toBeGreaterThan(0);
      expect(r.quotas!.limits).toBeDefined();
    });
  });
});
