import type { Results } from '../contracts/results-schema.ts';
import { checkFailed, type Explanation, type RunExplanation } from '../contracts/verdict-schema.ts';
import { runChecks } from './checks.ts';
import { explainChecks } from '../diagnosis/explanations.ts';

/**
 * One run's failed checks with their explanations, from its own results and its own window's
 * evidence; undefined when every check passed. What `--repeat` and `compare` tell beside each
 * run's figures.
 */
export function explainRun(r: Results): RunExplanation | undefined {
  const checks = runChecks(r);
  const failed = checks.filter(checkFailed);
  if (failed.length === 0) return undefined;
  return { failed: failed.map((c) => ({ check: c.name, detail: c.detail })), explanations: explainChecks(r, checks) };
}

/** For each failed check of several runs judged together, the explanation of the first run it failed in. */
export function firstExplanations(failedChecks: readonly string[], explained: readonly (RunExplanation | undefined)[]): Explanation[] {
  const out: Explanation[] = [];
  for (const name of failedChecks) {
    const e = explained.map((w) => w?.explanations.find((x) => x.check === name)).find((x) => x !== undefined);
    if (e) out.push(e);
  }
  return out;
}
