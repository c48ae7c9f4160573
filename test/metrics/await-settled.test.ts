import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { startCloudWatchServer, type CloudWatchServer } from '../../emulator/cloudwatch/server.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { awaitInvocationsSettled } from '../../src/metrics/cloudwatch/await-settled.ts';
import { pullCloudWatch } from '../../src/metrics/cloudwatch/cloudwatch-puller.ts';
import { fixture } from '../emulator/lambda-test-helpers.ts';
import { emulatorCloudWatch } from '../../src/aws/cloudwatch-source.ts';

// The end of a local run waits for the stack's last invocations (the closing clients'
// $disconnects) before it pulls CloudWatch: the real runtime publishes Invocations when it
// accepts an invocation and Duration when it ends, and the real CloudWatch client reads both
// from the emulator's endpoint.

describe('awaitInvocationsSettled against the emulator', () => {
  const metrics = new MetricStore();
  const logs = new LogStore();
  let runtime: LambdaRuntime;
  let server: CloudWatchServer;
  let cloudwatch: CloudWatchClient;

  beforeAll(async () => {
    runtime = await createLambdaRuntime({
      metrics,
      logs,
      cpuModel: 'off',
      functions: [
        { name: 'slow', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} },
        { name: 'init-fails', entry: fixture('init-throws.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} },
      ],
    });
    server = await startCloudWatchServer({ store: metrics, logs });
    cloudwatch = new CloudWatchClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });

  afterAll(async () => {
    cloudwatch?.destroy();
    await server?.close();
    await runtime?.close();
  });

  const since = () => Date.now() - 60_000;

  it('waits for invocations still running, and ends once every accepted one has finished', async () => {
    let ended = 0;
    const running = [700, 900, 1_100].map((ms) => runtime.invoke('slow', { action: 'sleep', ms }).then(() => ended++));
    const settled = await awaitInvocationsSettled(cloudwatch, ['slow'], since());
    expect(ended).toBe(3);
    expect(settled).toMatchObject({ settled: true, by: 'all finished', finished: 3 });
    await Promise.all(running);
  });

  it('counts work that ends after the run window: the pull waits for it and widens the window', async () => {
    await runtime.invoke('slow', { action: 'sleep', ms: 0 }); // warm: the late one below is all handler
    // The run starts on a fresh second, after every earlier invocation: the window (aligned down to
    // the second) could otherwise hold an earlier one's REPORT line (written when it ended) but not
    // its Invocations (counted when it was accepted), and the two counts below would differ.
    await new Promise((r) => setTimeout(r, 1_010 - (Date.now() % 1_000)));
    const run = { startMs: Date.now(), endMs: Date.now() };
    const late = runtime.invoke('slow', { action: 'sleep', ms: 1_200 }); // ends past the run's window (margin 0: the next whole second)
    const cw = await pullCloudWatch({ target: emulatorCloudWatch({ endpoint: server.url, region: 'us-east-1' }), run, functions: ['slow'], marginSec: 0 });
    await late;
    expect(cw.problems).toEqual([]);
    expect(cw.window.endMs).toBeGreaterThanOrEqual(run.endMs + 1_200);
    expect(cw.lambda.slow.invocations).toBeGreaterThanOrEqual(1);
    expect(cw.reports.slow.invocations).toBe(cw.lambda.slow.invocations); // every REPORT line, the late one too
  });

  it('falls back to "nothing changed for a while" when an invocation publishes no Duration (its INIT failed)', async () => {
    const outcome = await runtime.invoke('init-fails', {});
    expect(outcome.kind).toBe('error');
    const settled = await awaitInvocationsSettled(cloudwatch, ['init-fails'], since(), { quietMs: 100, stableMs: 600, maxMs: 5_000, pollMs: 50 });
    expect(settled).toMatchObject({ settled: true, by: 'stable', finished: 0 });
  });

  it('gives up after maxMs while invocations keep arriving', async () => {
    const stop = Date.now() + 1_500;
    const keepCalling = (async () => {
      while (Date.now() < stop) await runtime.invoke('slow', { action: 'sleep', ms: 20 });
    })();
    const settled = await awaitInvocationsSettled(cloudwatch, ['slow'], since(), { quietMs: 200, stableMs: 600, maxMs: 800, pollMs: 50 });
    expect(settled.settled).toBe(false);
    expect(settled.by).toBeUndefined();
    await keepCalling;
  });
});
