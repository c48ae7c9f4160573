import { afterEach, describe, expect, it } from 'vitest';
import { createLambdaRuntime, type LambdaRuntimeOptions } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import type { InvokeOutcome, LambdaRuntime } from '../../emulator/lambda/types.ts';
import { functionEnvironmentCap } from '../../emulator/lambda/pool/function-environment-cap.ts';
import { expectOk, fixture } from './lambda-test-helpers.ts';

type Fn = LambdaRuntimeOptions['functions'][number];
const fn = (name: string, extra: Partial<Fn> = {}): Fn => ({
  name,
  entry: fixture('behaviour.ts'),
  memoryMB: 128,
  timeoutSeconds: 10,
  environment: {},
  ...extra,
});
const sleep = (ms: number) => ({ action: 'sleep', ms });

let runtime: LambdaRuntime | undefined;
let metrics: MetricStore;

async function start(options: Omit<LambdaRuntimeOptions, 'metrics' | 'logs'>): Promise<LambdaRuntime> {
  metrics = new MetricStore();
  runtime = await createLambdaRuntime({ metrics, logs: new LogStore(), cpuModel: 'off', ...options });
  return runtime;
}

afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

function kinds(outs: InvokeOutcome[]): string[] {
  return outs.map((o) => (o.kind === 'throttled' ? `throttled:${o.reason}` : o.kind)).sort();
}

function throttlesMetric(name: string): number {
  return metrics
    .query({ namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: { FunctionName: name }, stat: 'Sum', periodSeconds: 60, startTime: Date.now() - 300_000, endTime: Date.now() + 60_000 })
    .reduce((s, p) => s + p.value, 0);
}

function maxConcurrency(dimensions: Record<string, string>): number {
  const points = metrics.query({ namespace: 'AWS/Lambda', metricName: 'ConcurrentExecutions', dimensions, stat: 'Maximum', periodSeconds: 60, startTime: Date.now() - 300_000, endTime: Date.now() + 60_000 });
  return Math.max(...points.map((p) => p.value));
}

describe('Lambda throttling', () => {
  it('throttles beyond reserved concurrency 1', async () => {
    const rt = await start({ functions: [fn('r1', { reservedConcurrency: 1 })] });
    const outs = await Promise.all([rt.invoke('r1', sleep(300)), rt.invoke('r1', sleep(300))]);
    expect(kinds(outs)).toEqual(['ok', 'throttled:reserved-concurrency']);
    expect(rt.stats().r1).toMatchObject({ throttles: 1, invocations: 1, live: 1 });
    expect(throttlesMetric('r1')).toBe(1);
    // Once the first finished, the next one runs.
    expectOk(await rt.invoke('r1', sleep(1)));
  });

  it('always throttles reserved concurrency 0', async () => {
    const rt = await start({ functions: [fn('r0', { reservedConcurrency: 0 })] });
    const out = await rt.invoke('r0', sleep(1));
    expect(out).toMatchObject({ kind: 'throttled', reason: 'reserved-concurrency' });
    expect(rt.stats().r0).toMatchObject({ live: 0, invocations: 0, throttles: 1 });
  });

  it('shares the unreserved account concurrency between functions', async () => {
    // Account 3, "a" reserves 1: unreserved functions share the other 2.
    const rt = await start({ accountConcurrency: 3, functions: [fn('a', { reservedConcurrency: 1 }), fn('b'), fn('c')] });
    const outs = await Promise.all([rt.invoke('b', sleep(300)), rt.invoke('c', sleep(300)), rt.invoke('b', sleep(300)), rt.invoke('a', sleep(300))]);
    expect(kinds(outs)).toEqual(['ok', 'ok', 'ok', 'throttled:account-concurrency']);
    expect(outs[2]).toMatchObject({ kind: 'throttled', reason: 'account-concurrency' });
    expect(outs[3].kind).toBe('ok'); // a's reserved slot is not taken by b or c
    expect(throttlesMetric('b')).toBe(1);
  });

  it('limits new environments per function by the scaling rate', async () => {
    const rt = await start({ scalingRate: { environments: 2, perMs: 600_000 }, functions: [fn('s')] });
    const outs = await Promise.all([1, 2, 3].map(() => rt.invoke('s', sleep(300))));
    expect(kinds(outs)).toEqual(['ok', 'ok', 'throttled:scaling-rate']);
    // Warm environments need no new tokens.
    const warm = await Promise.all([rt.invoke('s', sleep(1)), rt.invoke('s', sleep(1))]);
    expect(warm.map((o) => expectOk(o).cold)).toEqual([false, false]);
    expect(rt.stats().s.coldStarts).toBe(2);
  });

  it('throttles the forced share', async () => {
    const rt = await start({ functions: [fn('f', { forceThrottle: 1 })] });
    expect(await rt.invoke('f', sleep(1))).toMatchObject({ kind: 'throttled', reason: 'forced' });
  });

  it('adds the configured latency before the invocation', async () => {
    const rt = await start({ functions: [fn('late', { addedLatencyMs: 150 })] });
    const t0 = performance.now();
    const out = expectOk(await rt.invoke('late', sleep(1)));
    // a timer may end up to 1 ms early as performance.now() sees it (timers count from the loop's cached clock)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(149);
    expect(out.durationMs).toBeLessThan(150); // not part of the function's Duration
  });
});

describe("Host cap on one function's environments (not an AWS quota)", () => {
  it('is what the cores keep busy at the function\'s CPU share, at least 4, none when 0', () => {
    expect(functionEnvironmentCap(1024, 2, 2)).toBe(7); // 2 × 2 cores ÷ (1024 / 1769)
    expect(functionEnvironmentCap(256, 2, 2)).toBe(28);
    expect(functionEnvironmentCap(1769, 1, 2)).toBe(4); // the floor
    expect(functionEnvironmentCap(10_240, 2, 64)).toBe(128); // above one vCPU the share stays 1
    expect(functionEnvironmentCap(128, 0, 2)).toBe(Infinity);
  });

  it('serves invocations past the cap with the function\'s own environments as they free up', async () => {
    // 0.01 per core: the floor of 4 environments, whatever this machine's cores; INITs all at once,
    // so only the cap holds invocations back.
    const rt = await start({ hostEnvironmentsPerCore: 0.01, initConcurrency: 8, functions: [fn('c', { memoryMB: 1769 })] });
    const outs = (await Promise.all(Array.from({ length: 6 }, () => rt.invoke('c', sleep(300))))).map(expectOk);
    expect(outs.filter((o) => o.cold)).toHaveLength(4);
    const held = outs.filter((o) => !o.cold);
    expect(held).toHaveLength(2);
    for (const o of held) expect(o.hostCapWaitMs).toBeGreaterThan(200); // waited for a busy one
    expect(rt.stats().c).toMatchObject({ live: 4, coldStarts: 4, hostCapWaits: 2, throttles: 0 });
  });

  it('keeps invocations held at the cap out of concurrency and the scaling rate: the host\'s own queue throttles nothing', async () => {
    // Account limit 5, cap 4, scaling tokens for 4 new environments: eight at once put four in new
    // environments and four in the host's queue, for environments that already exist. Counting
    // the queue would throttle three of them, or the scaling rate four; on AWS all eight would
    // have started at once.
    const rt = await start({
      accountConcurrency: 5,
      scalingRate: { environments: 4, perMs: 600_000 },
      hostEnvironmentsPerCore: 0.01,
      initConcurrency: 8,
      functions: [fn('q', { memoryMB: 1769 })],
    });
    const outs = (await Promise.all(Array.from({ length: 8 }, () => rt.invoke('q', sleep(300))))).map(expectOk);
    expect(outs.filter((o) => o.hostCapWaitMs > 200)).toHaveLength(4);
    expect(rt.stats().q).toMatchObject({ live: 4, coldStarts: 4, throttles: 0, invocations: 8 });
    // ConcurrentExecutions counts what ran at once, for the function and the account.
    expect(maxConcurrency({ FunctionName: 'q' })).toBe(4);
    expect(maxConcurrency({})).toBe(4);
  });

  it('still counts a cold start waiting for its INIT, as AWS counts it', async () => {
    // One INIT at a time: the second cold start waits for the first one's INIT to end. On AWS it
    // would be in its own INIT, a concurrent execution: reserved concurrency 2 throttles the rest.
    const rt = await start({ initConcurrency: 1, functions: [fn('r2', { reservedConcurrency: 2 })] });
    const outs = await Promise.all(Array.from({ length: 4 }, () => rt.invoke('r2', sleep(300))));
    expect(kinds(outs)).toEqual(['ok', 'ok', 'throttled:reserved-concurrency', 'throttled:reserved-concurrency']);
  });

  it('starts an environment for every concurrent invocation when off (as on AWS)', async () => {
    const rt = await start({ hostEnvironmentsPerCore: 0, initConcurrency: 8, functions: [fn('d', { memoryMB: 1769 })] });
    const outs = (await Promise.all(Array.from({ length: 6 }, () => rt.invoke('d', sleep(300))))).map(expectOk);
    expect(outs.filter((o) => o.cold)).toHaveLength(6);
    expect(rt.stats().d).toMatchObject({ live: 6, coldStarts: 6, hostCapWaits: 0 });
  });
});

describe('Host cap on live environments (not an AWS quota)', () => {
  it('queues an invocation for a free environment and reports the wait', async () => {
    const rt = await start({ hostMaxEnvironments: 1, functions: [fn('h')] });
    const [a, b] = await Promise.all([rt.invoke('h', sleep(250)), rt.invoke('h', sleep(1))]);
    const first = expectOk(a);
    const second = expectOk(b);
    expect(first.hostCapWaitMs).toBe(0);
    expect(second.hostCapWaitMs).toBeGreaterThan(100);
    expect(second.cold).toBe(false); // handed the first one's environment, warm
    expect(rt.stats().h).toMatchObject({ live: 1, coldStarts: 1, hostCapWaits: 1, throttles: 0 });
  });

  it('evicts another function\'s idle environment to start a new one', async () => {
    const rt = await start({ hostMaxEnvironments: 1, functions: [fn('x'), fn('y')] });
    expectOk(await rt.invoke('x', sleep(1)));
    const y = expectOk(await rt.invoke('y', sleep(1)));
    expect(y).toMatchObject({ cold: true, hostCapWaitMs: 0 });
    expect(rt.stats().x).toMatchObject({ live: 0, hostCapEvictions: 1 });
    expect(rt.stats().y.live).toBe(1);
  });

  it('recycles a busy function\'s environment for another function\'s waiter', async () => {
    const rt = await start({ hostMaxEnvironments: 1, functions: [fn('p'), fn('q')] });
    const [p, q] = await Promise.all([rt.invoke('p', sleep(250)), rt.invoke('q', sleep(1))]);
    expect(expectOk(p).cold).toBe(true);
    const queued = expectOk(q);
    expect(queued.cold).toBe(true);
    expect(queued.hostCapWaitMs).toBeGreaterThan(100);
    expect(rt.stats().p.live).toBe(0);
    expect(rt.stats().q).toMatchObject({ live: 1, hostCapWaits: 1 });
  });
});
