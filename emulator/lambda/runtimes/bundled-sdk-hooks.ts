/**
 * The ESM resolve hook a worker registers (module.register) for user code written as ES modules:
 * a bare specifier the function's own directories cannot resolve (`@aws-sdk/client-dynamodb`
 * with no node_modules beside the code) is resolved again from the runtime's module directory,
 * as Lambda's Node.js runtime offers the AWS SDK v3 it bundles. NODE_PATH does this for
 * CommonJS; ES modules ignore NODE_PATH. Self-contained: `resolve` runs on Node's loader-hooks
 * thread (module.register, Node 20); `resolveSync` in the environment's own thread
 * (module.registerHooks, Node 22.15 and later, which starts no thread).
 */
interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string }>;
type NextResolveSync = (specifier: string, context: ResolveContext) => { url: string };

/** A file URL inside the runtime's module directory's parent: resolving from it finds that node_modules. */
let fallbackParent: string | undefined;

export function initialize(data: { fallbackParent: string }): void {
  fallbackParent = data.fallbackParent;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string }> {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (!fallsBack(specifier, err)) throw err;
    try {
      return await next(specifier, { ...context, parentURL: fallbackParent });
    } catch {
      throw err; // the function's own error: where it looked first
    }
  }
}

/** The same resolution for module.registerHooks, given the fallback directly (no initialize there). */
export function resolveSyncFrom(parent: string): (specifier: string, context: ResolveContext, next: NextResolveSync) => { url: string } {
  fallbackParent = parent;
  return (specifier, context, next) => {
    try {
      return next(specifier, context);
    } catch (err) {
      if (!fallsBack(specifier, err)) throw err;
      try {
        return next(specifier, { ...context, parentURL: fallbackParent });
      } catch {
        throw err;
      }
    }
  };
}

/** Only a bare specifier the function's own directories could not resolve is looked up again. */
function fallsBack(specifier: string, err: unknown): boolean {
  const bare = !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
  return bare && fallbackParent !== undefined && (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
}
