import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * How every process starts (common/program-entry.js), in a tree of its own: the real entry module
 * and a small program that says which form of itself ran, TypeScript through tsx or compiled.
 */
const run = promisify(execFile);
const COMMON = fileURLToPath(new URL('../../common/', import.meta.url));
const MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'fb-entry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A tree laid out as the checkout: common/, the program in prog/, optionally its build in dist/. */
function tree(name: string, parts: { ts: boolean; compiledBeside: boolean; dist: boolean }): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'common'), { recursive: true });
  mkdirSync(join(dir, 'prog'));
  for (const f of ['program-entry.js', 'node-support.js']) copyFileSync(join(COMMON, f), join(dir, 'common', f));
  symlinkSync(MODULES, join(dir, 'node_modules'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fanout-bench', type: 'module' }));
  writeFileSync(join(dir, 'prog', 'boot.js'), "import { runProgram } from '../common/program-entry.js';\nawait runProgram(new URL('./main.ts', import.meta.url));\n");
  // a type annotation: runs only through a TypeScript loader
  if (parts.ts) writeFileSync(join(dir, 'prog', 'main.ts'), "const form: string = 'typescript';\nconsole.log(form);\n");
  if (parts.compiledBeside) writeFileSync(join(dir, 'prog', 'main.js'), "console.log('compiled beside');\n");
  if (parts.dist) {
    mkdirSync(join(dir, 'dist', 'prog'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'prog', 'main.js'), "console.log('compiled in dist');\n");
  }
  return join(dir, 'prog', 'boot.js');
}

const start = (boot: string, compiled?: '1') =>
  run(process.execPath, [boot], { env: { ...process.env, FANOUT_BENCH_COMPILED: compiled ?? '' } }).catch(
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe('a process starts from its TypeScript or its build', () => {
  it('in a checkout: the TypeScript, through tsx', async () => {
    const boot = tree('checkout', { ts: true, compiledBeside: false, dist: true });
    expect(await start(boot)).toMatchObject({ stdout: 'typescript\n', stderr: '' });
  });

  it('in a checkout with FANOUT_BENCH_COMPILED=1: its counterpart in dist/', async () => {
    const boot = tree('checkout-compiled', { ts: true, compiledBeside: false, dist: true });
    expect(await start(boot, '1')).toMatchObject({ stdout: 'compiled in dist\n', stderr: '' });
  });

  it('in the compiled tree (no TypeScript beside the entry): the JavaScript beside it', async () => {
    const boot = tree('package', { ts: false, compiledBeside: true, dist: false });
    expect(await start(boot)).toMatchObject({ stdout: 'compiled beside\n', stderr: '' });
    expect(await start(boot, '1')).toMatchObject({ stdout: 'compiled beside\n', stderr: '' });
  });

  it("in the package (its bin/ and common/'s entry at the root, no TypeScript, the build in dist/): the counterpart in dist/", async () => {
    const boot = tree('packed', { ts: false, compiledBeside: false, dist: true });
    expect(await start(boot)).toMatchObject({ stdout: 'compiled in dist\n', stderr: '' });
  });

  it('FANOUT_BENCH_COMPILED=1 with no build: one line naming the missing file and the command, exit 2', async () => {
    const boot = tree('unbuilt', { ts: true, compiledBeside: false, dist: false });
    const r = await start(boot, '1');
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/^fanout-bench: FANOUT_BENCH_COMPILED=1 but \S*dist\/prog\/main\.js is missing: run `npm run build` first\n$/);
  });
});
