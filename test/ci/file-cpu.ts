import { appendFileSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, expect } from 'vitest';

/**
 * Setup file: when FANOUT_BENCH_FILE_CPU names a file, each test file appends one NDJSON line to it
 * with the CPU its worker process and that process's reaped children (stacks, dynalite, the CLI
 * runs) spent on it, and its wall time, hooks included. An isolated file has a process of its own; files of the shared project
 * (vitest.config.ts) run one after another in a process, so each line is the difference from the
 * reading the previous file of that process left on globalThis (module state is not kept between
 * them, globalThis is). Beside the JSON reporter's wall time they tell a file that works from one
 * that waits.
 */
const out = process.env.FANOUT_BENCH_FILE_CPU;
// A setup file runs before each test file: its wall time from here to its last after-hook, hooks
// included (the JSON reporter times a file from its first test, so a file whose work is all in a
// beforeAll read 0 s, and the order of files took it for the shortest)
const startedAt = Date.now();
const LAST = Symbol.for('fanout-bench.file-cpu.last');
type Reading = { self: number; children: number };
if (out) {
  // Registered before the file's own hooks, so it runs after them (vitest stacks after-hooks):
  // a stack the file stops in its afterAll is reaped, and counted, by then.
  afterAll(() => {
    // /proc/self/stat: fields 14-17 are utime, stime, cutime, cstime in clock ticks (100 per s).
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = (i: number) => Number(fields[i - 3]);
    const now: Reading = { self: (ticks(14) + ticks(15)) / 100, children: (ticks(16) + ticks(17)) / 100 };
    const g = globalThis as { [LAST]?: Reading };
    const last = g[LAST] ?? { self: 0, children: 0 };
    g[LAST] = now;
    const file = expect.getState().testPath ?? 'unknown';
    appendFileSync(
      out,
      `${JSON.stringify({
        file: relative(process.cwd(), file),
        pid: process.pid,
        cpuSelfS: round(now.self - last.self),
        cpuChildrenS: round(now.children - last.children),
        wallS: round((Date.now() - startedAt) / 1000),
        // when it ended (epoch ms): with wallS, the suite's timeline (how many files ran at once)
        endedAt: Date.now(),
      })}\n`,
    );
  });
}

function round(s: number): number {
  return Math.round(s * 100) / 100;
}
