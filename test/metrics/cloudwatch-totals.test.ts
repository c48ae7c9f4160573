import { describe, expect, it } from 'vitest';
import { dynamoRequests, emfRequests, lambdaRequests, localHostRequests, type EmfMetric } from '../../src/metrics/cloudwatch/cloudwatch-queries.ts';
import { hostInLatencies, localHostFindings } from '../../src/metrics/cloudwatch/local-host.ts';
import { localHostWarnings } from '../../src/diagnosis/local-host-text.ts';
import { metricTotals } from '../../src/metrics/cloudwatch/cloudwatch-totals.ts';
import type { MetricDataResult } from '../../src/metrics/cloudwatch/metric-data-fetch.ts';

const EMF = { namespace: 'FanoutBench', service: 'fanout-chat' } as const;
const point = (timestamps: number[], values: number[]): MetricDataResult => ({ timestamps, values, status: 'Complete' });

describe('metricTotals', () => {
  it('sums counts from the series and takes averages and percentiles from the whole-window queries', () => {
    const requests = lambdaRequests(['fn']);
    const data = new Map<string, MetricDataResult>();
    requests.forEach((r, i) => {
      const id = `q${i}`;
      if (r.kind === 'series' && r.metric === 'Invocations') data.set(id, point([0, 1000, 2000], [3, 4, 5]));
      if (r.kind === 'series' && r.metric === 'ConcurrentExecutions' && r.dimensions.FunctionName) data.set(id, point([0, 1000], [2, 7]));
      // the server split the "whole window" into two periods: 10 samples averaging 20 ms, 30 averaging 40 ms
      if (r.kind === 'totals' && r.stat === 'Average') data.set(id, point([0, 60_000], [20, 40]));
      if (r.kind === 'totals' && r.stat === 'SampleCount') data.set(id, point([0, 60_000], [10, 30]));
      if (r.kind === 'totals' && r.stat === 'p99') data.set(id, point([0, 60_000], [90, 70]));
    });
    const t = metricTotals({ requests, data, functions: ['fn'], apiGateway: null, emfMetrics: [] });
    expect(t.lambda.fn.invocations).toBe(12);
    expect(t.lambda.fn.concurrentExecutionsMax).toBe(7);
    // (10 × 20 + 30 × 40) / 40 = 35
    expect(t.lambda.fn.durationAvgMs).toBe(35);
    // two periods cannot be merged into one p99: the higher one is an upper bound, and a note says so
    expect(t.lambda.fn.durationP99Ms).toBe(90);
    expect(t.lambda.fn.durationP50Ms).toBeNull();
    expect(t.notes.join(' ')).toMatch(/upper bound/);
    expect(t.series.map((s) => s.metric).sort()).toEqual(['ConcurrentExecutions', 'Invocations']);
  });

  it('counts an EMF metric once: the service-only set when published, else the sum over its sets', () => {
    const emfMetrics: EmfMetric[] = [
      { ...EMF, metric: 'ColdStart', dimensions: { service: 'fanout-chat', function_name: 'a' } },
      { ...EMF, metric: 'ColdStart', dimensions: { service: 'fanout-chat', function_name: 'b' } },
      { ...EMF, metric: 'FanoutDeliveries', dimensions: { service: 'fanout-chat' } },
      { ...EMF, metric: 'FanoutDeliveries', dimensions: { service: 'fanout-chat', function_name: 'a' } },
    ];
    const requests = emfRequests(emfMetrics);
    const data = new Map<string, MetricDataResult>();
    requests.forEach((r, i) => {
      if (r.kind !== 'series') return;
      if (r.metric === 'ColdStart') data.set(`q${i}`, point([0], [r.dimensions.function_name === 'a' ? 2 : 3]));
      // the same 100 deliveries, published under two dimension sets
      if (r.metric === 'FanoutDeliveries') data.set(`q${i}`, point([0], [100]));
    });
    const t = metricTotals({ requests, data, functions: [], apiGateway: null, emfMetrics });
    expect(t.emf.ColdStart.sum).toBe(5);
    expect(t.emf.FanoutDeliveries.sum).toBe(100);
  });

  it("keys a metric two namespaces publish by namespace, and takes a namespace's every service where its functions name none", () => {
    // Powertools publishes ColdStart in every namespace; the second stack's functions set no POWERTOOLS_SERVICE_NAME
    const emfMetrics: EmfMetric[] = [
      { ...EMF, metric: 'ColdStart', dimensions: { service: 'fanout-chat' } },
      { namespace: 'Orders', metric: 'ColdStart', dimensions: { service: 'service_undefined' } },
      { namespace: 'Orders', metric: 'OrdersPlaced', dimensions: { service: 'service_undefined' } },
      { namespace: 'Orders', metric: 'OrdersPlaced', dimensions: { service: 'checkout' } },
    ];
    const requests = emfRequests(emfMetrics);
    const data = new Map<string, MetricDataResult>();
    requests.forEach((r, i) => {
      if (r.kind !== 'series') return;
      const n = r.namespace === 'Orders' ? (r.dimensions.service === 'checkout' ? 4 : 7) : 2;
      data.set(`q${i}`, point([0], [n]));
    });
    const t = metricTotals({ requests, data, functions: [], apiGateway: null, emfMetrics });
    expect(t.emf).toEqual({
      'FanoutBench/ColdStart': { sum: 2, average: null, p99: null },
      'Orders/ColdStart': { sum: 7, average: null, p99: null },
      OrdersPlaced: { sum: 11, average: null, p99: null },
    });
  });

  it("sums a provisioned table's throttles: ThrottledRequests per operation, Read/WriteThrottleEvents of the table and of each index", () => {
    const dynamo = [{ table: 't', indexes: ['byX'], operations: ['PutItem', 'BatchWriteItem'] }];
    const requests = dynamoRequests(dynamo);
    const data = new Map<string, MetricDataResult>();
    requests.forEach((r, i) => {
      const index = r.dimensions.GlobalSecondaryIndexName !== undefined;
      if (r.metric === 'WriteThrottleEvents') data.set(`q${i}`, point([0, 60_000], index ? [1, 2] : [10, 5]));
      if (r.metric === 'ReadThrottleEvents' && !index) data.set(`q${i}`, point([0], [4]));
      if (r.metric === 'ThrottledRequests' && r.dimensions.Operation === 'PutItem') data.set(`q${i}`, point([0], [6]));
    });
    const t = metricTotals({ requests, data, functions: [], apiGateway: null, emfMetrics: [], dynamo });
    expect(t.dynamodb?.t).toMatchObject({ writeThrottleEvents: 15, readThrottleEvents: 4, indexes: { byX: { writeThrottleEvents: 3, readThrottleEvents: 0 } } });
    // a batch that lost only some items counts events, not a throttled request
    expect(t.dynamodb?.t?.operations).toEqual({ PutItem: { requests: 0, throttled: 6 } });
  });

  it('reports queries CloudWatch refused', () => {
    const requests = lambdaRequests(['fn']);
    const data = new Map([['q0', { timestamps: [], values: [], status: 'Forbidden' }]]);
    const t = metricTotals({ requests, data, functions: ['fn'], apiGateway: null, emfMetrics: [] });
    expect(t.problems).toEqual([{ step: 'GetMetricData AWS/Lambda Invocations Sum', errorName: 'Forbidden', message: 'CloudWatch returned no data for this query' }]);
  });

  it('totals the local host over the run\'s own seconds, and the invocations it held back per function', () => {
    const requests = localHostRequests(['a', 'b']);
    const data = new Map<string, MetricDataResult>();
    // the query window reaches 5 s past each side of the run (10 s to 13 s): only 10, 11 and 12 count
    requests.forEach((r, i) => {
      const id = `q${i}`;
      if (r.metric === 'HostBusyPercent') data.set(id, point([9_000, 10_000, 11_000, 12_000, 13_000], [5, 90, 100, 95, 5]));
      if (r.metric === 'StackCpuMs') data.set(id, point([9_000, 10_000, 11_000, 12_000, 13_000], [10, 1500, 1600, 1700, 10]));
      if (r.dimensions.FunctionName !== 'a') return; // b: never held back, so CloudWatch has nothing
      if (r.stat === 'SampleCount') data.set(id, point([10_000, 11_000], [150, 47]));
      if (r.stat === 'Sum') data.set(id, point([10_000, 11_000], [60_000, 9_000]));
      if (r.stat === 'p50') data.set(id, point([0], [310]));
      if (r.stat === 'p99') data.set(id, point([0], [820]));
      if (r.stat === 'Maximum') data.set(id, point([0], [901]));
    });
    const t = metricTotals({ requests, data, functions: ['a', 'b'], apiGateway: null, emfMetrics: [], localHost: { run: { startMs: 10_000, endMs: 13_000 } } });
    expect(t.localHost).toEqual({
      hostBusyAvgPercent: 95,
      hostBusyPeakPercent: 100,
      stackCpuMs: 4800,
      heldBack: { a: { count: 197, totalMs: 69_000, p50Ms: 310, p99Ms: 820, maxMs: 901 } },
    });

    // held back 197 of 200: a warning; busy 95 % on average: another
    const routes = (route: string) => ({ target: { functions: { functions: [{ name: 'a', route }] } } });
    const run = (localHost: typeof t.localHost, route = 'joinRoom') => ({ cloudwatch: { localHost, lambda: { a: { invocations: 200 } } }, config: routes(route) });
    expect(localHostFindings(run(t.localHost))).toEqual([
      { sign: 'busy', busyAvgPercent: 95, inLatencies: true },
      { sign: 'held', route: 'joinRoom', count: 197, invocations: 200, p50Ms: 310, p99Ms: 820, inLatencies: true, held: { fn: 'a', maxWaitMs: 901, share: 0.985 } },
    ]);
    const warnings = localHostWarnings(run(t.localHost));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/averaged 95 %/);
    expect(warnings[1]).toBe(
      "local host held back 197 of 200 a invocations (wait p50 310 ms, p99 820 ms) where AWS would have started an environment: their clients' latencies include that wait",
    );
    expect(hostInLatencies(run(t.localHost))).toBe(true);
    // $disconnect: no client waits for it
    const quiet = { ...t.localHost!, hostBusyAvgPercent: 40 };
    expect(localHostWarnings(run(quiet, '$disconnect'))).toEqual([
      "local host held back 197 of 200 a invocations (wait p50 310 ms, p99 820 ms) where AWS would have started an environment: no client waits for $disconnect, but the stack's work on it ended that much later",
    ]);
    expect(hostInLatencies(run(quiet, '$disconnect'))).toBe(false);
    // a host that kept up (held back under 5 %): none
    expect(localHostWarnings(run({ ...quiet, heldBack: { a: { ...quiet.heldBack.a, count: 9 } } }))).toEqual([]);
    // on AWS: none
    expect(localHostWarnings({ cloudwatch: { lambda: {} }, config: routes('joinRoom') })).toEqual([]);
  });
});
