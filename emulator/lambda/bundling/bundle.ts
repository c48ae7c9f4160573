import { createRequire } from 'node:module';
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BuildFailure, BuildOptions } from 'esbuild';
import { UserError } from '../../../common/errors.ts';
import { esbuildTargetOf, type NodeRuntime, type NodeRuntimeId } from '../../../common/node-runtimes.ts';
import { buildKey, cachedBuild } from './bundle-cache.ts';
import { PROFILE_DIR } from './profiling.ts';
import { bundleCache, writableCacheDir } from '../../../common/cache-dir.ts';
import { siblingModule } from '../../../common/package-paths.ts';

/**
 * Bundle every function like CDK's NodejsFunction does by default (esbuild: bundle, platform
 * node, CommonJS, the runtime's Node as target, dependencies inlined), plus the environment's
 * worker code (ESM). Workers then load plain JS: no TypeScript loader, and INIT is the real cost
 * of loading the bundled SDK and Powertools (with a V8 code cache, see worker.ts). Built once and
 * kept in the bundle cache while its sources are unchanged (bundle-cache.ts; where it is:
 * common/cache-dir.ts); with FANOUT_BENCH_BUNDLE_CACHE=off, into a temp dir that `dispose()` removes.
 */
export interface FunctionBundles {
  dir: string;
  /** The worker-thread entry (worker.ts bundled). */
  workerPath: string;
  /** Function name → its bundled `index.js` (CommonJS). */
  handlerPaths: Map<string, string>;
  /** The esbuild target of the worker and of functions that name no runtime, e.g. "node22" for nodejs22.x. */
  target: string;
  dispose(): Promise<void>;
}

const WORKER_SOURCE = siblingModule(import.meta.url, '../runtimes/worker');
const SDK_HOOKS_SOURCE = siblingModule(import.meta.url, '../runtimes/bundled-sdk-hooks');

/** A function to bundle; `runtime` (its own Lambda runtime) sets its esbuild target. */
export interface BundledFunction {
  name: string;
  entry: string;
  runtime?: NodeRuntimeId;
}
const REQUIRE_BANNER =
  "import { createRequire as __fanoutCreateRequire } from 'node:module'; const require = __fanoutCreateRequire(import.meta.url);";

export async function bundleFunctions(functions: readonly BundledFunction[], runtime: NodeRuntime): Promise<FunctionBundles> {
  const target = esbuildTargetOf(runtime);
  for (const [i, fn] of functions.entries()) {
    try {
      await access(fn.entry);
    } catch {
      throw new UserError(`lambda runtime: functions[${i}].entry: no such file ${fn.entry}`);
    }
  }
  const options = buildOptions(functions, target);
  const located = (dir: string, dispose: () => Promise<void>): FunctionBundles => ({
    dir,
    workerPath: join(dir, 'runtime', 'worker.mjs'),
    handlerPaths: new Map(functions.map((fn) => [fn.name, join(dir, 'functions', fn.name, 'index.js')])),
    target,
    dispose,
  });
  const keep = () => Promise.resolve();

  // Profiled runs keep their bundles (and source maps) beside the profiles.
  if (PROFILE_DIR) {
    await mkdir(PROFILE_DIR, { recursive: true });
    const dir = await mkdtemp(join(PROFILE_DIR, 'bundles-'));
    await buildInto(dir, options);
    return located(dir, keep);
  }
  const root = bundleCacheRoot();
  if (root) {
    // The key holds every option (entry points included): changing how functions are bundled
    // is a different build, never a stale hit.
    const key = buildKey({ esbuild: esbuildVersion(), options });
    return located(await cachedBuild(root, key, (dir) => buildInto(dir, options)), keep);
  }
  const dir = await mkdtemp(join(tmpdir(), 'fanout-lambda-'));
  try {
    await buildInto(dir, options);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return located(dir, () => rm(dir, { recursive: true, force: true }));
}

/** esbuild's version, for the cache key, read without loading esbuild itself. */
function esbuildVersion(): string {
  return (createRequire(import.meta.url)('esbuild/package.json') as { version: string }).version;
}

/**
 * Where built bundles are kept: none with FANOUT_BENCH_BUNDLE_CACHE=off, else the cache's
 * bundles/ folder (common/cache-dir.ts), which must be writable (one line naming the variable
 * to change, exit 2).
 */
function bundleCacheRoot(): string | undefined {
  const at = bundleCache();
  return at && writableCacheDir(at);
}

/**
 * The builds, without their output directory: the functions (CommonJS), one build per esbuild
 * target they need, and the worker (ESM).
 */
function buildOptions(functions: readonly BundledFunction[], target: string): BuildOptions[] {
  const byTarget = new Map<string, BundledFunction[]>();
  for (const fn of functions) {
    const t = fn.runtime ? esbuildTargetOf(fn.runtime) : target;
    byTarget.set(t, [...(byTarget.get(t) ?? []), fn]);
  }
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    target,
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    legalComments: 'none',
    // Not loaded at run time (no --enable-source-maps); lets a CPU profile of an environment be
    // attributed to SDK, Powertools and handler code (bench/emulator-capacity/profile-summary.ts).
    sourcemap: 'linked',
  };
  return [
    // CommonJS, NodejsFunction's default format, which also lets the worker load it with a V8
    // code cache. `import.meta.url` keeps working for handlers written as ESM.
    ...[...byTarget].map(([t, fns]): BuildOptions => ({
      ...common,
      target: t,
      entryPoints: fns.map((fn) => ({ in: resolve(fn.entry), out: `functions/${fn.name}/index` })),
      format: 'cjs',
      // import() of Node built-ins (the SDK's HTTP handler) becomes require(): a script loaded
      // from a V8 code cache has no dynamic-import callback.
      supported: { 'dynamic-import': false },
      define: { 'import.meta.url': '__fanout_import_meta_url' },
      banner: { js: "var __fanout_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
    })),
    {
      ...common,
      // The resolve hook the worker registers for ESM user code (module.register needs a file).
      entryPoints: [
        { in: WORKER_SOURCE, out: 'runtime/worker' },
        { in: SDK_HOOKS_SOURCE, out: 'runtime/bundled-sdk-hooks' },
      ],
      outExtension: { '.js': '.mjs' },
      format: 'esm',
      banner: { js: REQUIRE_BANNER },
    },
  ];
}

/** Runs the builds into `outdir`; returns the absolute paths of every file they read. */
async function buildInto(outdir: string, options: BuildOptions[]): Promise<string[]> {
  try {
    // Loaded when a build runs: most starts find their bundles cached, and every process that
    // imports this module (the CLI too) would otherwise pay esbuild's load (about 0.1 CPU-s).
    const { build } = await import('esbuild');
    const results = await Promise.all(options.map((o) => build({ ...o, outdir, metafile: true })));
    return [...new Set(results.flatMap((r) => Object.keys(r.metafile?.inputs ?? {}).map((p) => resolve(p))))];
  } catch (err) {
    const first = (err as Partial<BuildFailure>).errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
    throw new UserError(`lambda runtime: cannot bundle functions: ${where}${first?.text ?? String(err)}`);
  }
}
