import { describe, expect, it } from 'vitest';
import { cloudWatchFor } from '../../src/aws/cloudwatch-source.ts';
import { apiGatewayFromUrl, remoteEndpoints } from '../../src/aws/execute-api.ts';
import { localEndpoints } from '../../src/targets/local.ts';
import { AGE_SLACK_MS, apiGatewayRequests, coarsenedNote, dynamoRequests, emfRequests, lambdaRequests, queryWindow, toMetricDataQuery } from '../../src/metrics/cloudwatch/cloudwatch-queries.ts';
import { REFERENCE_FUNCTIONS, REFERENCE_PUSH_FUNCTION_NAMES } from '../../src/contracts/reference-functions.ts';
import { REFERENCE_TABLES } from '../../src/contracts/reference-tables.ts';
import { FUNCTIONS, PUSH_FUNCTIONS } from '../../reference-stack/functions/manifest.ts';
import { tableDefinitions } from '../../reference-stack/functions/shared/tables.ts';

describe('queryWindow', () => {
  it('widens by the margin, aligns the start to the period (a second here) and covers the window with one totals period', () => {
    const start = Date.UTC(2026, 10, 21, 6, 0, 30, 250);
    const w = queryWindow({ startMs: start, endMs: start + 90_000 }, 1, 5, start + 100_000);
    expect(w.startMs).toBe(Date.UTC(2026, 10, 21, 6, 0, 25));
    expect(w.endMs).toBe(start - 250 + 96_000);
    expect(w.totalsPeriodSec % 60).toBe(0);
    expect(w.startMs + w.totalsPeriodSec * 1000).toBeGreaterThanOrEqual(w.endMs);
  });

  it('keeps 60-second periods on minute boundaries', () => {
    const start = Date.UTC(2026, 10, 21, 6, 0, 30);
    const w = queryWindow({ startMs: start, endMs: start + 600_000 }, 60, 60, start + 700_000);
    expect(w.startMs % 60_000).toBe(0);
    expect(w.endMs % 60_000).toBe(0);
  });
});

describe('queryWindow for a late pull: the period CloudWatch serves for the window\'s age', () => {
  const DAY = 86_400_000;
  const now = Date.UTC(2026, 10, 24, 16, 27, 3);
  // a 2-minute run, recorded by a pull at 1 s (the emulator) or 60 s (AWS), pulled again `days` later
  const run = (days: number) => ({ startMs: now - days * DAY + 12_345, endMs: now - days * DAY + 12_345 + 120_000 });

  it('a day old: 60-second periods (a 1 s pull is coarsened; 60 s stays), minute-aligned, totals a whole number of minutes', () => {
    const w = queryWindow(run(1), 1, 0, now);
    expect(w.periodSec).toBe(60);
    expect(w.coarsenedFromSec).toBe(1);
    expect(w.startMs % 60_000).toBe(0);
    expect(w.endMs % 60_000).toBe(0);
    expect(w.totalsPeriodSec).toBe((w.endMs - w.startMs) / 1000);
    expect(w.totalsPeriodSec % 60).toBe(0);
    const aws = queryWindow(run(1), 60, 0, now);
    expect(aws.periodSec).toBe(60);
    expect(aws.coarsenedFromSec).toBeUndefined();
    expect(coarsenedNote(aws, now)).toBeUndefined();
  });

  it('20 days old: 300-second periods for the series and the totals, the window on 5-minute boundaries', () => {
    for (const asked of [1, 60]) {
      const w = queryWindow(run(20), asked, 0, now);
      expect(w.periodSec).toBe(300);
      expect(w.coarsenedFromSec).toBe(asked);
      expect(w.startMs % 300_000).toBe(0);
      expect(w.endMs % 300_000).toBe(0);
      expect(w.startMs).toBeLessThanOrEqual(run(20).startMs);
      expect(w.endMs).toBeGreaterThanOrEqual(run(20).endMs);
      expect(w.totalsPeriodSec % 300).toBe(0);
      expect(w.startMs + w.totalsPeriodSec * 1000).toBe(w.endMs);
      const [series] = lambdaRequests(['fn']);
      const totals = lambdaRequests(['fn']).find((r) => r.kind === 'totals')!;
      expect(toMetricDataQuery('q0', series, w).MetricStat?.Period).toBe(300);
      expect(toMetricDataQuery('q1', totals, w).MetricStat?.Period).toBe(w.totalsPeriodSec);
    }
    expect(coarsenedNote(queryWindow(run(20), 60, 0, now), now)).toBe(
      'the window starts 20 days ago, and CloudWatch serves data older than 15 days only in periods of 300 s or a multiple: the series and totals were asked at 300 s (not 60 s) over the window widened to whole periods, so they are coarser than first asked',
    );
  });

  it('100 days old: 3600-second periods, the window on hour boundaries', () => {
    const w = queryWindow(run(100), 60, 0, now);
    expect(w.periodSec).toBe(3600);
    expect(w.startMs % 3_600_000).toBe(0);
    expect(w.endMs % 3_600_000).toBe(0);
    expect(w.totalsPeriodSec % 3600).toBe(0);
    expect(w.startMs + w.totalsPeriodSec * 1000).toBe(w.endMs);
    expect(coarsenedNote(w, now)).toMatch(/^the window starts 100 days ago, and CloudWatch serves data older than 63 days only in periods of 3600 s or a multiple/);
  });

  it('a fresh window keeps the period asked, 1 s included', () => {
    const fresh = { startMs: now - 130_000, endMs: now - 10_000 };
    expect(queryWindow(fresh, 1, 2, now)).toMatchObject({ periodSec: 1 });
    expect(queryWindow(fresh, 1, 2, now).coarsenedFromSec).toBeUndefined();
  });

  it('a start just short of a limit is taken as past it (the queries go out a little later), and alignment that crosses a limit steps up', () => {
    // 14 days 23 h 55 min old: within AGE_SLACK_MS of 15 days
    const nearly = { startMs: now - 15 * DAY + AGE_SLACK_MS / 2, endMs: now - 15 * DAY + AGE_SLACK_MS / 2 + 60_000 };
    expect(queryWindow(nearly, 60, 0, now).periodSec).toBe(300);
    expect(queryWindow({ startMs: now - 3 * 3_600_000 + AGE_SLACK_MS / 2, endMs: now }, 1, 0, now).periodSec).toBe(60);
    // 20 s short of the limit (slack included) and 23 s past a minute: aligned to the minute, past it
    const crossing = { startMs: now - 15 * DAY + AGE_SLACK_MS + 20_000, endMs: now - 15 * DAY + AGE_SLACK_MS + 80_000 };
    expect(new Date(crossing.startMs).getUTCSeconds()).toBe(23);
    expect(queryWindow(crossing, 60, 0, now).periodSec).toBe(300);
    expect(queryWindow({ ...crossing, startMs: crossing.startMs - 23_000 + 60_000 }, 60, 0, now).periodSec).toBe(60);
    // pure: the same window and now, the same answer
    expect(queryWindow(run(20), 1, 0, now)).toEqual(queryWindow(run(20), 1, 0, now));
  });
});

describe('metric requests', () => {
  it('asks AWS/Lambda for counts, durations and concurrency of every function', () => {
    const reqs = lambdaRequests(['fn-a']);
    const keys = reqs.filter((r) => r.kind === 'series' && r.dimensions.FunctionName === 'fn-a').map((r) => `${r.metric}:${r.stat}`);
    expect(keys.sort()).toEqual(
      ['Invocations:Sum', 'Errors:Sum', 'Throttles:Sum', 'Duration:Average', 'Duration:p50', 'Duration:p99', 'ConcurrentExecutions:Maximum'].sort(),
    );
    const totals = reqs.filter((r) => r.kind === 'totals' && r.namespace === 'AWS/Lambda').map((r) => r.stat);
    expect(totals.sort()).toEqual(['Average', 'SampleCount', 'p50', 'p99']);
    // Lambda Insights' CPU time per invocation, by the dimension Insights publishes it under
    const insights = reqs.filter((r) => r.namespace === 'LambdaInsights').map((r) => `${r.kind} ${r.metric}:${r.stat} ${JSON.stringify(r.dimensions)}`);
    expect(insights.sort()).toEqual(['Maximum', 'Minimum', 'SampleCount', 'p50', 'p99'].map((s) => `totals cpu_total_time:${s} {"function_name":"fn-a"}`));
  });

  it('asks AWS/ApiGateway by ApiId and Stage', () => {
    const reqs = apiGatewayRequests({ apiId: 'abc', stage: 'prod' });
    expect(new Set(reqs.map((r) => r.metric))).toEqual(new Set(['ConnectCount', 'MessageCount', 'IntegrationError', 'ClientError', 'ExecutionError', 'IntegrationLatency']));
    expect(reqs.every((r) => r.dimensions.ApiId === 'abc' && r.dimensions.Stage === 'prod')).toBe(true);
  });

  it('adds average and p99 for duration-like EMF metrics only', () => {
    const reqs = emfRequests([
      { namespace: 'FanoutBench', metric: 'FanoutDeliveries', dimensions: { service: 's' } },
      { namespace: 'FanoutBench', metric: 'FanoutDurationMs', dimensions: { service: 's' } },
    ]);
    expect(reqs.filter((r) => r.metric === 'FanoutDeliveries').map((r) => r.stat)).toEqual(['Sum']);
    expect(reqs.filter((r) => r.metric === 'FanoutDurationMs' && r.kind === 'series').map((r) => r.stat)).toEqual(['Sum', 'Average', 'p99']);
  });

  it('builds valid GetMetricData queries', () => {
    const w = queryWindow({ startMs: 0, endMs: 100_000 }, 1, 5, 110_000);
    const [series] = lambdaRequests(['fn']);
    const q = toMetricDataQuery('q0', series, w);
    expect(q).toEqual({
      Id: 'q0',
      ReturnData: true,
      MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'fn' }] }, Period: 1, Stat: 'Sum' },
    });
    const totals = lambdaRequests(['fn']).find((r) => r.kind === 'totals')!;
    expect(toMetricDataQuery('q1', totals, w).MetricStat?.Period).toBe(w.totalsPeriodSec);
  });
});

describe('stack identity', () => {
  it('parses the API id, region and stage from an execute-api URL', () => {
    expect(apiGatewayFromUrl('wss://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod')).toEqual({ apiId: 'a1b2c3d4e5', region: 'eu-west-1', stage: 'prod' });
    expect(apiGatewayFromUrl('ws://127.0.0.1:4510/local')).toBeNull();
  });

  it('finds where a target publishes metrics, and how they are read: the emulator, AWS, or nowhere known', () => {
    const local = localEndpoints({
      websocketUrl: 'ws://127.0.0.1:4510/local',
      callbackUrl: 'http://127.0.0.1:4510/local',
      cloudwatchEndpoint: 'http://127.0.0.1:4599',
      dynamodbEndpoint: 'http://127.0.0.1:4600',
      region: 'us-east-1',
      apiId: 'abc123',
      stage: 'local',
    });
    // the emulator: its endpoint with its dummy credentials; whole seconds; complete once its
    // invocations stop; its host's own metrics
    const emulator = cloudWatchFor(local);
    expect(emulator).toEqual({
      source: 'local',
      clients: {
        cloudwatch: expect.objectContaining({ endpoint: 'http://127.0.0.1:4599', region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 }),
        logs: expect.objectContaining({ endpoint: 'http://127.0.0.1:4599', region: 'us-east-1' }),
      },
      endpoint: 'http://127.0.0.1:4599',
      region: 'us-east-1',
      periodSec: 1,
      marginSec: 2,
      wait: { rule: 'settle' },
      hostMetrics: true,
    });
    // the emulator under --aws-metrics: read as AWS is (minutes, the wait for publication)
    expect(cloudWatchFor(local, { awsTiming: true })).toMatchObject({ source: 'local', periodSec: 60, marginSec: 60, wait: { rule: 'published', maxMs: 300_000, stableMs: 60_000 } });
    // AWS in the URL's region, through the SDK's own chain: minutes, published a minute or more late
    const aws = cloudWatchFor(remoteEndpoints('wss://x1y2.execute-api.us-west-2.amazonaws.com/prod'), { profile: 'bench' });
    expect(aws).toEqual({
      source: 'aws',
      clients: { cloudwatch: expect.objectContaining({ region: 'us-west-2', profile: 'bench', retryMode: 'adaptive' }), logs: expect.objectContaining({ region: 'us-west-2', profile: 'bench' }) },
      region: 'us-west-2',
      periodSec: 60,
      marginSec: 60,
      wait: { rule: 'published', maxMs: 300_000, stableMs: 60_000, pollMs: 5_000 },
      hostMetrics: false,
    });
    expect(aws!.clients.cloudwatch).not.toHaveProperty('endpoint');
    expect(aws!.clients.cloudwatch).not.toHaveProperty('credentials');
    expect(cloudWatchFor(remoteEndpoints('wss://chat.example.com/ws'))).toBeNull();
  });

  it('names a deployed stack\'s AWS endpoints from its URL, and none for a stack of your own', () => {
    expect(remoteEndpoints('wss://x1y2.execute-api.us-west-2.amazonaws.com/prod')).toEqual({
      websocket: 'wss://x1y2.execute-api.us-west-2.amazonaws.com/prod',
      services: 'aws',
      region: 'us-west-2',
      apiGateway: { apiId: 'x1y2', stage: 'prod' },
      callback: 'https://x1y2.execute-api.us-west-2.amazonaws.com/prod',
      cloudwatch: 'https://monitoring.us-west-2.amazonaws.com',
      logs: 'https://logs.us-west-2.amazonaws.com',
      dynamodb: 'https://dynamodb.us-west-2.amazonaws.com',
      lambda: 'https://lambda.us-west-2.amazonaws.com',
    });
    expect(remoteEndpoints('wss://chat.example.com/ws')).toEqual({ websocket: 'wss://chat.example.com/ws', services: 'unknown' });
  });

  it('keeps the same table list as the reference stack (names, global indexes)', () => {
    expect(REFERENCE_TABLES.map((t) => ({ name: t.name, globalIndexes: [...t.globalIndexes] }))).toEqual(
      tableDefinitions().map((d) => ({ name: d.TableName, globalIndexes: (d.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName) })),
    );
  });

  it('asks AWS/DynamoDB for units by table and index, and requests by table and operation, as whole-window totals', () => {
    const requests = dynamoRequests([{ table: 't', indexes: ['byX'], operations: ['GetItem', 'Query'] }]);
    expect(requests.every((r) => r.kind === 'totals' && r.namespace === 'AWS/DynamoDB')).toBe(true);
    expect(requests.map((r) => `${r.metric} ${r.stat} ${JSON.stringify(r.dimensions)}`)).toEqual([
      'ConsumedReadCapacityUnits Sum {"TableName":"t"}',
      'ConsumedWriteCapacityUnits Sum {"TableName":"t"}',
      'ConditionalCheckFailedRequests Sum {"TableName":"t"}',
      'ReadThrottleEvents Sum {"TableName":"t"}',
      'WriteThrottleEvents Sum {"TableName":"t"}',
      'ConsumedReadCapacityUnits Sum {"TableName":"t","GlobalSecondaryIndexName":"byX"}',
      'ConsumedWriteCapacityUnits Sum {"TableName":"t","GlobalSecondaryIndexName":"byX"}',
      'ReadThrottleEvents Sum {"TableName":"t","GlobalSecondaryIndexName":"byX"}',
      'WriteThrottleEvents Sum {"TableName":"t","GlobalSecondaryIndexName":"byX"}',
      'SuccessfulRequestLatency SampleCount {"TableName":"t","Operation":"GetItem"}',
      'ThrottledRequests Sum {"TableName":"t","Operation":"GetItem"}',
      'SuccessfulRequestLatency SampleCount {"TableName":"t","Operation":"Query"}',
      'ThrottledRequests Sum {"TableName":"t","Operation":"Query"}',
      'ReturnedItemCount Sum {"TableName":"t","Operation":"Query"}',
    ]);
  });

  it('keeps the same function list as the reference stack manifest (names, routes, memory; the server push by name)', () => {
    expect(REFERENCE_FUNCTIONS.map((f) => ({ name: f.name, route: f.route, memoryMB: f.memoryMB }))).toEqual(
      FUNCTIONS.map((f) => ({ name: f.name, route: f.route, memoryMB: f.memoryMB })),
    );
    expect(REFERENCE_PUSH_FUNCTION_NAMES).toEqual(PUSH_FUNCTIONS.map((f) => f.name));
  });
});
