import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand, type FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { GetFunctionCommand, GetFunctionConfigurationCommand, InvalidParameterValueException, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStackConfig } from '../../emulator/config.ts';
import { startStack, type RunningStack } from '../../emulator/stack.ts';
import { describeStack, type DescribedStack } from '../../emulator/stack-model/describe-stack.ts';
import { connect, eventually, type TestClient } from '../fixtures/gateway/clients.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { expectError, expectOk } from './lambda-test-helpers.ts';
import { parseAnyReport } from '../../src/metrics/cloudwatch/report-lines.ts';
import { pullReportLines, REPORT_AND_ERRORS_PATTERN } from '../../src/metrics/cloudwatch/init-durations.ts';

// Lambda's advanced logging controls (LoggingConfig) as the emulator runs them, from a template of
// our own (test/fixtures/stacks/json-logs-cfn): the JSON function's platform lines are
// platform.initStart / platform.start / platform.report objects, initDurationMs only on the cold
// invocation, its console lines {"timestamp","level","requestId","message"} filtered at its
// ApplicationLogLevel, all in its own log group; the Text function's lines are as before.
// Invoked through the gateway over a real WebSocket, read back with the SDK's CloudWatch Logs and
// Lambda clients at the emulator's endpoints; the harness's REPORT pull reads the JSON group.

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const TEMPLATE = fileURLToPath(new URL('../fixtures/stacks/json-logs-cfn/template.yaml', import.meta.url));
const JSON_GROUP = '/fanout-bench/json-logs';

let stack: RunningStack;
let described: DescribedStack;
let logs: CloudWatchLogsClient;
let lambda: LambdaClient;
let loggerName: string;
let connectName: string;
const sockets: TestClient[] = [];

beforeAll(async () => {
  const config = defaultStackConfig({ region: REGION, accountId: ACCOUNT, lambda: { preparedPerFunction: 0 }, template: { path: TEMPLATE, parameters: {} } });
  described = await describeStack(config);
  stack = await startStack({ config, stack: described.stack, log: () => {} });
  logs = new CloudWatchLogsClient({ region: REGION, credentials, endpoint: stack.ready.cloudwatchEndpoint });
  lambda = new LambdaClient({ region: REGION, credentials, endpoint: stack.ready.lambdaEndpoint });
  loggerName = described.stack.functions.find((f) => f.logicalId === 'Logger')!.name;
  connectName = described.stack.functions.find((f) => f.logicalId === 'Connect')!.name;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  logs?.destroy();
  lambda?.destroy();
  await stack?.close();
  await described?.dispose();
});

describe("the stack's log group (AWS::Logs::LogGroup)", () => {
  it('is created with the stack, its retention said by DescribeLogGroups, and is not listed as not emulated', async () => {
    expect(described.stack.logGroups).toEqual([{ logicalId: 'LoggerLogs', name: '/fanout-bench/json-logs', retentionInDays: 14 }]);
    expect(described.stack.notEmulated.map((r) => r.type)).not.toContain('AWS::Logs::LogGroup');
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/fanout-bench/json-logs' }));
    expect(out.logGroups?.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([['/fanout-bench/json-logs', 14]]);
  });
});

async function events(group: string, filterPattern?: string): Promise<FilteredLogEvent[]> {
  const out = await logs.send(new FilterLogEventsCommand({ logGroupName: group, ...(filterPattern ? { filterPattern } : {}) }));
  return out.events ?? [];
}

/** One `log` message through the gateway: the request id of the invocation that served it. */
async function logOnce(c: TestClient): Promise<string> {
  c.send({ action: 'log' });
  const answer = JSON.parse(await c.next()) as { requestId: string };
  return answer.requestId;
}

/** The events of one invocation, parsed, once its report is in. */
async function invocationLines(requestId: string): Promise<Array<Record<string, any>>> {
  return eventually(async () => {
    const all = (await events(JSON_GROUP)).map((e) => JSON.parse(e.message!) as Record<string, any>);
    const mine = all.filter((l) => l.requestId === requestId || l.record?.requestId === requestId);
    return mine.some((l) => l.type === 'platform.report') ? mine : undefined;
  }, 10_000, `the report of ${requestId}`);
}

describe('LoggingConfig LogFormat JSON', () => {
  it('reads LoggingConfig from the template and answers it in GetFunctionConfiguration and GetFunction', async () => {
    expect(described.stack.functions.find((f) => f.logicalId === 'Logger')!.logging).toEqual({ format: 'JSON', applicationLogLevel: 'WARN', logGroup: JSON_GROUP });
    const json = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: loggerName }));
    expect(json.LoggingConfig).toEqual({ LogFormat: 'JSON', ApplicationLogLevel: 'WARN', SystemLogLevel: 'INFO', LogGroup: JSON_GROUP });
    expect(json.Environment?.Variables?.AWS_LAMBDA_LOG_FORMAT).toBeUndefined(); // Lambda's own variables are not the function's
    const text = await lambda.send(new GetFunctionCommand({ FunctionName: connectName }));
    expect(text.Configuration?.LoggingConfig).toEqual({ LogFormat: 'Text', LogGroup: `/aws/lambda/${connectName}` });
  });

  it('writes platform events as JSON in its own group, initDurationMs only when cold, and console lines at or above its level', async () => {
    const c = await connect(stack.ready.websocketUrl);
    sockets.push(c);
    const cold = await logOnce(c);
    const warm = await logOnce(c);

    const coldLines = await invocationLines(cold);
    const types = coldLines.filter((l) => l.type).map((l) => l.type);
    expect(types).toEqual(['platform.start', 'platform.report']); // runtimeDone of a success is DEBUG
    const coldReport = coldLines.find((l) => l.type === 'platform.report')!;
    expect(typeof coldReport.time).toBe('string');
    expect(coldReport.record).toMatchObject({ requestId: cold, status: 'success', metrics: { memorySizeMB: 128 } });
    expect(Object.keys(coldReport.record.metrics).sort()).toEqual(['billedDurationMs', 'durationMs', 'initDurationMs', 'maxMemoryUsedMB', 'memorySizeMB']);
    expect(coldReport.record.metrics.initDurationMs).toBeGreaterThan(0);
    const warmReport = (await invocationLines(warm)).find((l) => l.type === 'platform.report')!;
    expect(warmReport.record.metrics.initDurationMs).toBeUndefined();
    expect(coldLines.find((l) => l.type === 'platform.start')!.record).toEqual({ requestId: cold, version: '$LATEST' });

    // ApplicationLogLevel WARN: trace, debug, log and info write nothing
    const app = coldLines.filter((l) => l.level !== undefined);
    expect(app.map((l) => l.level)).toEqual(['WARN', 'ERROR']);
    expect(app[0]).toEqual({ timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), level: 'WARN', requestId: cold, message: 'at warn' });
    expect(app[1]!.message).toMatchObject({ errorType: 'TypeError', errorMessage: 'at error', stackTrace: expect.any(Array) });

    // INIT's own line, before any request; its INFO console line was filtered too
    const all = (await events(JSON_GROUP)).map((e) => JSON.parse(e.message!) as Record<string, any>);
    expect(all.filter((l) => l.type === 'platform.initStart').map((l) => l.record)).toEqual([
      { initializationType: 'on-demand', phase: 'init', functionName: loggerName, functionVersion: '$LATEST' },
    ]);
    expect(all.some((l) => l.message === 'loaded')).toBe(false);
    // nothing in Lambda's default group for it
    expect(await events(`/aws/lambda/${loggerName}`).catch(() => [])).toEqual([]);

    // the harness's parser and its filter pattern read the JSON reports, cold and warm
    const reports = (await events(JSON_GROUP, REPORT_AND_ERRORS_PATTERN)).map((e) => parseAnyReport(e.message!)).filter((r) => r !== null);
    expect(reports.map((r) => [r.requestId, r.initDurationMs !== undefined])).toEqual([
      [cold, true],
      [warm, false],
    ]);
  });

  it('leaves the Text function as it was: START, END, REPORT and tab-separated console lines in /aws/lambda/<name>', async () => {
    const lines = await eventually(async () => {
      const got = (await events(`/aws/lambda/${connectName}`)).map((e) => e.message!);
      return got.some((m) => m.startsWith('REPORT RequestId:')) ? got : undefined;
    });
    expect(lines[0]).toMatch(/^START RequestId: \S+ Version: \$LATEST$/);
    expect(lines[1]).toMatch(/^\d{4}-.*Z\t\S+\tINFO\tconnect in text$/);
    expect(lines[2]).toMatch(/^END RequestId: /);
    expect(lines[3]).toMatch(/^REPORT RequestId: .*\tInit Duration: /);
    expect(lines.some((m) => m.startsWith('{'))).toBe(false);
  });

  it("the harness's REPORT pull reads a function's configured group", async () => {
    const now = Date.now();
    const pulled = await pullReportLines(logs, loggerName, { startMs: now - 120_000, endMs: now + 5_000, periodSec: 1 }, undefined, undefined, JSON_GROUP);
    expect(pulled?.reports.invocations).toBeGreaterThanOrEqual(2);
    expect(pulled?.reports.coldStarts).toBe(1);
  });

  it('UpdateFunctionConfiguration changes LoggingConfig: the next environment logs at DEBUG, with runtimeDone at SystemLogLevel DEBUG', async () => {
    await expect(lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: connectName, LoggingConfig: { ApplicationLogLevel: 'DEBUG' } }))).rejects.toBeInstanceOf(InvalidParameterValueException);
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: loggerName, LoggingConfig: { ApplicationLogLevel: 'DEBUG', SystemLogLevel: 'DEBUG' } }));
    expect(updated.LoggingConfig).toEqual({ LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG', SystemLogLevel: 'DEBUG', LogGroup: JSON_GROUP });
    await eventually(async () => ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: loggerName }))).LastUpdateStatus === 'Successful' ? true : undefined));
    const c = await connect(stack.ready.websocketUrl);
    sockets.push(c);
    const id = await logOnce(c);
    const lines = await invocationLines(id);
    expect(lines.filter((l) => l.type).map((l) => l.type)).toEqual(['platform.start', 'platform.runtimeDone', 'platform.report']);
    expect(lines.filter((l) => l.level).map((l) => l.level)).toEqual(['DEBUG', 'INFO', 'INFO', 'WARN', 'ERROR']);
    expect(lines.find((l) => l.level === 'INFO' && typeof l.message === 'object')!.message).toEqual({ at: 'info' });
    expect(lines.find((l) => l.type === 'platform.report')!.record.metrics.initDurationMs).toBeGreaterThan(0); // retired: cold again
  });
});

describe("Python's logging in the JSON log format", () => {
  const PY = [
    'import logging',
    'logger = logging.getLogger("app")',
    'def handler(event, context):',
    '    logger.debug("at debug")',
    '    logger.info("at info", extra={"room": "lobby"})',
    '    logger.warning("at warning")',
    '    if event.get("fail"):',
    '        raise ValueError("boom")',
    '    return {"ok": True}',
    '',
  ].join('\n');

  it('writes each record as awslambdaric does, at ApplicationLogLevel INFO, a raised error as one JSON line, platform lines as JSON in its group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-json-logs-py-'));
    writeFileSync(join(dir, 'app.py'), PY);
    const store = new LogStore();
    const runtime = await createLambdaRuntime({
      metrics: new MetricStore(),
      logs: store,
      cpuModel: 'off',
      functions: [{ name: 'py-json', runtime: 'python3.11', code: { kind: 'handler', dir, handler: 'app.handler' }, memoryMB: 512, timeoutSeconds: 5, logging: { format: 'JSON', logGroup: '/py/json' } }],
    });
    try {
      const ok = expectOk(await runtime.invoke('py-json', {}));
      const failed = expectError(await runtime.invoke('py-json', { fail: true }));
      expect(failed.errorType).toBe('ValueError');
      const lines = store.filter({ logGroupName: '/py/json' })!.events.map((e) => JSON.parse(e.message) as Record<string, any>);
      const mine = lines.filter((l) => l.requestId === ok.requestId || l.record?.requestId === ok.requestId);
      expect(mine.map((l) => l.type ?? l.level)).toEqual(['platform.start', 'INFO', 'WARNING', 'platform.report']);
      expect(mine[1]).toEqual({ timestamp: expect.stringMatching(/Z$/), level: 'INFO', message: 'at info', logger: 'app', requestId: ok.requestId, room: 'lobby' });
      expect(mine[3]!.record.metrics.initDurationMs).toBeGreaterThan(0);
      const theirs = lines.filter((l) => l.requestId === failed.requestId || l.record?.requestId === failed.requestId);
      expect(theirs.find((l) => l.level === 'ERROR')).toMatchObject({ errorType: 'ValueError', errorMessage: 'boom', stackTrace: expect.any(Array) });
      expect(theirs.find((l) => l.type === 'platform.runtimeDone')!.record).toEqual({ requestId: failed.requestId, status: 'error', errorType: 'ValueError' });
      expect(theirs.find((l) => l.type === 'platform.report')!.record).toMatchObject({ status: 'error', errorType: 'ValueError' });
      expect(store.hasGroup('/aws/lambda/py-json')).toBe(false);
    } finally {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
