import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectOneLine, importScript, spawnScript } from './script-flags.ts';

// The floor benchmark's flags: a mistake is one line naming it and exit 2, before anything starts.
const FLOOR = fileURLToPath(new URL('../../bench/emulator-capacity/floor.ts', import.meta.url));

describe('bench/emulator-capacity/floor.ts flags', () => {
  it('as a user runs it (node --import tsx, a process of its own): one line, exit 2', () => {
    expectOneLine(spawnScript(FLOOR, ['--warm-up', 'soon']), /^floor: --warm-up must be a whole number of seconds from 1 to 300 \(usage: /);
  });

  // each check's line, from the script's top level run in this process (script-flags.ts)
  it.each([
    [['--warm-up', '0'], /^floor: --warm-up must be a whole number of seconds from 1 to 300 \(usage: /],
    [['--warm-up', '301'], /^floor: --warm-up must be a whole number of seconds from 1 to 300 \(usage: /],
    [['--seconds', '10'], /^floor: Unknown option '--seconds'.*\(usage: /],
  ])('%j: one line, exit 2', async (args, message) => {
    expectOneLine(await importScript(FLOOR, args), message);
  });
});
