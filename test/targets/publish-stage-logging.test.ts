import { APIGatewayClient, GetStageCommand as GetRestStageCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, GetStageCommand, UpdateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { emulatorSettings, type SdkClientSettings } from '../../src/aws/sdk-settings.ts';
import { accessLogFormat, HARNESS_REQUEST_ACCESS_LOG_FORMAT } from '../../src/metrics/attribution/access-log-format.ts';
import { logGroupOfArn, runAccessLogGroup } from '../../src/targets/access-logging.ts';
import { preparePublishStageLogging, type ApiStage } from '../../src/targets/publish-stage-logging.ts';
import { httpApi, KEY_VALUE, messages, restApi } from '../emulator/api-templates.ts';
import { websocketTemplates } from '../emulator/websocket-template.ts';

/**
 * The access log of a publish route's stage, set and read as a run does it, through the real SDK
 * clients against the emulator's API Gateway (v2 for an HTTP API, v1 for a REST API) and
 * CloudWatch Logs: `enable` sets the harness's format and group, each publish's answer carries the
 * request ID its line names with the invocation behind it, and `restore` puts back what was there
 * (none, or the stage's own); `use` takes the stage's own log where its format names what the join
 * needs, and says in one line why not where it does not.
 */
const { read } = websocketTemplates('fb-publish-stage-logging-');
/** the REST stage's own format: what the join needs */
const OWN_REST = JSON.stringify({ id: '$context.requestId', inv: '$context.integration.requestId', m: '$context.httpMethod', r: '$context.resourcePath' });

let stack: RunningStack;
let settings: { v1: SdkClientSettings; v2: SdkClientSettings; logs: SdkClientSettings };
let http: ApiStage & { url: string };
let rest: ApiStage & { url: string };
beforeAll(async () => {
  const h = httpApi('-');
  // the HTTP API's stage logs nothing of its own; the REST stage logs in OWN_REST
  const described = await read({ ...h, ...restApi(OWN_REST), HttpStage: { ...h.HttpStage, Properties: { ApiId: { Ref: 'Http' }, StageName: '$default' } } });
  stack = await startStack({ config: defaultStackConfig({ accountId: '123456789012', apiGatewayCloudWatchRole: true, lambda: { preparedPerFunction: 0 } }), stack: described, log: () => {} });
  const api = emulatorSettings(stack.ready.apiGatewayV2Endpoint);
  settings = { v1: api, v2: api, logs: emulatorSettings(stack.ready.cloudwatchEndpoint) };
  const h2 = stack.ready.httpApis!.find((a) => a.name === 'logged-http')!;
  const r = stack.ready.restApis!.find((a) => a.name === 'logged-rest')!;
  http = { kind: 'HTTP API', apiId: h2.apiId, stage: '$default', url: h2.url };
  rest = { kind: 'REST API', apiId: r.apiId, stage: 'dev', url: r.stages[0]!.url };
}, 90_000);
afterAll(async () => {
  await stack?.close();
});

const stageOf = ({ kind, apiId, stage }: ApiStage): ApiStage => ({ kind, apiId, stage });
const prepare = (stage: ApiStage, mode: 'use' | 'enable') => preparePublishStageLogging(stageOf(stage), mode, settings, 'stack s', 'us-east-1');

async function httpLogging() {
  const v2 = new ApiGatewayV2Client(settings.v2);
  try {
    return (await v2.send(new GetStageCommand({ ApiId: http.apiId, StageName: http.stage }))).AccessLogSettings;
  } finally {
    v2.destroy();
  }
}

async function restLogging() {
  const v1 = new APIGatewayClient(settings.v1);
  try {
    return (await v1.send(new GetRestStageCommand({ restApiId: rest.apiId, stageName: rest.stage }))).accessLogSettings;
  } finally {
    v1.destroy();
  }
}

describe("a publish route's stage logging", { timeout: 60_000 }, () => {
  it("enable on an HTTP API's $default stage: the harness's format in a group of its own, each line naming the answer's request ID and its invocation; restore leaves none", async () => {
    const logging = await prepare(http, 'enable');
    const group = runAccessLogGroup(http.apiId, '$default');
    expect(group).toMatch(/\/_default$/);
    expect(logging.log).toEqual({ stage: stageOf(http), logGroup: group, format: HARNESS_REQUEST_ACCESS_LOG_FORMAT['HTTP API'] });
    const set = await httpLogging();
    expect(set?.Format).toBe(HARNESS_REQUEST_ACCESS_LOG_FORMAT['HTTP API']);
    expect(logGroupOfArn(set!.DestinationArn!)).toBe(group);
    const answered = await fetch(`${http.url}/notify`, { method: 'POST', body: 'x' });
    expect(answered.status).toBe(201);
    const [line] = (await messages(stack, group)).map((m) => accessLogFormat(logging.log.format).parseRequest(m));
    expect(line).toEqual({ requestId: answered.headers.get('apigw-requestid')!, route: 'POST /notify', integrationRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 201 });
    await logging.restore();
    await logging.restore();
    expect(await httpLogging()).toBeUndefined();
  });

  it("enable on a REST stage: its method and resource path in the line, and the stage's own logging put back", async () => {
    const own = await restLogging();
    const logging = await prepare(rest, 'enable');
    expect((await restLogging())?.format).toBe(HARNESS_REQUEST_ACCESS_LOG_FORMAT['REST API']);
    const answered = await fetch(`${rest.url}/items`, { method: 'POST', headers: { 'x-api-key': KEY_VALUE }, body: '{}' });
    expect(answered.status).toBe(201);
    const parsed = (await messages(stack, logging.log.logGroup)).map((m) => accessLogFormat(logging.log.format).parseRequest(m));
    expect(parsed).toContainEqual({ requestId: answered.headers.get('x-amzn-requestid')!, route: 'POST /items', integrationRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 201 });
    await logging.restore();
    expect(await restLogging()).toEqual(own);
  });

  it("use: the stage's own log where its format names the request and its invocation", async () => {
    const logging = await prepare(rest, 'use');
    expect(logging.log).toEqual({ stage: stageOf(rest), logGroup: '/access/rest', format: OWN_REST });
  });

  it('use: a stage without logging, or whose format lacks what the join needs, is one line naming the stage and why', async () => {
    const refused = async (stage: ApiStage) => {
      const err = await prepare(stage, 'use').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).not.toContain('\n');
      return (err as Error).message;
    };
    expect(await refused(http)).toBe(`stack s: the publish route's stage $default of HTTP API ${http.apiId} has no access logging: its publishes are not split cold against warm (--access-log enable sets it for the run)`);
    const v2 = new ApiGatewayV2Client(settings.v2);
    try {
      await v2.send(new UpdateStageCommand({ ApiId: http.apiId, StageName: '$default', AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/access/http', Format: '$context.requestId $context.status' } }));
    } finally {
      v2.destroy();
    }
    expect(await refused(http)).toMatch(/stage \$default of HTTP API \w+ has an access-log format without \$context\.integration\.requestId: its publishes are not split/);
  });
});
