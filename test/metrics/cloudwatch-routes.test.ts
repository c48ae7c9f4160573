import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../reference-stack/local/cloudwatch/log-store.ts';
import { MetricStore } from '../../reference-stack/local/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../reference-stack/local/cloudwatch/server.ts';
import { pullCloudWatch, type PullCloudWatchOptions } from '../../src/metrics/cloudwatch/cloudwatch-puller.ts';
import { CloudWatchResults } from '../../src/metrics/cloudwatch/cloudwatch-schema.ts';
import { Results } from '../../src/metrics/results/results-schema.ts';
import { renderHtml } from '../../src/report/html.ts';
import { judged } from '../../src/verdict/judged.ts';
import { buildResults } from '../report/fixtures.ts';
import { awsCloudWatch, emulatorCloudWatch } from '../../src/targets/cloudwatch-source.ts';

// Per-route API Gateway metrics (a stage with detailed metrics on publishes them with the
// dimensions ApiId, Stage, Route). The emulator publishes only the stage-level set, so its
// CloudWatch endpoint is given the datapoints AWS would publish, and the puller (real SDK
// clients, GetMetricData) is pointed at it as if it were AWS.

const T0 = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
const API = { apiId: 'abc123', stage: 'prod' };
const STAGE = { ApiId: API.apiId, Stage: API.stage };
const ROUTES = ['$connect', 'sendMessage', 'joinRoom'];

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
    for (const dims of [{ ...STAGE }, { ...STAGE, Route: 'sendMessage' }]) {
      put('MessageCount', dims, 1, 'Count', v * 100);
      put('IntegrationLatency', dims, v, 'Milliseconds', v * 100);
    }
  }
  put('IntegrationError', { ...STAGE, Route: 'sendMessage' }, 2, 'Count', 500);
  // $connect: 10 connects at 40 ms
  for (let i = 0; i < 10; i++) {
    put('ConnectCount', { ...STAGE }, 1, 'Count', 1000 + i);
    put('MessageCount', { ...STAGE, Route: '$connect' }, 1, 'Count', 1000 + i);
    put('IntegrationLatency', { ...STAGE, Route: '$connect' }, 40, 'Milliseconds', 1000 + i);
  }
  // another API's route must not leak in
  put('IntegrationLatency', { ApiId: 'other', Stage: 'prod', Route: 'sendMessage' }, 5000, 'Milliseconds', 700);
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
        routes: ROUTES,
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
  it('on AWS, pulls each route the stage published: messages, errors, integration latency avg/p50/p99', async () => {
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
    expect(cw.series.some((s) => s.dimensions.Route === 'sendMessage' && s.metric === 'IntegrationLatency')).toBe(true);

    // kept in results.json and shown in the report, one row per route
    const results = buildResults({ cloudwatch: false });
    results.cloudwatch = cw;
    const html = renderHtml(judged(Results.parse(results)));
    expect(html).toContain('API Gateway by route');
    expect(html).toMatch(/<code>sendMessage<\/code><\/td><td[^>]*>100<\/td><td[^>]*>2<\/td>/);
  });

  it('against the emulator, asks nothing per route (it publishes stage-level metrics only)', async () => {
    const cw = await pull('local');
    expect(cw.apiGatewayRoutes).toBeUndefined();
    expect(cw.series.some((s) => s.dimensions.Route !== undefined)).toBe(false);
  });

  it('says so when the stage published no per-route metrics (detailed metrics off)', async () => {
    const cw = await pull('aws', { apiGateway: { apiId: 'abc123', stage: 'nodetail' } });
    expect(cw.apiGatewayRoutes).toBeUndefined();
    expect(cw.notes.join('\n')).toContain('API Gateway published no per-route metrics for this stage');
  });
});
