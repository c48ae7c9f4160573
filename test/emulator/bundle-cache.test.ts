import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bundleFunctions } from '../../emulator/lambda/bundling/bundle.ts';
import { UserError } from '../../common/errors.ts';
import { createLambdaRuntime } from '../../emulator/lambda/runtime.ts';
import { MetricStore } from '../../emulator/cloudwatch/metric-store.ts';
import { LogStore } from '../../emulator/cloudwatch/log-store.ts';
import { expectOk } from './lambda-test-helpers.ts';

// Bundles are built with the real esbuild and kept between stack starts while their sources are
// unchanged; FANOUT_BENCH_BUNDLE_CACHE points the cache at a directory of this test's own.

const work = mkdtempSync(join(tmpdir(), 'fb-bundle-cache-'));
const entry = join(work, 'src', 'handler.ts');
const write = (answer: string) => {
  mkdirSync(dirname(entry), { recursive: true });
  writeFileSync(entry, `export const handler = async () => ({ answer: '${answer}' });\n`);
};
const bundle = async () => {
  const b = await bundleFunctions([{ name: 'fn', entry }], 'nodejs22.x');
  return { ...b, code: readFileSync(b.handlerPaths.get('fn')!, 'utf8') };
};
const before = process.env.FANOUT_BENCH_BUNDLE_CACHE;

afterEach(() => {
  if (before === undefined) delete process.env.FANOUT_BENCH_BUNDLE_CACHE;
  else process.env.FANOUT_BENCH_BUNDLE_CACHE = before;
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('bundle cache', () => {
  it('reuses a build while its sources are unchanged, and builds anew into another directory when one changes', async () => {
    const root = join(work, 'cache-a');
    process.env.FANOUT_BENCH_BUNDLE_CACHE = root;
    write('first');
    const a = await bundle();
    expect(a.dir.startsWith(root)).toBe(true);
    expect(a.code).toContain('first');
    const builtAt = statSync(a.handlerPaths.get('fn')!).mtimeMs;

    const again = await bundle();
    expect(again.dir).toBe(a.dir);
    expect(statSync(again.handlerPaths.get('fn')!).mtimeMs).toBe(builtAt); // not rebuilt

    write('second');
    const future = new Date(Date.now() + 5_000); // a different mtime even on a coarse clock
    utimesSync(entry, future, future);
    const b = await bundle();
    expect(b.dir).not.toBe(a.dir);
    expect(b.code).toContain('second');
    // the old build stays: a stack started before the edit still loads it for new environments
    expect(readFileSync(a.handlerPaths.get('fn')!, 'utf8')).toContain('first');
    await b.dispose();
    expect(existsSync(b.dir)).toBe(true);
  });

  it('several starts in one process that build the same sources into an empty cache all get the build', async () => {
    const root = join(work, 'cache-c');
    process.env.FANOUT_BENCH_BUNDLE_CACHE = root;
    write('together');
    const builds = await Promise.all([bundle(), bundle(), bundle()]);
    for (const b of builds) {
      expect(b.dir).toBe(builds[0].dir);
      expect(b.code).toContain('together');
    }
    expect((await bundle()).dir).toBe(builds[0].dir); // and the pointer they left finds it
  });

  it('removes builds unused for a week when it builds', async () => {
    const root = join(work, 'cache-b');
    process.env.FANOUT_BENCH_BUNDLE_CACHE = root;
    write('old');
    const old = await bundle();
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    utimesSync(old.dir, weekAgo, weekAgo);
    write('new');
    const future = new Date(Date.now() + 10_000);
    utimesSync(entry, future, future);
    const fresh = await bundle();
    expect(existsSync(fresh.dir)).toBe(true);
    expect(existsSync(old.dir)).toBe(false);
  });

  it('without a cache ("off") builds into a temp dir that dispose() removes', async () => {
    write('temp');
    process.env.FANOUT_BENCH_BUNDLE_CACHE = 'off';
    const b = await bundle();
    expect(b.dir.startsWith(join(tmpdir(), 'fanout-lambda-'))).toBe(true);
    expect(b.code).toContain('temp');
    await b.dispose();
    expect(existsSync(b.dir)).toBe(false);
  });

  it('a cache that cannot be made is one line naming the variable, not a bundle written elsewhere', async () => {
    write('nowhere');
    const blocker = join(work, 'a-file');
    writeFileSync(blocker, '');
    process.env.FANOUT_BENCH_BUNDLE_CACHE = join(blocker, 'cache');
    await expect(bundle()).rejects.toThrow(
      new UserError(`cache directory ${join(blocker, 'cache')} cannot be written (ENOTDIR): set FANOUT_BENCH_BUNDLE_CACHE to a writable directory`),
    );
  });

  it("keeps a bundle's V8 code cache beside it: the first INIT writes it, the next stack's INIT loads it, a rejected one is replaced", async () => {
    process.env.FANOUT_BENCH_BUNDLE_CACHE = join(work, 'cache-v8');
    write('cached');
    /** One stack's life: its runtime, one cold invocation, closed; the cache file beside the bundle after it. */
    const coldStart = async () => {
      const runtime = await createLambdaRuntime({ metrics: new MetricStore(), logs: new LogStore(), cpuModel: 'off', functions: [{ name: 'fn', entry, memoryMB: 128, timeoutSeconds: 5, environment: {} }] });
      try {
        expect(expectOk(await runtime.invoke('fn', {})).cold).toBe(true);
      } finally {
        await runtime.close();
      }
      const { handlerPaths } = await bundle();
      const dir = dirname(handlerPaths.get('fn')!);
      const caches = readdirSync(dir).filter((f) => /^index\.js\.v8-\d+\.cache$/.test(f));
      expect(caches).toHaveLength(1);
      return join(dir, caches[0]!);
    };
    const file = await coldStart();
    expect(statSync(file).size).toBeGreaterThan(0);
    const made = statSync(file).ino;
    // The next stack's environment was given the cache and V8 took it: it wrote no new one (a
    // write renames a new file over it: another inode).
    expect(statSync(await coldStart()).ino).toBe(made);
    // A cache V8 rejects (another V8's, or damaged) is replaced by the next INIT's own.
    writeFileSync(file, 'not a code cache');
    expect(readFileSync(await coldStart()).toString()).not.toBe('not a code cache');
  });
});
