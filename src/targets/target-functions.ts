import { z } from 'zod';
import { REFERENCE_FUNCTIONS } from '../metrics/reference-functions.ts';
import type { LocalStackInfo } from './target.ts';
import { TargetFunction, type TargetFunctions } from './target-schema.ts';

/**
 * Where a target's function list comes from. A local stack lists its functions, with the memory
 * each got from `--memory` or its config, in its ready line; that is read here and nowhere else,
 * so switching to Lambda's GetFunctionConfiguration changes this one function.
 */
export async function localStackFunctions(ready: LocalStackInfo): Promise<TargetFunctions> {
  const listed = z.array(TargetFunction).safeParse(ready.functions);
  if (listed.success && listed.data.length > 0) return { source: 'stack', functions: listed.data };
  return assumedFunctions('the local stack did not list its functions (an older stack)');
}

/**
 * Nobody was asked: the reference stack's names, routes and default memory sizes, marked as
 * assumed. REPORT lines still carry the memory each invocation really had.
 */
export function assumedFunctions(why: string): TargetFunctions {
  return {
    source: 'assumed',
    note: `${why}: assumed the reference stack's functions and default memory sizes`,
    functions: REFERENCE_FUNCTIONS.map((f) => ({ name: f.name, route: f.route, memoryMB: f.memoryMB })),
  };
}
