import { existsSync, readFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { createRequire, register } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveSyncFrom, type EsmHookData } from './bundled-sdk-hooks.ts';
import { installCommonJsBoundary, missingImportOf, outsideNote, type PackageBoundary } from './package-boundary.ts';

/**
 * Loading a function's code as written, the way Lambda's Node.js runtime (aws-lambda-nodejs-
 * runtime-interface-client, UserFunction.js) does, inside the environment's worker thread:
 *
 * - `Handler: [path/]module.export[.nested]`, relative to the code directory (Lambda's task root).
 * - The module file: `module` as is (extensionless, required), then `module.js` required unless
 *   the nearest package.json says `"type": "module"`, then `module.js` imported (when it does),
 *   `module.mjs` imported, `module.cjs` required; last, `module` resolved as Node would from the
 *   code directory.
 * - Errors as Lambda names them: `Runtime.MalformedHandlerName`, `Runtime.ImportModuleError`
 *   (nothing found, or a module it imports missing), `Runtime.UserCodeSyntaxError`,
 *   `Runtime.HandlerNotFound`.
 * - Packages found only inside the function's package and layers, then NODE_PATH
 *   (package-boundary.ts): a package Node would have found above them fails as on Lambda, its
 *   error's first line saying where it was found.
 */
export type Handler = (event: unknown, context: unknown, callback?: (err: unknown, value?: unknown) => void) => unknown;

export class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** What the worker passes in for user code: where it is, and what Lambda's runtime offers beside it. */
export interface HandlerModuleOptions {
  dir: string;
  handler: string;
  /** URL of the ESM resolve hook (bundled-sdk-hooks) and what it is given: the roots, the module folders it falls back to. */
  esmHook?: { url: string; data: EsmHookData };
  /** Where packages may be found (package-boundary.ts); none: anywhere Node looks. */
  boundary?: PackageBoundary;
}

export async function loadHandler(options: HandlerModuleOptions): Promise<Handler> {
  const { dir, handler: setting } = options;
  if (options.boundary) installCommonJsBoundary(options.boundary);
  const slash = setting.lastIndexOf('/');
  const moduleRoot = slash < 0 ? '' : setting.slice(0, slash);
  const match = /^([^.]*)\.(.*)$/.exec(setting.slice(slash + 1));
  if (!match || match[1] === '' || match[2] === '') throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, module, handlerPath] = match;
  const userApp = await loadModule(options, resolve(dir, moduleRoot, module), module);
  let value: unknown = userApp;
  for (const part of handlerPath.split('.')) value = value == null ? undefined : (value as Record<string, unknown>)[part];
  if (value === undefined) throw new RuntimeError('Runtime.HandlerNotFound', `${setting} is undefined or not exported`);
  if (typeof value !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${setting} is not a function`);
  return value as Handler;
}

async function loadModule(options: HandlerModuleOptions, path: string, module: string): Promise<unknown> {
  const typeModule = nearestPackageIsModule(path);
  try {
    if (existsSync(path)) return requireFile(path);
    if (!typeModule && existsSync(`${path}.js`)) return requireFile(`${path}.js`);
    if (typeModule && existsSync(`${path}.js`)) return await importFile(options, `${path}.js`);
    if (existsSync(`${path}.mjs`)) return await importFile(options, `${path}.mjs`);
    if (existsSync(`${path}.cjs`)) return requireFile(`${path}.cjs`);
    const require = createRequire(join(options.dir, 'index.js'));
    return require(require.resolve(module, { paths: [options.dir, dirname(path)] }));
  } catch (err) {
    throw asRuntimeError(err, options.boundary);
  }
}

function requireFile(path: string): unknown {
  return createRequire(path)(path);
}

let hookRegistered = false;

/** Node 22.15 and later: hooks that run in the calling thread (absent from Node 20's types). */
type RegisterHooks = (hooks: { resolve: ReturnType<typeof resolveSyncFrom> }) => unknown;
const registerHooks = (nodeModule as { registerHooks?: RegisterHooks }).registerHooks;

/**
 * ES modules ignore NODE_PATH and the CommonJS boundary: the first ESM import registers the
 * resolve hook that keeps them inside the package and offers the layers and the runtime's SDK. In the environment's own thread where Node can (registerHooks); on Node 20 only
 * module.register exists, and it starts a hooks thread per environment, which costs the emulator
 * a thread's start-up and memory per cold start (bench/RESULTS.md, template-compare).
 */
async function importFile(options: HandlerModuleOptions, path: string): Promise<unknown> {
  if (options.esmHook && !hookRegistered) {
    hookRegistered = true;
    if (registerHooks) registerHooks({ resolve: resolveSyncFrom(options.esmHook.data) });
    else register(options.esmHook.url, { data: options.esmHook.data });
  }
  return import(pathToFileURL(path).href);
}

/** `"type": "module"` in the nearest package.json, looking up from the file to the root. */
function nearestPackageIsModule(file: string): boolean {
  for (let dir = dirname(file), i = 0; i < 64; i++, dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    if (dirname(dir) === dir) return false;
  }
  return false;
}

function asRuntimeError(err: unknown, boundary: PackageBoundary | undefined): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as { code?: string }).code;
  if (err instanceof SyntaxError) return Object.assign(new RuntimeError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`), { stack: err.stack });
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    return Object.assign(new RuntimeError('Runtime.ImportModuleError', `Error: ${withOutsideNote(err, boundary)}`), { stack: err.stack });
  }
  return err;
}

/** Lambda's message, its first line followed by where the package was found above the function's package (if it was). */
function withOutsideNote(err: Error & { requireStack?: unknown }, boundary: PackageBoundary | undefined): string {
  const missing = boundary && missingImportOf(err);
  const note = missing && outsideNote(missing.specifier, missing.importer, boundary);
  if (!note) return err.message;
  const [first, ...rest] = err.message.split('\n');
  return [`${first}: ${note}`, ...rest].join('\n');
}
