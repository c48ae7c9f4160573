import { afterEach, describe, expect, it } from 'vitest';
import { functionEnvironmentCap } from '../../emulator/lambda/pool/function-environment-cap.ts';
import { createLambdaRuntime, type LambdaRuntimeOptions } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { expectError, expectOk, fixture, until } from './lambda-test-helpers.ts';

/**
 * Prepared environments: INIT runs before a cold start needs it, the cold start is still a cold
 * start (Init Duration on REPORT, the cold flag), and the client is charged that INIT's duration.
 */
let runtime: LambdaRuntime | undefined;
let logs: LogStore;

async function start(options: Partial<LambdaRuntimeOptions>): Promise<LambdaRuntime> {
  logs = new LogStore();
  runtime = await createLambdaRuntime({
    metrics: new MetricStore(),
    logs,
    cpuModel: 'off',
    functions: [{ name: 'p', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, environment: {} }],
    ...options,
  });
  return runtime;
}

afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

const reportLines = () => logs.filter({ logGroupName: '/aws/lambda/p', filterPattern: '"REPORT RequestId"' })?.events.map((e) => e.message) ?? [];

describe('Prepared execution environments', () => {
  it('runs INIT before it is needed, yet reports the first invocation cold with that Init Duration', async () => {
    const rt = await start({ preparedPerFunction: 1 });
    await rt.prepared();
    expect(rt.stats().p).toMatchObject({ live: 1, prepared: 1, coldStarts: 0, invocations: 0 });

    const t0 = performance.now();
    const first = expectOk(await rt.invoke('p', { action: 'echo' }));
    const elapsed = performance.now() - t0;
    expect(first.cold).toBe(true);
    expect(first.initDurationMs).toBeGreaterThan(0);
    // The INIT that ran earlier is charged to this invocation: the caller waited at least as long.
    expect(elapsed).toBeGreaterThanOrEqual(first.initDurationMs! + first.durationMs - 1);
    expect((first.result as { calls: number }).calls).toBe(1); // a fresh module: its first invocation
    expect(first.billedDurationMs).toBe(Math.ceil(first.durationMs + first.initDurationMs!));
    await until(() => reportLines().length === 1);
    expect(reportLines()[0]).toContain(`\tInit Duration: ${first.initDurationMs!.toFixed(2)} ms\t`);
    expect(rt.stats().p).toMatchObject({ coldStarts: 1, preparedColdStarts: 1, hostCapWaits: 0 });

    // The pool is refilled; the used environment is now warm and preferred over a prepared one.
    await until(() => rt.stats().p.prepared === 1);
    const second = expectOk(await rt.invoke('p', { action: 'echo' }));
    expect(second.cold).toBe(false);
    expect((second.result as { calls: number }).calls).toBe(2);
    expect(rt.stats().p).toMatchObject({ live: 2, prepared: 1, coldStarts: 1 });
  });

  it('gives concurrency beyond the warm pool a cold start, as AWS does', async () => {
    const rt = await start({ preparedPerFunction: 2 });
    await rt.prepared();
    expectOk(await rt.invoke('p', { action: 'echo' })); // one warm environment now
    const both = await Promise.all([rt.invoke('p', { action: 'sleep', ms: 150 }), rt.invoke('p', { action: 'sleep', ms: 150 })]);
    expect(both.map((o) => expectOk(o).cold).sort()).toEqual([false, true]);
    expect(rt.stats().p).toMatchObject({ coldStarts: 2, preparedColdStarts: 2 });
  });

  it('is cold again after reaping, though prepared environments were waiting', async () => {
    const rt = await start({ preparedPerFunction: 1, idleReapMs: 200 });
    await rt.prepared();
    expect(expectOk(await rt.invoke('p', { action: 'echo' })).cold).toBe(true);
    await until(() => rt.stats().p.live === 1 && rt.stats().p.prepared === 1, 5_000); // used one reaped, spare kept
    const again = expectOk(await rt.invoke('p', { action: 'echo' }));
    expect(again.cold).toBe(true);
    expect(again.initDurationMs).toBeGreaterThan(0);
    expect(rt.stats().p.coldStarts).toBe(2);
  });

  it('without a prepared environment, runs INIT inside the cold invocation and charges nothing extra', async () => {
    const rt = await start({ preparedPerFunction: 0 });
    await rt.prepared();
    expect(rt.stats().p).toMatchObject({ live: 0, prepared: 0 });
    const out = expectOk(await rt.invoke('p', { action: 'echo' }));
    expect(out).toMatchObject({ cold: true, hostCapWaitMs: 0 });
    expect(rt.stats().p).toMatchObject({ coldStarts: 1, preparedColdStarts: 0 });
  });

  it('reports an INIT failure on invocation and stops preparing for a function whose INIT fails', async () => {
    const rt = await start({
      preparedPerFunction: 2,
      functions: [{ name: 'broken', entry: fixture('init-throws.ts'), memoryMB: 128, timeoutSeconds: 5, environment: {} }],
    });
    await rt.prepared(); // resolves although INIT failed: nothing more to wait for
    expect(rt.stats().broken).toMatchObject({ live: 0, prepared: 0 });
    const out = expectError(await rt.invoke('broken', {}));
    expect(out.errorMessage).toContain('MISSING_TABLE is not set');
    expect(out.cold).toBe(true);
    expect(rt.stats().broken).toMatchObject({ live: 0, prepared: 0, coldStarts: 1, errors: 1 });
  });

  it('prepares no more than the host cap allows the function, and is ready then', async () => {
    const cap = functionEnvironmentCap(1769, 1); // on this host, at a full vCPU share
    const rt = await start({
      preparedPerFunction: cap + 2,
      hostEnvironmentsPerCore: 1,
      functions: [{ name: 'p', entry: fixture('behaviour.ts'), memoryMB: 1769, timeoutSeconds: 5, environment: {} }],
    });
    const ready = await Promise.race([rt.prepared().then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
    expect(ready).toBe(true);
    expect(rt.stats().p).toMatchObject({ live: cap, prepared: cap });
    // Every one of them serves: `cap` invocations at once, each a cold start on a prepared environment.
    const outcomes = await Promise.all(Array.from({ length: cap }, () => rt.invoke('p', { action: 'echo' })));
    for (const o of outcomes) expect(expectOk(o).cold).toBe(true);
    expect(rt.stats().p).toMatchObject({ coldStarts: cap, preparedColdStarts: cap, hostCapWaits: 0 });
  });

  it('runs at most initConcurrency INITs at once (prepared() alone, at start-up, may use every core)', async () => {
    const rt = await start({ preparedPerFunction: 3, initConcurrency: 1 });
    const seen: number[] = [];
    await until(() => {
      const s = rt.stats().p;
      seen.push(s.live - s.prepared); // environments started but not yet prepared
      return s.prepared === 3;
    }, 10_000, 2);
    expect(rt.stats().p.prepared).toBe(3);
    expect(Math.max(...seen)).toBe(1);
  });
});
