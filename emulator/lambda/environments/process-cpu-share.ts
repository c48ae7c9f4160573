import { readdirSync, readFileSync } from 'node:fs';
import { DEFAULT_TICK_MS, MIN_BLOCK_MS, stretchFactor } from './cpu-share.ts';
import { signal } from './process-freeze.ts';

/**
 * The CPU-share model (cpu-share.ts) for an environment that is a process, applied from outside:
 * every tick of an invocation the runtime reads the CPU time the process's threads used since the
 * last tick (and the time they waited on a run queue: the host's delay is credit, as for a
 * worker), and stops the process (SIGSTOP, no CPU) for `cpu × (1769/memoryMB − 1) − waited` ms
 * before continuing it, so CPU work is stretched to the memory size's share and waiting on I/O is
 * not. What is still owed when the runtime answers is returned by `end()`: the answer waits that
 * long, so Duration includes it, as the worker's synchronous last block does. Blocks under 1 ms
 * are carried to a later tick. INIT runs unthrottled.
 */
export class ProcessCpuThrottle {
  private readonly factor: number;
  private last: ProcessSchedule | undefined;
  private owedMs = 0;
  private timer: NodeJS.Timeout | undefined;
  /** While the process is stopped for a block: when it is to continue, and the timer doing it. */
  private blockedUntil = 0;
  private resume: NodeJS.Timeout | undefined;
  /** Total blocked milliseconds, for tests and diagnostics. */
  blockedMs = 0;

  constructor(
    private readonly pid: number,
    memoryMB: number,
    private readonly tickMs = DEFAULT_TICK_MS,
  ) {
    this.factor = processScheduleOf(pid) === undefined ? 0 : stretchFactor(memoryMB);
  }

  begin(): void {
    if (this.factor === 0) return;
    this.last = processScheduleOf(this.pid);
    this.owedMs = Math.max(0, this.owedMs);
    this.timer ??= setInterval(() => this.tick(), this.tickMs);
  }

  /** The invocation is answered: stop ticking; returns the ms the answer must still wait. */
  end(): number {
    if (this.factor === 0 || this.last === undefined) return 0;
    clearInterval(this.timer);
    this.timer = undefined;
    let owed = 0;
    if (this.resume) {
      // It answered just as it was stopped: continue it, the block's rest still owed.
      clearTimeout(this.resume);
      this.resume = undefined;
      owed = Math.max(0, this.blockedUntil - performance.now());
      signal(this.pid, 'SIGCONT');
    }
    owed += this.measure();
    this.last = undefined;
    if (owed < MIN_BLOCK_MS) {
      this.owedMs = owed;
      return 0;
    }
    this.owedMs = 0;
    this.blockedMs += owed;
    return owed;
  }

  /** The process is gone or retired: nothing more to stop or continue. */
  dispose(): void {
    clearInterval(this.timer);
    clearTimeout(this.resume);
    this.timer = undefined;
    this.resume = undefined;
  }

  private tick(): void {
    if (this.resume || this.last === undefined) return;
    const ms = this.measure();
    if (ms < MIN_BLOCK_MS) {
      this.owedMs = ms;
      return;
    }
    this.owedMs = 0;
    if (!signal(this.pid, 'SIGSTOP')) return;
    this.blockedMs += ms;
    this.blockedUntil = performance.now() + ms;
    this.resume = setTimeout(() => {
      this.resume = undefined;
      signal(this.pid, 'SIGCONT');
    }, ms);
  }

  /** Block owed for what ran since the last measure, the run-queue wait credited, the carry added. */
  private measure(): number {
    const now = processScheduleOf(this.pid);
    if (!now || !this.last) return this.owedMs;
    const ms = Math.max(0, now.cpuMs - this.last.cpuMs) * this.factor - Math.max(0, now.waitedMs - this.last.waitedMs) + this.owedMs;
    this.last = now;
    return ms;
  }
}

/** A process's CPU time and run-queue wait, all its threads summed (Linux: /proc/<pid>/task/<tid>/schedstat), ms. */
export interface ProcessSchedule {
  cpuMs: number;
  waitedMs: number;
}

export function processScheduleOf(pid: number): ProcessSchedule | undefined {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let cpuNs = 0;
  let waitedNs = 0;
  for (const tid of tasks) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ');
      cpuNs += Number(fields[0]);
      waitedNs += Number(fields[1]);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return Number.isFinite(cpuNs) && Number.isFinite(waitedNs) ? { cpuMs: cpuNs / 1e6, waitedMs: waitedNs / 1e6 } : undefined;
}
