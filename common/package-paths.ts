import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fanout-bench package's own directory: where package.json, the reference stack's function
 * sources, the report assets and the Artillery engine sit. Found by walking up from this module,
 * so it is the same directory whether this module runs as TypeScript in the checkout (common/)
 * or compiled (dist/common/, `npm run build`), where a path relative to the module would be one
 * level off.
 */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'fanout-bench') return dir;
    if (dirname(dir) === dir) throw new Error(`fanout-bench: no package.json of fanout-bench above ${from}`);
  }
}

/** A path inside the package: `packagePath('reference-stack', 'functions')`. */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

/**
 * A module beside `moduleUrl` (an `import.meta.url`) with the same extension: `worker.ts` in the
 * checkout, `worker.js` in the compiled build. For sources handed to esbuild or to a worker.
 */
export function siblingModule(moduleUrl: string, stem: string): string {
  const own = fileURLToPath(moduleUrl);
  return join(dirname(own), `${stem}${own.endsWith('.js') ? '.js' : '.ts'}`);
}
