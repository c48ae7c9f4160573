import { afterEach, describe, expect, it } from 'vitest';
import { createLambdaRuntime, type LambdaRuntimeOptions } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { UserError } from '../../common/errors.ts';
import { expectOk, fixture, until } from './lambda-test-helpers.ts';

/**
 * A configuration update (what UpdateFunctionConfiguration drives): the next invocations run in
 * new environments of the new configuration, cold; an invocation in flight finishes on the old
 * one; prepared environments of the old configuration are discarded.
 */
let runtime: LambdaRuntime | undefined;
let logs: LogStore;

async function start(options: Partial<LambdaRuntimeOptions> = {}): Promise<LambdaRuntime> {
  logs = new LogStore();
  runtime = await createLambdaRuntime({
    metrics: new MetricStore(),
    logs,
    cpuModel: 'off',
    functions: [{ name: 'p', entry: fixture('behaviour.ts'), memoryMB: 256, timeoutSeconds: 5, environment: { CUSTOM_VALUE: 'before' } }],
    ...options,
  });
  return runtime;
}

afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

const reports = () => logs.filter({ logGroupName: '/aws/lambda/p', filterPattern: '"REPORT RequestId"' })?.events.map((e) => e.message) ?? [];

type Echo = { calls: number; env: { memory: string; custom?: string }; context: { memoryLimitInMB: string; remainingMs: number } };

describe('Updating a function configuration', () => {
  it('retires the warm environment: the next invocation is cold, with the new memory size everywhere', async () => {
    const rt = await start();
    expect(expectOk(await rt.invoke('p', { action: 'echo' })).cold).toBe(true);
    const warm = expectOk(await rt.invoke('p', { action: 'echo' }));
    expect(warm.cold).toBe(false);
    expect(rt.stats().p.live).toBe(1);

    await rt.updateFunction('p', { memoryMB: 512, timeoutSeconds: 7, environment: { CUSTOM_VALUE: 'after' } });
    expect(rt.functionConfig('p')).toMatchObject({ memoryMB: 512, timeoutSeconds: 7, environment: { CUSTOM_VALUE: 'after' } });
    expect(rt.stats().p.live).toBe(0); // the warm one is gone

    const next = expectOk(await rt.invoke('p', { action: 'echo' }));
    expect(next.cold).toBe(true);
    expect(next.initDurationMs).toBeGreaterThan(0);
    const echo = next.result as Echo;
    expect(echo.calls).toBe(1); // a fresh module
    expect(echo.env).toMatchObject({ memory: '512', custom: 'after' });
    expect(echo.context.memoryLimitInMB).toBe('512');
    expect(echo.context.remainingMs).toBeGreaterThan(5_000); // the new 7 s timeout
    await until(() => reports().length === 3);
    expect(reports()[1]).toMatch(/\tMemory Size: 256 MB\t/);
    expect(reports()[2]).toMatch(/\tMemory Size: 512 MB\tMax Memory Used: \d+ MB\tInit Duration: /);
    expect(rt.stats().p).toMatchObject({ coldStarts: 2, live: 1 });
  });

  it('lets an invocation in flight finish on the old configuration, then retires its environment', async () => {
    const rt = await start();
    expectOk(await rt.invoke('p', { action: 'echo' }));
    const inFlight = rt.invoke('p', { action: 'sleep', ms: 400 });
    await until(() => rt.stats().p.busy === 1);
    await rt.updateFunction('p', { memoryMB: 1024 });

    const slept = expectOk(await inFlight);
    expect(slept.cold).toBe(false);
    await until(() => reports().length === 2);
    expect(reports()[1]).toMatch(/\tMemory Size: 256 MB\t/); // it ran on the old configuration
    expect(rt.stats().p.live).toBe(0); // and its environment did not go back to the pool

    const next = expectOk(await rt.invoke('p', { action: 'echo' }));
    expect(next.cold).toBe(true);
    expect((next.result as Echo).env.memory).toBe('1024');
  });

  it('discards prepared environments of the old configuration and prepares new ones before it resolves', async () => {
    const rt = await start({ preparedPerFunction: 1 });
    await rt.prepared();
    expect(rt.stats().p).toMatchObject({ prepared: 1, live: 1 });

    await rt.updateFunction('p', { memoryMB: 2048 });
    // resolved once the new configuration's prepared environment has run INIT
    expect(rt.stats().p).toMatchObject({ prepared: 1, live: 1, coldStarts: 0 });

    const first = expectOk(await rt.invoke('p', { action: 'echo' }));
    expect(first.cold).toBe(true);
    expect(rt.stats().p.preparedColdStarts).toBe(1);
    expect((first.result as Echo).env.memory).toBe('2048');
    expect((first.result as Echo).env.custom).toBe('before'); // not part of this update: kept
    await until(() => reports().length === 1);
    expect(reports()[0]).toMatch(/\tMemory Size: 2048 MB\t.*\tInit Duration: /);
  });

  it('drops an environment whose INIT started on a configuration replaced meanwhile', async () => {
    const rt = await start({ preparedPerFunction: 1 });
    await rt.prepared();
    const first = rt.updateFunction('p', { memoryMB: 512 });
    await until(() => rt.stats().p.live === 1 && rt.stats().p.prepared === 0); // the 512 MB INIT is under way
    const second = rt.updateFunction('p', { memoryMB: 768 });
    await Promise.all([first, second]);
    expect(rt.stats().p).toMatchObject({ prepared: 1, live: 1 });
    const next = expectOk(await rt.invoke('p', { action: 'echo' }));
    expect((next.result as Echo).env.memory).toBe('768');
  });

  it('refuses a memory size Lambda does not allow, and an unknown function', async () => {
    const rt = await start();
    await expect(rt.updateFunction('p', { memoryMB: 100 })).rejects.toThrow(UserError);
    await expect(rt.updateFunction('p', { memoryMB: 10_241 })).rejects.toThrow(/memoryMB/);
    await expect(rt.updateFunction('nope', { memoryMB: 512 })).rejects.toThrow(/Function not found: nope/);
    expect(rt.functionConfig('p')?.memoryMB).toBe(256);
  });
});
