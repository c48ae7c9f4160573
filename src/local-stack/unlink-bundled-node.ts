import { readlinkSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundledNodePackage, modulesDirs, PINNED_NODE_VERSIONS } from './node-binaries.ts';
import { packagePath } from '../../common/package-paths.ts';

/**
 * Removes the `node` command npm links into node_modules/.bin for the bundled Node package
 * (node-binaries.ts; its package.json declares a `node` bin). Left there it comes first on PATH in
 * every npm script and npx command, so `npm test` or `npx fanout-bench` would run on that Node
 * instead of the machine's, unasked. findNode() uses the binary by its path, not through PATH.
 * Only a link into a bundled Node package of the same node_modules is removed.
 *
 * In the checkout, package.json's prepare runs this file (`npm ci` and `npm install` run it; `npm
 * rebuild` and `npm ci --ignore-scripts` leave the link until the next `npm ci`). Where
 * fanout-bench is installed as a dependency no install script runs (npm 11 runs none by default),
 * so the CLI does it at its start, in every node_modules above the package (npm hoists the bundled
 * Node into the project's): unlinkAbovePackage().
 */
export function unlinkBundledNode(modulesDir: string): boolean {
  const bin = join(modulesDir, '.bin', 'node');
  const target = linkTarget(bin);
  const bundled = Object.keys(PINNED_NODE_VERSIONS).map((major) => join(modulesDir, bundledNodePackage(Number(major)), 'bin', 'node'));
  if (target === undefined || !bundled.includes(target)) return false;
  rmSync(bin);
  return true;
}

/** unlinkBundledNode() in each node_modules Node's resolution would search from the package. */
export function unlinkAbovePackage(): void {
  for (const dir of modulesDirs()) {
    try {
      unlinkBundledNode(dir);
    } catch {
      // a node_modules the user cannot write (a global install): npm's link stays, nothing breaks
    }
  }
}

function linkTarget(path: string): string | undefined {
  try {
    return resolve(dirname(path), readlinkSync(path));
  } catch {
    return undefined; // absent, or not a link: not npm's
  }
}

// package.json's prepare, in the checkout
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) unlinkBundledNode(packagePath('node_modules'));
