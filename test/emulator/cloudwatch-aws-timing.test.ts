import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CloudWatchClient, GetMetricDataCommand, InvalidParameterValueException, ListMetricsCommand, type Dimension } from '@aws-sdk/client-cloudwatch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { awsMetricPublication, parseLag } from '../../emulator/cloudwatch/aws-timing.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { defaultStackConfig, loadStackConfig } from '../../emulator/config.ts';
import { connect } from '../fixtures/gateway/clients.ts';

// AWS's metric timing in the emulator's CloudWatch (`stack up --aws-metrics-lag …`): 60 s periods
// only, each minute published after its family's lag, ListMetrics only once a metric's first
// minute is. First on a store whose clock the test moves (exact boundaries, through the real
// CloudWatchClient and the CloudWatch endpoint), then end to end: `stack up --aws-metrics-lag 5s`
// as a user runs it, waiting out a real minute.

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('the lag and the period, on a clock the test moves (lag 2 s)', () => {
  // A minute boundary ten minutes ago: the data's minute is [M, M + 60 s).
  const M = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000;
  let clock = M;
  let server: CloudWatchServer;
  let cw: CloudWatchClient;

  beforeAll(async () => {
    const store = new MetricStore({ now: () => clock, publication: awsMetricPublication(2_000) });
    clock = M + 30_000;
    for (const [namespace, name, dimensions] of [
      ['AWS/Lambda', 'Invocations', { FunctionName: 'fanout-send-message' }],
      ['AWS/ApiGateway', 'MessageCount', { ApiId: 'abcdefghij', Stage: 'local' }],
      ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', { TableName: 'fanout-messages' }],
      ['FanoutBench', 'FanoutDeliveries', { service: 'fanout-chat' }],
    ] as const) {
      store.put({ namespace, name, dimensions, value: 3, unit: 'Count', timestamp: M + 10_000 });
      store.put({ namespace, name, dimensions, value: 4, unit: 'Count', timestamp: M + 50_000 });
    }
    server = await startCloudWatchServer({ store, logs: new LogStore() });
    cw = new CloudWatchClient({ endpoint: server.url, region: 'us-east-1', credentials });
  });
  afterAll(async () => {
    cw?.destroy();
    await server?.close();
  });

  /** Sum per period of each family's metric, and what ListMetrics shows, at `clock`. */
  async function seen(period = 60, startMs = M - 60_000) {
    const queries = [
      ['lambda', 'AWS/Lambda', 'Invocations', [{ Name: 'FunctionName', Value: 'fanout-send-message' }]],
      ['api', 'AWS/ApiGateway', 'MessageCount', [{ Name: 'ApiId', Value: 'abcdefghij' }, { Name: 'Stage', Value: 'local' }]],
      ['dynamodb', 'AWS/DynamoDB', 'ConsumedWriteCapacityUnits', [{ Name: 'TableName', Value: 'fanout-messages' }]],
      ['emf', 'FanoutBench', 'FanoutDeliveries', [{ Name: 'service', Value: 'fanout-chat' }]],
    ] as const;
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(startMs),
        EndTime: new Date(M + 600_000),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: queries.map(([id, namespace, name, dimensions]) => ({
          Id: id,
          MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: [...dimensions] as Dimension[] }, Period: period, Stat: 'Sum' },
        })),
      }),
    );
    const data = Object.fromEntries(
      (out.MetricDataResults ?? []).map((r) => [r.Id!, (r.Timestamps ?? []).map((t, i) => [t.getTime() - M, r.Values![i]!])]),
    );
    const listed = ((await cw.send(new ListMetricsCommand({}))).Metrics ?? []).map((m) => m.Namespace).sort();
    return { data, listed };
  }

  it('shows nothing while the minute is open, nor until the lag has passed after it ends', async () => {
    clock = M + 30_000;
    expect(await seen()).toEqual({ data: { lambda: [], api: [], dynamodb: [], emf: [] }, listed: [] });
    clock = M + 60_000 + 1_999;
    expect(await seen()).toEqual({ data: { lambda: [], api: [], dynamodb: [], emf: [] }, listed: [] });
  });

  it('publishes Lambda and API Gateway after the lag, DynamoDB and EMF after twice it, whole minutes', async () => {
    clock = M + 60_000 + 2_000;
    expect(await seen()).toEqual({ data: { lambda: [[0, 7]], api: [[0, 7]], dynamodb: [], emf: [] }, listed: ['AWS/ApiGateway', 'AWS/Lambda'] });
    clock = M + 60_000 + 4_000;
    expect(await seen()).toEqual({
      data: { lambda: [[0, 7]], api: [[0, 7]], dynamodb: [[0, 7]], emf: [[0, 7]] },
      listed: ['AWS/ApiGateway', 'AWS/DynamoDB', 'AWS/Lambda', 'FanoutBench'],
    });
    // a longer period (here from StartTime, a minute before M) aggregates the published minutes
    expect((await seen(300)).data.lambda).toEqual([[-60_000, 7]]);
    // StartTime inside the minute rounds down to it, as CloudWatch does
    expect((await seen(60, M + 20_000)).data.lambda).toEqual([[0, 7]]);
  });

  it('answers a high-resolution period with no data points (standard-resolution metrics), an invalid one with the usual error', async () => {
    clock = M + 10 * 60_000;
    expect((await seen(10)).data).toEqual({ lambda: [], api: [], dynamodb: [], emf: [] });
    expect((await seen(1)).data).toEqual({ lambda: [], api: [], dynamodb: [], emf: [] });
    await expect(seen(7)).rejects.toBeInstanceOf(InvalidParameterValueException);
  });
});

describe('the config', () => {
  it('takes a lag as a duration or a number of seconds; --aws-metrics-lag implies --aws-metrics', () => {
    expect([parseLag('5s'), parseLag('2m'), parseLag('1500ms'), parseLag('90'), parseLag('soon')]).toEqual([5_000, 120_000, 1_500, 90_000, undefined]);
    expect(defaultStackConfig().awsMetrics).toEqual({ enabled: false });
    expect(defaultStackConfig({ awsMetrics: { enabled: true, lag: 2 } }).awsMetrics).toEqual({ enabled: true, lag: 2_000 });
    expect(() => loadStackConfig({ overrides: { awsMetrics: { enabled: true, lag: '2 hours' } } })).toThrow(
      /^overrides: awsMetrics\.lag: a duration from 0 to 1h/,
    );
  });
});

describe('stack up --aws-metrics-lag 5s', () => {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('publishes a real minute 5 s after it ends (DynamoDB 10 s), at 60 s periods only', { timeout: 300_000 }, async () => {
    child = spawn(process.execPath, ['bin/fanout-bench.js', 'stack', 'up', '--aws-metrics-lag', '5s', '--prepared', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    // CI starts this lane beside the whole suite: a first stack start there waited out 60 s
    const deadline = Date.now() + 150_000;
    while (!out.includes('\n')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ready line; stderr: ${err}`);
      await sleep(50);
    }
    const ready = JSON.parse(out.split('\n')[0]!);
    // the export block, once, on stderr: what a user pastes into a shell. It is written just after
    // the ready line, on another pipe, so it may arrive a moment later.
    while (!/^export AWS_REGION=/m.test(err) && Date.now() < deadline) await sleep(20);
    expect(err.split('\n').filter((l) => l.startsWith('export AWS_ENDPOINT_URL='))).toEqual([`export AWS_ENDPOINT_URL=${ready.edgeEndpoint}`]);
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = ready.awsEndpointUrls.AWS_ENDPOINT_URL_CLOUDWATCH;
    const cw = new CloudWatchClient({ region: 'us-east-1', credentials });
    try {
      // All the traffic in one minute: start it early enough in one.
      if (Date.now() % 60_000 > 45_000) await sleep(60_000 - (Date.now() % 60_000) + 200);
      const minuteEnd = Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
      const c = await connect(ready.websocketUrl);
      c.close();
      await c.closed;
      expect(Date.now()).toBeLessThan(minuteEnd);

      const look = async (period = 60) => {
        const q = (id: string, namespace: string, name: string, dimensions: Dimension[]) => ({
          Id: id,
          MetricStat: { Metric: { Namespace: namespace, MetricName: name, Dimensions: dimensions }, Period: period, Stat: 'Sum' },
        });
        const data = await cw.send(
          new GetMetricDataCommand({
            StartTime: new Date(minuteEnd - 120_000),
            EndTime: new Date(minuteEnd + 60_000),
            MetricDataQueries: [
              q('lambda', 'AWS/Lambda', 'Invocations', [{ Name: 'FunctionName', Value: 'fanout-connect' }]),
              q('api', 'AWS/ApiGateway', 'ConnectCount', [{ Name: 'ApiId', Value: ready.apiId }, { Name: 'Stage', Value: ready.stage }]),
              q('dynamodb', 'AWS/DynamoDB', 'ConsumedWriteCapacityUnits', [{ Name: 'TableName', Value: 'fanout-connections' }]),
            ],
          }),
        );
        const points = Object.fromEntries((data.MetricDataResults ?? []).map((r) => [r.Id!, (r.Timestamps ?? []).map((t) => t.getTime() - (minuteEnd - 60_000))]));
        const listed = async (namespace: string, name: string, dimension: Dimension) =>
          ((await cw.send(new ListMetricsCommand({ Namespace: namespace, MetricName: name, Dimensions: [dimension] }))).Metrics ?? []).length > 0;
        return {
          ...points,
          listed: [
            await listed('AWS/Lambda', 'Invocations', { Name: 'FunctionName', Value: 'fanout-connect' }),
            await listed('AWS/DynamoDB', 'ConsumedWriteCapacityUnits', { Name: 'TableName', Value: 'fanout-connections' }),
          ],
        };
      };

      expect(await look()).toEqual({ lambda: [], api: [], dynamodb: [], listed: [false, false] });
      await sleep(minuteEnd + 1_000 - Date.now());
      expect(await look()).toEqual({ lambda: [], api: [], dynamodb: [], listed: [false, false] });
      await sleep(minuteEnd + 6_000 - Date.now());
      // one data point, at the start of the minute
      expect(await look()).toEqual({ lambda: [0], api: [0], dynamodb: [], listed: [true, false] });
      expect(await look(10)).toEqual({ lambda: [], api: [], dynamodb: [], listed: [true, false] });
      await sleep(minuteEnd + 11_000 - Date.now());
      expect(await look()).toEqual({ lambda: [0], api: [0], dynamodb: [0], listed: [true, true] });
    } finally {
      cw.destroy();
      delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH;
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
