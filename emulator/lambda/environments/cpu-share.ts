import { closeSync, openSync, readlinkSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * The CPU-share model. Lambda gives a function CPU in proportion to its memory: 1,769 MB is one
 * vCPU, 128 MB about 0.07. A Node handler runs on one thread, so above 1,769 MB nothing changes;
 * below, Lambda's cgroup quota stretches every CPU-bound millisecond while time spent waiting
 * on I/O is not stretched.
 *
 * Emulation, inside the environment's worker thread: a short repeating timer measures the CPU
 * time the thread used since the last tick and then blocks the thread (Atomics.wait on a private
 * SharedArrayBuffer, which uses no CPU) for
 *   cpu × (1769 / memoryMB − 1) ms,
 * so that cpu : (cpu + blocked) = memoryMB : 1769, the function's CPU share. The timer only runs
 * during an invocation, and `end()` settles the last stretch synchronously so the invocation's
 * Duration includes it. INIT runs unthrottled (AWS is observed to give INIT more CPU than the
 * memory share; not documented as a guarantee).
 *
 * The CPU time is the thread's own, read from Linux's /proc/thread-self/schedstat (nanoseconds on
 * a core; ~1.5 µs per read), so time a handler spends preempted on a busy host is not stretched.
 * That file also gives the time the thread waited on a run queue: runnable, but kept off a core
 * by the host's other threads. Such a wait is credited against the block owed within the same
 * invocation: on AWS the quota, not a neighbour, is what keeps a small function off the CPU, and
 * a thread the host already held back for as long as the quota would have has served its share.
 * So a loaded host's delays count toward the stretch instead of adding to it, and Duration stays
 * about cpu / share until the host holds the thread back longer than the quota would (measured
 * on the default run: warm connects at 256 MB waited 8 ms on the run queue for 18 ms blocked).
 * Where that file does not exist (not Linux), the clock falls back to the thread's event-loop
 * active time, which is wall-clock and has no run-queue wait: there a loaded host inflates small
 * memory sizes' Duration.
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
  /**
   * This thread's cumulative busy time, and its cumulative time runnable but waiting for a core
   * (0 where unknown), ms: one reading, so a tick costs one read of the clock.
   */
  sample(): { busyMs: number; waitedMs: number };
  /** Whether the thread's own blocking counts as busy (event-loop time does; CPU time does not). */
  readonly countsOwnBlocking: boolean;
  /** Block the thread for about `ms` without using CPU; returns the wall time actually blocked. */
  block(ms: number): number;
}

/** What Linux's schedstat says of one thread, cumulative ms. */
export interface ThreadSchedule {
  /** time on a core */
  cpuMs: number;
  /** time runnable but waiting on a run queue */
  waitedMs: number;
}

/**
 * A reader of the calling thread's /proc/thread-self/schedstat ("<ns on cpu> <ns waiting>
 * <slices>"), or undefined where there is none. The returned object is reused by every read.
 */
export function threadScheduleReader(): (() => ThreadSchedule) | undefined {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return undefined;
  }
  const buf = Buffer.alloc(64);
  const out: ThreadSchedule = { cpuMs: 0, waitedMs: 0 };
  const read = (): ThreadSchedule => {
    const fields = buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0)).split(' ');
    out.cpuMs = Number(fields[0]) / 1e6;
    out.waitedMs = Number(fields[1]) / 1e6;
    return out;
  };
  const first = read();
  return Number.isFinite(first.cpuMs) && Number.isFinite(first.waitedMs) ? read : undefined;
}

/** The calling thread's CPU time from /proc/thread-self/schedstat, or undefined where there is none. */
export function threadCpuClock(): (() => number) | undefined {
  const read = threadScheduleReader();
  return read && (() => read().cpuMs);
}

/** The calling thread's Linux thread id (from /proc/thread-self → `<pid>/task/<tid>`), or undefined where there is none. */
export function ownThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Another thread of this process's CPU time, ms (/proc/self/task/<tid>/schedstat): how the main
 * thread reads a worker's CPU even while the worker is busy or stuck (a timed-out invocation).
 * Read twice an invocation, so the file is opened once and read again from its start (a pread
 * of /proc regenerates it: 1.6 µs against 10.5 µs for open, read and close); `close()` when the
 * thread is gone. A read gives undefined once the thread is gone, or where there is no such file.
 */
export class ThreadCpuReader {
  private fd: number | undefined;
  private readonly buf = Buffer.alloc(128);

  constructor(tid: number) {
    try {
      this.fd = openSync(`/proc/self/task/${tid}/schedstat`, 'r');
    } catch {
      this.fd = undefined;
    }
  }

  read(): number | undefined {
    if (this.fd === undefined) return undefined;
    try {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
      const ns = Number(this.buf.toString('latin1', 0, n).split(' ')[0]);
      return Number.isFinite(ns) ? ns / 1e6 : undefined;
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed with the thread
    }
    this.fd = undefined;
  }
}

function realClock(): ThrottleClock {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const block = (ms: number): number => {
    const start = performance.now();
    Atomics.wait(cell, 0, 0, ms);
    return performance.now() - start;
  };
  const schedule = threadScheduleReader();
  if (schedule) {
    const sample = () => {
      const s = schedule();
      return { busyMs: s.cpuMs, waitedMs: s.waitedMs };
    };
    return { sample, countsOwnBlocking: false, block };
  }
  return { sample: () => ({ busyMs: performance.eventLoopUtilization().active, waitedMs: 0 }), countsOwnBlocking: true, block };
}

export class CpuThrottle {
  private readonly factor: number;
  private last: number | undefined;
  private lastWaited = 0;
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
    ({ busyMs: this.last, waitedMs: this.lastWaited } = this.clock.sample());
    this.ownBlockMs = 0;
    // A debt carries over (CPU time not yet stretched); a credit does not outlive its invocation.
    this.owedMs = Math.max(0, this.owedMs);
    // unref'd: the throttle's own timer is not work the handler left pending (event-loop-drain.ts)
    this.timer ??= setInterval(() => this.tick(), this.tickMs).unref();
  }

  /** Settle the CPU time not yet stretched and stop the timer. */
  end(): void {
    if (this.factor === 0 || this.last === undefined) return;
    this.tick();
    clearInterval(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  /** One measurement and block; the timer calls it every tickMs during an invocation. */
  tick(): void {
    const { busyMs: now, waitedMs: waited } = this.clock.sample();
    const activeMs = now - (this.last as number);
    const waitedMs = waited - this.lastWaited;
    this.last = now;
    this.lastWaited = waited;
    const ownBlockMs = this.clock.countsOwnBlocking ? this.ownBlockMs : 0;
    this.ownBlockMs = 0;
    const ms = blockMsFor(activeMs, ownBlockMs, this.factor) - waitedMs + this.owedMs;
    if (ms < MIN_BLOCK_MS) {
      this.owedMs = ms; // below zero: the host's wait is credit for the rest of the invocation
      return;
    }
    this.owedMs = 0;
    this.ownBlockMs = this.clock.block(ms);
    this.blockedMs += this.ownBlockMs;
  }
}
