import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { expectError, expectOk, fixture, until } from './lambda-test-helpers.ts';

const STREAM = /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/;
const REPORT = /^REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d{2} ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d{2} ms\t)?$/;

describe('Lambda runtime: environments, errors, logs and metrics', () => {
  let runtime: LambdaRuntime;
  const metrics = new MetricStore();
  const logs = new LogStore();

  beforeAll(async () => {
    runtime = await createLambdaRuntime({
      metrics,
      logs,
      cpuModel: 'off',
      initConcurrency: 3, // concurrent cold starts here test AWS's semantics, not host scheduling
      functions: [
        { name: 'echo', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, environment: { CUSTOM_VALUE: 'from-config' } },
        { name: 'concurrent', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} },
        { name: 'slow', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 0.3, environment: {} },
        // 60 s: running out of memory ends in V8's last GCs near the heap limit, seconds on a busy
        // host (and more in CI's pinned-Node lanes, at nice 10 beside the main suite); what is
        // tested is how it ends, not how soon (the time-out has a case of its own).
        { name: 'errors', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 60, environment: {} },
        { name: 'init-fails', entry: fixture('init-throws.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} },
        { name: 'emf', entry: fixture('powertools-emf.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} },
        { name: 'sdk', entry: fixture('sdk-clients.ts'), memoryMB: 512, timeoutSeconds: 10, environment: { AWS_REGION: 'ignored' } },
      ],
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  /** An invocation's REPORT line, once written. */
  const reportOf = async (fn: string, requestId: string): Promise<string> =>
    (await until(() => logs.filter({ logGroupName: `/aws/lambda/${fn}`, filterPattern: `"REPORT RequestId: ${requestId}"` })?.events[0])).message;

  it('starts cold, then reuses the warm environment', async () => {
    const first = expectOk(await runtime.invoke('echo', { action: 'echo' }));
    expect(first.cold).toBe(true);
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(first.billedDurationMs).toBe(Math.ceil(first.durationMs + (first.initDurationMs ?? 0)));
    expect(first.hostCapWaitMs).toBe(0);
    const second = expectOk(await runtime.invoke('echo', { action: 'echo' }));
    expect(second.cold).toBe(false);
    expect(second.initDurationMs).toBeUndefined();
    expect(second.billedDurationMs).toBe(Math.ceil(second.durationMs));
    const a = first.result as { calls: number; loadedAt: number };
    const b = second.result as { calls: number; loadedAt: number };
    expect([a.calls, b.calls]).toEqual([1, 2]); // module state survives: same environment
    expect(b.loadedAt).toBe(a.loadedAt);
    expect(runtime.stats().echo).toMatchObject({ live: 1, busy: 0, coldStarts: 1, invocations: 2 });
  });

  it('gives the handler Lambda environment variables, its own and a Lambda context', async () => {
    const out = expectOk(await runtime.invoke('echo', { action: 'echo' }));
    const r = out.result as { env: Record<string, string | undefined>; context: Record<string, unknown> };
    expect(r.env).toMatchObject({
      functionName: 'echo',
      custom: 'from-config',
      memory: '256',
      version: '$LATEST',
      region: 'us-east-1',
      defaultRegion: 'us-east-1',
      group: '/aws/lambda/echo',
      executionEnv: 'AWS_Lambda_nodejs22.x', // the default runtime, as the CDK app deploys
      initType: 'on-demand',
      handler: 'index.handler',
    });
    expect(r.env.stream).toMatch(STREAM);
    expect(r.env.accessKey).toBe('local'); // dummy credentials, as Lambda injects the role's
    expect(r.env.path).toBeUndefined(); // the host's environment does not leak in
    expect(r.context).toMatchObject({
      functionName: 'echo',
      functionVersion: '$LATEST',
      memoryLimitInMB: '256',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
      awsRequestId: out.requestId,
      logGroupName: '/aws/lambda/echo',
      logStreamName: r.env.stream,
    });
    expect(r.context.remainingMs).toBeGreaterThan(4_000);
    expect(r.context.remainingMs).toBeLessThanOrEqual(5_000);
  });

  it('runs concurrent invocations in separate environments', async () => {
    const outs = await Promise.all([1, 2, 3].map(() => runtime.invoke('concurrent', { action: 'sleep', ms: 300 })));
    const oks = outs.map(expectOk);
    expect(oks.every((o) => o.cold)).toBe(true);
    expect(new Set(oks.map((o) => (o.result as { stream: string }).stream)).size).toBe(3);
    expect(runtime.stats().concurrent).toMatchObject({ live: 3, busy: 0, coldStarts: 3 });
    const again = expectOk(await runtime.invoke('concurrent', { action: 'sleep', ms: 1 }));
    expect(again.cold).toBe(false);
  });

  it('times out with Sandbox.Timedout and discards the environment', async () => {
    const out = expectError(await runtime.invoke('slow', { action: 'sleep', ms: 5_000 }));
    expect(out.errorType).toBe('Sandbox.Timedout');
    expect(out.errorMessage).toBe('Task timed out after 0.30 seconds');
    expect(out.durationMs).toBe(300);
    expect(runtime.stats().slow).toMatchObject({ live: 0, timeouts: 1, errors: 1 });
    const next = expectOk(await runtime.invoke('slow', { action: 'sleep', ms: 1 }));
    expect(next.cold).toBe(true);
    const report = logs.filter({ logGroupName: '/aws/lambda/slow', filterPattern: '"Status: timeout"' })!.events;
    expect(report).toHaveLength(1);
    // It was the environment's first invocation: a cold start that timed out still has its Init Duration,
    // billed from the unrounded INIT the outcome carries (the line prints it to two decimals)
    const init = out.initDurationMs!;
    expect(report[0].message).toMatch(/^REPORT RequestId: \S+\tDuration: 300.00 ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\tStatus: timeout\t$/);
    expect(report[0].message).toContain(`Init Duration: ${init.toFixed(2)} ms`);
    expect(report[0].message).toContain(`Billed Duration: ${Math.ceil(300 + init)} ms`);
    expect(await reportOf('slow', next.requestId)).toContain('Init Duration');
    expect(logs.filter({ logGroupName: '/aws/lambda/slow', filterPattern: '"Task timed out after 0.30 seconds"' })!.events).toHaveLength(1);
  });

  it('reports a handler error and keeps the environment warm', async () => {
    const warm = expectOk(await runtime.invoke('errors', { action: 'echo' }));
    expect(warm.cold).toBe(true);
    const out = expectError(await runtime.invoke('errors', { action: 'throw', message: 'room is full' }));
    expect(out).toMatchObject({ errorType: 'ChatError', errorMessage: 'room is full', cold: false });
    const after = expectOk(await runtime.invoke('errors', { action: 'echo' }));
    expect(after.cold).toBe(false);
    expect(runtime.stats().errors).toMatchObject({ live: 1, coldStarts: 1, errors: 1 });
    const logged = await until(() => logs.filter({ logGroupName: '/aws/lambda/errors', filterPattern: '"Invoke Error"' })!.events[0]);
    expect(logged.message).toContain(`\t${out.requestId}\tERROR\tInvoke Error \t{"errorType":"ChatError","errorMessage":"room is full"`);
  });

  it('reports a crashed environment as Runtime.ExitError and discards it', async () => {
    expectOk(await runtime.invoke('errors', { action: 'echo' }));
    const out = expectError(await runtime.invoke('errors', { action: 'exit' }));
    expect(out.errorType).toBe('Runtime.ExitError');
    expect(out.errorMessage).toContain('exit status 3');
    expect(runtime.stats().errors.live).toBe(0);
    const next = expectOk(await runtime.invoke('errors', { action: 'echo' }));
    expect(next.cold).toBe(true);
    expect(await reportOf('errors', next.requestId)).toContain('Init Duration');
  });

  it('reports running out of memory as Runtime.ExitError with the memory size used', { timeout: 120_000 }, async () => {
    const out = expectError(await runtime.invoke('errors', { action: 'oom' }));
    expect(out.errorType).toBe('Runtime.ExitError');
    expect(out.errorMessage).toContain('memory limit');
    expect(runtime.stats().errors.live).toBe(0);
    expect(await reportOf('errors', out.requestId)).toContain('Memory Size: 256 MB\tMax Memory Used: 256 MB\tStatus: error\tError Type: Runtime.ExitError\t');
    const next = expectOk(await runtime.invoke('errors', { action: 'echo' }));
    expect(next.cold).toBe(true);
    expect(await reportOf('errors', next.requestId)).toContain('Init Duration');
  });

  it('reports an INIT failure with the error and an INIT_REPORT line', async () => {
    const out = expectError(await runtime.invoke('init-fails', {}));
    expect(out).toMatchObject({ errorType: 'Error', errorMessage: 'MISSING_TABLE is not set', cold: true });
    expect(out.initDurationMs).toBeGreaterThanOrEqual(0);
    expect(runtime.stats()['init-fails'].live).toBe(0);
    const lines = await until(() => {
      const events = logs.filter({ logGroupName: '/aws/lambda/init-fails' })?.events ?? [];
      return events.length >= 2 && events;
    });
    expect(lines[0].message).toMatch(/\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Error","errorMessage":"MISSING_TABLE is not set"/);
    expect(lines[1].message).toMatch(/^INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: init\tStatus: error\tError Type: Error\t$/);
    // The invocation has its REPORT line too, as on Lambda: one per invocation, whatever failed.
    await reportOf('init-fails', out.requestId);
    expect(logs.filter({ logGroupName: '/aws/lambda/init-fails' })!.events.slice(2).map((e) => e.message)).toEqual([
      `START RequestId: ${out.requestId} Version: $LATEST`,
      `END RequestId: ${out.requestId}`,
      expect.stringMatching(new RegExp(`^REPORT RequestId: ${out.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: 0 MB\\tStatus: error\\tError Type: Error\\t$`)),
    ]);
  });

  it('writes START, function output, END and REPORT lines in order, Init Duration only when cold', async () => {
    const group = '/aws/lambda/echo';
    const out = expectOk(await runtime.invoke('echo', { action: 'log' }));
    const events = await until(() => {
      const all = logs.filter({ logGroupName: group })!.events;
      return all.some((e) => e.message.startsWith(`REPORT RequestId: ${out.requestId}`)) && all;
    });
    const reports = events.filter((e) => e.message.startsWith('REPORT '));
    expect(reports.length).toBe(runtime.stats().echo.invocations);
    for (const r of reports) expect(r.message).toMatch(REPORT);
    expect(reports.filter((r) => r.message.includes('Init Duration')).length).toBe(1);
    expect(reports[0].message).toContain('Init Duration');

    const mine = events.filter((e) => e.message.includes(out.requestId) || e.message === 'raw stdout line');
    expect(mine.map((e) => e.message.replace(/^\S+\t/, 'T\t'))).toEqual([
      `START RequestId: ${out.requestId} Version: $LATEST`,
      `T\t${out.requestId}\tINFO\thello from echo { calls: 4 }`,
      `T\t${out.requestId}\tERROR\ttwo\rlines`,
      'raw stdout line',
      `END RequestId: ${out.requestId}`,
      expect.stringMatching(new RegExp(`^REPORT RequestId: ${out.requestId}\\t`)) as unknown as string,
    ]);
    expect(new Set(mine.map((e) => e.logStreamName)).size).toBe(1);
  });

  it('turns EMF printed by Powertools Metrics into data points', async () => {
    expectOk(await runtime.invoke('emf', { recipients: 8 }));
    expectOk(await runtime.invoke('emf', { recipients: 4 }));
    const q = (metricName: string, stat: string) =>
      metrics.query({
        namespace: 'fanout-test',
        metricName,
        dimensions: { service: 'chat' },
        stat,
        periodSeconds: 60,
        startTime: Date.now() - 120_000,
        endTime: Date.now() + 60_000,
      });
    const recipients = await until(() => {
      const points = q('Recipients', 'Sum');
      return points.reduce((s, p) => s + p.value, 0) === 12 && points;
    });
    expect(recipients.length).toBeGreaterThan(0);
    expect(q('FanoutMs', 'SampleCount').reduce((s, p) => s + p.value, 0)).toBe(4);
    expect(q('FanoutMs', 'Maximum').every((p) => p.value === 30)).toBe(true);
  });

  it('publishes AWS/Lambda Invocations, Errors, Duration and ConcurrentExecutions', async () => {
    const q = (metricName: string, stat: string, fn: string) =>
      metrics
        .query({ namespace: 'AWS/Lambda', metricName, dimensions: { FunctionName: fn }, stat, periodSeconds: 60, startTime: Date.now() - 600_000, endTime: Date.now() + 60_000 })
        .reduce((acc, p) => (stat === 'Maximum' ? Math.max(acc, p.value) : acc + p.value), 0);
    const stats = runtime.stats();
    expect(q('Invocations', 'Sum', 'echo')).toBe(stats.echo.invocations);
    expect(q('Duration', 'SampleCount', 'echo')).toBe(stats.echo.invocations);
    expect(q('Errors', 'Sum', 'errors')).toBe(stats.errors.errors);
    expect(q('Errors', 'Sum', 'slow')).toBe(1);
    expect(q('ConcurrentExecutions', 'Maximum', 'concurrent')).toBe(3);
  });

  it('bundles the AWS SDK and Powertools into the function (CommonJS parts included)', async () => {
    const out = expectOk(await runtime.invoke('sdk', {}));
    expect(out.result).toEqual({ region: 'us-east-1', endpoint: '127.0.0.1:9/local' });
    expect(out.initDurationMs).toBeGreaterThan(out.durationMs / 10);
  });
});

describe('Lambda runtime: reaping idle environments', () => {
  let runtime: LambdaRuntime;

  beforeAll(async () => {
    runtime = await createLambdaRuntime({
      metrics: new MetricStore(),
      logs: new LogStore(),
      idleReapMs: 200,
      cpuModel: 'off',
      functions: [{ name: 'reaped', entry: fixture('behaviour.ts'), memoryMB: 128, timeoutSeconds: 5, environment: {} }],
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('reaps an idle environment so the next invocation is cold again', async () => {
    expect(expectOk(await runtime.invoke('reaped', { action: 'echo' })).cold).toBe(true);
    await until(() => runtime.stats().reaped.live === 0, 5_000);
    expect(expectOk(await runtime.invoke('reaped', { action: 'echo' })).cold).toBe(true);
    expect(runtime.stats().reaped.coldStarts).toBe(2);
  });
});

describe('Lambda runtime: close', () => {
  it('ends pending invocations and stops every worker; the cached bundles stay for the next stack', async () => {
    const rt = await createLambdaRuntime({
      metrics: new MetricStore(),
      logs: new LogStore(),
      functions: [{ name: 'closing', entry: fixture('behaviour.ts'), memoryMB: 128, timeoutSeconds: 60, environment: {} }],
    });
    const echo = expectOk(await rt.invoke('closing', { action: 'echo' }));
    const bundleDir = dirname(dirname(dirname(fileURLToPath((echo.result as { bundleUrl: string }).bundleUrl))));
    expect(bundleDir).toContain(join('.cache', 'bundles'));
    const pending = rt.invoke('closing', { action: 'sleep', ms: 30_000 });
    await until(() => rt.stats().closing.busy === 1);
    const started = performance.now();
    await rt.close();
    const out = expectError(await pending);
    expect(out.errorType).toBe('Runtime.ExitError');
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(existsSync(join(bundleDir, 'functions', 'closing', 'index.js'))).toBe(true);
    expect(rt.stats().closing).toMatchObject({ live: 0, busy: 0 });
    await expect(rt.invoke('closing', { action: 'echo' })).rejects.toThrow(/closed/);
  });
});

describe('Lambda runtime: options', () => {
  it('rejects a bad option with a one-line message naming the field', async () => {
    const base = { metrics: new MetricStore(), logs: new LogStore() };
    await expect(
      createLambdaRuntime({ ...base, functions: [{ name: 'x', entry: fixture('behaviour.ts'), memoryMB: 64, timeoutSeconds: 3 }] }),
    ).rejects.toThrow(/functions\[0\]\.memoryMB/);
    await expect(
      createLambdaRuntime({ ...base, functions: [{ name: 'x', entry: fixture('nope.ts'), memoryMB: 128, timeoutSeconds: 3 }] }),
    ).rejects.toThrow(/functions\[0\]\.entry: no such file/);
    await expect(
      createLambdaRuntime({
        ...base,
        accountConcurrency: 10,
        functions: [{ name: 'x', entry: fixture('behaviour.ts'), memoryMB: 128, timeoutSeconds: 3, reservedConcurrency: 11 }],
      }),
    ).rejects.toThrow(/reserved 11 exceeds accountConcurrency 10/);
  });
});
