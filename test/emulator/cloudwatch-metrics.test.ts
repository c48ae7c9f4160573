import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  InvalidParameterValueException,
  ListMetricsCommand,
  MissingRequiredParameterException,
  ValidationException,
  paginateGetMetricData,
  paginateListMetrics,
  type GetMetricDataCommandInput,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { LONGEST_RETENTION_MS } from '../../common/cloudwatch-resolution.ts';

// A minute boundary half an hour ago: inside the 3 h retention, aligned for 60 s periods.
const T0 = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
const NS = 'AWS/Lambda';

let store: MetricStore;
let server: CloudWatchServer;
let cw: CloudWatchClient;

beforeAll(async () => {
  store = new MetricStore();
  // Duration of "f": values 1..100, ten per second over seconds 0..9 (1..10 at +0 s, 11..20 at +1 s, …).
  for (let v = 1; v <= 100; v++) {
    const second = Math.floor((v - 1) / 10);
    store.put({ namespace: NS, name: 'Duration', dimensions: { FunctionName: 'f' }, value: v, unit: 'Milliseconds', timestamp: T0 + second * 1000 + 123 });
  }
  // Another function and another unit must not leak into f's Milliseconds series.
  store.put({ namespace: NS, name: 'Duration', dimensions: { FunctionName: 'g' }, value: 1000, unit: 'Milliseconds', timestamp: T0 + 500 });
  store.put({ namespace: NS, name: 'Duration', dimensions: { FunctionName: 'f' }, value: 7, unit: 'Count', timestamp: T0 + 500 });
  for (let i = 0; i < 3; i++) store.put({ namespace: NS, name: 'Invocations', dimensions: { FunctionName: 'f' }, value: 1, unit: 'Count', timestamp: T0 + 61_000 });
  server = await startCloudWatchServer({ store, logs: new LogStore() });
  cw = new CloudWatchClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  cw?.destroy();
  await server?.close();
});

function durationQuery(stat: string, period: number, extra: Partial<GetMetricDataCommandInput> = {}, fn = 'f', unit: StandardUnit | '' = 'Milliseconds'): GetMetricDataCommandInput {
  return {
    StartTime: new Date(T0),
    EndTime: new Date(T0 + 10 * 60_000),
    MetricDataQueries: [
      {
        Id: 'q',
        MetricStat: { Metric: { Namespace: NS, MetricName: 'Duration', Dimensions: [{ Name: 'FunctionName', Value: fn }] }, Period: period, Stat: stat, Unit: unit || undefined },
      },
    ],
    ...extra,
  };
}

async function values(stat: string, period: number, extra: Partial<GetMetricDataCommandInput> = {}) {
  const out = await cw.send(new GetMetricDataCommand(durationQuery(stat, period, extra)));
  const r = out.MetricDataResults![0];
  return { timestamps: r.Timestamps!.map((t) => t.getTime()), values: r.Values!, status: r.StatusCode, label: r.Label, out };
}

describe('GetMetricData over the real SDK client', () => {
  it('aggregates exactly over a 60 s period', async () => {
    expect((await values('Sum', 60)).values).toEqual([5050]);
    expect((await values('Average', 60)).values).toEqual([50.5]);
    expect((await values('Minimum', 60)).values).toEqual([1]);
    expect((await values('Maximum', 60)).values).toEqual([100]);
    const n = await values('SampleCount', 60);
    expect(n.values).toEqual([100]);
    expect(n.timestamps).toEqual([T0]);
    expect(n.status).toBe('Complete');
    expect(n.label).toBe('Duration');
  });

  it('computes percentiles from merged HDR buckets (0.1% resolution)', async () => {
    const [p50] = (await values('p50', 60)).values;
    const [p99] = (await values('p99', 60)).values;
    const [p999] = (await values('p99.9', 60)).values;
    expect(Math.abs(p50 - 50) / 50).toBeLessThan(0.001);
    expect(Math.abs(p99 - 99) / 99).toBeLessThan(0.001);
    expect(p999).toBe(100); // rank 100 of 100, clamped to the exact maximum
  });

  it('answers 1 s periods, newest first by default and oldest first on request', async () => {
    const desc = await values('Sum', 1);
    expect(desc.timestamps).toEqual([...Array(10).keys()].map((s) => T0 + (9 - s) * 1000));
    expect(desc.values).toEqual([...Array(10).keys()].map((s) => 100 * (9 - s) + 55));
    const asc = await values('Maximum', 1, { ScanBy: 'TimestampAscending' });
    expect(asc.values).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    const p50 = await values('p50', 1, { ScanBy: 'TimestampAscending' });
    expect(p50.values[0]).toBeCloseTo(5, 2); // 1..10 → rank 5
  });

  it('answers a 60 s period from the second asked (the per-second mode; AWS rounds to the minute)', async () => {
    // seconds 3..9 of f's Duration: 31..100
    const r = await values('Sum', 60, { StartTime: new Date(T0 + 3_000) });
    expect(r.timestamps).toEqual([T0 + 3_000]);
    expect(r.values).toEqual([(31 + 100) * 35]);
  });

  it('groups seconds into 5 s periods aligned to the start', async () => {
    const r = await values('Sum', 5, { ScanBy: 'TimestampAscending' });
    expect(r.timestamps).toEqual([T0, T0 + 5000]);
    expect(r.values).toEqual([1275, 3775]); // 1..50 and 51..100
  });

  it('matches dimensions exactly and filters by unit', async () => {
    const g = await cw.send(new GetMetricDataCommand(durationQuery('Sum', 60, {}, 'g')));
    expect(g.MetricDataResults![0].Values).toEqual([1000]);
    const counts = await cw.send(new GetMetricDataCommand(durationQuery('Sum', 60, {}, 'f', 'Count')));
    expect(counts.MetricDataResults![0].Values).toEqual([7]);
    const allUnits = await cw.send(new GetMetricDataCommand(durationQuery('Sum', 60, {}, 'f', '')));
    expect(allUnits.MetricDataResults![0].Values).toEqual([5057]);
    const noDims = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 600_000),
        MetricDataQueries: [{ Id: 'x', MetricStat: { Metric: { Namespace: NS, MetricName: 'Duration' }, Period: 60, Stat: 'Sum' } }],
      }),
    );
    expect(noDims.MetricDataResults![0].Values).toEqual([]);
  });

  it('answers several queries, honours Label and ReturnData', async () => {
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 600_000),
        MetricDataQueries: [
          { Id: 'inv', Label: 'calls', MetricStat: { Metric: { Namespace: NS, MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'f' }] }, Period: 60, Stat: 'Sum' } },
          { Id: 'hidden', ReturnData: false, MetricStat: { Metric: { Namespace: NS, MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'f' }] }, Period: 60, Stat: 'Sum' } },
        ],
      }),
    );
    expect(out.MetricDataResults!.map((r) => [r.Id, r.Label, r.Values])).toEqual([['inv', 'calls', [3]]]);
    expect(out.MetricDataResults![0].Timestamps!.map((t) => t.getTime())).toEqual([T0 + 60_000]);
    expect(out.Messages).toEqual([]);
  });

  it('pages by MaxDatapoints with NextToken', async () => {
    const first = await values('Sum', 1, { MaxDatapoints: 4, ScanBy: 'TimestampAscending' });
    expect(first.values).toEqual([55, 155, 255, 355]);
    expect(first.status).toBe('PartialData');
    expect(first.out.NextToken).toBeTruthy();
    const all: number[] = [];
    for await (const page of paginateGetMetricData({ client: cw, pageSize: 3 }, durationQuery('Sum', 1, { ScanBy: 'TimestampAscending' }))) {
      all.push(...page.MetricDataResults![0].Values!);
    }
    expect(all).toEqual([...Array(10).keys()].map((s) => 100 * s + 55));
  });

  it('rejects what it cannot answer with the SDK exception classes', async () => {
    await expect(cw.send(new GetMetricDataCommand(durationQuery('tm99', 60)))).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(cw.send(new GetMetricDataCommand(durationQuery('Sum', 7)))).rejects.toThrow(/Period 7/);
    await expect(cw.send(new GetMetricDataCommand(durationQuery('Sum', 7)))).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(
      cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(T0),
          EndTime: new Date(T0 + 60_000),
          MetricDataQueries: [{ Id: 'm', Expression: 'SUM(METRICS())' }],
        }),
      ),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      cw.send(new GetMetricDataCommand({ StartTime: new Date(T0), EndTime: new Date(T0 + 60_000) } as GetMetricDataCommandInput)),
    ).rejects.toBeInstanceOf(MissingRequiredParameterException);
    await expect(cw.send(new GetMetricDataCommand(durationQuery('Sum', 60, { EndTime: new Date(T0 - 1000) })))).rejects.toThrow(/StartTime/);
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.DeleteAlarms' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });
});

describe('old data, served at the periods CloudWatch keeps it at (GetMetricData over the real SDK client)', () => {
  // AWS: a StartTime more than 3 hours, 15 days or 63 days ago answers only a Period that is a
  // multiple of 60, 300 or 3600 s, "or no data points in that time range is returned" (MetricStat,
  // Period): empty Values, StatusCode Complete, no error. StartTime is rounded down to the minute,
  // 5 minutes or hour by the same ages (GetMetricData, StartTime).
  const DAY = 86_400_000;
  const HOUR = 3_600_000;
  let clock = 0;
  let server: CloudWatchServer;
  let client: CloudWatchClient;
  /** an hour boundary `days` ago, 10 minutes in: 5-minute aligned, inside its hour */
  const at = (days: number) => Math.floor((Date.now() - days * DAY) / HOUR) * HOUR + 10 * 60_000;
  const T4H = Math.floor((Date.now() - 4 * HOUR) / 60_000) * 60_000;
  const T20 = at(20);
  const T100 = at(100);

  beforeAll(async () => {
    // Each minute's Invocations were put when they were fresh, then the clock moved on: the store
    // keeps them as long as CloudWatch's longest retention.
    const store = new MetricStore({ retentionMs: LONGEST_RETENTION_MS, now: () => clock });
    for (const t of [T100, T20, T4H]) {
      clock = t + 5 * 60_000;
      // 1, 2, 3, 4 invocations at +0, +1, +2, +3 min: 10 in all, 6 of them from +2 min on
      for (let m = 0; m < 4; m++) store.put({ namespace: NS, name: 'Invocations', dimensions: { FunctionName: 'old' }, value: m + 1, unit: 'Count', timestamp: t + m * 60_000 + 7_000 });
    }
    clock = Date.now();
    server = await startCloudWatchServer({ store, logs: new LogStore() });
    client = new CloudWatchClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  async function invocations(startMs: number, period: number, endMs = startMs + 3 * HOUR) {
    const out = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(startMs),
        EndTime: new Date(endMs),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [{ Id: 'q', MetricStat: { Metric: { Namespace: NS, MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: 'old' }] }, Period: period, Stat: 'Sum' } }],
      }),
    );
    const r = out.MetricDataResults![0];
    return { timestamps: r.Timestamps!.map((t) => t.getTime() - startMs), values: r.Values!, status: r.StatusCode };
  }

  it('20 days back: 60 s periods answer no data points (not an error), 300 s ones the data, 3600 s too', async () => {
    expect(await invocations(T20, 60)).toEqual({ timestamps: [], values: [], status: 'Complete' });
    expect(await invocations(T20, 1)).toEqual({ timestamps: [], values: [], status: 'Complete' });
    expect(await invocations(T20, 120)).toEqual({ timestamps: [], values: [], status: 'Complete' });
    expect(await invocations(T20, 300)).toEqual({ timestamps: [0], values: [10], status: 'Complete' });
    expect(await invocations(T20, 600)).toEqual({ timestamps: [0], values: [10], status: 'Complete' });
    // the hour from 10 minutes before T20
    expect(await invocations(T20 - 10 * 60_000, 3600)).toEqual({ timestamps: [0], values: [10], status: 'Complete' });
  });

  it('rounds an old StartTime down to the 5 minutes: 2 min 34 s in, the whole 5 minutes still count', async () => {
    const r = await invocations(T20 + 154_000, 300);
    expect(r).toEqual({ timestamps: [-154_000], values: [10], status: 'Complete' });
  });

  it('100 days back: only multiples of 3600 s', async () => {
    expect((await invocations(T100, 300)).values).toEqual([]);
    expect(await invocations(T100 - 10 * 60_000, 3600)).toEqual({ timestamps: [0], values: [10], status: 'Complete' });
  });

  it('4 hours back: sub-minute periods answer nothing, 60 s ones the minutes', async () => {
    expect((await invocations(T4H, 1)).values).toEqual([]);
    expect((await invocations(T4H, 30)).values).toEqual([]);
    expect(await invocations(T4H, 60, T4H + 10 * 60_000)).toEqual({ timestamps: [0, 60_000, 120_000, 180_000], values: [1, 2, 3, 4], status: 'Complete' });
  });

  it('an invalid Period is still an error at any age', async () => {
    await expect(invocations(T20, 7)).rejects.toBeInstanceOf(InvalidParameterValueException);
  });
});

describe('ListMetrics over the real SDK client', () => {
  it('lists metrics filtered by namespace, name and dimensions', async () => {
    const out = await cw.send(new ListMetricsCommand({ Namespace: NS, MetricName: 'Duration' }));
    expect(out.Metrics).toEqual([
      { Namespace: NS, MetricName: 'Duration', Dimensions: [{ Name: 'FunctionName', Value: 'f' }] },
      { Namespace: NS, MetricName: 'Duration', Dimensions: [{ Name: 'FunctionName', Value: 'g' }] },
    ]);
    const g = await cw.send(new ListMetricsCommand({ Dimensions: [{ Name: 'FunctionName', Value: 'g' }] }));
    expect(g.Metrics!.map((m) => m.MetricName)).toEqual(['Duration']);
    const none = await cw.send(new ListMetricsCommand({ Dimensions: [{ Name: 'ApiId' }] }));
    expect(none.Metrics).toEqual([]);
  });

  it('pages 500 metrics at a time', async () => {
    const local = new MetricStore();
    for (let i = 0; i < 1_200; i++) local.put({ namespace: 'Custom', name: `m${String(i).padStart(4, '0')}`, dimensions: {}, value: i, timestamp: Date.now() });
    const srv = await startCloudWatchServer({ store: local, logs: new LogStore() });
    const client = new CloudWatchClient({ endpoint: srv.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    try {
      const pages: number[] = [];
      const names: string[] = [];
      for await (const page of paginateListMetrics({ client }, { Namespace: 'Custom' })) {
        pages.push(page.Metrics!.length);
        names.push(...page.Metrics!.map((m) => m.MetricName!));
      }
      expect(pages).toEqual([500, 500, 200]);
      expect(new Set(names).size).toBe(1_200);
    } finally {
      client.destroy();
      await srv.close();
    }
  });
});

describe('MetricStore', () => {
  it('orders negative values correctly for percentiles', () => {
    const local = new MetricStore();
    const t = Date.now() - 5_000;
    for (let v = -50; v <= 49; v++) local.put({ namespace: 'N', name: 'x', dimensions: {}, value: v, timestamp: t });
    const q = (stat: string) => local.query({ namespace: 'N', metricName: 'x', stat, periodSeconds: 60, startTime: t - 60_000, endTime: t + 60_000 })[0].value;
    expect(q('Minimum')).toBe(-50);
    expect(q('Sum')).toBe(-50);
    expect(Math.abs(q('p1') + 50) / 50).toBeLessThan(0.001);
    expect(q('p50')).toBeCloseTo(-1, 2);
    expect(q('p100')).toBe(49);
  });

  it('drops data outside the retention window and non-finite values', () => {
    let now = Date.now();
    const local = new MetricStore({ retentionMs: 60_000, now: () => now });
    local.put({ namespace: 'N', name: 'x', dimensions: {}, value: 1, timestamp: now - 120_000 });
    local.put({ namespace: 'N', name: 'x', dimensions: {}, value: Number.NaN, timestamp: now });
    local.put({ namespace: 'N', name: 'x', dimensions: {}, value: 2, timestamp: now - 30_000 });
    expect(local.droppedDatums).toBe(2);
    expect(local.listMetrics()).toHaveLength(1);
    now += 45_000; // the only point is now older than the retention
    expect(local.listMetrics()).toHaveLength(0);
  });

  it('accepts out-of-order timestamps into the right second', () => {
    const local = new MetricStore();
    const t = Math.floor(Date.now() / 1000) * 1000 - 10_000;
    for (const [dt, v] of [[3000, 3], [1000, 1], [3000, 30], [2000, 2], [1000, 10]] as const) {
      local.put({ namespace: 'N', name: 'x', dimensions: {}, value: v, timestamp: t + dt });
    }
    const points = local.query({ namespace: 'N', metricName: 'x', stat: 'Sum', periodSeconds: 1, startTime: t, endTime: t + 10_000 });
    expect(points).toEqual([
      { timestamp: t + 1000, value: 11 },
      { timestamp: t + 2000, value: 2 },
      { timestamp: t + 3000, value: 33 },
    ]);
  });
});
