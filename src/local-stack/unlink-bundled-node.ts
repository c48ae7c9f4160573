import { readlinkSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { bundledNodePackage, PINNED_NODE_VERSIONS } from './node-binaries.ts';
import { packagePath } from '../../common/package-paths.ts';

/**
 * package.json's prepare (run by `npm ci` and `npm install` in the checkout, not when the package
 * is installed as a dependency, which ships no TypeScript): removes the `node` command npm links
 * into node_modules/.bin for the bundled Node package (node-binaries.ts; its package.json
 * declares a `node` bin). Left there it comes first on PATH in every npm script and npx command,
 * so `npm test` or `npx fanout-bench` would run on that Node instead of the machine's, unasked. findNode() uses the binary by its
 * path, not through PATH. Only a link into a bundled Node package is removed. (`npm rebuild` and
 * `npm ci --ignore-scripts` leave the link; the next `npm ci` removes it.)
 */
const MODULES = packagePath('node_modules');
const BIN = join(MODULES, '.bin', 'node');

function linkTarget(path: string): string | undefined {
  try {
    return resolve(dirname(path), readlinkSync(path));
  } catch {
    return undefined; // absent, or not a link: not npm's
  }
}

const target = linkTarget(BIN);
const bundled = Object.keys(PINNED_NODE_VERSIONS).map((major) => join(MODULES, bundledNodePackage(Number(major)), 'bin', 'node'));
if (target !== undefined && bundled.includes(target)) rmSync(BIN);
