import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APIGatewayClient, GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { EXIT } from '../../common/exit-codes.ts';
import type { StackReady } from '../../common/stack-ready.ts';
import { stackForAws, stopAwsTimedStacks } from './aws-timed-stack.ts';
import type { CliResult } from './cli.ts';
import { accountedFor, runPublishRoute, type PublishRouteRun } from './publish-route-run.ts';

/**
 * A server push that enters through the stack's own REST API (issue 69): against
 * test/fixtures/stacks/rest-notify (a SAM Api whose methods require an API key of its usage plan
 * and a bearer token its TOKEN authorizer checks), a publish phase `via: http, to: POST /notify,
 * apiKey: NotifyApiApiKey, headers: { Authorization: { env: …, prefix: "Bearer " } }` finds the
 * method as on AWS (ListStackResources, GetRestApi, GetResources, GetStages) and the key's value
 * (GetApiKey), reads the token from the environment, and sends each publish with both to the
 * API's URL: on an endpoint of the SDK's own, the
 * `/restapis/{id}/{stage}/_user_request_` form LocalStack and the emulator serve. Every delivery
 * is accounted for, the REST method is the first hop, its requests are on the path and the bill;
 * the same phase as `aws:<name>` goes through the emulator's edge. Neither the key's value nor the
 * token is in any output or file of the run. A key the stack does not have, or a token's variable
 * unset, is refused before load, one line, exit 2.
 */
const FIXTURE = resolve(import.meta.dirname, '../fixtures/stacks/rest-notify/template.yaml');
const work = mkdtempSync(join(tmpdir(), 'fb-publish-rest-'));
afterAll(() => {
  stopAwsTimedStacks();
  rmSync(work, { recursive: true, force: true });
});
/** The value of the stack's API key, read as a user would (ListStackResources, GetApiKey). */
async function keyValue(ready: StackReady): Promise<string> {
  const o = { region: ready.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const cfn = new CloudFormationClient({ ...o, endpoint: ready.cloudformationEndpoint });
  const apigw = new APIGatewayClient({ ...o, endpoint: ready.awsEndpointUrls.AWS_ENDPOINT_URL_API_GATEWAY! });
  try {
    const resources = (await cfn.send(new ListStackResourcesCommand({ StackName: ready.stackName }))).StackResourceSummaries ?? [];
    const id = resources.find((r) => r.LogicalResourceId === 'NotifyApiApiKey')!.PhysicalResourceId!;
    return (await apigw.send(new GetApiKeyCommand({ apiKey: id, includeValue: true }))).value!;
  } finally {
    cfn.destroy();
    apigw.destroy();
  }
}
const RESOURCE = /^http:\/\/127\.0\.0\.1:\d+\/restapis\/[a-z0-9]{10}\/v1\/_user_request_\/notify$/;
/** the fixture's NotifyToken (its parameter's default), handed to the run as a backend would hold it */
const TOKEN = 'fixture-notify-token-5c1e8a2f';
const HEADERS = '{ Authorization: { env: FB_NOTIFY_TOKEN, prefix: "Bearer " } }';
const withToken = (env: NodeJS.ProcessEnv = process.env) => ({ ...env, FB_NOTIFY_TOKEN: TOKEN });
/** Nothing the run printed or wrote holds `secret`. */
function saidNowhere(x: PublishRouteRun, secret: string): void {
  expect(x.r.stdout + x.r.stderr).not.toContain(secret);
  for (const f of readdirSync(x.dir)) if (statSync(join(x.dir, f)).isFile()) expect(readFileSync(join(x.dir, f)).includes(secret), f).toBe(false);
}

let local: PublishRouteRun;
let deployed: PublishRouteRun;
let deployedKey: string;
let unknownKey: CliResult;
let noToken: CliResult;
beforeAll(async () => {
  const publish = (name: string, apiKey = 'NotifyApiApiKey') => ({ name, to: 'POST /notify', apiKey, headers: HEADERS });
  const asDeployed = async () => {
    const { ready, env } = await stackForAws(work, { template: FIXTURE, endpoint: 'edge' });
    deployedKey = await keyValue(ready);
    return runPublishRoute(work, publish('rest-route-aws'), ['--target', `aws:${ready.stackName}`, '--access-log', 'off', '--metrics-wait', '0s'], withToken(env));
  };
  const unset = { ...process.env };
  delete unset.FB_NOTIFY_TOKEN;
  [local, deployed, unknownKey, noToken] = await Promise.all([
    runPublishRoute(work, publish('rest-route'), ['--template', FIXTURE, '--prepared', '0'], withToken()),
    asDeployed(),
    runPublishRoute(work, publish('rest-route-key', 'PartnerKey'), ['--template', FIXTURE, '--prepared', '0'], withToken()).then((x) => x.r),
    runPublishRoute(work, publish('rest-route-token'), ['--template', FIXTURE, '--prepared', '0'], unset).then((x) => x.r),
  ]);
}, 200_000);

describe("a publish phase to a method of the stack's own REST API, with its API key (rest-notify)", () => {
  it('finds the method and the key through API Gateway, passes the authorizer with the token, and reaches every connection, every delivery accounted for', () => {
    accountedFor(local, RESOURCE);
    saidNowhere(local, TOKEN);
    expect(local.r.stdout).toMatch(/^ {2}publish {6}notify via http → POST \/notify \(everyone: 3 each\)$/m);
  });

  it('splits publish → delivery by hop: the REST method first, then its function, the posts', () => {
    const hops = local.results.hopLatency!.hops;
    expect(hops.map((h) => h.hop.replace(/^lambda:.*/, 'lambda:'))).toEqual(['rest:POST /notify', 'lambda:', '@connections']);
    expect(hops.map((h) => h.count)).toEqual([2, 2, 6]);
  });

  it("splits each publish cold against warm by the invocation the stage's access log names (the method's function, not its authorizer)", () => {
    const a = local.results.attribution!;
    const cold = a.publish?.cold?.count ?? 0;
    expect(cold).toBeGreaterThanOrEqual(1);
    expect(a.publish).toMatchObject({ all: { count: 2 }, unattributed: 0 });
    expect(a.routes.find((r) => r.kind === 'publish')).toMatchObject({ route: 'POST /notify', attributed: 2, cold, functionName: expect.stringMatching(/NotifyFunction/) });
  });

  it("counts the REST API's requests on the path (AWS/ApiGateway by ApiName and Stage) and prices them", () => {
    const api = local.results.path!.hops.find((h) => h.kind === 'api');
    expect(api).toMatchObject({ kind: 'api', apiType: 'rest', stage: 'v1', totals: { requests: 2, clientErrors: 0, serverErrors: 0 } });
    expect(local.results.cost!.lines.find((l) => l.item.endsWith(' REST API requests'))).toMatchObject({ service: 'API Gateway', quantity: 2, unitPrice: 3.5 });
  });

  it("finds the same method of the stack as aws:<name>, through the emulator's AWS endpoints as on AWS", () => {
    accountedFor(deployed, RESOURCE);
    expect(deployed.results.config.target).toMatchObject({ kind: 'remote', label: 'aws:rest-notify' });
    // the key's value (40 characters API Gateway generated) and the token are said nowhere: not in the output, not in any file the run wrote
    expect(deployedKey).toMatch(/^[A-Za-z0-9]{40}$/);
    saidNowhere(deployed, deployedKey);
    saidNowhere(deployed, TOKEN);
  });

  it("refuses a token's environment variable unset before load, one line naming the header and the variable, exit 2", () => {
    expect(noToken.code, noToken.stdout + noToken.stderr).toBe(EXIT.badInput);
    expect(noToken.stderr.trim().split('\n')).toContainEqual(expect.stringMatching(/phases\[1\]\.publish\.headers\.Authorization: the environment variable FB_NOTIFY_TOKEN is not set$/));
  });

  it('refuses an API key the stack does not have before load, one line naming the field and the keys it has, exit 2', () => {
    expect(unknownKey.code, unknownKey.stdout + unknownKey.stderr).toBe(EXIT.badInput);
    expect(unknownKey.stderr.trim().split('\n')).toContainEqual(
      expect.stringMatching(/phases\[1\]\.publish\.apiKey: no API key "PartnerKey" in stack rest-notify \(the local stack\) \(its API keys: NotifyApiApiKey\); name one by its logical id, id or name$/),
    );
  });
});
