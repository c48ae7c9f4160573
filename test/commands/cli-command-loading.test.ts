import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The CLI loads only the module of the command it runs (src/cli.ts): `stack up` and `trend` start
 * without the run modes, the fleet, the report renderers and the AWS SDK's many files. Seen from
 * outside, through a module hook that lists every module the real process resolves: the CLI as
 * TypeScript, whatever FANOUT_BENCH_COMPILED says, because the compiled CLI is a bundle
 * (common/program-bundles.ts) whose modules resolve nothing; there each command is a chunk of its
 * own, read only when the command runs (test/common/program-bundles.test.ts).
 */
const BIN = fileURLToPath(new URL('../../bin/fanout-bench.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fb-cli-loading-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The file: URLs the CLI resolved while printing `args`'s help. */
async function modulesLoaded(name: string, args: string[]): Promise<string[]> {
  const list = join(dir, `${name}.txt`);
  const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.startsWith('file:')) appendFileSync(${JSON.stringify(list)}, r.url + '\\n');
  return r;
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  const { FANOUT_BENCH_COMPILED: _compiled, ...env } = process.env;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, BIN, ...args, '--help'], { env });
  expect(stdout).toMatch(/^Usage: fanout-bench/);
  return readFileSync(list, 'utf8').trim().split('\n');
}

const ofOurs = (urls: string[], folder: string) => urls.filter((u) => u.includes(`/src/${folder}/`) && !u.includes('/node_modules/'));

describe('the CLI loads the command it runs', () => {
  it('stack up: its own command module, none of the run modes, fleet, reports or other commands', async () => {
    const urls = await modulesLoaded('stack', ['stack', 'up']);
    expect(urls.some((u) => /\/commands\/stack\.(ts|js)$/.test(u))).toBe(true);
    expect(urls.some((u) => /\/commands\/run\.(ts|js)$/.test(u))).toBe(false);
    for (const folder of ['modes', 'fleet', 'report', 'session']) expect(ofOurs(urls, folder), folder).toEqual([]);
  });

  it('trend: no run modes, fleet or session', async () => {
    const urls = await modulesLoaded('trend', ['trend']);
    expect(urls.some((u) => /\/commands\/trend\.(ts|js)$/.test(u))).toBe(true);
    for (const folder of ['modes', 'fleet', 'session']) expect(ofOurs(urls, folder), folder).toEqual([]);
  });

  it('--help alone: every command, to list them', async () => {
    const urls = await modulesLoaded('all', []);
    for (const command of ['run', 'compare', 'search', 'stack', 'report', 'artillery-export', 'trend', 'plan']) {
      expect(urls.some((u) => new RegExp(`/commands/${command}\\.(ts|js)$`).test(u)), command).toBe(true);
    }
  });
});
