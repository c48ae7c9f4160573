import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROGRAMS } from '../../common/program-bundles.ts';
import { distPath, relativeClosure, ROOT, runtimeFiles } from './runtime-files.ts';

/**
 * What `npm pack` puts in the package (package.json's `files`): what runs and nothing else. The
 * compiled build of every runtime file (runtime-files.ts) with its source map, the functions'
 * sources the emulator bundles, the report assets read from disk, the Python runtime's bootstrap
 * the emulator runs as it is (emulator/lambda/runtimes/python-bootstrap.py), the reference stack's
 * cloud assembly the emulator reads (built with dist/), and the CLI's bin/ with the
 * entry it loads at the package's root; no tests, benchmarks or docs, and no TypeScript of the
 * programs, so the installed CLI runs dist/ and never transpiles at start; the Artillery engine as
 * `artillery export` hands it over (its package.json and the bundle prepack builds, not its
 * sources); the licence. Packs the checkout as it is (`--dry-run`, lifecycle scripts off), so
 * dist/ and the engine's bundle must be built: the test builds them when missing; a stale dist/
 * shows as files missing from the pack (`npm run build` again).
 */
const run = promisify(execFile);
const { compiled, bundled } = runtimeFiles();
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
const ASSETS = 'src/report/shared/assets';
const assets = readdirSync(join(ROOT, ASSETS)).map((f) => `${ASSETS}/${f}`);
/** bin/fanout-bench.js and every file it loads by relative path */
const binChain = relativeClosure(['bin/fanout-bench.js']);
/** the Artillery engine's bundle and the package.json that names it its main */
const ENGINE = 'artillery/engine/dist/index.js';
const ENGINE_PACKAGE = ['artillery/engine/package.json', ENGINE];
/** the reference stack's cloud assembly, synthesized by `npm run build`: what the emulator's default stack reads (emulator/stack-model/reference-assembly.ts) */
const ASSEMBLY = 'dist/reference-stack/assembly';
const assembly = () => readdirSync(join(ROOT, ASSEMBLY), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(ROOT, join(e.parentPath, e.name)));
/** run as they are by a host interpreter, not compiled */
const INTERPRETED = ['emulator/lambda/runtimes/python-bootstrap.py', 'emulator/lambda/runtimes/python-runtime/snapshot_restore_py.py'];

let packed: Set<string>;

beforeAll(async () => {
  if (!existsSync(join(ROOT, distPath('src/cli.ts')))) await run('npm', ['run', 'build'], { cwd: ROOT });
  if (!existsSync(join(ROOT, ENGINE))) await run('npm', ['run', 'build:artillery-engine'], { cwd: ROOT });
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  packed = new Set(pack.files.map((f) => f.path));
}, 180_000);

const missing = (paths: readonly string[]) => paths.filter((p) => !packed.has(p));

describe('the packed package', () => {
  it('holds no tests, benchmarks, docs, CI scripts or the CDK app', () => {
    expect([...packed].filter((p) => /^(test|bench|docs|\.ci|\.github|reference-stack\/infra)\//.test(p))).toEqual([]);
    // of artillery/, the engine as Artillery loads it: not its sources, nor Artillery's own lockfile
    expect([...packed].filter((p) => p.startsWith('artillery/') && basename(p) !== 'README.md').sort()).toEqual([...ENGINE_PACKAGE].sort());
  });

  it('holds the compiled build of every runtime file, each with its source map', () => {
    expect(compiled.length).toBeGreaterThan(400);
    expect(missing(compiled.flatMap((f) => [distPath(f), `${distPath(f)}.map`]))).toEqual([]);
  });

  it("holds the functions' sources the emulator bundles (with the protocol they import from common/), and the report assets it reads from disk", () => {
    expect(bundled).toEqual(expect.arrayContaining(['reference-stack/functions/send-message.ts', 'common/chat-protocol.ts']));
    expect(missing(bundled)).toEqual([]);
    expect(assets).toContain(`${ASSETS}/report-client.js`);
    expect(missing(assets)).toEqual([]);
    expect(missing(INTERPRETED)).toEqual([]);
  });

  it('holds bin/fanout-bench.js and every file it loads at the root; no TypeScript of the programs, so it runs dist/', () => {
    expect(Object.values(manifest.bin)).toEqual(['bin/fanout-bench.js']);
    expect(binChain).toEqual(expect.arrayContaining(['bin/fanout-bench.js', 'common/program-entry.js', 'common/node-support.js']));
    expect(missing(binChain)).toEqual([]);
    // src/cli.ts beside the bin would make common/program-entry.js start it through tsx
    expect([...packed].filter((p) => p.endsWith('.ts') && !bundled.includes(p))).toEqual([]);
  });

  it("holds the reference stack's cloud assembly, with its template, every function's asset and its sources' digest", () => {
    expect(assembly()).toEqual(expect.arrayContaining([`${ASSEMBLY}/manifest.json`, `${ASSEMBLY}/FanoutBenchChat.template.json`, `${ASSEMBLY}/sources.sha256`]));
    expect(assembly().filter((f) => /\/asset\.[0-9a-f]{64}\/index\.mjs$/.test(f)).length).toBeGreaterThan(10);
    expect(missing(assembly())).toEqual([]);
  });

  it("holds the chunks the programs' bundles import (a dynamic import's code, written beside its program)", () => {
    const chunks = programChunks();
    // the CLI's commands, at least, are chunks of their own (src/cli.ts imports each when it runs)
    expect(chunks.filter((f) => f.startsWith('dist/src/cli-')).length).toBeGreaterThan(5);
    expect(missing(chunks)).toEqual([]);
  });

  it('holds nothing else (but the READMEs npm adds from every folder it packs)', () => {
    const expected = new Set([
      'package.json',
      ...binChain,
      ...[...compiled, ...bundled].flatMap((f) => [distPath(f), `${distPath(f)}.map`]),
      ...bundled,
      ...programChunks(),
      ...assets,
      ...INTERPRETED,
      ...assembly(),
      ...ENGINE_PACKAGE,
      'LICENSE',
    ]);
    expect(packed.has('README.md')).toBe(true);
    expect(packed.has('LICENSE')).toBe(true);
    expect([...packed].filter((p) => !expected.has(p) && basename(p) !== 'README.md')).toEqual([]);
  });
});

/** The chunk files of the programs' bundles in dist/: `<program>-<name>-<hash>.js` beside each (common/program-bundles.ts). */
function programChunks(): string[] {
  return PROGRAMS.flatMap((program) => {
    const prefix = `${basename(program, '.js')}-`;
    return readdirSync(join(ROOT, dirname(program)))
      .filter((f) => f.startsWith(prefix) && /-[A-Z0-9]{8}\.js$/.test(f))
      .map((f) => `${dirname(program)}/${f}`);
  });
}
