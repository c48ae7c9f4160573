import { readFileSync } from 'node:fs';

/**
 * A runtime process's memory against its function's memory size. Lambda gives a function's
 * sandbox as much memory as its size: past it, the kernel kills the runtime (SIGKILL), the
 * invocation ends as `Runtime exited with error: signal: killed` / Runtime.ExitError, and the
 * REPORT line's Max Memory Used is the size. A Node environment gets that from V8's heap limit
 * (worker-environment.ts); a process has no such limit here, so its resident memory is read while
 * it runs (INIT, an invocation: a frozen process cannot grow) and it is killed once over.
 * A kernel limit (RLIMIT_AS) would not do: Python turns a refused allocation into a MemoryError the
 * handler can catch, which Lambda's runtime never sees.
 */
export class ProcessMemoryLimit {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pid: number,
    private readonly memoryMB: number,
    /** Called once, with the resident memory seen, when it passed the size. */
    private readonly onExceeded: (residentMB: number) => void,
    /** How often it is read while the process runs: a read of /proc costs tens of microseconds. */
    private readonly everyMs = 25,
  ) {}

  /** The process runs: read its memory until pause(). */
  watch(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), this.everyMs);
    this.timer.unref();
  }

  /** The process is frozen or gone: nothing to read. */
  pause(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const mb = residentMB(this.pid);
    if (mb === undefined || mb <= this.memoryMB) return;
    this.pause();
    this.onExceeded(mb);
  }
}

/** A process's resident memory now (VmRSS), MB; undefined when it is gone. */
export function residentMB(pid: number): number | undefined {
  return statusMB(pid, 'VmRSS');
}

/** A process's peak resident memory (VmHWM), MB: Max Memory Used. */
export function residentPeakMB(pid: number): number | undefined {
  return statusMB(pid, 'VmHWM');
}

function statusMB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Math.ceil(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
