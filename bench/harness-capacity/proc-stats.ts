import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and resident memory of processes, read from Linux /proc: how the benchmark sees the
 * harness's shard processes and the server's workers from outside, without trusting either to
 * report on itself. /proc/<pid>/stat fields (man 5 proc): 4 ppid, 14 utime, 15 stime (clock
 * ticks), 24 rss (pages).
 */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

export interface ProcSample {
  pid: number;
  ppid: number;
  /** user + system CPU since the process started, seconds */
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  rssBytes: number;
}

/** undefined when the process is gone (or not readable). */
export function readProc(pid: number): ProcSample | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after it.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(rest[n - 3]);
  const user = field(14) / TICKS_PER_SECOND;
  const system = field(15) / TICKS_PER_SECOND;
  return { pid, ppid: field(4), cpuSeconds: user + system, userSeconds: user, systemSeconds: system, rssBytes: field(24) * PAGE_BYTES };
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Direct children of `pid` (this kernel has no /proc/<pid>/task/<tid>/children: scan). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readProc(Number(name));
    if (s && s.ppid === pid) out.push(s.pid);
  }
  return out;
}

/** `pid` and all its descendants. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i]));
  return out;
}

/** Sum of CPU and RSS over `pids` (processes already gone count zero). */
export function sumProcs(pids: readonly number[]): { cpuSeconds: number; userSeconds: number; systemSeconds: number; rssBytes: number; alive: number } {
  const sum = { cpuSeconds: 0, userSeconds: 0, systemSeconds: 0, rssBytes: 0, alive: 0 };
  for (const pid of pids) {
    const s = readProc(pid);
    if (!s) continue;
    sum.cpuSeconds += s.cpuSeconds;
    sum.userSeconds += s.userSeconds;
    sum.systemSeconds += s.systemSeconds;
    sum.rssBytes += s.rssBytes;
    sum.alive++;
  }
  return sum;
}

/** The open-files cap of this process (soft limit), as /proc/self/limits states it. */
export function openFilesLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'latin1').split('\n').find((l) => l.startsWith('Max open files'));
    const n = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
