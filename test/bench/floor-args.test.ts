import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The floor benchmark's flags: a mistake is one line naming it and exit 2, before anything starts.
const FLOOR = fileURLToPath(new URL('../../bench/emulator-capacity/floor.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', FLOOR, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('bench/emulator-capacity/floor.ts flags', () => {
  it.each([
    [['--warm-up', '0'], /^floor: --warm-up must be a whole number of seconds from 1 to 300 \(usage: /],
    [['--warm-up', 'soon'], /^floor: --warm-up must be a whole number of seconds from 1 to 300 \(usage: /],
    [['--warm-up', '301'], /^floor: --warm-up must be a whole number of seconds from 1 to 300 \(usage: /],
    [['--seconds', '10'], /^floor: Unknown option '--seconds'.*\(usage: /],
  ])('%j: one line, exit 2', (args, message) => {
    const r = run(...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
