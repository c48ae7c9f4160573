import { REFERENCE_FUNCTIONS, type BenchFunction } from '../../contracts/reference-functions.ts';
import type { FunctionHop } from '../../contracts/path-schema.ts';
import type { Results } from '../../contracts/results-schema.ts';

/**
 * The Lambda functions a run's work and cost are computed for: its target's, as results.json
 * recorded them (`config.target.functions`), else — results written before targets described
 * their functions — the reference stack's defaults.
 */
export function runFunctions(results: Pick<Results, 'config'>): readonly BenchFunction[] {
  return results.config.target.functions?.functions ?? REFERENCE_FUNCTIONS;
}

/** The one architecture every function of the run declares, if they all declare the same. */
export function runArchitecture(results: Pick<Results, 'config'>): 'x86_64' | 'arm64' | undefined {
  const archs = new Set((results.config.target.functions?.functions ?? []).map((f) => f.architecture));
  const [only] = archs;
  return archs.size === 1 ? only : undefined;
}

/**
 * The route a path function is listed under: it serves no route (a mapping or an asynchronous
 * invocation invokes it), so it is never a client frame, a connection or a route's DynamoDB work.
 */
export const PATH_ROUTE = '(path)';

/** Lambda's default memory size, for a path function whose results do not say its own. */
export const LAMBDA_DEFAULT_MEMORY_MB = 128;

/** A function of the run's queued path that no route invokes, with what results.path counted of it. */
export interface PathFunction {
  fn: BenchFunction;
  hop: FunctionHop;
  /** its memory is Lambda's default, not read (results.path written before memory was recorded) */
  memoryAssumed: boolean;
}

/**
 * The functions of results.path that are not the target's route functions (a queue's worker, a
 * topic's or a rule's subscriber): their work and cost are the stack's too.
 */
export function runPathFunctions(results: Pick<Results, 'config' | 'path'>): PathFunction[] {
  const routed = new Set(runFunctions(results).map((f) => f.name));
  return (results.path?.hops ?? []).flatMap((h) => {
    if (h.kind !== 'function' || routed.has(h.name)) return [];
    return [{ fn: { name: h.name, route: PATH_ROUTE, memoryMB: h.memoryMB ?? LAMBDA_DEFAULT_MEMORY_MB }, hop: h, memoryAssumed: h.memoryMB === undefined }];
  });
}
