import { readdirSync, readFileSync } from 'node:fs';

/**
 * Lambda's freeze for an environment that is a process: between invocations (and after INIT)
 * Lambda's freezer stops the whole environment, so a thread the handler left running does not run
 * meanwhile, and what it had not finished is lost if the environment is retired. Here: SIGSTOP to
 * the runtime process and every process it started, SIGCONT to the same at the next invocation.
 * A stopped process uses no CPU, and SIGKILL still ends it.
 *
 * Each runtime process leads a process group of its own in the stack's session (the Python
 * bootstrap makes itself one; a custom runtime's bootstrap is started as one, host-runtimes.ts):
 * the freeze and the kill are then one signal to the group. That is also what ends a frozen
 * environment when the stack dies without stopping it: the runtime process gets its parent-death
 * signal, and the kernel hangs up and continues a group left orphaned with stopped members. Where
 * the process leads no group, the processes below it are read from /proc (`task/<tid>/children`).
 */
export class ProcessFreeze {
  private stopped: number[] = [];
  private leader: boolean | undefined;

  constructor(private readonly pid: number) {}

  get frozen(): boolean {
    return this.stopped.length > 0;
  }

  freeze(): void {
    if (this.frozen) return;
    this.stopped = this.targets();
    for (const target of this.stopped) signal(target, 'SIGSTOP');
  }

  thaw(): void {
    const targets = this.stopped;
    this.stopped = [];
    for (const target of targets) signal(target, 'SIGCONT');
  }

  /** SIGKILL to the process and every process it started (a handler's fork would otherwise outlive the environment). */
  kill(): void {
    for (const target of this.targets()) signal(target, 'SIGKILL');
    this.stopped = [];
  }

  /** What a signal goes to: the process's group (a negative id) when it leads one, else it and the processes below it. */
  private targets(): number[] {
    this.leader ??= processGroupOf(this.pid) === this.pid;
    return this.leader ? [-this.pid] : [this.pid, ...descendantsOf(this.pid)];
  }
}

/** Send a signal (to a process, or to a group by its negative id); false when there is none. */
export function signal(target: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(target, sig);
    return true;
  } catch {
    return false;
  }
}

/** The process group of a process (/proc/<pid>/stat), undefined where it cannot be read. */
function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
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
