import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  blockMsFor,
  cpuShare,
  CpuThrottle,
  MIN_BLOCK_MS,
  stretchFactor,
  threadCpuClock,
  threadScheduleReader,
  type ThrottleClock,
} from '../../emulator/lambda/environments/cpu-share.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import type { LambdaRuntime } from '../../emulator/lambda/types.ts';
import { expectOk, fixture } from './lambda-test-helpers.ts';

/**
 * A fake clock whose event-loop active time the test scripts (`active`). Blocking adds to it, as
 * on a real thread, `lateMs` more than asked when the thread gets its core back late.
 */
function scriptedClock(lateMs: number) {
  const script = { active: 0, blocks: [] as number[] };
  const clock: ThrottleClock = {
    sample: () => ({ busyMs: script.active, waitedMs: 0 }), // event-loop time knows nothing of run queues
    countsOwnBlocking: true,
    block: (ms) => {
      script.blocks.push(ms);
      script.active += ms + lateMs;
      return ms + lateMs;
    },
  };
  return { clock, script };
}

describe('CPU-share arithmetic', () => {
  it('gives 1,769 MB one vCPU and smaller sizes their share', () => {
    expect(cpuShare(1769)).toBe(1);
    expect(cpuShare(3538)).toBe(1); // one thread cannot use a second vCPU
    expect(cpuShare(128)).toBeCloseTo(0.0724, 4);
    expect(stretchFactor(1769)).toBe(0);
    expect(stretchFactor(10_240)).toBe(0);
    expect(stretchFactor(128)).toBeCloseTo(1769 / 128 - 1, 10);
    expect(stretchFactor(884.5)).toBeCloseTo(1, 10);
  });

  it('blocks active × factor, excluding its own previous blocking', () => {
    expect(blockMsFor(10, 0, 12.82)).toBeCloseTo(128.2, 10);
    expect(blockMsFor(138.2, 128.2, 12.82)).toBeCloseTo(128.2, 10);
    expect(blockMsFor(5, 10, 3)).toBe(0);
  });

  it('stretches measured active time so the CPU share holds (fake clock)', () => {
    const { clock, script } = scriptedClock(1); // the core comes back 1 ms late: still not charged
    const memoryMB = 442.25; // factor 3
    const throttle = new CpuThrottle(memoryMB, 1_000_000, clock);
    throttle.begin();
    script.active += 20; // 20 ms of handler CPU
    throttle.end();
    expect(script.blocks).toEqual([60]);
    throttle.begin(); // a new invocation measures from here, not from the old blocking
    script.active += 5;
    throttle.end();
    expect(script.blocks).toEqual([60, 15]);
    expect(throttle.blockedMs).toBe(77);
  });

  it('does not charge its own blocking on the next tick', () => {
    const { clock, script } = scriptedClock(1);
    const throttle = new CpuThrottle(442.25, 1_000_000, clock); // factor 3
    throttle.begin();
    script.active += 10;
    throttle.tick(); // 10 ms active → 30 ms blocked (31 ms measured)
    script.active += 5;
    throttle.tick(); // 36 ms active since, 31 of them our own blocking → 15 ms
    throttle.tick(); // only our own blocking since → nothing
    throttle.end();
    expect(script.blocks).toEqual([30, 15]);
  });

  it('owes blocks shorter than MIN_BLOCK_MS and pays them later', () => {
    const { clock, script } = scriptedClock(0);
    const throttle = new CpuThrottle(442.25, 1_000_000, clock); // factor 3
    for (let i = 0; i < 4; i++) {
      throttle.begin();
      script.active += 0.1; // a tiny handler: 0.3 ms owed each time
      throttle.end();
    }
    expect(MIN_BLOCK_MS).toBe(1);
    expect(script.blocks.length).toBe(1);
    expect(script.blocks[0]).toBeCloseTo(1.2, 10); // paid once 1 ms was owed, nothing lost
  });

  it('with a CPU-time clock, charges only CPU: its own blocking is not subtracted', () => {
    const script = { cpu: 0, blocks: [] as number[] };
    const clock: ThrottleClock = {
      sample: () => ({ busyMs: script.cpu, waitedMs: 0 }),
      countsOwnBlocking: false,
      block: (ms) => {
        script.blocks.push(ms);
        return ms + 5; // the core came back late: costs no CPU, so nothing to subtract later
      },
    };
    const throttle = new CpuThrottle(442.25, 1_000_000, clock); // factor 3
    throttle.begin();
    script.cpu += 10;
    throttle.tick(); // 10 ms of CPU → 30 ms blocked
    script.cpu += 4;
    throttle.tick(); // 4 ms more CPU → 12 ms, whatever the blocking took on the wall clock
    expect(script.blocks).toEqual([30, 12]);
  });

  it('reads the calling thread\'s CPU time: a busy loop counts, a blocked wait does not', () => {
    const clock = threadCpuClock();
    if (!clock) return expect(process.platform).not.toBe('linux'); // only Linux has /proc/thread-self
    // The kernel adds a running thread's CPU time to schedstat at a scheduler tick or when the thread
    // leaves its core, so a busy thread's reading lags by up to a tick (10 ms at HZ=100), which the
    // next sleep then adds. Each reading here follows a 1 ms sleep: the thread has just left its
    // core, its time is added, and the reading is exact whatever the host's load and tick.
    const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    const cpu = () => (sleep(1), clock());
    const t0 = cpu();
    let x = 0;
    for (let i = 0; i < 30_000_000; i++) x += i % 7; // fixed work: ~20-40 ms of CPU, however loaded the host
    const t1 = cpu();
    const w0 = performance.now();
    sleep(60); // 60 ms off any core
    const waited = performance.now() - w0;
    const t2 = cpu();
    expect(x).toBeGreaterThan(0);
    expect(t1 - t0).toBeGreaterThan(5);
    expect(t1 - t0).toBeGreaterThan(5 * (t2 - t1)); // the wait cost (almost) nothing
    expect(t2 - t1).toBeLessThan(waited / 10);
  });

  /** A CPU-time clock whose run-queue wait the test scripts too, as schedstat reports both. */
  function scheduledClock() {
    const script = { cpu: 0, waited: 0, blocks: [] as number[] };
    const clock: ThrottleClock = {
      sample: () => ({ busyMs: script.cpu, waitedMs: script.waited }),
      countsOwnBlocking: false,
      block: (ms) => {
        script.blocks.push(ms);
        return ms;
      },
    };
    return { clock, script };
  }

  it('credits time the host kept the thread waiting for a core against the block owed', () => {
    const { clock, script } = scheduledClock();
    const throttle = new CpuThrottle(442.25, 1_000_000, clock); // factor 3
    throttle.begin();
    script.cpu += 10; // owes 30 ms…
    script.waited += 12; // …of which the loaded host already held it back 12
    throttle.tick();
    expect(script.blocks).toEqual([18]);
    script.cpu += 2; // a wait longer than what is owed leaves a credit…
    script.waited += 10;
    throttle.tick();
    expect(script.blocks).toEqual([18]);
    script.cpu += 5; // …spent within the same invocation: 15 − (10 − 6) = 11
    throttle.end();
    expect(script.blocks).toEqual([18, 11]);
  });

  it('lets no credit outlive its invocation', () => {
    const { clock, script } = scheduledClock();
    const throttle = new CpuThrottle(442.25, 1_000_000, clock); // factor 3
    throttle.begin();
    script.cpu += 1;
    script.waited += 50; // 47 ms of credit left when the invocation ends
    throttle.end();
    script.waited += 40; // waiting between invocations is not this function's either
    throttle.begin();
    script.cpu += 5;
    throttle.end();
    expect(script.blocks).toEqual([15]);
  });

  it('reads the calling thread\'s run-queue wait: it grows while more threads spin than there are cores', async () => {
    const read = threadScheduleReader();
    if (!read) return expect(process.platform).not.toBe('linux');
    const spinners = Array.from({ length: availableParallelism() + 1 }, () =>
      new Worker('const end = Date.now() + 1500; while (Date.now() < end);', { eval: true }),
    );
    const exited = spinners.map((w) => new Promise((resolve) => w.once('exit', resolve)));
    await new Promise((resolve) => setTimeout(resolve, 100)); // let them start spinning
    const before = { ...read() };
    const end = Date.now() + 500;
    while (Date.now() < end); // runnable all along, on a host with more runnable threads than cores
    const after = read();
    await Promise.all(exited);
    expect(after.waitedMs - before.waitedMs).toBeGreaterThan(50);
    expect(after.cpuMs - before.cpuMs).toBeLessThan(500 - 50); // on a core only part of the time
  });

  it('does nothing at one vCPU or more', () => {
    const clock: ThrottleClock = {
      sample: () => ({ busyMs: 0, waitedMs: 0 }),
      countsOwnBlocking: false,
      block: () => expect.fail('must not block'),
    };
    const throttle = new CpuThrottle(1769, 10, clock);
    expect(throttle.active).toBe(false);
    throttle.begin();
    throttle.end();
  });
});

describe('CPU-share model end to end', () => {
  let runtime: LambdaRuntime;

  beforeAll(async () => {
    runtime = await createLambdaRuntime({
      metrics: new MetricStore(),
      logs: new LogStore(),
      cpuModel: 'throttle',
      functions: [
        { name: 'small', entry: fixture('behaviour.ts'), memoryMB: 128, timeoutSeconds: 60, environment: {} },
        { name: 'small-io', entry: fixture('behaviour.ts'), memoryMB: 128, timeoutSeconds: 60, environment: {} },
      ],
    });
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it('holds each CPU millisecond of a 128 MB function to 1769/128 ms of its duration, whatever else the host runs', async () => {
    const event = { action: 'cpu', iterations: 1_500_000 };
    await runtime.invoke('small', { action: 'sleep', ms: 1 }); // the cold start out of the way
    for (let i = 0; i < 3; i++) {
      const small = expectOk(await runtime.invoke('small', event));
      // the loop's own CPU time, read by the handler from the clock the model reads (schedstat)
      const { cpuMs } = small.result as { cpuMs?: number };
      expect(cpuMs, 'this host has no per-thread schedstat').toBeGreaterThan(0);
      // the model blocks 1769/128 − 1 ms per CPU ms, less what the host already held the thread
      // runnable (which elapsed in the invocation too): a busy host can only lengthen it. 0.95:
      // the last tick's block below MIN_BLOCK_MS is owed, not slept
      expect(small.durationMs, JSON.stringify({ cpuMs, durationMs: small.durationMs })).toBeGreaterThanOrEqual(cpuMs! * (1769 / 128) * 0.95);
    }
  });

  it('does not stretch time spent waiting on I/O', async () => {
    await runtime.invoke('small-io', { action: 'sleep', ms: 1 }); // cold start out of the way
    const out = expectOk(await runtime.invoke('small-io', { action: 'sleep', ms: 200 }));
    // 200 ms of waiting at a 0.07 vCPU share would be ~2.8 s if it were stretched.
    expect(out.durationMs).toBeLessThan(1_000);
  });
});
