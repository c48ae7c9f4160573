import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectOneLine, importScript, spawnScript } from './script-flags.ts';

// The template comparison's flags: a mistake is one line naming it and exit 2, before any stack starts.
const SCRIPT = fileURLToPath(new URL('../../bench/emulator-capacity/template-compare.ts', import.meta.url));
const MAIN = fileURLToPath(new URL('../../bench/emulator-capacity/main.ts', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../test', import.meta.url));

describe('bench/emulator-capacity/template-compare.ts flags', () => {
  it('as a user runs it (node --import tsx, a process of its own): one line, exit 2', () => {
    expectOneLine(spawnScript(SCRIPT, ['--template', FIXTURE, '--rounds', 'many']), /^template-compare: --rounds must be a whole number from 1 to 10 \(usage: /);
  });

  // each check's line, from the script's top level run in this process (script-flags.ts)
  it.each([
    [[], /^template-compare: --template <path> is required .*\(usage: /],
    [['--template', '/no/such/cdk.out'], /^template-compare: --template: \/no\/such\/cdk.out does not exist \(usage: /],
    [['--template', FIXTURE, '--rounds', '0'], /^template-compare: --rounds must be a whole number from 1 to 10 \(usage: /],
    [['--template', FIXTURE, '--only', 'both'], /^template-compare: --only must be built-in or template \(usage: /],
    [['--seconds', '10'], /^template-compare: Unknown option '--seconds'.*\(usage: /],
  ])('%j: one line, exit 2', async (args, message) => {
    expectOneLine(await importScript(SCRIPT, args), message);
  });
});

describe('bench/emulator-capacity/main.ts --template', () => {
  it('a template that does not exist: one line, exit 2', () => {
    const r = spawnScript(MAIN, ['--template', '/no/such/cdk.out']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^emulator-capacity: --template: \/no\/such\/cdk.out does not exist/);
  });
});
