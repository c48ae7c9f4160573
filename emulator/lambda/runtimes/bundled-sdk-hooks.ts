/**
 * The ESM resolve hook a worker registers (module.register) for user code written as ES modules,
 * doing for ES modules what NODE_PATH and the CommonJS boundary (package-boundary.ts) do for
 * CommonJS:
 * - a package a module inside the function's package (or its layers) imports is found only
 *   inside it: what Node found above it (the project's node_modules) is refused, as
 *   `Cannot find package 'x' imported from …`, Node's own words;
 * - a bare specifier the function's own folders cannot resolve (`@aws-sdk/client-dynamodb` with
 *   no node_modules beside the code) is resolved again from the module folders the runtime
 *   offers, in NODE_PATH's order (the layers' `nodejs/nodeNN/node_modules`, `nodejs/node_modules`,
 *   then the SDK its runtime bundles), as Lambda's Node.js runtimes do from nodejs18.x on.
 * Self-contained: `resolve` runs on Node's loader-hooks thread (module.register, Node 20);
 * `resolveSyncFrom` in the environment's own thread (module.registerHooks, Node 22.15 and later,
 * which starts no thread).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { foundInside, packageNameOf, rootOf } from './package-boundary.ts';

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;
type NextResolveSync = (specifier: string, context: ResolveContext) => { url: string };

/** What the hook is given: the boundary's roots and the module folders offered after the package (NODE_PATH's order). */
export interface EsmHookData {
  roots: string[];
  modulePaths: string[];
}

let data: EsmHookData = { roots: [], modulePaths: [] };

export function initialize(given: EsmHookData): void {
  data = given;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string }> {
  let first: unknown;
  try {
    const found = await next(specifier, context);
    if (inBounds(specifier, context.parentURL, found.url)) return found;
    first = notFound(specifier, context.parentURL);
  } catch (err) {
    if (!fallsBack(specifier, err)) throw err;
    first = err;
  }
  const pkg = packageNameOf(specifier)!;
  for (const dir of data.modulePaths) {
    if (!existsSync(join(dir, pkg))) continue;
    try {
      return await next(specifier, { ...context, parentURL: parentIn(dir) });
    } catch {
      // the next folder
    }
  }
  throw first; // the function's own error: where it looked first
}

/** The same resolution for module.registerHooks, given its data directly (no initialize there). */
export function resolveSyncFrom(given: EsmHookData): (specifier: string, context: ResolveContext, next: NextResolveSync) => { url: string } {
  data = given;
  return (specifier, context, next) => {
    let first: unknown;
    try {
      const found = next(specifier, context);
      if (inBounds(specifier, context.parentURL, found.url)) return found;
      first = notFound(specifier, context.parentURL);
    } catch (err) {
      if (!fallsBack(specifier, err)) throw err;
      first = err;
    }
    const pkg = packageNameOf(specifier)!;
    for (const dir of data.modulePaths) {
      if (!existsSync(join(dir, pkg))) continue;
      try {
        return next(specifier, { ...context, parentURL: parentIn(dir) });
      } catch {
        // the next folder
      }
    }
    throw first;
  };
}

/** A file URL in a module folder's parent: resolving from it finds that node_modules first. */
function parentIn(modulesDir: string): string {
  return pathToFileURL(join(dirname(modulesDir), 'resolve-from-here.js')).href;
}

/**
 * Whether what Node resolved is what Lambda would: anything but a bare specifier imported from
 * inside a root, or a package that sits in a node_modules between the importer and its root.
 * (Checked by where the package's folder is, not where the file resolved to: a node_modules of
 * links, as pnpm makes, resolves to real paths elsewhere.)
 */
function inBounds(specifier: string, parentURL: string | undefined, url: string): boolean {
  const pkg = packageNameOf(specifier);
  if (pkg === undefined || !url.startsWith('file:') || parentURL === undefined || !parentURL.startsWith('file:')) return true;
  const importer = fileURLToPath(parentURL);
  const root = rootOf(importer, data.roots);
  return root === undefined || foundInside(dirname(importer), root, pkg);
}

/** Node's own error for a package it cannot find. */
function notFound(specifier: string, parentURL: string | undefined): Error {
  const from = parentURL?.startsWith('file:') ? fileURLToPath(parentURL) : String(parentURL);
  return Object.assign(new Error(`Cannot find package '${packageNameOf(specifier)}' imported from ${from}`), { code: 'ERR_MODULE_NOT_FOUND' });
}

/** Only a bare specifier the function's own folders could not resolve is looked up again. */
function fallsBack(specifier: string, err: unknown): boolean {
  return packageNameOf(specifier) !== undefined && (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
}
