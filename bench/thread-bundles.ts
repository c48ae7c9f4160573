import { basename, join } from 'node:path';
import { build } from 'esbuild';

/**
 * A benchmark's worker-thread entries (TypeScript files, absolute paths) bundled to plain JS into
 * `out`, since a worker thread started from tsx cannot load TypeScript: each entry's `.mjs`, in
 * the order given. Shared by the benchmarks that put load or clients on threads of their own.
 */
export async function bundleThreads(out: string, entries: readonly string[]): Promise<string[]> {
  await build({
    // each named by its file alone, wherever its folder: entries of two folders do not nest in `out`
    entryPoints: entries.map((e) => ({ in: e, out: basename(e, '.ts') })),
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node.split('.')[0]}`,
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
  });
  return entries.map((e) => join(out, `${basename(e, '.ts')}.mjs`));
}
