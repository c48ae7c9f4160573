import { appendFileSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, expect } from 'vitest';

/**
 * Setup file: when FANOUT_BENCH_FILE_CPU names a file, each test file appends one NDJSON line to it
 * with the CPU its process and its reaped children (stacks, dynalite, the CLI runs) spent. Vitest's
 * forks pool runs every file in a process of its own, so these are per-file figures: beside the
 * JSON reporter's wall time they tell a file that works from one that waits.
 */
const out = process.env.FANOUT_BENCH_FILE_CPU;
if (out) {
  // Registered before the file's own hooks, so it runs after them (vitest stacks after-hooks):
  // a stack the file stops in its afterAll is reaped, and counted, by then.
  afterAll(() => {
    // /proc/self/stat: fields 14-17 are utime, stime, cutime, cstime in clock ticks (100 per s).
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = (i: number) => Number(fields[i - 3]);
    const file = expect.getState().testPath ?? 'unknown';
    appendFileSync(
      out,
      `${JSON.stringify({
        file: relative(process.cwd(), file),
        pid: process.pid,
        cpuSelfS: (ticks(14) + ticks(15)) / 100,
        cpuChildrenS: (ticks(16) + ticks(17)) / 100,
      })}\n`,
    );
  });
}
