import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConfigAgainstStack, defaultStackConfig, loadStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack } from '../../emulator/stack-model/describe-stack.ts';
import { startOwnStack } from '../fixtures/stack-model/own-functions-stack.ts';
import { connect, eventually, findConnectEvent, fixture, handshakeStatus, type TestClient } from '../fixtures/gateway/clients.ts';

// The $connect authorizer end to end: real ws clients, the real authorizer function reading its
// token from the emulator's Parameter Store through the real SSMClient, the real whoami; and a
// fixture authorizer for the outcomes API Gateway tells apart (401 / 403 / 500, the context).

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const TOKEN = `tok-${randomBytes(12).toString('hex')}`;
const stackLog: string[] = [];

/**
 * Its authorizer reads the token parameter again at most every ROTATE_REREAD_SECONDS
 * (AUTH_TOKEN_REREAD_SECONDS): the rotation test, the last to use the token on it, rotates it.
 */
let headerStack: RunningStack;
const ROTATE_REREAD_SECONDS = 2;
let queryStack: RunningStack;
let fixtureStack: RunningStack;
const clients: TestClient[] = [];
/** The token the rotation test puts in its place on headerStack. */
let rotated = '';

// No environments INIT'd ahead of need (preparedPerFunction 0): nothing here is about them, and
// they were most of these stacks' CPU; an authorizer INIT still shows in its first REPORT line.
const NOT_PREPARED = { preparedPerFunction: 0 };

beforeAll(async () => {
  const log = (line: string) => stackLog.push(line);
  [headerStack, queryStack, fixtureStack] = await Promise.all([
    startStack({
      config: defaultStackConfig({
        auth: { enabled: true },
        lambda: NOT_PREPARED,
        functions: { 'fanout-authorizer': { environment: { AUTH_TOKEN_REREAD_SECONDS: String(ROTATE_REREAD_SECONDS) } } },
      }),
      authToken: TOKEN,
      log,
    }),
    startStack({ config: defaultStackConfig({ auth: { enabled: true, identitySource: 'query' }, lambda: NOT_PREPARED }), authToken: TOKEN, log }),
    startOwnStack({
      config: defaultStackConfig({ stage: 'fx', auth: { enabled: true }, lambda: NOT_PREPARED }),
      functions: [fixture('fx-connect', '$connect', 'record.ts'), fixture('fx-echo', 'echo', 'echo.ts')],
      authorizer: {
        name: 'fx-authorizer',
        route: '$connect',
        entry: fileURLToPath(new URL('../fixtures/gateway/authorizer.ts', import.meta.url)),
        memoryMB: 1769,
        timeoutSeconds: 10,
      },
      authToken: 'not used by the fixture',
      log,
    }),
  ]);
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([headerStack?.close(), queryStack?.close(), fixtureStack?.close()]);
});

async function open(url: string, headers?: Record<string, string>): Promise<TestClient> {
  const c = await connect(url, headers ? { headers } : {});
  clients.push(c);
  return c;
}

function status(url: string, headers?: Record<string, string>): Promise<number> {
  return handshakeStatus(url, headers ? { headers } : {});
}

async function whoami(c: TestClient): Promise<any> {
  c.send({ action: 'whoami' });
  return c.take((f) => f.type === 'whoami', 30_000);
}

describe('the reference authorizer (token from Parameter Store)', () => {
  it('lets the right token in as an x-api-key header, and whoami sees what it answered', async () => {
    const c = await open(headerStack.ready.websocketUrl, { 'x-api-key': TOKEN });
    const me = await whoami(c);
    expect(me).toEqual({ type: 'whoami', connectionId: me.connectionId, principalId: 'token-holder', tokenSource: 'header' });
  });

  it('lets the right token in as a token query parameter on a stack whose identity source is the query string', async () => {
    const c = await open(`${queryStack.ready.websocketUrl}?token=${encodeURIComponent(TOKEN)}&name=q`);
    expect(await whoami(c)).toMatchObject({ principalId: 'token-holder', tokenSource: 'query' });
  });

  it('refuses a wrong token with 403 (the Deny policy)', async () => {
    expect(await status(headerStack.ready.websocketUrl, { 'x-api-key': `${TOKEN}x` })).toBe(403);
    expect(await status(headerStack.ready.websocketUrl, { 'x-api-key': TOKEN.slice(0, -1) })).toBe(403);
    expect(await status(`${queryStack.ready.websocketUrl}?token=wrong`)).toBe(403);
  });

  it('refuses a missing or empty identity source with 401, before any function runs', async () => {
    expect(await status(headerStack.ready.websocketUrl)).toBe(401);
    expect(await status(headerStack.ready.websocketUrl, { 'x-api-key': '' })).toBe(401);
    // the right token, but not where this stack's identity source looks
    expect(await status(`${headerStack.ready.websocketUrl}?token=${encodeURIComponent(TOKEN)}`)).toBe(401);
    expect(await status(queryStack.ready.websocketUrl, { 'x-api-key': TOKEN })).toBe(401);
    expect(await status(`${queryStack.ready.websocketUrl}?token=`)).toBe(401);
  });

  it('lists the authorizer in the ready line, without the token', () => {
    const ready = headerStack.ready;
    expect(ready.auth).toEqual({ authorizer: 'fanout-authorizer', identitySource: ['route.request.header.x-api-key'], parameterName: '/fanout-bench/FanoutBenchChat/connect-token' });
    expect(queryStack.ready.auth?.identitySource).toEqual(['route.request.querystring.token']);
    expect(ready.functions.find((f) => f.name === 'fanout-authorizer')).toMatchObject({ route: '$connect', authorizer: true, memoryMB: 256 });
    expect(JSON.stringify(ready)).not.toContain(TOKEN);
  });

  it('writes the authorizer INIT and REPORT lines to CloudWatch Logs, and its Lambda metrics', async () => {
    const cwl = new CloudWatchLogsClient({ endpoint: headerStack.ready.cloudwatchEndpoint, region: 'us-east-1', credentials });
    const cw = new CloudWatchClient({ endpoint: headerStack.ready.cloudwatchEndpoint, region: 'us-east-1', credentials });
    try {
      const reports = await eventually(async () => {
        const lines: string[] = [];
        for await (const page of paginateFilterLogEvents({ client: cwl }, { logGroupName: '/aws/lambda/fanout-authorizer', filterPattern: '"REPORT RequestId"' })) {
          lines.push(...page.events!.map((e) => e.message!));
        }
        return lines.length >= 3 ? lines : undefined;
      }, 15_000, 'REPORT lines of fanout-authorizer');
      // every wrong-token handshake above invoked it; the missing-token ones did not
      expect(reports.some((m) => /\tInit Duration: \d+\.\d{2} ms\t$/.test(m))).toBe(true);
      expect(reports.every((m) => m.includes('Memory Size: 256 MB'))).toBe(true);

      const now = new Date();
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(now.getTime() - 10 * 60_000),
          EndTime: new Date(now.getTime() + 60_000),
          MetricDataQueries: [
            { Id: 'inv', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'fanout-authorizer' }] }, Period: 3600, Stat: 'Sum' } },
            { Id: 'err', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'fanout-authorizer' }] }, Period: 3600, Stat: 'Sum' } },
          ],
        }),
      );
      const sum = (id: string) => (out.MetricDataResults!.find((r) => r.Id === id)!.Values ?? []).reduce((a, b) => a + b, 0);
      expect(sum('inv')).toBeGreaterThanOrEqual(3);
      expect(sum('err')).toBe(0); // a Deny is an answer, not an error
    } finally {
      cwl.destroy();
      cw.destroy();
    }
  });

  // after every other test of the token on headerStack: it rotates it there
  it('lets a rotated token in within AUTH_TOKEN_REREAD_SECONDS, without a redeploy', async () => {
    const url = headerStack.ready.websocketUrl;
    expect(await status(url, { 'x-api-key': TOKEN })).toBe(101);
    rotated = `rot-${randomBytes(12).toString('hex')}`;
    const ssm = new SSMClient({ endpoint: headerStack.ready.ssmEndpoint, region: 'us-east-1', credentials });
    try {
      // what `aws ssm put-parameter --overwrite` does, on the parameter the ready line names
      await ssm.send(new PutParameterCommand({ Name: headerStack.ready.auth!.parameterName, Value: rotated, Type: 'SecureString', Overwrite: true }));
    } finally {
      ssm.destroy();
    }
    const putAt = Date.now();
    await eventually(async () => ((await status(url, { 'x-api-key': rotated })) === 101 ? true : undefined), 20_000, 'the rotated token let in');
    // within the period (a few seconds' slack for a loaded host's handshakes and INITs)
    expect(Date.now() - putAt).toBeLessThan(ROTATE_REREAD_SECONDS * 1000 + 5_000);
    const c = await open(url, { 'x-api-key': rotated });
    expect(await whoami(c)).toMatchObject({ principalId: 'token-holder', tokenSource: 'header' });
  });

  it('never writes the token to the stack log or the functions\' logs', async () => {
    const cwl = new CloudWatchLogsClient({ endpoint: headerStack.ready.cloudwatchEndpoint, region: 'us-east-1', credentials });
    try {
      const everything: string[] = [];
      for (const fn of ['fanout-authorizer', 'fanout-connect', 'fanout-whoami']) {
        for await (const page of paginateFilterLogEvents({ client: cwl }, { logGroupName: `/aws/lambda/${fn}` })) {
          everything.push(...page.events!.map((e) => e.message!));
        }
      }
      expect(everything.length).toBeGreaterThan(0);
      // neither the token nor the one it was rotated to
      for (const token of [TOKEN, rotated].filter((t) => t !== '')) {
        expect(everything.join('\n')).not.toContain(token);
        expect(stackLog.join('\n')).not.toContain(token);
      }
    } finally {
      cwl.destroy();
    }
  });
});

describe('API Gateway semantics of a REQUEST authorizer (fixture authorizer)', () => {
  const url = () => fixtureStack.ready.websocketUrl;

  it('answers 401 when it throws "Unauthorized", 403 for an explicit or implicit deny, 500 when it fails', async () => {
    expect(await status(url(), { 'x-api-key': 'unauthorized' })).toBe(401);
    expect(await status(url(), { 'x-api-key': 'deny' })).toBe(403);
    expect(await status(url(), { 'x-api-key': 'implicit' })).toBe(403);
    expect(await status(url(), { 'x-api-key': 'deny-wins' })).toBe(403);
    expect(await status(url(), { 'x-api-key': 'boom' })).toBe(500);
    expect(await status(url(), { 'x-api-key': 'bad-context' })).toBe(500);
    expect(await status(url(), { 'x-api-key': 'no-principal' })).toBe(500);
    expect(await status(url(), { 'x-api-key': 'wildcard' })).toBe(101);
    expect(stackLog.some((l) => l.includes('fx-authorizer') && l.includes('invalid authorizer output'))).toBe(true);
  });

  it('sends the REQUEST event, and hands principalId, integrationLatency and the context (as strings) to $connect and later routes', async () => {
    const marker = `m${Date.now()}`;
    const c = await open(`${url()}?marker=${marker}`, { 'x-api-key': 'event' });
    const connectEvent = await eventually(() => findConnectEvent(fixtureStack.ready.dynamodbEndpoint, marker), 10_000, 'the CONNECT event');
    const authorizer = connectEvent.requestContext.authorizer;
    expect(authorizer).toMatchObject({
      principalId: 'fixture-user',
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:us-east-1:000000000000:${fixtureStack.ready.apiId}/fx/$connect`,
      routeKey: '$connect',
      eventType: 'CONNECT',
      connectionId: connectEvent.requestContext.connectionId,
      stageVariables: '{}',
      query: JSON.stringify({ marker }),
    });
    expect(authorizer.integrationLatency).toBeTypeOf('number');

    c.send({ action: 'echo' });
    const echoed = await c.take((f) => f.type === 'echo');
    expect(echoed.event.requestContext.authorizer).toEqual(authorizer);
  });

  it('turns numbers and booleans of the context into strings', async () => {
    const c = await open(url(), { 'x-api-key': 'allow' });
    c.send({ action: 'echo' });
    const echoed = await c.take((f) => f.type === 'echo');
    expect(echoed.event.requestContext.authorizer).toMatchObject({ principalId: 'fixture-user', stringKey: 'value', numberKey: '123', booleanKey: 'true' });
  });

  it('counts refusals as ClientError and only authorized handshakes as ConnectCount', async () => {
    const cw = new CloudWatchClient({ endpoint: fixtureStack.ready.cloudwatchEndpoint, region: 'us-east-1', credentials });
    try {
      const before = await apiSums(cw, fixtureStack);
      expect(await status(url(), { 'x-api-key': 'deny' })).toBe(403);
      expect(await status(url())).toBe(401);
      expect(await status(url(), { 'x-api-key': 'allow' })).toBe(101);
      const after = await eventually(async () => {
        const s = await apiSums(cw, fixtureStack);
        return s.ConnectCount > before.ConnectCount ? s : undefined;
      });
      expect(after.ClientError - before.ClientError).toBe(2);
      expect(after.ConnectCount - before.ConnectCount).toBe(1);
    } finally {
      cw.destroy();
    }
  });
});

async function apiSums(cw: CloudWatchClient, stack: RunningStack): Promise<Record<'ConnectCount' | 'ClientError', number>> {
  const now = Date.now();
  const dims = [
    { Name: 'ApiId', Value: stack.ready.apiId },
    { Name: 'Stage', Value: stack.ready.stage },
  ];
  const out = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(now - 10 * 60_000),
      EndTime: new Date(now + 60_000),
      MetricDataQueries: (['ConnectCount', 'ClientError'] as const).map((name) => ({
        Id: name.toLowerCase(),
        MetricStat: { Metric: { Namespace: 'AWS/ApiGateway', MetricName: name, Dimensions: dims }, Period: 3600, Stat: 'Sum' },
      })),
    }),
  );
  const sum = (id: string) => (out.MetricDataResults!.find((r) => r.Id === id)?.Values ?? []).reduce((a, b) => a + b, 0);
  return { ConnectCount: sum('connectcount'), ClientError: sum('clienterror') };
}

describe('the authorizer in the stack config', () => {
  it('takes per-function settings only when auth is on, and a parameter path', async () => {
    const [withAuth, without] = await Promise.all([describeStack(defaultStackConfig({ auth: { enabled: true } }), () => {}), describeStack(defaultStackConfig(), () => {})]);
    const checked = (o: Parameters<typeof loadStackConfig>[0]) => {
      const config = loadStackConfig(o);
      return checkConfigAgainstStack(config, (config.auth.enabled ? withAuth : without).stack, o);
    };
    expect(checked({ overrides: { auth: { enabled: true }, functions: { 'fanout-authorizer': { memoryMB: 512 } } } }).functions).toEqual({
      'fanout-authorizer': { memoryMB: 512 },
    });
    expect(() => checked({ overrides: { functions: { 'fanout-authorizer': { memoryMB: 512 } } }, flagFor: () => '--memory' })).toThrow(
      '--memory: functions.fanout-authorizer: not created: its Condition AuthOn is false (it runs with auth.enabled, --auth)',
    );
    await Promise.all([withAuth.dispose(), without.dispose()]);
    expect(() => loadStackConfig({ overrides: { auth: { enabled: true, parameterName: 'no-slash' } } })).toThrow(/^overrides: auth\.parameterName: a parameter path/);
  });
});
