import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleCache, cacheDir, cacheRoot, isCheckout, writableCacheDir } from '../../common/cache-dir.ts';
import { UserError } from '../../common/errors.ts';
import { PACKAGE_ROOT } from '../../common/package-paths.ts';

/**
 * Where the cache goes, decided on real folders: a checkout (the TypeScript sources beside
 * package.json), an installed package in a project's node_modules, and no project at all. The
 * environment is passed in, never set on this process (it shares one with other files).
 */
const work = mkdtempSync(join(tmpdir(), 'fb-cache-dir-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const dir = (...parts: string[]) => {
  const path = join(work, ...parts);
  mkdirSync(path, { recursive: true });
  return path;
};

// a project with fanout-bench installed (no src/ in the package), a workspace folder inside it
const project = dir('project');
const installed = dir('project', 'node_modules', 'fanout-bench');
writeFileSync(join(installed, 'package.json'), '{"name":"fanout-bench"}');
const workspace = dir('project', 'packages', 'app');
// a checkout
const checkout = dir('checkout');
dir('checkout', 'src');
writeFileSync(join(checkout, 'src', 'cli.ts'), '');
// no node_modules anywhere above it (the temp dir itself has none)
const lonely = dir('lonely', 'deep');
const noProjectAbove = !existsSync(join(tmpdir(), 'node_modules')) && !existsSync('/node_modules');

describe('the cache root', () => {
  it('is FANOUT_BENCH_CACHE when set, resolved from the working directory', () => {
    expect(cacheRoot({ env: { FANOUT_BENCH_CACHE: '/srv/cache' }, packageRoot: checkout })).toEqual({ dir: '/srv/cache', setBy: 'FANOUT_BENCH_CACHE' });
    expect(cacheRoot({ env: { FANOUT_BENCH_CACHE: 'rel' }, packageRoot: installed }).dir).toBe(join(process.cwd(), 'rel'));
  });

  it("is the checkout's .cache in a checkout (this one included), whatever the working directory", () => {
    expect(isCheckout(checkout)).toBe(true);
    expect(cacheRoot({ env: {}, packageRoot: checkout, cwd: workspace })).toEqual({ dir: join(checkout, '.cache') });
    expect(isCheckout(PACKAGE_ROOT)).toBe(true);
    expect(cacheRoot({ env: {} }).dir).toBe(join(PACKAGE_ROOT, '.cache'));
  });

  it("installed, is the nearest project's node_modules/.cache/fanout-bench above the working directory", () => {
    expect(isCheckout(installed)).toBe(false);
    const expected = { dir: join(project, 'node_modules', '.cache', 'fanout-bench') };
    expect(cacheRoot({ env: {}, packageRoot: installed, cwd: project })).toEqual(expected);
    expect(cacheRoot({ env: {}, packageRoot: installed, cwd: workspace })).toEqual(expected);
  });

  it.runIf(noProjectAbove)("installed, outside any project: the platform's cache directory", () => {
    const at = (platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}) => cacheRoot({ env, packageRoot: installed, cwd: lonely, platform, home: '/home/u' }).dir;
    expect(at('linux')).toBe('/home/u/.cache/fanout-bench');
    expect(at('linux', { XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/fanout-bench');
    expect(at('darwin')).toBe('/home/u/Library/Caches/fanout-bench');
    expect(at('win32', { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' })).toBe(join('C:\\Users\\u\\AppData\\Local', 'fanout-bench'));
  });
});

describe('a kind of cache', () => {
  it("is the root's folder of that name, or where its own variable says", () => {
    expect(cacheDir('bundles', { env: {}, packageRoot: checkout })).toEqual({ dir: join(checkout, '.cache', 'bundles') });
    expect(cacheDir('node', { env: {}, packageRoot: installed, cwd: project })).toEqual({ dir: join(project, 'node_modules', '.cache', 'fanout-bench', 'node') });
    expect(cacheDir('node', { env: { FANOUT_BENCH_CACHE: '/c' }, packageRoot: checkout })).toEqual({ dir: '/c/node', setBy: 'FANOUT_BENCH_CACHE' });
    expect(cacheDir('node', { env: { FANOUT_BENCH_CACHE: '/c', FANOUT_BENCH_NODE_CACHE: '/n' } })).toEqual({ dir: '/n', setBy: 'FANOUT_BENCH_NODE_CACHE' });
    expect(cacheDir('bundles', { env: { FANOUT_BENCH_BUNDLE_CACHE: '/b' } })).toEqual({ dir: '/b', setBy: 'FANOUT_BENCH_BUNDLE_CACHE' });
  });

  it('bundles may be off (each stack start bundles into a temp dir)', () => {
    expect(bundleCache({ FANOUT_BENCH_BUNDLE_CACHE: 'off' })).toBeUndefined();
    expect(bundleCache({ FANOUT_BENCH_CACHE: '/c' })).toEqual({ dir: '/c/bundles', setBy: 'FANOUT_BENCH_CACHE' });
  });
});

describe('a cache that must be written', () => {
  it('is made when missing', () => {
    const target = join(work, 'made', 'bundles');
    expect(writableCacheDir({ dir: target })).toBe(target);
    expect(statSync(target).isDirectory()).toBe(true);
  });

  it('that cannot be made (a file in the way) is one line naming the variable to change', () => {
    const file = join(work, 'a-file');
    writeFileSync(file, '');
    const refused = (at: Parameters<typeof writableCacheDir>[0]) => {
      try {
        writableCacheDir(at);
      } catch (err) {
        expect(err).toBeInstanceOf(UserError);
        expect((err as UserError).exitCode).toBe(2);
        return (err as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refused({ dir: file })).toBe(`cache directory ${file} cannot be written (EEXIST): set FANOUT_BENCH_CACHE to a writable directory`);
    expect(refused({ dir: join(file, 'node'), setBy: 'FANOUT_BENCH_NODE_CACHE' })).toBe(
      `cache directory ${join(file, 'node')} cannot be written (ENOTDIR): set FANOUT_BENCH_NODE_CACHE to a writable directory`,
    );
  });

  // root writes through a+w removed: only another user sees the folder as read-only
  it.skipIf(process.getuid?.() === 0)('that is read-only is refused the same way', () => {
    const readOnly = dir('read-only');
    chmodSync(readOnly, 0o555);
    try {
      expect(() => writableCacheDir({ dir: readOnly })).toThrow(`cache directory ${readOnly} cannot be written (EACCES)`);
    } finally {
      chmodSync(readOnly, 0o755);
    }
  });
});
