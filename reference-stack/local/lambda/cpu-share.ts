import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * The CPU-share model. Lambda gives a function CPU in proportion to its memory: 1,769 MB is one
 * vCPU, 128 MB about 0.07. A Node handler runs on one thread, so above 1,769 MB nothing changes;
 * below, Lambda's cgroup quota stretches every CPU-bound millisecond while time spent waiting
 * on I/O is not stretched.
 *
 * Emulation, inside the environment's worker thread: a short repeating timer measures the
 * thread's own event-loop active time since the last tick (performance.eventLoopUtilization) and
 * then blocks the thread (Atomics.wait on a private SharedArrayBuffer, which uses no CPU) for
 *   active × (1769 / memoryMB − 1) ms,
 * so that active : (active + blocked) = memoryMB : 1769, the function's CPU share. The blocking
 * itself shows up as active time in the next measurement, so it is subtracted as measured (wall
 * time, including the wait to get a core back), not as requested. The timer only
 * runs during an invocation, and `end()` settles the last stretch synchronously so the
 * invocation's Duration includes it. INIT runs unthrottled (AWS is observed to give INIT more
 * CPU than the memory share; not documented as a guarantee).
 *
 * Limit: event-loop active time is wall-clock. When the host's cores are oversubscribed, time a
 * running handler spends preempted, waiting for a core, counts as active and is stretched too, so
 * small memory sizes read slower than on AWS exactly when the host is saturated (Node 20 has no
 * per-thread CPU clock). The host cap bounds this; the harness flags a saturated host.
 */
export const ONE_VCPU_MB = 1_769;
/** How often the throttle measures and blocks (a cgroup CPU period, scaled down). */
export const DEFAULT_TICK_MS = 10;
/**
 * Blocks shorter than this are owed instead (carried to a later tick or invocation): a sleep
 * costs ~0.1 ms of wake-up latency and CPU however short it is, which would otherwise dominate
 * tiny handlers. The long-run share is unchanged.
 */
export const MIN_BLOCK_MS = 1;

/** The function's share of one vCPU, 0..1. */
export function cpuShare(memoryMB: number): number {
  return Math.min(1, memoryMB / ONE_VCPU_MB);
}

/** Blocked milliseconds owed per active millisecond: 1769/memoryMB − 1, never negative. */
export function stretchFactor(memoryMB: number): number {
  return memoryMB >= ONE_VCPU_MB ? 0 : ONE_VCPU_MB / memoryMB - 1;
}

/** How long to block after measuring `activeMs`, of which `ownBlockMs` was our own previous blocking. */
export function blockMsFor(activeMs: number, ownBlockMs: number, factor: number): number {
  return Math.max(0, activeMs - ownBlockMs) * factor;
}

export interface ThrottleClock {
  /** Cumulative event-loop utilization of this thread. */
  elu(): EventLoopUtilization;
  /** Block the thread for about `ms` without using CPU; returns the wall time actually blocked. */
  block(ms: number): number;
}

function realClock(): ThrottleClock {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  return {
    elu: () => performance.eventLoopUtilization(),
    block: (ms) => {
      const start = performance.now();
      Atomics.wait(cell, 0, 0, ms);
      return performance.now() - start;
    },
  };
}

export class CpuThrottle {
  private readonly factor: number;
  private last: EventLoopUtilization | undefined;
  private ownBlockMs = 0;
  private owedMs = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Total blocked milliseconds, for tests and diagnostics. */
  blockedMs = 0;

  constructor(
    memoryMB: number,
    private readonly tickMs = DEFAULT_TICK_MS,
    private readonly clock: ThrottleClock = realClock(),
  ) {
    this.factor = stretchFactor(memoryMB);
  }

  get active(): boolean {
    return this.factor > 0;
  }

  /** Start measuring at the beginning of an invocation. */
  begin(): void {
    if (this.factor === 0) return;
    this.last = this.clock.elu();
    this.ownBlockMs = 0; // owedMs carries over: it is CPU time not yet stretched
    this.timer ??= setInterval(() => this.tick(), this.tickMs);
  }

  /** Settle the CPU time not yet stretched and stop the timer. */
  end(): void {
    if (this.factor === 0 || !this.last) return;
    this.tick();
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  /** One measurement and block; the timer calls it every tickMs during an invocation. */
  tick(): void {
    const now = this.clock.elu();
    const activeMs = now.active - (this.last as EventLoopUtilization).active;
    this.last = now;
    const ms = blockMsFor(activeMs, this.ownBlockMs, this.factor) + this.owedMs;
    if (ms < MIN_BLOCK_MS) {
      this.owedMs = ms;
      this.ownBlockMs = 0;
      return;
    }
    this.owedMs = 0;
    this.ownBlockMs = this.clock.block(ms);
    this.blockedMs += this.ownBlockMs;
  }
}
