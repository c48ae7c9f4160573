import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { PARENT_NICE_STEP, ParentPriority } from '../../src/fleet/parent-priority.ts';

/** Every thread's nice (Linux keeps one per thread); elsewhere the process's. */
function threadNices(): number[] {
  if (process.platform !== 'linux') return [getPriority(0)];
  return readdirSync('/proc/self/task').map((t) => {
    try {
      return getPriority(Number(t));
    } catch {
      return NaN; // ended meanwhile
    }
  }).filter((n) => !Number.isNaN(n));
}

/** The nice a child forked now starts with. */
function childNice(): number {
  return Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(require("node:os").getPriority()))'], { encoding: 'utf8' }));
}

describe("the parent's priority while its shards run", () => {
  it('every thread lowered below the children, back where it was afterwards; not at all where it could not be undone', () => {
    const before = getPriority(0);
    const p = ParentPriority.yieldToChildren();
    try {
      if (p === undefined) {
        // no right to raise it again (not root, no CAP_SYS_NICE or RLIMIT_NICE): left alone
        expect(threadNices().every((n) => n === before)).toBe(true);
        return;
      }
      const lowered = Math.min(19, before + PARENT_NICE_STEP);
      expect(threadNices().every((n) => n === lowered)).toBe(true);
      // what is forked meanwhile inherits it: why the fleet lowers only after its forks, and undoes it at close
      expect(childNice()).toBe(lowered);
    } finally {
      p?.restore();
    }
    expect(threadNices().every((n) => n === before)).toBe(true);
    expect(childNice()).toBe(before);
  });
});
