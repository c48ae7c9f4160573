import { REFERENCE_FUNCTIONS, type BenchFunction } from '../../contracts/reference-functions.ts';
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
