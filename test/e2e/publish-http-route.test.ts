import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../common/exit-codes.ts';
import { stackForAws, stopAwsTimedStacks } from './aws-timed-stack.ts';
import type { CliResult } from './cli.ts';
import { accountedFor, runPublishRoute, type PublishRouteRun as Run } from './publish-route-run.ts';

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
const FIXTURE = resolve(import.meta.dirname, '../fixtures/stacks/http-notify/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-publish-http-'));
afterAll(() => {
  stopAwsTimedStacks();
  rmSync(work, { recursive: true, force: true });
});
const run = (name: string, to: string, target: string[], env?: NodeJS.ProcessEnv) => runPublishRoute(work, { name, to }, target, env);

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

  it("splits each publish cold against warm by the invocation the route's stage logged for it: the first publish meets a cold function", () => {
    const a = local.results.attribution!;
    // nothing ran the function before the first publish; the second meets its environment warm unless the host kept the first busy past it
    const cold = a.publish?.cold?.count ?? 0;
    expect(cold).toBeGreaterThanOrEqual(1);
    expect(a.publish).toMatchObject({ all: { count: 2 }, unattributed: 0 });
    expect(cold + (a.publish?.warm?.count ?? 0)).toBe(2);
    expect(a.routes.find((r) => r.kind === 'publish')).toMatchObject({ route: 'POST /notify', attributed: 2, cold, functionName: expect.stringMatching(/NotifyFunction/) });
    // its deliveries go to the invocation that handled their publish, as a send's go to its frame's: 3 each
    expect(a.broadcast).toMatchObject({ all: { count: 6 }, cold: { count: 3 * cold }, unattributed: 0 });
    expect(local.r.stdout).toMatch(new RegExp(`^ {4}route {6}POST /notify \\(http-notify-NotifyFunction-\\S+\\) publish: cold ${cold} of 2 `, 'm'));
    // the same row on the pages
    expect(readFileSync(join(local.dir, 'summary.md'), 'utf8')).toMatch(new RegExp(`^\\| publish \\| (stack|client) \\| 2 \\(${cold} cold, ${2 - cold} warm\\)`, 'm'));
    expect(readFileSync(join(local.dir, 'index.html'), 'utf8')).toContain('<li><strong>publish</strong>: ');
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
    expect(missing.stderr.trim().split('\n')).toContainEqual(expect.stringMatching(/phases\[1\]\.publish\.to: no route of stack http-notify \(the local stack\)'s APIs takes POST \/alerts \(HTTP API http-notify: POST \/notify\)$/));
  });
});
