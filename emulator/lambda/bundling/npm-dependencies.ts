import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, writableCacheDir } from '../../../common/cache-dir.ts';

/**
 * A Node package's dependencies as `sam build` installs them (aws-lambda-builders' nodejs_npm
 * workflow: the package's production dependencies installed into the built artifact), for code
 * or a layer whose package.json names dependencies that are not installed beside it. They are
 * installed once into the cache (common/cache-dir.ts, kind `dependencies`), keyed by package.json
 * and its lockfile, with `npm install --omit=dev --ignore-scripts --no-audit --no-fund`: no
 * install script of a user's dependency runs here, and the folder is never written.
 */

/** The lockfiles npm reads, in its order. */
const LOCKFILES = ['npm-shrinkwrap.json', 'package-lock.json'];
/** An install takes seconds; past this the registry is not answering. */
const INSTALL_TIMEOUT_MS = 5 * 60_000;

/** The production dependencies package.json names (none without one). */
export function declaredDependencies(dir: string): string[] {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return [];
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Record<string, unknown> };
    return Object.keys(pkg.dependencies ?? {});
  } catch {
    return [];
  }
}

/** The declared dependencies with no `node_modules/<name>` in the folder: what Lambda would not find there. */
export function missingDependencies(dir: string): string[] {
  return declaredDependencies(dir).filter((name) => !existsSync(join(dir, 'node_modules', name, 'package.json')));
}

/** The installed `node_modules` folder of the package's dependencies (from the cache, or installed now), or why npm could not install them. */
export async function installDependencies(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<{ nodeModules: string } | { error: string }> {
  const files = ['package.json', ...LOCKFILES.filter((f) => existsSync(join(dir, f))).slice(0, 1)];
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update('\0').update(readFileSync(join(dir, f)));
  const root = writableCacheDir(cacheDir('dependencies', { env }));
  const done = join(root, hash.digest('hex').slice(0, 24));
  if (existsSync(join(done, 'node_modules'))) return { nodeModules: join(done, 'node_modules') };
  const building = mkdtempSync(join(root, '.build-'));
  try {
    for (const f of files) copyFileSync(join(dir, f), join(building, f));
    const error = await npmInstall(building, env);
    if (error !== undefined) return { error };
    try {
      renameSync(building, done);
    } catch (err) {
      if (!existsSync(join(done, 'node_modules'))) throw err; // else another start installed the same first: use theirs
    }
    return { nodeModules: join(done, 'node_modules') };
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

function npmInstall(cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const args = ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier'];
  return new Promise((done) => {
    execFile('npm', args, { cwd, env, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (!err) return done(undefined);
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return done('npm is not on PATH');
      // npm's lines after `code`, `syscall`, `errno` and `path` say what went wrong in words
      const said = stderr
        .split('\n')
        .filter((l) => /^npm (ERR!|error) /.test(l))
        .map((l) => l.replace(/^npm (ERR!|error) /, '').trim())
        .filter((l) => l !== '' && !/^(code|syscall|errno|path|A complete log|enoent This is related)\b/.test(l));
      done(`npm install failed: ${said[0] ?? (stderr.trim().split('\n')[0] || err.message)}`);
    });
  });
}
