import { PATH_ROUTE } from '../../../common/stack-ready.ts';
import { REFERENCE_EMF, REFERENCE_FUNCTIONS, type BenchFunction } from '../../contracts/reference-functions.ts';
import type { EmfSource, TargetFunction } from '../../contracts/target-schema.ts';
import { REFERENCE_TABLES, type BenchTable } from '../../contracts/reference-tables.ts';
import type { FunctionHop } from '../../contracts/path-schema.ts';
import type { Results } from '../../contracts/results-schema.ts';

/**
 * The Lambda functions a run's work and cost are computed for: its target's, as results.json
 * recorded them (`config.target.functions`). Results written before targets described their
 * functions name none: the reference stack's where the target was local (the reference stack was
 * then the only stack the emulator ran); a deployed one's are not ours to assume (none).
 */
export function runFunctions(results: Pick<Results, 'config'>): readonly BenchFunction[] {
  const listed = results.config.target.functions?.functions;
  if (listed) return listed;
  return results.config.target.kind === 'local' ? REFERENCE_FUNCTIONS : [];
}

/**
 * Where the run's functions publish EMF metrics, each namespace and service once: as the target
 * lists them (their environment; the reference stack's assumed functions, its own); results
 * written before targets described their functions, the reference stack's where the target was
 * local, as runFunctions. A stack whose functions say nothing publishes none the pull can find.
 */
export function runEmfSources(results: Pick<Results, 'config'>): EmfSource[] {
  const listed = results.config.target.functions?.functions;
  return listed ? emfSources(listed) : results.config.target.kind === 'local' ? [REFERENCE_EMF] : [];
}

/** Where these functions publish EMF metrics, each namespace and service once. */
export function emfSources(functions: readonly TargetFunction[]): EmfSource[] {
  const seen = new Set<string>();
  return functions.flatMap((f) => (f.emf ? [f.emf] : [])).filter((e) => {
    const key = `${e.namespace}\u0000${e.service ?? ''}`;
    return !seen.has(key) && seen.add(key);
  });
}

/**
 * The DynamoDB tables a run's CloudWatch pull reads: those its target named (a stack's own; the
 * reference stack's indexes where the name is one of its tables, the others' listed by
 * ListMetrics); a target that named none, the reference stack's only where the run's functions are
 * the reference stack's assumed ones, otherwise none.
 */
export function runTables(results: Pick<Results, 'config'>): BenchTable[] {
  const target = results.config.target;
  const named = target.endpoints?.tables;
  if (named) return named.map((name) => REFERENCE_TABLES.find((t) => t.name === name) ?? { name, globalIndexes: [] });
  const assumedOurs = target.functions ? target.functions.source === 'assumed' && target.functions.functions.length > 0 : target.kind === 'local';
  return assumedOurs ? [...REFERENCE_TABLES] : [];
}

/** The one architecture every function of the run declares, if they all declare the same. */
export function runArchitecture(results: Pick<Results, 'config'>): 'x86_64' | 'arm64' | undefined {
  const archs = new Set((results.config.target.functions?.functions ?? []).map((f) => f.architecture));
  const [only] = archs;
  return archs.size === 1 ? only : undefined;
}

/**
 * The route a path function is listed under (the ready line's, common/stack-ready.ts): it serves
 * no route (a mapping or an asynchronous invocation invokes it), so it is never a client frame, a
 * connection or a route's DynamoDB work.
 */
export { PATH_ROUTE };

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
 * The functions of results.path that no route invokes (a queue's worker, a topic's or a rule's
 * subscriber): their work and cost are the stack's too. Where the target lists one (under
 * PATH_ROUTE), its listing's memory is used.
 */
export function runPathFunctions(results: Pick<Results, 'config' | 'path'>): PathFunction[] {
  const listed = new Map(runFunctions(results).map((f) => [f.name, f]));
  return (results.path?.hops ?? []).flatMap((h) => {
    const own = listed.get(h.name);
    if (h.kind !== 'function' || (own && own.route !== PATH_ROUTE)) return [];
    const memoryMB = h.memoryMB ?? own?.memoryMB;
    return [{ fn: { name: h.name, route: PATH_ROUTE, memoryMB: memoryMB ?? LAMBDA_DEFAULT_MEMORY_MB }, hop: h, memoryAssumed: memoryMB === undefined }];
  });
}
