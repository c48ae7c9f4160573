import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * While a fleet runs, the parent gives way to its shards: its own work (merging the shards'
 * reports each second, and the 17-35 ms mark-compacts V8's memory reducer runs in a process that
 * allocates as little as it does) otherwise takes a core from a shard for that long, and every
 * delivery the shard reads meanwhile waits: at 20,000 deliveries/s on 2 cores that set the
 * 1-shard p99.9 (bench/RESULTS.md, "Harness capacity: where the tail came from"). Nice 10 above
 * the shards still leaves the parent about a tenth of a busy core, several times the ~25 ms a
 * second it uses. (`--no-memory-reducer` would remove those collections, but V8 reads it only
 * at start-up.)
 *
 * Lowered only after the shards are forked (a child inherits the nice of the thread that forks
 * it), and undone when the fleet has closed, so nothing started later inherits it: a local stack
 * is started before the fleet and its Lambda environments are the stack's children, not the
 * parent's. Undoing needs the right to raise a priority (root, CAP_SYS_NICE or RLIMIT_NICE):
 * without it the parent is not lowered at all, since the next fleet of the same process (compare,
 * --repeat) would inherit the lowered nice and run below the stack it measures. Linux keeps a
 * nice per thread, so every thread of the parent is lowered (V8's GC helpers included).
 */
export const PARENT_NICE_STEP = 10;
const MAX_NICE = 19;

export class ParentPriority {
  private constructor(private readonly before: Map<number, number>) {}

  /** Lowers every thread of this process by PARENT_NICE_STEP; undefined when it could not be undone. */
  static yieldToChildren(): ParentPriority | undefined {
    if (!mayRaiseAgain()) return undefined;
    const before = new Map<number, number>();
    for (const t of threads()) {
      try {
        const nice = getPriority(t);
        setPriority(t, Math.min(MAX_NICE, nice + PARENT_NICE_STEP));
        before.set(t, nice);
      } catch {
        // the thread ended meanwhile
      }
    }
    return new ParentPriority(before);
  }

  /** Every thread back to its nice from before (one started meanwhile: to the main thread's). */
  restore(): void {
    const main = this.before.get(threads()[0]) ?? this.before.values().next().value;
    for (const t of threads()) {
      const nice = this.before.get(t) ?? main;
      if (nice === undefined) continue;
      try {
        setPriority(t, nice);
      } catch {
        // ended meanwhile, or the right to raise was lost: the run goes on either way
      }
    }
  }
}

/** This process's threads, the main thread first (Linux); elsewhere 0, the process itself. */
function threads(): number[] {
  if (process.platform !== 'linux') return [0];
  try {
    return readdirSync('/proc/self/task')
      .map(Number)
      .sort((a, b) => (a === process.pid ? -1 : b === process.pid ? 1 : a - b));
  } catch {
    return [0];
  }
}

/** Whether this process may lower its nice again: tried on the main thread, one step and back. */
function mayRaiseAgain(): boolean {
  const nice = getPriority(0);
  if (nice <= -20) return true; // only a process with the right gets there
  try {
    setPriority(0, nice - 1);
  } catch {
    return false;
  }
  setPriority(0, nice);
  return true;
}
