import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync, type BuildFailure } from 'esbuild';
import { UserError } from '../../common/errors.ts';
import { packagePath } from '../../common/package-paths.ts';

/**
 * artillery-engine-fanout as Artillery loads it: artillery/engine/src (the engine class, its
 * player, ledger and plan) with the harness modules it plays the chat client with (src/fleet,
 * src/metrics, …), bundled into one ES module, artillery/engine/dist/index.js (the package's
 * `main`, not in git). Artillery's workers load plain JavaScript and install the engine package
 * with its own dependencies only, so the harness code travels inside the bundle, and the bundle
 * needs nothing but Node (the fleet's WebSocket client is its own, src/fleet/fleet-socket.ts).
 * `artillery export` builds it before writing a script, so the engine a worker runs is the
 * harness that planned its share. The packed package ships the
 * bundle built by `prepack` (and the engine's package.json), not its sources: installed, the
 * export uses that bundle, built from the very harness it ships, and writes nothing in the package.
 */
export const ENGINE_DIR = packagePath('artillery', 'engine');
/** The Artillery the engine is played and tested with (artillery/package.json pins it; a test holds the two together). */
export const ARTILLERY_VERSION = '2.0.34';
export const ENGINE_ENTRY = join(ENGINE_DIR, 'src', 'index.ts');
export const ENGINE_BUNDLE = join(ENGINE_DIR, 'dist', 'index.js');

/** A bundled CommonJS dependency may require() Node built-ins: give the ES module a require. */
const REQUIRE_BANNER = "import { createRequire as __fanoutCreateRequire } from 'node:module'; const require = __fanoutCreateRequire(import.meta.url);";

/**
 * The engine's bundle as `artillery export` hands it over: built afresh in a checkout (its sources
 * are there), the shipped one where fanout-bench is installed; one line when neither is there.
 */
export function engineBundleForExport(): string {
  if (existsSync(ENGINE_ENTRY)) return buildEngineBundle();
  if (existsSync(ENGINE_BUNDLE)) return ENGINE_BUNDLE;
  throw new UserError(`artillery engine: ${ENGINE_BUNDLE} is missing from this install of fanout-bench: install it again (npm pack builds it)`);
}

/** Builds the bundle at `out` (replaced whole, untouched when unchanged); returns its path. */
export function buildEngineBundle(out = ENGINE_BUNDLE): string {
  let code: Uint8Array;
  try {
    const result = buildSync({
      entryPoints: [ENGINE_ENTRY],
      outfile: out,
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      banner: { js: REQUIRE_BANNER },
      logLevel: 'silent',
      legalComments: 'none',
    });
    code = result.outputFiles[0]!.contents;
  } catch (err) {
    const first = (err as Partial<BuildFailure>).errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
    throw new UserError(`artillery engine: cannot bundle ${relative(process.cwd(), ENGINE_ENTRY)}: ${where}${first?.text ?? (err as Error).message}`);
  }
  if (sameAs(out, code)) return out;
  // a new file renamed over the old: an Artillery run starting meanwhile loads one or the other, whole
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(tmp, code);
    renameSync(tmp, out);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new UserError(`artillery engine: cannot write ${relative(process.cwd(), out)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return out;
}

function sameAs(file: string, code: Uint8Array): boolean {
  try {
    return Buffer.from(code).equals(readFileSync(file));
  } catch {
    return false;
  }
}

// `npm run build:artillery-engine`: for running Artillery on a script by hand.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.stdout.write(`${relative(process.cwd(), buildEngineBundle())}\n`);
  } catch (err) {
    process.stderr.write(`fanout-bench: ${(err as Error).message}\n`);
    process.exitCode = err instanceof UserError ? err.exitCode : 1;
  }
}
