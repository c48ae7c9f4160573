import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../reference-stack/local/cloudwatch/log-store.ts';
import { MetricStore } from '../../reference-stack/local/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../reference-stack/local/cloudwatch/server.ts';
import { createLambdaRuntime } from '../../reference-stack/local/lambda/runtime.ts';
import type { LambdaRuntime } from '../../reference-stack/local/lambda/types.ts';
import { awaitInvocationsSettled } from '../../src/metrics/await-settled.ts';
import { queryWindow } from '../../src/metrics/cloudwatch-queries.ts';
import { fixture } from '../local/lambda-test-helpers.ts';

// The end of a local run waits for the stack's last invocations (the closing clients'
// $disconnects) before it pulls CloudWatch: the real runtime publishes Invocations when it
// accepts an invocation and Duration when it ends, and the real CloudWatch client reads both
// from the emulator's endpoint.

describe('awaitInvocationsSettled against the emulator', () => {
  const metrics = new MetricStore();
  let runtime: LambdaRuntime;
  let server: CloudWatchServer;
  let cloudwatch: CloudWatchClient;

  beforeAll(async () => {
    runtime = await createLambdaRuntime({
      metrics,
      logs: new LogStore(),
      cpuModel: 'off',
      functions: [
        { name: 'slow', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} },
        { name: 'init-fails', entry: fixture('init-throws.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} },
      ],
    });
    server = await startCloudWatchServer({ store: metrics, logs: new LogStore() });
    cloudwatch = new CloudWatchClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });

  afterAll(async () => {
    cloudwatch?.destroy();
    await server?.close();
    await runtime?.close();
  });

  const window = () => queryWindow({ startMs: Date.now() - 60_000, endMs: Date.now() + 60_000 }, 1, 5);

  it('waits for invocations still running, and ends once every accepted one has finished', async () => {
    let ended = 0;
    const running = [700, 900, 1_100].map((ms) => runtime.invoke('slow', { action: 'sleep', ms }).then(() => ended++));
    const settled = await awaitInvocationsSettled(cloudwatch, ['slow'], window());
    expect(ended).toBe(3);
    expect(settled).toMatchObject({ settled: true, by: 'all finished', finished: 3 });
    await Promise.all(running);
  });

  it('falls back to "nothing changed for a while" when an invocation publishes no Duration (its INIT failed)', async () => {
    const outcome = await runtime.invoke('init-fails', {});
    expect(outcome.kind).toBe('error');
    const settled = await awaitInvocationsSettled(cloudwatch, ['init-fails'], window(), { quietMs: 100, stableMs: 600, maxMs: 5_000, pollMs: 50 });
    expect(settled).toMatchObject({ settled: true, by: 'stable', finished: 0 });
  });

  it('gives up after maxMs while invocations keep arriving', async () => {
    const stop = Date.now() + 1_500;
    const keepCalling = (async () => {
      while (Date.now() < stop) await runtime.invoke('slow', { action: 'sleep', ms: 20 });
    })();
    const settled = await awaitInvocationsSettled(cloudwatch, ['slow'], window(), { quietMs: 200, stableMs: 600, maxMs: 800, pollMs: 50 });
    expect(settled.settled).toBe(false);
    expect(settled.by).toBeUndefined();
    await keepCalling;
  });
});
