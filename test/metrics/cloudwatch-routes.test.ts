import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { pullCloudWatch, type PullCloudWatchOptions } from '../../src/metrics/cloudwatch/cloudwatch-puller.ts';
import { CloudWatchResults } from '../../src/contracts/cloudwatch-schema.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { judged } from '../../src/verdict/judged.ts';
import { buildResults } from '../report/fixtures.ts';
import { awsCloudWatch, emulatorCloudWatch } from '../../src/aws/cloudwatch-source.ts';

// Per-route API Gateway metrics by discovery: a stage with detailed metrics on publishes them
// under AWS's documented set ApiId, Method, Resource, Stage (Resource = the route key). The
// emulator's CloudWatch endpoint is given those datapoints, and the puller (real SDK clients,
// ListMetrics, GetMetricData) finds the sets by ListMetrics and maps them to routes; nothing is
// asked under a set nobody listed.

const T0 = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
const API = { apiId: 'abc123', stage: 'prod' };
const STAGE = { ApiId: API.apiId, Stage: API.stage };
const route = (resource: string, method = 'MESSAGE') => ({ ...STAGE, Method: method, Resource: resource });

let store: MetricStore;
let server: CloudWatchServer;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const clients = () => ({
  cloudwatch: new CloudWatchClient({ endpoint: server.url, region: 'eu-west-1', credentials }),
  logs: new CloudWatchLogsClient({ endpoint: server.url, region: 'eu-west-1', credentials }),
});

function put(name: string, dimensions: Record<string, string>, value: number, unit: 'Count' | 'Milliseconds', atMs: number) {
  store.put({ namespace: 'AWS/ApiGateway', name, dimensions, value, unit, timestamp: T0 + atMs });
}

beforeAll(async () => {
  store = new MetricStore();
  // sendMessage: 100 messages, integration latency 1..100 ms; 2 integration errors
  for (let v = 1; v <= 100; v++) {
    for (const dims of [{ ...STAGE }, route('sendMessage')]) {
      put('MessageCount', dims, 1, 'Count', v * 100);
      put('IntegrationLatency', dims, v, 'Milliseconds', v * 100);
    }
  }
  put('IntegrationError', route('sendMessage'), 2, 'Count', 500);
  // $connect: 10 connects at 40 ms
  for (let i = 0; i < 10; i++) {
    put('ConnectCount', { ...STAGE }, 1, 'Count', 1000 + i);
    put('MessageCount', route('$connect', 'CONNECT'), 1, 'Count', 1000 + i);
    put('IntegrationLatency', route('$connect', 'CONNECT'), 40, 'Milliseconds', 1000 + i);
  }
  // another API's route must not leak in
  put('IntegrationLatency', { ApiId: 'other', Stage: 'prod', Method: 'MESSAGE', Resource: 'sendMessage' }, 5000, 'Milliseconds', 700);
  // the same API's other stage must not either
  put('IntegrationLatency', { ...route('sendMessage'), Stage: 'beta' }, 7000, 'Milliseconds', 700);
  server = await startCloudWatchServer({ store, logs: new LogStore() });
});

afterAll(async () => {
  await server?.close();
});

async function pull(kind: 'aws' | 'local', extra: Partial<PullCloudWatchOptions> = {}) {
  const c = clients();
  try {
    return CloudWatchResults.parse(
      await pullCloudWatch({
        target: kind === 'aws' ? awsCloudWatch({ region: 'eu-west-1' }) : emulatorCloudWatch({ endpoint: server.url, region: 'eu-west-1' }),
        clients: c,
        run: { startMs: T0, endMs: T0 + 5 * 60_000 },
        periodSec: 60,
        marginSec: 0,
        functions: [],
        apiGateway: API,
        reportLines: false,
        ...extra,
      }),
    );
  } finally {
    c.cloudwatch.destroy();
    c.logs.destroy();
  }
}

describe('per-route API Gateway metrics', () => {
  it('finds each route the stage published by ListMetrics (Resource = the route key): messages, errors, integration latency avg/p50/p99', async () => {
    const cw = await pull('aws');
    expect(cw.problems).toEqual([]);
    expect(Object.keys(cw.apiGatewayRoutes ?? {}).sort()).toEqual(['$connect', 'sendMessage']);
    const send = cw.apiGatewayRoutes!.sendMessage;
    expect(send.messageCount).toBe(100);
    expect(send.integrationError).toBe(2);
    expect(send.executionError).toBe(0);
    expect(send.integrationLatencyAvgMs).toBeCloseTo(50.5, 5);
    // CloudWatch percentiles are estimates; the emulator's buckets keep them within a few per cent
    expect(send.integrationLatencyP50Ms).toBeGreaterThan(45);
    expect(send.integrationLatencyP50Ms).toBeLessThan(56);
    expect(send.integrationLatencyP99Ms).toBeGreaterThan(95);
    expect(send.integrationLatencyP99Ms).toBeLessThanOrEqual(100);
    expect(cw.apiGatewayRoutes!.$connect).toMatchObject({ messageCount: 10, integrationLatencyAvgMs: 40 });
    // the stage-level totals are unchanged by the per-route queries
    expect(cw.apiGatewayTotals).toMatchObject({ connectCount: 10, messageCount: 100 });
    expect(cw.series.some((s) => s.dimensions.Resource === 'sendMessage' && s.dimensions.Method === 'MESSAGE' && s.metric === 'IntegrationLatency')).toBe(true);

    // kept in results.json and shown in the report, one row per route
    const results = buildResults({ cloudwatch: false });
    results.cloudwatch = cw;
    const html = renderHtml(judged(Results.parse(results)));
    expect(html).toContain('API Gateway by route');
    expect(html).toMatch(/<code>sendMessage<\/code><\/td><td[^>]*>100<\/td><td[^>]*>2<\/td>/);
  });

  it('reads the emulator as AWS: the same discovery, the same routes', async () => {
    const cw = await pull('local');
    expect(Object.keys(cw.apiGatewayRoutes ?? {}).sort()).toEqual(['$connect', 'sendMessage']);
    expect(cw.apiGatewayRoutes!.sendMessage.messageCount).toBe(100);
  });

  it('says so when none is listed, without claiming the stage has detailed metrics off; and says nothing when some are', async () => {
    const cw = await pull('aws', { apiGateway: { apiId: 'abc123', stage: 'nodetail' } });
    expect(cw.apiGatewayRoutes).toBeUndefined();
    expect(cw.notes.join('\n')).toContain('API Gateway per-route metrics: ListMetrics shows none for API abc123 stage nodetail');
    expect(cw.notes.join('\n')).not.toMatch(/turn detailed metrics on|enable/i);
    expect((await pull('aws')).notes.join('\n')).not.toContain('per-route');
  });
});
