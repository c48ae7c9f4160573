import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The test tree mirrors the source tree, so that a module's test is found where its module is:
 * test/<folder> holds the tests of src/<folder> (test/'s root those of src/'s root modules), and
 * test/emulator, test/common, test/functions, test/infra, test/artillery and test/bench those of
 * the other source trees. A test named for a module (`x.test.ts` for one `x.ts`, or for a folder
 * `x/`) sits in that module's mirror. Only the folders that test across the trees stand apart,
 * each for its reason (CROSS_CUTTING).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Source trees other than src/ (whose folders each have their own), and the test folder of each. */
const TREES: Record<string, string> = {
  emulator: 'test/emulator',
  common: 'test/common',
  'reference-stack/functions': 'test/functions',
  'reference-stack/infra': 'test/infra',
  'artillery/engine/src': 'test/artillery',
  bench: 'test/bench',
};

/** Test folders that mirror no source folder, and why. */
const CROSS_CUTTING: Record<string, string> = {
  'test/e2e': 'the CLI run whole against whole stacks: a test there is named for what a user does',
  'test/architecture': 'the rules of the house over every tree (imports, dependencies, the package, this tree)',
  'test/ci': "the test suite's own tools (projects, file order, timing)",
  'test/docs': 'every command the docs give',
  'test/fixtures': 'stacks, servers and recorded results the tests share',
};

const SKIPPED = new Set(['node_modules', 'cdk.out', 'dist']);

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    if (SKIPPED.has(e.name) || e.name.startsWith('.')) return [];
    const path = `${dir}/${e.name}`;
    return e.isDirectory() ? [path + '/', ...walk(path)] : [path];
  });
}

/** The test folder of a source file or folder (a folder ends in `/`). */
function mirrorOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] === 'src') return parts.length === 2 ? 'test' : `test/${parts[1]}`;
  const tree = Object.keys(TREES).find((t) => path.startsWith(`${t}/`));
  return tree ? TREES[tree] : undefined;
}

/** The name a test would carry for a source path: a module's file name, or a folder's (but a benchmark's, named for what it measures). */
function moduleName(path: string): string | undefined {
  if (path.endsWith('/')) return path.startsWith('bench/') ? undefined : basename(path.slice(0, -1));
  const m = /^(.+?)(\.d)?\.(ts|js|mjs|cjs)$/.exec(basename(path));
  return m && !m[2] ? m[1] : undefined;
}

/**
 * What breaks the mirror, one line each: a test folder that mirrors no source folder, and a test
 * named for modules of whose mirrors it is in none. `sources` are paths under the source trees
 * (folders end in `/`); `tests` the `*.test.ts` files under test/.
 */
function testTreeViolations(sources: readonly string[], tests: readonly string[]): string[] {
  const mirrors = new Set(sources.map(mirrorOf).filter((m): m is string => m !== undefined));
  const homes = new Map<string, Set<string>>();
  for (const s of sources) {
    const name = moduleName(s);
    const mirror = mirrorOf(s);
    if (name === undefined || mirror === undefined) continue;
    homes.set(name, (homes.get(name) ?? new Set()).add(mirror));
  }
  const out: string[] = [];
  for (const t of tests) {
    const folder = t.split('/').length === 2 ? 'test' : t.split('/').slice(0, 2).join('/');
    if (CROSS_CUTTING[folder] !== undefined) continue;
    if (!mirrors.has(folder)) {
      out.push(`${t}: ${folder} mirrors no source folder (move the test to its module's folder's mirror)`);
      continue;
    }
    const named = homes.get(basename(t, '.test.ts'));
    if (named && !named.has(folder)) out.push(`${t}: named for a module whose tests are in ${[...named].sort().map((f) => (f === 'test' ? 'test/' : f)).join(' or ')}`);
  }
  return out;
}

describe('the test tree', () => {
  it('mirrors the source tree: every test folder is a source folder\'s, every test named for a module beside its mirror', () => {
    const sources = ['src', ...Object.keys(TREES)].flatMap(walk);
    const tests = walk('test').filter((p) => p.endsWith('.test.ts') && !p.startsWith('test/fixtures/'));
    expect(sources.length, 'the walk found the source trees').toBeGreaterThan(700);
    expect(tests.length, 'the walk found the tests').toBeGreaterThan(300);
    expect(testTreeViolations(sources, tests)).toEqual([]);
  });

  it('names each cross-cutting folder that exists', () => {
    const folders = readdirSync(join(ROOT, 'test'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `test/${e.name}`);
    for (const f of Object.keys(CROSS_CUTTING)) expect(folders, f).toContain(f);
  });

  it('catches a folder that mirrors nothing and a test away from its module', () => {
    const sources = ['src/fleet/', 'src/fleet/client-group.ts', 'src/number-format.ts', 'src/report/run/', 'emulator/lambda-api/', 'emulator/lambda-api/invoke.ts', 'common/errors.ts', 'src/modes/run.ts'];
    expect(
      testTreeViolations(sources, [
        'test/fleet/client-group.test.ts', // beside its module's mirror
        'test/number-format.test.ts', // a root module's, at the root
        'test/emulator/lambda-api.test.ts', // named for a folder of the emulator
        'test/modes/run.test.ts', // one of its name's homes (src/modes/run.ts)
        'test/e2e/client-group.test.ts', // the CLI's, named for what a user does
        'test/harness/schedule.test.ts',
        'test/common/client-group.test.ts',
        'test/fleet/number-format.test.ts',
      ]),
    ).toEqual([
      'test/harness/schedule.test.ts: test/harness mirrors no source folder (move the test to its module\'s folder\'s mirror)',
      'test/common/client-group.test.ts: named for a module whose tests are in test/fleet',
      'test/fleet/number-format.test.ts: named for a module whose tests are in test/',
    ]);
  });
});
