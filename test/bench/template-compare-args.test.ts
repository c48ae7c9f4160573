import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The template comparison's flags: a mistake is one line naming it and exit 2, before any stack starts.
const SCRIPT = fileURLToPath(new URL('../../bench/emulator-capacity/template-compare.ts', import.meta.url));
const MAIN = fileURLToPath(new URL('../../bench/emulator-capacity/main.ts', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../../test', import.meta.url));
const run = (script: string, ...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('bench/emulator-capacity/template-compare.ts flags', () => {
  it.each([
    [[], /^template-compare: --template <path> is required .*\(usage: /],
    [['--template', '/no/such/cdk.out'], /^template-compare: --template: \/no\/such\/cdk.out does not exist \(usage: /],
    [['--template', FIXTURE, '--rounds', '0'], /^template-compare: --rounds must be a whole number from 1 to 10 \(usage: /],
    [['--template', FIXTURE, '--rounds', 'many'], /^template-compare: --rounds must be a whole number from 1 to 10 \(usage: /],
    [['--template', FIXTURE, '--only', 'both'], /^template-compare: --only must be built-in or template \(usage: /],
    [['--seconds', '10'], /^template-compare: Unknown option '--seconds'.*\(usage: /],
  ])('%j: one line, exit 2', (args, message) => {
    const r = run(SCRIPT, ...args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});

describe('bench/emulator-capacity/main.ts --template', () => {
  it('a template that does not exist: one line, exit 2', () => {
    const r = run(MAIN, '--template', '/no/such/cdk.out');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^emulator-capacity: --template: \/no\/such\/cdk.out does not exist/);
  });
});
