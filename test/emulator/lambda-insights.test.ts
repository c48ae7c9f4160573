import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { expectError, expectOk, fixture } from './lambda-test-helpers.ts';

/**
 * AWS's documented Lambda Insights event ("Example telemetry event", CloudWatch user guide): the
 * fields of the performance event, and the metrics its EMF directive names. What the emulator
 * writes must be a subset of these, named and typed the same.
 */
const AWS_EVENT_FIELDS: Record<string, 'number' | 'string' | 'boolean' | 'object'> = {
  _aws: 'object',
  event_type: 'string',
  function_name: 'string',
  version: 'string',
  request_id: 'string',
  trace_id: 'string',
  duration: 'number',
  billed_duration: 'number',
  billed_mb_ms: 'number',
  cold_start: 'boolean',
  init_duration: 'number',
  tmp_free: 'number',
  tmp_max: 'number',
  threads_max: 'number',
  used_memory_max: 'number',
  total_memory: 'number',
  memory_utilization: 'number',
  cpu_user_time: 'number',
  cpu_system_time: 'number',
  cpu_total_time: 'number',
  fd_use: 'number',
  fd_max: 'number',
  tx_bytes: 'number',
  rx_bytes: 'number',
  timeout: 'boolean',
  shutdown_reason: 'string',
  total_network: 'number',
  agent_version: 'string',
  agent_memory_avg: 'number',
  agent_memory_max: 'number',
};
const AWS_METRIC_UNITS: Record<string, string> = {
  memory_utilization: 'Percent',
  total_memory: 'Megabytes',
  used_memory_max: 'Megabytes',
  cpu_total_time: 'Milliseconds',
  tx_bytes: 'Bytes',
  rx_bytes: 'Bytes',
  total_network: 'Bytes',
  init_duration: 'Milliseconds',
};

type InsightsEvent = Record<string, unknown> & {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  request_id: string;
  duration: number;
  cpu_total_time: number;
};

describe('Lambda Insights: one performance event per invocation in /aws/lambda-insights, through the real SDK clients', () => {
  const metrics = new MetricStore();
  const logs = new LogStore();
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  let runtime: LambdaRuntime;
  let server: CloudWatchServer;
  let cw: CloudWatchClient;
  let cwl: CloudWatchLogsClient;
  const startedAt = Date.now();
  const ids: Record<'cpu' | 'sleep' | 'timeout', string> = { cpu: '', sleep: '', timeout: '' };
  /** the cold start's Init Duration, as the invocation reported it */
  let coldInitMs: number | undefined;
  let events: InsightsEvent[] = [];

  beforeAll(async () => {
    runtime = await createLambdaRuntime({
      metrics,
      logs,
      preparedPerFunction: 0,
      // one vCPU: the CPU time is the work's own, unstretched
      functions: [{ name: 'insights-fn', entry: fixture('behaviour.ts'), memoryMB: 1769, timeoutSeconds: 1, environment: {} }],
    });
    server = await startCloudWatchServer({ store: metrics, logs });
    cw = new CloudWatchClient({ endpoint: server.url, region: 'us-east-1', credentials });
    cwl = new CloudWatchLogsClient({ endpoint: server.url, region: 'us-east-1', credentials });
    const cold = expectOk(await runtime.invoke('insights-fn', { action: 'cpu', iterations: 2_000_000 }));
    ids.cpu = cold.requestId;
    coldInitMs = cold.initDurationMs;
    ids.sleep = expectOk(await runtime.invoke('insights-fn', { action: 'sleep', ms: 200 })).requestId;
    ids.timeout = expectError(await runtime.invoke('insights-fn', { action: 'cpu', iterations: 1e12 })).requestId;
    const out = await cwl.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda-insights', startTime: startedAt }));
    events = out.events!.map((e) => JSON.parse(e.message!) as InsightsEvent);
  });

  afterAll(async () => {
    cw?.destroy();
    cwl?.destroy();
    await server?.close();
    await runtime?.close();
  });

  const eventOf = (id: string) => events.find((e) => e.request_id === id)!;

  it("writes AWS's documented fields only, with their types, and an EMF directive of the LambdaInsights namespace by function_name", () => {
    expect(events.map((e) => e.request_id).sort()).toEqual(Object.values(ids).sort());
    for (const e of events) {
      for (const [k, v] of Object.entries(e)) expect([k, typeof v]).toEqual([k, AWS_EVENT_FIELDS[k]]);
      expect(e).toMatchObject({ event_type: 'performance', function_name: 'insights-fn', total_memory: 1769 });
      const [directive] = e._aws.CloudWatchMetrics;
      expect(directive.Namespace).toBe('LambdaInsights');
      expect(directive.Dimensions).toEqual([['function_name']]);
      for (const m of directive.Metrics) expect([m.Name, m.Unit]).toEqual([m.Name, AWS_METRIC_UNITS[m.Name]]);
      expect(directive.Metrics.map((m) => m.Name)).toContain('cpu_total_time');
    }
    expect(eventOf(ids.cpu)).toMatchObject({ cold_start: true });
    // the INIT's duration in whole ms, as the extension writes it (a cached bundle's INIT may round to 0)
    expect(coldInitMs).toBeDefined();
    expect(eventOf(ids.cpu).init_duration).toBe(Math.round(coldInitMs!));
    expect(eventOf(ids.sleep)).toMatchObject({ cold_start: false });
    expect(eventOf(ids.sleep)).not.toHaveProperty('init_duration');
  });

  it('cpu_total_time is the CPU the invocation used: work on CPU counts, a wait does not, and a timed-out invocation is read while stuck', () => {
    const cpu = eventOf(ids.cpu);
    expect(cpu.cpu_total_time).toBeGreaterThan(0);
    expect(cpu.cpu_total_time).toBeLessThanOrEqual(cpu.duration + 1);
    const sleep = eventOf(ids.sleep);
    expect(sleep.duration).toBeGreaterThanOrEqual(199);
    expect(sleep.cpu_total_time).toBeLessThan(sleep.duration / 2);
    const timeout = eventOf(ids.timeout);
    expect(timeout).toMatchObject({ timeout: true, shutdown_reason: 'Timeout', duration: 1000 });
    expect(timeout.cpu_total_time).toBeGreaterThan(0);
    expect(timeout.cpu_total_time).toBeLessThanOrEqual(1001);
  });

  it('answers LambdaInsights cpu_total_time by function_name with GetMetricData, as the harness asks it', async () => {
    const q = (Id: string, Stat: string) => ({
      Id,
      MetricStat: { Metric: { Namespace: 'LambdaInsights', MetricName: 'cpu_total_time', Dimensions: [{ Name: 'function_name', Value: 'insights-fn' }] }, Period: 60, Stat },
    });
    const out = await cw.send(
      new GetMetricDataCommand({ StartTime: new Date(startedAt - 120_000), EndTime: new Date(Date.now() + 60_000), MetricDataQueries: [q('n', 'SampleCount'), q('max', 'Maximum')] }),
    );
    const of = (id: string) => out.MetricDataResults!.find((r) => r.Id === id)!.Values!.reduce((a, b) => a + b, 0);
    expect(of('n')).toBe(3);
    expect(of('max')).toBe(Math.max(...events.map((e) => e.cpu_total_time)));
  });
});
