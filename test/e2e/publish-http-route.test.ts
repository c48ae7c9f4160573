import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { stackForAws, stopAwsTimedStacks } from './aws-timed-stack.ts';
import { runCli, type CliResult } from './cli.ts';
import { expectPassedButForHost } from './host-tolerant-exit.ts';

/**
 * A server push that enters through the stack's own HTTP API (issue 69): a publish phase `via:
 * http` names the route (`to: POST /notify`), the harness finds it through API Gateway as on AWS
 * (ListStackResources, GetApi, GetRoutes, GetStages) and POSTs each publish to the route's URL;
 * against test/fixtures/stacks/http-notify, the route's function posts the body to every
 * connection. Every delivery is accounted for, the HTTP API's route is the first hop, its requests
 * are on the path and the bill; the same
 * phase against the stack as `aws:<name>` (through the emulator's AWS endpoints) finds the same
 * route. A route the stack does not have is refused before load, one line, exit 2.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURE = join(ROOT, 'test/fixtures/stacks/http-notify/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-publish-http-'));
afterAll(() => {
  stopAwsTimedStacks();
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  r: CliResult;
  results: Results;
  dir: string;
}

function scenarioFile(name: string, to: string): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'clients: 3',
      'rooms: 1',
      'seed: 7',
      'timeouts: { loss: 15s, grace: 1s }',
      'thresholds: ["deliveries.lostShare < 1%"]',
      'protocol:',
      '  name: push',
      '  membership: { model: all }',
      '  send:',
      '    frame: { action: send, data: "{{probe}}" }',
      'phases:',
      '  - connect: { rate: 20 }',
      `  - publish: { name: notify, via: http, to: "${to}", rate: 1, duration: 2s, payload: "goal {{probe}}" }`,
      '',
    ].join('\n'),
  );
  return file;
}

async function run(name: string, to: string, target: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
  const out = join(work, `out-${name}`);
  const r = await runCli(['run', scenarioFile(name, to), ...target, '--shards', '1', '--summary', 'full', '--out', out], { timeoutMs: 150_000, ...(env ? { env, cwd: work } : {}) });
  const dir = existsSync(out) && readdirSync(out)[0] ? join(out, readdirSync(out)[0]!) : '';
  const file = join(dir, 'results.json');
  return { r, dir, results: dir && existsSync(file) ? Results.parse(JSON.parse(readFileSync(file, 'utf8'))) : (undefined as unknown as Results) };
}

let local: Run;
let deployed: Run;
let missing: CliResult;
beforeAll(async () => {
  const asDeployed = async () => {
    const { ready, env } = await stackForAws(work, { template: FIXTURE, endpoint: 'edge' });
    return run('http-route-aws', 'POST /notify', ['--target', `aws:${ready.stackName}`, '--access-log', 'off', '--metrics-wait', '0s'], env);
  };
  [local, deployed, missing] = await Promise.all([
    run('http-route', 'POST /notify', ['--template', FIXTURE, '--prepared', '0']),
    asDeployed(),
    run('http-route-missing', 'POST /alerts', ['--template', FIXTURE, '--prepared', '0']).then((x) => x.r),
  ]);
}, 200_000);

function accountedFor(x: Run): void {
  expectPassedButForHost(x.r.code, x.results, x.r.stdout + x.r.stderr);
  const p = x.results.publish![0]!;
  expect(p).toMatchObject({ phase: 'notify', via: 'http', recipientsPerPublish: 3, calls: { intended: 2, sent: 2, acked: 2, failed: 0 }, errors: {} });
  expect(p.deliveries).toEqual({ expected: 6, received: 6, lost: 0, duplicates: 0 });
  expect(p.resource).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/notify$/);
}

describe("a publish phase to a route of the stack's own HTTP API (http-notify)", () => {
  it('finds the route through API Gateway and reaches every connection, every delivery accounted for', () => {
    accountedFor(local);
    expect(local.r.stdout).toMatch(/^ {2}publish {6}notify via http → POST \/notify \(everyone: 3 each\)$/m);
  });

  it('splits publish → delivery by hop: the HTTP API route first, then its function, the posts, the deliveries', () => {
    const hops = local.results.hopLatency!.hops;
    expect(hops.map((h) => h.hop.replace(/^lambda:.*/, 'lambda:'))).toEqual(['http:POST /notify', 'lambda:', '@connections']);
    expect(hops.map((h) => h.count)).toEqual([2, 2, 6]);
    expect(local.r.stdout).toMatch(/^ {2}hops {9}p50 from the send: http:POST \/notify \+[\d,.]+ ms → lambda:\S+ \+[\d,.]+ ms → @connections/m);
  });

  it("counts the HTTP API's requests on the path (AWS/ApiGateway by ApiId and Stage) and prices them", () => {
    const api = local.results.path!.hops.find((h) => h.kind === 'api');
    expect(api).toMatchObject({ kind: 'api', apiType: 'http', name: 'http-notify', stage: '$default', totals: { requests: 2, clientErrors: 0, serverErrors: 0 } });
    expect(local.results.cost!.lines.find((l) => l.item === 'http-notify HTTP API requests (512 KB steps)')).toMatchObject({ service: 'API Gateway', quantity: 2, unitPrice: 1 });
    expect(local.r.stdout).toMatch(/HTTP API http-notify {2}requests 2 {2}4xx 0 {2}5xx 0/);
  });

  it('finds the same route of the stack as aws:<name>, through the emulator\'s AWS endpoints as on AWS', () => {
    accountedFor(deployed);
    expect(deployed.results.config.target).toMatchObject({ kind: 'remote', label: 'aws:http-notify' });
  });

  it('refuses a route the stack does not have before load, one line naming the field and the routes it has, exit 2', () => {
    expect(missing.code, missing.stdout + missing.stderr).toBe(EXIT.badInput);
    expect(missing.stderr.trim().split('\n')).toContainEqual(expect.stringMatching(/phases\[1\]\.publish\.to: no route of stack http-notify \(the local stack\)'s HTTP APIs takes POST \/alerts \(http-notify: POST \/notify\)$/));
  });
});
