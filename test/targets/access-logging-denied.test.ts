import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { HARNESS_ACCESS_LOG_FORMAT } from '../../src/metrics/attribution/access-log-format.ts';
import { prepareAccessLogging } from '../../src/targets/access-logging.ts';
import type { Target } from '../../src/targets/target.ts';

/**
 * What the run may not do on a deployed stage is one line before load, naming the IAM action and
 * the resource. The emulator lets every caller do everything (it enforces IAM on the functions,
 * not on the harness), so no local endpoint can answer AccessDenied: a stand-in AWS endpoint on
 * 127.0.0.1 does, in AWS's wire shapes (API Gateway's REST-JSON error with x-amzn-ErrorType,
 * CloudWatch Logs' JSON 1.1 `__type`), reached through the real SDK clients.
 */
const ACCOUNT = '123456789012';
const API = 'a1b2c3d4e5';
const STAGE = 'prod';
const denied = (action: string, resource: string) => `User: arn:aws:sts::${ACCOUNT}:assumed-role/ci/run is not authorized to perform: ${action} on resource: ${resource}`;

/** which calls this account's role may not make */
const refuse = { filterLogEvents: false, updateStage: false };

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  const json = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(payload));
  };
  const target = req.headers['x-amz-target'];
  if (target === 'Logs_20140328.FilterLogEvents') {
    if (refuse.filterLogEvents) return json(400, { __type: 'AccessDeniedException', message: denied('logs:FilterLogEvents', `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${(JSON.parse(body) as { logGroupName: string }).logGroupName}`) });
    return json(200, { events: [], searchedLogStreams: [] });
  }
  if (target === 'Logs_20140328.CreateLogGroup') return json(200, {});
  if (target === 'Logs_20140328.DescribeLogGroups') return json(200, { logGroups: [{ logGroupName: '/fanout-bench/access-logs/a1b2c3d4e5/prod', arn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/fanout-bench/access-logs/a1b2c3d4e5/prod:*` }] });
  const path = req.url ?? '';
  if (req.method === 'GET' && path.startsWith('/account')) return json(200, { cloudwatchRoleArn: `arn:aws:iam::${ACCOUNT}:role/apigw-logs` });
  if (path.startsWith(`/v2/apis/${API}/stages/${STAGE}`)) {
    if (req.method === 'GET') return json(200, { stageName: STAGE, accessLogSettings: { destinationArn: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/team/chat/access`, format: HARNESS_ACCESS_LOG_FORMAT } });
    if (req.method === 'PATCH' && refuse.updateStage) {
      return json(403, { message: denied('apigateway:PATCH', `arn:aws:apigateway:us-east-1::/apis/${API}/stages/${STAGE}`) }, { 'x-amzn-errortype': 'AccessDeniedException' });
    }
  }
  json(404, { message: `not served: ${req.method} ${path}` }, { 'x-amzn-errortype': 'NotFoundException' });
}

let server: Server;
let target: Target;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => answer(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const settings = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1, requestHandler: { connectionTimeout: 2000, requestTimeout: 5000 } };
  // the fields of a deployed target prepareAccessLogging reads: its label, its stage, and where its API Gateway and CloudWatch Logs answer
  target = {
    label: 'aws:ChatStack',
    url: `wss://${API}.execute-api.us-east-1.amazonaws.com/${STAGE}`,
    endpoints: { websocket: '', services: 'aws', region: 'us-east-1', apiGateway: { apiId: API, stage: STAGE } },
    apiGatewayApi: settings,
    cloudWatch: { clients: { cloudwatch: settings, logs: settings } },
  } as unknown as Target;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('--access-log: what the run may not do on the stage is one line before load', () => {
  it('use: a log group the run may not read names logs:FilterLogEvents on the group', async () => {
    refuse.filterLogEvents = true;
    refuse.updateStage = false;
    const err = await prepareAccessLogging(target, 'use').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/^aws:ChatStack: not allowed: logs:FilterLogEvents on log group \/team\/chat\/access is needed in us-east-1 \(AccessDeniedException: User: .* is not authorized to perform: logs:FilterLogEvents/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('enable: a stage the run may not update names apigateway:PATCH on the stage, and nothing was changed', async () => {
    refuse.filterLogEvents = false;
    refuse.updateStage = true;
    const err = await prepareAccessLogging(target, 'enable').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(new RegExp(`^aws:ChatStack: not allowed: apigateway:PATCH on arn:aws:apigateway:us-east-1::/apis/${API}/stages/${STAGE} is needed in us-east-1 \\(AccessDeniedException: `));
  });

  it('use: a readable stage log in a format the join reads is taken as it is', async () => {
    refuse.filterLogEvents = false;
    const logging = await prepareAccessLogging(target, 'use');
    expect(logging.log).toEqual({ mode: 'use', logGroup: '/team/chat/access', format: HARNESS_ACCESS_LOG_FORMAT, stage: `${API}/${STAGE}` });
  });
});
