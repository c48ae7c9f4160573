import { APIGatewayClient, UpdateAccountCommand, UpdateStageCommand as UpdateRestStageCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, DeleteAccessLogSettingsCommand, GetStageCommand, UpdateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import type { StackDescription } from '../../emulator/stack-model/stack-description.ts';
import { httpApi, KEY_VALUE, logGroup, messages, permission, restApi } from './api-templates.ts';
import { lambdaUri, websocketTemplates } from './websocket-template.ts';

/**
 * Access logs of HTTP and REST APIs, from their templates' stages (an HTTP API stage's
 * AccessLogSettings, a REST stage's AccessLogSetting), written to the log group they name and read
 * back with FilterLogEvents through the real SDK: AWS's CLF example for HTTP APIs, a JSON format
 * with each type's variables, API Gateway's own refusals in `$context.error.*`, an API key by id
 * and never by value. Then what API Gateway refuses at deploy: a REST stage without the account's
 * CloudWatch role (an HTTP API's needs none), a format without `$context.requestId`; and the
 * logging of stages without their own turned on and off through UpdateStage (v2 and v1).
 */
const { read } = websocketTemplates('fb-api-access-logs-');
/** AWS's CLF example for HTTP APIs ("Configure logging for HTTP APIs in API Gateway") */
const HTTP_CLF = '$context.identity.sourceIp - - [$context.requestTime] "$context.httpMethod $context.routeKey $context.protocol" $context.status $context.responseLength $context.requestId';
const JSON_FORMAT = (vars: string[]) => `{${vars.map((v) => `"${v}":"$context.${v}"`).join(',')}}`;
const HTTP_JSON = JSON_FORMAT(['requestId', 'httpMethod', 'path', 'routeKey', 'status', 'responseLength', 'responseLatency', 'dataProcessed', 'integration.status', 'integration.integrationStatus', 'integrationErrorMessage', 'error.message', 'error.responseType', 'accountId', 'apiId', 'stage', 'eventType']);
const REST_JSON = JSON_FORMAT([
  'requestId',
  'extendedRequestId',
  'httpMethod',
  'path',
  'resourcePath',
  'resourceId',
  'status',
  'responseLength',
  'identity.apiKeyId',
  'identity.apiKey',
  'integration.status',
  'integration.requestId',
  'error.message',
  'error.responseType',
  'stage',
]);

const started: RunningStack[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
});
async function start(described: StackDescription, o: { role?: boolean } = {}): Promise<RunningStack> {
  const stack = await startStack({ config: defaultStackConfig({ accountId: '123456789012', apiGatewayCloudWatchRole: o.role ?? true, lambda: { preparedPerFunction: 0 } }), stack: described, log: () => {} });
  started.push(stack);
  return stack;
}
describe("an HTTP API stage's AccessLogSettings", () => {
  let stack: RunningStack;
  let url: string;
  beforeAll(async () => {
    // no account CloudWatch role: an HTTP API logs without one
    const json = {
      Json: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'json-http', ProtocolType: 'HTTP' } },
      JsonLogs: logGroup('/access/http-json'),
      JsonStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: { Ref: 'Json' }, StageName: '$default', AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': ['JsonLogs', 'Arn'] }, Format: HTTP_JSON } } },
      JsonEcho: { Type: 'AWS::ApiGatewayV2::Integration', Properties: { ApiId: { Ref: 'Json' }, IntegrationType: 'AWS_PROXY', IntegrationUri: lambdaUri('Echo'), PayloadFormatVersion: '2.0' } },
      JsonDefault: { Type: 'AWS::ApiGatewayV2::Route', Properties: { ApiId: { Ref: 'Json' }, RouteKey: '$default', Target: { 'Fn::Sub': 'integrations/${JsonEcho}' } } },
      JsonPermission: permission('Json'),
    };
    stack = await start(await read({ ...httpApi(HTTP_CLF), ...json }), { role: false });
    url = stack.ready.httpApis!.find((a) => a.name === 'logged-http')!.url;
  });

  it("writes one line per request in AWS's CLF example, the answer's status and length and the route matched", async () => {
    const answered = await fetch(`${url}/notify`, { method: 'POST', body: 'hello' });
    expect(answered.status).toBe(201);
    const requestId = answered.headers.get('apigw-requestid')!;
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    const [served, missing] = await messages(stack, '/access/http');
    expect(served).toMatch(new RegExp(`^127\\.0\\.0\\.1 - - \\[\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} \\+0000\\] "POST POST /notify HTTP/1\\.1" 201 12 ${requestId.replace(/[=+]/g, '\\$&')}$`));
    // no route matched: `-` for the route key, API Gateway's own 404 body
    expect(missing).toMatch(/ "GET - HTTP\/1\.1" 404 23 \S+$/);
  });

  it("fills the HTTP API's variables in a JSON format: the integration's answer, API Gateway's own error, '-' for what HTTP APIs lack", async () => {
    const json = stack.ready.httpApis!.find((a) => a.name === 'json-http')!;
    expect((await fetch(`${json.url}/anything`, { method: 'PUT', body: 'four' })).status).toBe(201);
    expect((await fetch(`${json.url}/x/broken`)).status).toBe(500);
    const [ok, broken] = (await messages(stack, '/access/http-json')).map((m) => JSON.parse(m) as Record<string, string>);
    expect(ok).toMatchObject({ httpMethod: 'PUT', path: '/anything', routeKey: '$default', status: '201', responseLength: '12', dataProcessed: '16', 'integration.status': '201', 'integration.integrationStatus': '200', accountId: '123456789012', apiId: json.apiId, stage: '$default', eventType: '-', 'error.message': '-' });
    expect(Number(ok!.responseLatency)).toBeGreaterThanOrEqual(0);
    expect(broken).toMatchObject({ status: '500', 'integration.integrationStatus': '200', integrationErrorMessage: 'boom', 'error.message': 'Internal Server Error', 'error.responseType': 'INTEGRATION_FAILURE' });
  });
});

describe("a REST stage's AccessLogSetting", () => {
  let stack: RunningStack;
  let stageUrl: string;
  let keyId: string;
  beforeAll(async () => {
    const described = await read(restApi(REST_JSON));
    keyId = described.apiKeys!.find((k) => k.logicalId === 'Key')!.id;
    stack = await start(described);
    stageUrl = stack.ready.restApis!.find((a) => a.name === 'logged-rest')!.stages.find((s) => s.name === 'dev')!.url;
  });

  it('writes the method, its resource, the key by id (never its value) and API Gateway refusing a request without one', async () => {
    const served = await fetch(`${stageUrl}/items`, { method: 'POST', headers: { 'x-api-key': KEY_VALUE }, body: '{}' });
    expect(served.status).toBe(201);
    expect((await fetch(`${stageUrl}/items`, { method: 'POST', body: '{}' })).status).toBe(403);
    const lines = await messages(stack, '/access/rest');
    expect(lines.join('\n')).not.toContain(KEY_VALUE);
    const [ok, refused] = lines.map((m) => JSON.parse(m) as Record<string, string>);
    expect(ok).toMatchObject({ requestId: served.headers.get('x-amzn-requestid')!, extendedRequestId: served.headers.get('x-amz-apigw-id')!, httpMethod: 'POST', path: '/dev/items', resourcePath: '/items', status: '201', responseLength: '12', 'identity.apiKeyId': keyId, 'identity.apiKey': '-', 'integration.status': '201', stage: 'dev' });
    expect(ok!.resourceId).toMatch(/^[a-z0-9]{6,10}$/);
    expect(ok!['integration.requestId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(refused).toMatchObject({ status: '403', 'error.message': 'Forbidden', 'error.responseType': 'INVALID_API_KEY', 'identity.apiKeyId': '-', 'integration.status': '-' });
  });
});

describe('access log settings API Gateway refuses at deploy', () => {
  it("a REST stage's, where the account has no API Gateway CloudWatch role: one line naming the stage's AccessLogSetting", async () => {
    const refused = await start(await read(restApi(REST_JSON)), { role: false }).catch((err: unknown) => err as Error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/DevStage.*AccessLogSetting.*stage dev: CloudWatch Logs role ARN must be set in account settings to enable logging/);
    expect((refused as Error).message.split('\n')).toHaveLength(1);
  });

  it('a format without $context.requestId, on either API type', async () => {
    const noId = '$context.httpMethod $context.status';
    const http = await start(await read(httpApi(noId))).catch((err: unknown) => err as Error);
    expect((http as Error).message).toMatch(/HttpStage.*AccessLogSettings.*Access log format must include \$context\.requestId or \$context\.extendedRequestId/);
    const rest = await start(await read(restApi(noId))).catch((err: unknown) => err as Error);
    expect((rest as Error).message).toMatch(/DevStage.*AccessLogSetting.*must include \$context\.requestId/);
  });
});

describe('UpdateStage of an HTTP and a REST stage with no access logging of their own', () => {
  let stack: RunningStack;
  const settings = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  beforeAll(async () => {
    const http = httpApi(HTTP_CLF);
    const rest = restApi(REST_JSON);
    // the same APIs with their stages' logging left out; no account CloudWatch role until the REST stage asks for it
    stack = await start(
      await read({
        ...http,
        ...rest,
        HttpStage: { ...http.HttpStage, Properties: { ApiId: { Ref: 'Http' }, StageName: '$default' } },
        DevStage: { ...rest.DevStage, Properties: { RestApiId: { Ref: 'Rest' }, DeploymentId: { Ref: 'RestDeployment' }, StageName: 'dev' } },
      }),
      { role: false },
    );
  });

  it("turns an HTTP API stage's logging on (no account role needed), GetStage shows it, DeleteAccessLogSettings turns it off", async () => {
    const a = stack.ready.httpApis!.find((x) => x.name === 'logged-http')!;
    const v2 = new ApiGatewayV2Client({ ...settings, endpoint: stack.ready.apiGatewayV2Endpoint });
    const logs = new CloudWatchLogsClient({ ...settings, endpoint: stack.ready.cloudwatchEndpoint });
    try {
      await logs.send(new CreateLogGroupCommand({ logGroupName: '/run/http' }));
      const destinationArn = `arn:aws:logs:us-east-1:123456789012:log-group:/run/http`;
      const updated = await v2.send(new UpdateStageCommand({ ApiId: a.apiId, StageName: '$default', AccessLogSettings: { DestinationArn: destinationArn, Format: HTTP_CLF } }));
      expect(updated.AccessLogSettings).toEqual({ DestinationArn: destinationArn, Format: HTTP_CLF });
      expect((await v2.send(new GetStageCommand({ ApiId: a.apiId, StageName: '$default' }))).AccessLogSettings).toEqual({ DestinationArn: destinationArn, Format: HTTP_CLF });
      const answered = await fetch(`${a.url}/notify`, { method: 'POST', body: 'x' });
      expect(answered.status).toBe(201);
      expect(await messages(stack, '/run/http')).toEqual([expect.stringMatching(new RegExp(`"POST POST /notify HTTP/1\\.1" 201 12 ${answered.headers.get('apigw-requestid')!.replace(/[=+]/g, '\\$&')}$`))]);
      await v2.send(new DeleteAccessLogSettingsCommand({ ApiId: a.apiId, StageName: '$default' }));
      expect((await v2.send(new GetStageCommand({ ApiId: a.apiId, StageName: '$default' }))).AccessLogSettings).toBeUndefined();
      expect((await fetch(`${a.url}/notify`, { method: 'POST', body: 'x' })).status).toBe(201);
      expect(await messages(stack, '/run/http')).toHaveLength(1);
      await expect(v2.send(new UpdateStageCommand({ ApiId: a.apiId, StageName: 'prod', AccessLogSettings: { DestinationArn: destinationArn, Format: HTTP_CLF } }))).rejects.toThrow('Invalid stage identifier specified');
    } finally {
      v2.destroy();
      logs.destroy();
    }
  });

  it("changes a REST stage's logging with patchOperations: refused without the account's role, on once it has one, removed", async () => {
    const a = stack.ready.restApis!.find((x) => x.name === 'logged-rest')!;
    const v1 = new APIGatewayClient({ ...settings, endpoint: stack.ready.apiGatewayV2Endpoint });
    const logs = new CloudWatchLogsClient({ ...settings, endpoint: stack.ready.cloudwatchEndpoint });
    try {
      await logs.send(new CreateLogGroupCommand({ logGroupName: '/run/rest' }));
      const patchOperations = [
        { op: 'replace' as const, path: '/accessLogSettings/destinationArn', value: 'arn:aws:logs:us-east-1:123456789012:log-group:/run/rest' },
        { op: 'replace' as const, path: '/accessLogSettings/format', value: REST_JSON },
      ];
      await expect(v1.send(new UpdateRestStageCommand({ restApiId: a.apiId, stageName: 'dev', patchOperations }))).rejects.toThrow('CloudWatch Logs role ARN must be set in account settings to enable logging');
      await v1.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: 'arn:aws:iam::123456789012:role/apigw-logs' }] }));
      const updated = await v1.send(new UpdateRestStageCommand({ restApiId: a.apiId, stageName: 'dev', patchOperations }));
      expect(updated.accessLogSettings).toEqual({ destinationArn: 'arn:aws:logs:us-east-1:123456789012:log-group:/run/rest', format: REST_JSON });
      const served = await fetch(`${a.stages[0]!.url}/items`, { method: 'POST', headers: { 'x-api-key': KEY_VALUE }, body: '{}' });
      expect(served.status).toBe(201);
      expect((await messages(stack, '/run/rest')).map((m) => JSON.parse(m) as Record<string, string>)).toEqual([expect.objectContaining({ requestId: served.headers.get('x-amzn-requestid')!, status: '201', stage: 'dev' })]);
      const removed = await v1.send(new UpdateRestStageCommand({ restApiId: a.apiId, stageName: 'dev', patchOperations: [{ op: 'remove', path: '/accessLogSettings' }] }));
      expect(removed.accessLogSettings).toBeUndefined();
      expect((await fetch(`${a.stages[0]!.url}/items`, { method: 'POST', headers: { 'x-api-key': KEY_VALUE }, body: '{}' })).status).toBe(201);
      expect(await messages(stack, '/run/rest')).toHaveLength(1);
      await expect(v1.send(new UpdateRestStageCommand({ restApiId: a.apiId, stageName: 'dev', patchOperations: [{ op: 'replace', path: '/tracingEnabled', value: 'true' }] }))).rejects.toThrow(
        'The local stage changes /accessLogSettings only (replace its destinationArn or format, or remove it), not replace /tracingEnabled',
      );
    } finally {
      v1.destroy();
      logs.destroy();
    }
  });
});
