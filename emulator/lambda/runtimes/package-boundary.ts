import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

/**
 * Code as Lambda sees it: a function's code resolves packages only from its deployment package
 * (unpacked at /var/task), its layers (/opt) and what its runtime ships (NODE_PATH), never from a
 * folder above them. Node looks up from a module's folder to the file system's root, so code
 * loaded where it lies in a project would find the project's own node_modules (an Architect
 * function's `@architect/functions`, installed at deploy), pass here and fail INIT on Lambda.
 *
 * The boundary is a set of roots (the code's folder, the folder standing in for /opt): a module
 * inside a root looks for node_modules up to that root only. CommonJS: Node's own list of
 * lookup folders (`Module._nodeModulePaths`) cut at the root; NODE_PATH comes after it as
 * before. ES modules: the resolve hook (bundled-sdk-hooks.ts) refuses what Node found above
 * the root, with the shared helpers here. A package found only above is named in the error's
 * first line: where it is, and why Lambda would not find it.
 */
export interface PackageBoundary {
  /** Real paths of the folders whose modules resolve packages inside themselves only: the task root, the /opt stand-in. */
  roots: string[];
  /** How messages name the function's package (`src/http/get-index`), and the folder shown paths are relative to. */
  shown?: { package: string; base: string };
}

/** `@scope/name` or `name` of a bare specifier (`@scope/name/sub`, `name/sub`); undefined when it is not bare. */
export function packageNameOf(specifier: string): string | undefined {
  if (/^(\.{0,2}\/|#|[a-z][a-z0-9+.-]*:)/i.test(specifier) || specifier === '.' || specifier === '..') return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? (parts.length >= 2 ? `${parts[0]}/${parts[1]}` : undefined) : parts[0];
}

export function isWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The root a path lies in, if any. */
export function rootOf(path: string, roots: readonly string[]): string | undefined {
  return roots.find((r) => isWithin(path, r));
}

/** Whether `node_modules/<pkg>` exists in a folder from `fromDir` up to `root` (both included): what Lambda would find. */
export function foundInside(fromDir: string, root: string, pkg: string): boolean {
  for (let d = fromDir; isWithin(d, root); d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', pkg))) return true;
    if (dirname(d) === d) break;
  }
  return false;
}

/** Where Node would have found `pkg` above the root, looking up from `fromDir`: the package's folder, or undefined. */
export function foundAbove(fromDir: string, roots: readonly string[], pkg: string): string | undefined {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', pkg);
    if (rootOf(d, roots) === undefined && existsSync(candidate)) return candidate;
    if (dirname(d) === d) return undefined;
  }
}

type ModuleInternals = { _nodeModulePaths(from: string): string[] };

let installed = false;

/** CommonJS: lookups from a module inside a root stop at that root (NODE_PATH is searched after them, as on Lambda). */
export function installCommonJsBoundary(boundary: PackageBoundary): void {
  if (installed || boundary.roots.length === 0) return;
  installed = true;
  const Module = (nodeModule as unknown as { default?: ModuleInternals }).default ?? (nodeModule as unknown as ModuleInternals);
  const original = Module._nodeModulePaths.bind(Module);
  Module._nodeModulePaths = (from: string) => {
    const paths = original(from);
    const root = rootOf(from, boundary.roots);
    return root === undefined ? paths : paths.filter((p) => isWithin(dirname(p), root));
  };
}

/**
 * The note a missing package's error carries when Node would have found it above the function's
 * package: `found in ../node_modules/x, which is not part of the function's package (src/fn);
 * Lambda would not find it: bundle it, or put it in a layer`. Undefined when it is nowhere.
 */
export function outsideNote(specifier: string, importer: string, boundary: PackageBoundary): string | undefined {
  const pkg = packageNameOf(specifier);
  if (pkg === undefined || rootOf(importer, boundary.roots) === undefined) return undefined;
  const found = foundAbove(dirname(importer), boundary.roots, pkg);
  if (found === undefined) return undefined;
  const shown = boundary.shown;
  const where = shown ? relative(shown.base, found) || found : found;
  const what = shown ? `the function's package (${shown.package})` : "the function's package";
  return `found in ${where}, which is not part of ${what}; Lambda would not find it: bundle it, or put it in a layer`;
}

/** What a `found in …` note looks like at the end of an import error's first line (the runtime logs these in stack.log). */
export const OUTSIDE_NOTE = /: found in .*, which (is not part of the function's package|Lambda's runtime does not have)/;

/**
 * The module a Node import error names and the file that asked for it: CommonJS's `Cannot find
 * module 'x'` with its require stack, or ESM's `Cannot find package 'x' imported from /file`.
 */
export function missingImportOf(err: { message: string; requireStack?: unknown }): { specifier: string; importer: string } | undefined {
  const cjs = /^Cannot find module '([^']+)'/.exec(err.message);
  const stack = Array.isArray(err.requireStack) ? (err.requireStack as unknown[]) : [];
  if (cjs && typeof stack[0] === 'string') return { specifier: cjs[1]!, importer: stack[0] };
  const esm = /^Cannot find package '([^']+)' imported from (.+)$/m.exec(err.message);
  if (esm) return { specifier: esm[1]!, importer: esm[2]!.trim() };
  return undefined;
}
