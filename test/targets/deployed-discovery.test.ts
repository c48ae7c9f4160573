import { createServer, type Server } from 'node:http';
import { PATH_ROUTE } from '../../common/stack-ready.ts';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { startManagementApis, type ManagementApis } from '../../emulator/management-apis.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { UserError } from '../../common/errors.ts';
import { refusal } from './target-refusal.ts';
import { parseTargetSpec } from '../../src/contracts/target-spec.ts';
import { resolveTarget } from '../../src/targets/resolve-target.ts';
import { targetQuotas } from '../../src/targets/target-quotas.ts';
import { identityOf } from '../../src/analyses/trend/run-groups.ts';
import type { Results } from '../../src/contracts/results-schema.ts';

// A deployed stack without the outputs contract, and an API by id, found through AWS's own APIs
// as the emulator answers them, with the real SDK clients reaching it through AWS_ENDPOINT_URL_*
// (as after pasting `stack up`'s export block). The reference stack runs for real (gateway,
// Lambda, DynamoDB); "Stripped" is the same stack described by a second CloudFormation and API
// Gateway endpoint from a stack description with no outputs, as a template without outputs
// would be: no mock, only the emulator's own endpoints.

const REGION = 'us-east-1';
let stack: RunningStack;
let stripped: ManagementApis;
let elsewhere: ManagementApis;
let httpApi: Server;
const saved: Record<string, string | undefined> = {};

function env(vars: Record<string, string>): void {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_ENDPOINT_URL')) delete process.env[k];
  Object.assign(process.env, vars);
}

beforeAll(async () => {
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) saved[k] = process.env[k];
  Object.assign(process.env, { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
  stack = await startStack({ config: defaultStackConfig({ region: REGION, lambda: { preparedPerFunction: 0 } }), log: () => {} });
  const r = stack.ready;
  const common = {
    accountId: '000000000000', region: REGION, stage: r.stage, websocketUrl: r.websocketUrl, callbackUrl: r.callbackUrl,
    throttle: { rateLimit: 500, burstLimit: 1000 }, routeThrottles: {}, accountThrottle: { rateLimit: 10000, burstLimit: 5000 },
  };
  // the reference stack's resources under another name, as a template without the outputs contract would describe them
  const described = await describeStack(defaultStackConfig({ stackName: 'Stripped', region: REGION, apiId: r.apiId, stage: r.stage }), () => {});
  await described.dispose();
  const reference = described.stack;
  const description = {
    ...reference,
    functions: reference.functions.map((f) => ({ ...f, name: f.name.replace(/^Stripped-/, 'fanout-') })),
    tables: reference.tables.map((t) => ({ ...t, definition: { ...t.definition, TableName: t.definition.TableName.replace(/^Stripped-/, 'fanout-') } })),
    outputs: [],
  };
  stripped = await startManagementApis({ ...common, apiId: r.apiId, stack: description });
  // the same stack's resources, but its API is one API Gateway does not have (deleted by hand)
  elsewhere = await startManagementApis({ ...common, apiId: 'zzzzzzzzzz', stack: description });
  // an HTTP API, as API Gateway v2 describes one
  httpApi = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ apiId: 'httpapi123', name: 'rest-ish', protocolType: 'HTTP', apiEndpoint: 'https://httpapi123.execute-api.us-east-1.amazonaws.com' }));
  });
  await new Promise<void>((resolve) => httpApi.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  env({});
  for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
  Object.assign(process.env, saved);
  await stripped?.close();
  await elsewhere?.close();
  await new Promise<void>((resolve) => httpApi?.close(() => resolve()));
  await stack?.close();
});

/** The real stack's Lambda and DynamoDB; CloudFormation and API Gateway from `m` (default: the stack's own), API Gateway v2 from `apis` if given. */
function pointAt(m?: ManagementApis, apis = m): void {
  const u = stack.ready.awsEndpointUrls;
  env({
    AWS_ENDPOINT_URL_LAMBDA: u.AWS_ENDPOINT_URL_LAMBDA!,
    AWS_ENDPOINT_URL_DYNAMODB: u.AWS_ENDPOINT_URL_DYNAMODB!,
    AWS_ENDPOINT_URL_CLOUDFORMATION: m?.cloudformation.url ?? u.AWS_ENDPOINT_URL_CLOUDFORMATION!,
    AWS_ENDPOINT_URL_APIGATEWAYV2: apis?.apigatewayv2.url ?? u.AWS_ENDPOINT_URL_APIGATEWAYV2!,
    AWS_ENDPOINT_URL_API_GATEWAY: u.AWS_ENDPOINT_URL_API_GATEWAY!,
  });
}

const manifestRoutes = FUNCTIONS.map((f) => [f.route, f.name]);

describe('aws:<stackName> without the outputs contract: discovered from its resources', () => {
  it('finds the WebSocket API, its stage, the functions behind its routes and its tables', async () => {
    pointAt(stripped);
    const target = await resolveTarget({ spec: parseTargetSpec('aws:Stripped'), knobs: {} });
    try {
      expect(target.url).toBe(stack.ready.websocketUrl);
      expect(target.label).toBe('aws:Stripped');
      expect(target.endpoints).toMatchObject({
        services: 'aws',
        region: REGION,
        apiGateway: { apiId: stack.ready.apiId, stage: 'local' },
        callback: stack.ready.callbackUrl,
        stackName: 'Stripped',
        tables: ['fanout-connections', 'fanout-room-members', 'fanout-messages'],
      });
      const fns = await target.describeFunctions();
      expect(fns.source).toBe('lambda-api');
      // the routes' functions, then the stack's function no route invokes (the server push's, started by its bus's rule)
      expect(fns.functions.map((f) => [f.route, f.name])).toEqual([...manifestRoutes, [PATH_ROUTE, 'fanout-push']]);
      expect(fns.functions.find((f) => f.route === 'sendMessage')!.memoryMB).toBe(1024);
      expect(target.discovery?.method).toBe('stack-resources');
      expect(target.discovery?.found).toContainEqual({ what: 'api', value: stack.ready.apiId, from: expect.stringMatching(/^ListStackResources \(AWS::ApiGatewayV2::Api ChatApi[0-9A-F]{8}\)$/) });
      expect(target.discovery?.found).toContainEqual({ what: 'function of sendMessage', value: 'fanout-send-message', from: 'GetRoutes + GetIntegrations' });
      expect(target.discovery?.found).toContainEqual({ what: 'table', value: 'fanout-messages', from: expect.stringMatching(/^ListStackResources \(AWS::DynamoDB::Table messagesTable[0-9A-F]{8}\)$/) });
      expect(target.discovery?.found).toContainEqual({ what: 'function of no route', value: 'fanout-push', from: expect.stringMatching(/^ListStackResources \(AWS::Lambda::Function \S+\)$/) });
      expect(target.cloudWatch).toMatchObject({ source: 'aws', region: REGION });
    } finally {
      await target.stop();
    }
  });

  it('reads its quota plan the same way (GetStage of the discovered stage)', async () => {
    pointAt(stripped);
    const quotas = await targetQuotas(parseTargetSpec('aws:Stripped'), { knobs: {} });
    expect(quotas?.note).toContain('read from aws:Stripped in us-east-1');
    expect(quotas?.limits.requestsPerSecond).toEqual({ value: 500, source: 'account' });
  });

  it('a stack with no WebSocket API: one line, exit 2', async () => {
    pointAt(elsewhere, stripped);
    const err = await refusal(resolveTarget({ spec: parseTargetSpec('aws:Stripped'), knobs: {} }));
    expect(err.message).toMatch(/^aws:Stripped: the stack has no WebSocket API \(no AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET among its \d+ resources\)$/);
  });
});

describe('aws-api:<apiId>/<stage>: an API made by hand', () => {
  it('finds the functions from its routes and authorizer, and the tables its functions\' environment names', async () => {
    pointAt();
    const target = await resolveTarget({ spec: parseTargetSpec(`aws-api:${stack.ready.apiId}/local`), knobs: {} });
    try {
      expect(target.url).toBe(stack.ready.websocketUrl);
      expect(target.label).toBe(`aws-api:${stack.ready.apiId}/local`);
      expect((await target.describeFunctions()).functions.map((f) => [f.route, f.name])).toEqual(manifestRoutes);
      expect(target.endpoints?.tables?.sort()).toEqual(['fanout-connections', 'fanout-messages', 'fanout-room-members']);
      expect(target.endpoints).not.toHaveProperty('stackName');
      expect(target.discovery?.method).toBe('api');
      expect(target.discovery?.found).toContainEqual({ what: 'table', value: 'fanout-connections', from: "environment variable fanout-connect's CONNECTIONS_TABLE (DescribeTable)" });
      expect(target.discovery?.found).toContainEqual({ what: 'websocket URL', value: stack.ready.websocketUrl, from: "GetApi's ApiEndpoint and the stage" });
    } finally {
      await target.stop();
    }
  });

  it('--table names the tables instead; a missing one is one line, exit 2', async () => {
    pointAt();
    const target = await resolveTarget({ spec: parseTargetSpec(`aws-api:${stack.ready.apiId}/local`), aws: { tables: ['fanout-messages'] }, knobs: {} });
    await target.stop();
    expect(target.endpoints?.tables).toEqual(['fanout-messages']);
    expect(target.discovery?.found).toContainEqual({ what: 'table', value: 'fanout-messages', from: '--table (DescribeTable)' });
    const err = await refusal(resolveTarget({ spec: parseTargetSpec(`aws-api:${stack.ready.apiId}/local`), aws: { tables: ['no-such-table'] }, knobs: {} }));
    expect(err.message).toBe('--table: no DynamoDB table "no-such-table" in us-east-1');
  });

  it('a stage the API does not have, an API that is not there, an HTTP API: one line, exit 2', async () => {
    pointAt();
    expect((await refusal(resolveTarget({ spec: parseTargetSpec(`aws-api:${stack.ready.apiId}/prod`), knobs: {} }))).message).toBe(
      `aws-api:${stack.ready.apiId}/prod: no stage "prod" on API ${stack.ready.apiId} in us-east-1 (Invalid stage identifier specified)`,
    );
    expect((await refusal(resolveTarget({ spec: parseTargetSpec('aws-api:nothere123/local'), knobs: {} }))).message).toBe(
      'aws-api:nothere123/local: no API nothere123 in us-east-1 (Invalid API identifier specified 000000000000:nothere123)',
    );
    env({ AWS_ENDPOINT_URL_APIGATEWAYV2: `http://127.0.0.1:${(httpApi.address() as AddressInfo).port}` });
    expect((await refusal(resolveTarget({ spec: parseTargetSpec('aws-api:httpapi123/prod'), knobs: {} }))).message).toBe('aws-api:httpapi123/prod: API httpapi123 is HTTP, not a WebSocket API');
  });

  it('a spec without a stage is refused before anything is asked', () => {
    expect(() => parseTargetSpec('aws-api:abc123')).toThrow('--target: aws-api:<apiId>/<stage> needs an API Gateway API id and a stage name (letters, digits, "-" or "_"), got "aws-api:abc123"');
    expect(() => parseTargetSpec('aws-api:')).toThrow(UserError);
  });
});

describe("a trend groups runs by the label their target recorded", () => {
  it('the same aws-api target is one target; an older result without a label still groups by kind and URL', () => {
    const results = (target: Record<string, unknown>) =>
      ({ scenario: { name: 's' }, config: { clients: 1, rooms: 1, target }, environment: { platform: 'linux', cpus: 2, cpuModel: 'x' } }) as unknown as Results;
    expect(identityOf(results({ kind: 'remote', url: 'ws://127.0.0.1:1/local', label: 'aws-api:abc/local' })).target).toBe('aws-api:abc/local');
    expect(identityOf(results({ kind: 'local', url: 'ws://127.0.0.1:2/local' })).target).toBe('local emulator');
  });
});
