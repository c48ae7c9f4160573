import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { expectOk, fixture, until } from './lambda-test-helpers.ts';

/** The runtime writes, the endpoint answers: what the harness's CloudWatch puller will see. */
describe('Lambda runtime → CloudWatch endpoint, through the real SDK clients', () => {
  const metrics = new MetricStore();
  const logs = new LogStore();
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  let runtime: LambdaRuntime;
  let server: CloudWatchServer;
  let cw: CloudWatchClient;
  let cwl: CloudWatchLogsClient;
  const startedAt = Date.now();

  beforeAll(async () => {
    runtime = await createLambdaRuntime({
      metrics,
      logs,
      cpuModel: 'off',
      initConcurrency: 3, // three cold starts at once, none held back by the host
      functions: [
        { name: 'fanout-send-message', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} },
        { name: 'fanout-emf', entry: fixture('powertools-emf.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} },
      ],
    });
    server = await startCloudWatchServer({ store: metrics, logs });
    cw = new CloudWatchClient({ endpoint: server.url, region: 'us-east-1', credentials });
    cwl = new CloudWatchLogsClient({ endpoint: server.url, region: 'us-east-1', credentials });
    await Promise.all([1, 2, 3].map(() => runtime.invoke('fanout-send-message', { action: 'sleep', ms: 100 })));
    for (let i = 0; i < 5; i++) expectOk(await runtime.invoke('fanout-send-message', { action: 'echo' }));
    expectOk(await runtime.invoke('fanout-emf', { recipients: 10 }));
  });

  afterAll(async () => {
    cw?.destroy();
    cwl?.destroy();
    await server?.close();
    await runtime?.close();
  });

  it('finds one REPORT line per invocation, three of them cold', async () => {
    const group = '/aws/lambda/fanout-send-message';
    await until(() => logs.filter({ logGroupName: group, filterPattern: '"REPORT RequestId"' })!.events.length === 8);
    const messages: string[] = [];
    for await (const page of paginateFilterLogEvents({ client: cwl }, { logGroupName: group, filterPattern: '"REPORT RequestId"', startTime: startedAt })) {
      messages.push(...page.events!.map((e) => e.message!));
    }
    expect(messages).toHaveLength(8);
    expect(messages.filter((m) => /\tInit Duration: \d+\.\d{2} ms\t$/.test(m))).toHaveLength(3);
    const cold = await cwl.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: '"Init Duration"' }));
    expect(cold.events).toHaveLength(3);
  });

  it('answers AWS/Lambda and EMF metrics with GetMetricData', async () => {
    const dims = [{ Name: 'FunctionName', Value: 'fanout-send-message' }];
    const q = (Id: string, MetricName: string, Stat: string) => ({
      Id,
      MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName, Dimensions: dims }, Period: 60, Stat },
    });
    await until(() => metrics.listMetrics({ namespace: 'fanout-test' }).length > 0);
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(startedAt - 120_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          q('inv', 'Invocations', 'Sum'),
          q('conc', 'ConcurrentExecutions', 'Maximum'),
          q('dur', 'Duration', 'p99'),
          q('n', 'Duration', 'SampleCount'),
          { Id: 'emf', MetricStat: { Metric: { Namespace: 'fanout-test', MetricName: 'Recipients', Dimensions: [{ Name: 'service', Value: 'chat' }] }, Period: 60, Stat: 'Sum' } },
        ],
      }),
    );
    // (a two-argument combine: reduce passes index and array too, which Math.max would take as values)
    const total = (id: string, combine: (a: number, b: number) => number = (a, b) => a + b) =>
      out.MetricDataResults!.find((r) => r.Id === id)!.Values!.reduce((a, b) => combine(a, b), 0);
    expect(total('inv')).toBe(8);
    expect(total('n')).toBe(8);
    expect(total('conc', Math.max)).toBe(3);
    // The 100 ms sleeps. Node's timers count from the event loop's cached clock, so a timer can end up
    // to 1 ms early as performance.now() sees it (CI measured 99.98 ms).
    expect(total('dur', Math.max)).toBeGreaterThanOrEqual(99);
    expect(total('emf')).toBe(10);
  });

  it('publishes ConcurrentExecutions for the account too, with no dimensions', async () => {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(startedAt - 120_000),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          { Id: 'account', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'ConcurrentExecutions' }, Period: 60, Stat: 'Maximum' } },
          { Id: 'samples', MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'ConcurrentExecutions' }, Period: 60, Stat: 'SampleCount' } },
        ],
      }),
    );
    const values = (id: string) => out.MetricDataResults!.find((r) => r.Id === id)!.Values!;
    // Three sleeps ran at once; the account series counts every function's invocations (9 in all).
    expect(Math.max(...values('account'))).toBe(3);
    expect(values('samples').reduce((a, b) => a + b, 0)).toBe(9);
  });
});

describe('invocations the host held back, through the real CloudWatch client', () => {
  it('publishes HeldBackMs (FanoutBench/LocalHost) for each one, with its wait, and nothing for the others', async () => {
    const metrics = new MetricStore();
    const startedAt = Date.now();
    const runtime = await createLambdaRuntime({
      metrics,
      logs: new LogStore(),
      cpuModel: 'off',
      hostMaxEnvironments: 1, // the second invocation waits for the first one's environment
      functions: [{ name: 'held', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} }],
    });
    const server = await startCloudWatchServer({ store: metrics, logs: new LogStore() });
    const cw = new CloudWatchClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const [first, second] = (await Promise.all([runtime.invoke('held', { action: 'sleep', ms: 250 }), runtime.invoke('held', { action: 'sleep', ms: 1 })])).map(expectOk);
      expect(first.hostCapWaitMs).toBe(0);
      expect(second.hostCapWaitMs).toBeGreaterThan(100);
      const stat = (Id: string, Stat: string) => ({
        Id,
        MetricStat: { Metric: { Namespace: 'FanoutBench/LocalHost', MetricName: 'HeldBackMs', Dimensions: [{ Name: 'FunctionName', Value: 'held' }] }, Period: 60, Stat },
      });
      const out = await cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(startedAt - 120_000),
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: [stat('n', 'SampleCount'), stat('max', 'Maximum')],
        }),
      );
      const values = (id: string) => out.MetricDataResults!.find((r) => r.Id === id)!.Values!;
      expect(values('n').reduce((a, b) => a + b, 0)).toBe(1);
      expect(Math.max(...values('max'))).toBeCloseTo(second.hostCapWaitMs, 3);
    } finally {
      cw.destroy();
      await server.close();
      await runtime.close();
    }
  });
});
