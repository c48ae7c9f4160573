import { readdirSync, readFileSync } from 'node:fs';

/**
 * Lambda's freeze for an environment that is a process: between invocations (and after INIT)
 * Lambda's freezer stops the whole environment, so a thread the handler left running does not run
 * meanwhile, and what it had not finished is lost if the environment is retired. Here: SIGSTOP to
 * the runtime process and every process below it (read from /proc: `task/<tid>/children`), SIGCONT
 * to the same ones at the next invocation. A stopped process uses no CPU, and SIGKILL still ends it.
 *
 * The processes stay in the stack's process group (not a group of their own): when the stack dies
 * with some of them stopped, the kernel hangs up and continues that orphaned group, and the
 * runtime process itself is killed with its parent (`setpriv --pdeathsig`, host-runtimes.ts).
 */
export class ProcessFreeze {
  private stopped: number[] = [];

  constructor(private readonly pid: number) {}

  get frozen(): boolean {
    return this.stopped.length > 0;
  }

  freeze(): void {
    if (this.frozen) return;
    const pids = [this.pid, ...descendantsOf(this.pid)];
    for (const pid of pids) signal(pid, 'SIGSTOP');
    this.stopped = pids;
  }

  thaw(): void {
    const pids = this.stopped;
    this.stopped = [];
    for (const pid of pids) signal(pid, 'SIGCONT');
  }

  /** SIGKILL to the process and every process below it (a handler's fork would otherwise outlive the environment). */
  kill(): void {
    const pids = [this.pid, ...descendantsOf(this.pid)];
    for (const pid of pids) signal(pid, 'SIGKILL');
    this.stopped = [];
  }
}

/** Send a signal; false when the process is gone. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** The processes below `pid`, from /proc/<pid>/task/<tid>/children (none where /proc has no such file). */
function descendantsOf(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0 && out.length < 1024) {
    const p = queue.shift()!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      let text: string;
      try {
        text = readFileSync(`/proc/${p}/task/${tid}/children`, 'latin1');
      } catch {
        continue;
      }
      for (const c of text.split(' ')) {
        if (c === '' || c === '\n') continue;
        const child = Number(c);
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}
