import type { Results } from '../contracts/results-schema.ts';
import { readResults } from '../report/run/results-file.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';
import { collectThresholds } from '../verdict/threshold-list.ts';
import type { Threshold } from '../contracts/threshold.ts';

/** What a verdict will be judged against, checked before any load is sent. */
export interface VerdictInput {
  thresholds: Threshold[];
  /** the --baseline results (a version 1 file is read too) */
  baseline?: Results;
}

/**
 * The scenario's `thresholds:` and the `--threshold` flags, parsed, and the `--baseline` file,
 * read and validated: a malformed expression, an unknown metric or a bad baseline file is a
 * UserError (one line naming it, exit 2) before the target is even resolved.
 */
export async function checkVerdictInput(scenario: Scenario, o: { thresholds?: readonly string[]; baseline?: string }): Promise<VerdictInput> {
  const thresholds = collectThresholds({ scenario: scenario.thresholds, flags: o.thresholds, baseline: { given: o.baseline !== undefined } });
  const baseline = o.baseline === undefined ? undefined : await readResults(o.baseline);
  return { thresholds, ...(baseline ? { baseline } : {}) };
}
