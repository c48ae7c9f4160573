import { readdirSync, readFileSync } from 'node:fs';

/**
 * The processes below a pid, read from /proc (Linux), so a test can check that nothing a run
 * started outlives it. A zombie has already exited (only its parent's wait is missing; an
 * orphan's new parent may never reap it), so it counts as gone.
 */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = statOf(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

export function alive(pid: number): boolean {
  const stat = statOf(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** The command line of a process, '' if it is gone. */
export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

function statOf(pid: number): { state: string; ppid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0], ppid: Number(rest[1]) };
}

/** Polls until none of `pids` is alive; resolves with the ms it took, or rejects after `limitMs`. */
export async function allGone(pids: number[], limitMs: number, stepMs = 10): Promise<number> {
  const start = performance.now();
  for (;;) {
    const left = pids.filter(alive);
    const elapsed = performance.now() - start;
    if (left.length === 0) return elapsed;
    if (elapsed > limitMs) throw new Error(`still running after ${Math.round(elapsed)} ms: ${left.map((p) => `${p} (${cmdline(p)})`).join(', ')}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
