import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ISOLATED_DIRS, ISOLATED_FILES, SHARED_DIRS } from './test-projects.ts';

/**
 * The split of vitest.config.ts's projects stays true as tests are added: every test directory is
 * in one of them, and no file of a shared directory changes what the next file in its process
 * would see, unless it is listed to run on its own.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SELF = relative(ROOT, fileURLToPath(import.meta.url));

function testFiles(dir: string, recursive = true): string[] {
  return readdirSync(join(ROOT, dir), { recursive, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(dir, f));
}

/** The shared project's files: its directories', and those at test/'s root. */
const sharedFiles = (): string[] => [...SHARED_DIRS.flatMap((d) => testFiles(d)), ...testFiles('test', false)];

/** What a file may not do in a shared process: change the environment, mock a module, move the cwd. */
const LEAKS: Array<[RegExp, string]> = [
  [/process\.env(\.\w+|\[[^\]]+\])\s*=[^=]/, 'sets process.env'],
  [/delete process\.env/, 'deletes from process.env'],
  [/Object\.assign\(process\.env/, 'sets process.env'],
  [/\bvi\.(mock|doMock|stubEnv|stubGlobal)\(/, 'mocks through vi'],
  [/process\.chdir\(/, 'changes the working directory'],
];

describe('the test projects', () => {
  it('put every directory of tests in exactly one project', () => {
    const dirs = readdirSync(join(ROOT, 'test'), { withFileTypes: true })
      .filter((d) => d.isDirectory() && testFiles(join('test', d.name)).length > 0)
      .map((d) => join('test', d.name))
      .sort();
    expect([...SHARED_DIRS, ...ISOLATED_DIRS].sort()).toEqual(dirs);
  });

  it('isolate only files that exist in a shared directory', () => {
    for (const f of ISOLATED_FILES) {
      expect(existsSync(join(ROOT, f)), f).toBe(true);
      expect(SHARED_DIRS.some((d) => f.startsWith(`${d}/`)), f).toBe(true);
    }
  });

  it('share a process only between files that leave no global behind', () => {
    const leaking: string[] = [];
    for (const file of sharedFiles()) {
      if (file === SELF || ISOLATED_FILES.includes(file)) continue;
      const text = readFileSync(join(ROOT, file), 'utf8');
      const what = [...new Set(LEAKS.filter(([p]) => p.test(text)).map(([, w]) => w))];
      if (what.length > 0) leaking.push(`${file} ${what.join(', ')}: list it in ISOLATED_FILES`);
    }
    expect(leaking).toEqual([]);
  });

  it('the rule sees what it looks for', () => {
    const seen = (text: string) => LEAKS.filter(([p]) => p.test(text)).map(([, w]) => w);
    expect(seen('process.env.AWS_REGION = "x"')).toEqual(['sets process.env']);
    expect(seen("process.env['A'] = '1'")).toEqual(['sets process.env']);
    expect(seen('if (process.env.A === "1") {}')).toEqual([]);
    expect(seen('vi.mock("./x.ts")')).toEqual(['mocks through vi']);
  });
});
