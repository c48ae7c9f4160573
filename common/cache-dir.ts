import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { UserError } from './errors.ts';
import { PACKAGE_ROOT } from './package-paths.ts';

/**
 * Where fanout-bench keeps what it builds or fetches between runs (the functions' bundles, pinned
 * Node binaries): never inside its own package, which an install may make read-only and which
 * `npm install` replaces whole. The one place that decides it:
 * 1. `FANOUT_BENCH_CACHE`, when set;
 * 2. in a checkout (the package root holds the TypeScript sources, `src/cli.ts`: what makes
 *    common/program-entry.js run TypeScript, and what the packed package never ships),
 *    `<checkout>/.cache`, as always;
 * 3. installed, `<project>/node_modules/.cache/fanout-bench`, <project> the nearest ancestor of
 *    the working directory with a node_modules folder (where Babel, ESLint and webpack put theirs,
 *    so a project's `rm -rf node_modules` clears it too);
 * 4. else the platform's cache directory (`$XDG_CACHE_HOME` or `~/.cache`, `~/Library/Caches`,
 *    `%LOCALAPPDATA%`) + `/fanout-bench`: an `npx` run outside any project.
 * Each kind of cache is a folder of it; its own variable (FANOUT_BENCH_BUNDLE_CACHE,
 * FANOUT_BENCH_NODE_CACHE, FANOUT_BENCH_DEPENDENCY_CACHE) moves that one alone.
 */
export const CACHE_ENV = 'FANOUT_BENCH_CACHE';

/** The kinds of cache, each with the variable that moves it alone. */
export const CACHE_KINDS = { bundles: 'FANOUT_BENCH_BUNDLE_CACHE', node: 'FANOUT_BENCH_NODE_CACHE', dependencies: 'FANOUT_BENCH_DEPENDENCY_CACHE' } as const;
export type CacheKind = keyof typeof CACHE_KINDS;

export interface CacheContext {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** the package's root (default this package's) */
  packageRoot?: string;
  platform?: NodeJS.Platform;
  home?: string;
}

export interface CacheLocation {
  dir: string;
  /** the variable that put it there, if one did: the one a user changes to move it */
  setBy?: string;
}

/** The cache root: FANOUT_BENCH_CACHE, the checkout's .cache, the project's or the platform's. */
export function cacheRoot(c: CacheContext = {}): CacheLocation {
  const env = c.env ?? process.env;
  if (env[CACHE_ENV]) return { dir: resolve(env[CACHE_ENV]), setBy: CACHE_ENV };
  const root = c.packageRoot ?? PACKAGE_ROOT;
  if (isCheckout(root)) return { dir: join(root, '.cache') };
  const project = nearestWithNodeModules(c.cwd ?? process.cwd());
  if (project !== undefined) return { dir: join(project, 'node_modules', '.cache', 'fanout-bench') };
  return { dir: join(platformCacheDir(env, c.platform ?? process.platform, c.home ?? homedir()), 'fanout-bench') };
}

/** One kind's folder: its own variable, else `<cache root>/<kind>`. */
export function cacheDir(kind: CacheKind, c: CacheContext = {}): CacheLocation {
  const own = CACHE_KINDS[kind];
  const value = (c.env ?? process.env)[own];
  if (value) return { dir: resolve(value), setBy: own };
  const root = cacheRoot(c);
  return { dir: join(root.dir, kind), ...(root.setBy ? { setBy: root.setBy } : {}) };
}

/** The bundles folder, or none with FANOUT_BENCH_BUNDLE_CACHE=off (each start bundles into a temp dir). */
export function bundleCache(env: NodeJS.ProcessEnv = process.env): CacheLocation | undefined {
  return env[CACHE_KINDS.bundles] === 'off' ? undefined : cacheDir('bundles', { env });
}

/**
 * The folder made if missing and checked writable, or one line naming the variable to change
 * (exit 2): a cache that cannot be written is a setting to fix, not a reason to write elsewhere.
 */
export function writableCacheDir(at: CacheLocation): string {
  try {
    mkdirSync(at.dir, { recursive: true });
    accessSync(at.dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UserError(`cache directory ${at.dir} cannot be written (${code}): set ${at.setBy ?? CACHE_ENV} to a writable directory`);
  }
  return at.dir;
}

/** A checkout runs its TypeScript: the packed package ships none of src/ (package.json's files). */
export function isCheckout(packageRoot: string): boolean {
  return existsSync(join(packageRoot, 'src', 'cli.ts'));
}

function nearestWithNodeModules(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (isDirectory(join(dir, 'node_modules'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function platformCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return env.LOCALAPPDATA || join(home, 'AppData', 'Local');
  if (platform === 'darwin') return join(home, 'Library', 'Caches');
  return env.XDG_CACHE_HOME || join(home, '.cache');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
