import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildFailure } from 'esbuild';
import { UserError } from '../../../src/errors.ts';
import { PROFILE_DIR } from './profiling.ts';

/**
 * Bundle every function like CDK's NodejsFunction does (esbuild: bundle, platform node, ESM,
 * target node20, dependencies inlined, a createRequire banner so CommonJS dependencies work in
 * ESM), plus the environment's worker code, into a fresh temp dir. Workers then import plain JS:
 * no TypeScript loader, and INIT is the real cost of loading the bundled SDK and Powertools.
 */
export interface FunctionBundles {
  dir: string;
  /** The worker-thread entry (worker.ts bundled). */
  workerPath: string;
  /** Function name → its bundled `index.mjs`. */
  handlerPaths: Map<string, string>;
  dispose(): Promise<void>;
}

const WORKER_SOURCE = fileURLToPath(new URL('./worker.ts', import.meta.url));
const REQUIRE_BANNER =
  "import { createRequire as __fanoutCreateRequire } from 'node:module'; const require = __fanoutCreateRequire(import.meta.url);";

export async function bundleFunctions(functions: ReadonlyArray<{ name: string; entry: string }>): Promise<FunctionBundles> {
  for (const [i, fn] of functions.entries()) {
    try {
      await access(fn.entry);
    } catch {
      throw new UserError(`lambda runtime: functions[${i}].entry: no such file ${fn.entry}`);
    }
  }
  // Profiled runs keep their bundles (and source maps) beside the profiles.
  if (PROFILE_DIR) await mkdir(PROFILE_DIR, { recursive: true });
  const dir = PROFILE_DIR ? await mkdtemp(join(PROFILE_DIR, 'bundles-')) : await mkdtemp(join(tmpdir(), 'fanout-lambda-'));
  const dispose = () => (PROFILE_DIR ? Promise.resolve() : rm(dir, { recursive: true, force: true }));
  try {
    await build({
      entryPoints: [
        ...functions.map((fn) => ({ in: fn.entry, out: `functions/${fn.name}/index` })),
        { in: WORKER_SOURCE, out: 'runtime/worker' },
      ],
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      mainFields: ['module', 'main'],
      banner: { js: REQUIRE_BANNER },
      logLevel: 'silent',
      legalComments: 'none',
      // Not loaded at run time (no --enable-source-maps); lets a CPU profile of an environment be
      // attributed to SDK, Powertools and handler code (bench/emulator-capacity/profile-summary.ts).
      sourcemap: 'linked',
    });
  } catch (err) {
    await dispose();
    const first = (err as Partial<BuildFailure>).errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
    throw new UserError(`lambda runtime: cannot bundle functions: ${where}${first?.text ?? String(err)}`);
  }
  return {
    dir,
    workerPath: join(dir, 'runtime', 'worker.mjs'),
    handlerPaths: new Map(functions.map((fn) => [fn.name, join(dir, 'functions', fn.name, 'index.mjs')])),
    dispose,
  };
}
