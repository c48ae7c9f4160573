import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * This folder's thread entries bundled to plain JS into `out` (a worker thread started from tsx
 * cannot load TypeScript), as floor.ts bundles its own; the paths in the order of `names`.
 */
export async function bundleThreads(out: string, names: readonly string[]): Promise<string[]> {
  await build({
    entryPoints: names.map((n) => fileURLToPath(new URL(`./${n}.ts`, import.meta.url))),
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
  return names.map((n) => join(out, `${n}.mjs`));
}
