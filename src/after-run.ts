import { writeResults } from './metrics/results-writer.ts';
import type { Results } from './metrics/results-schema.ts';
import type { Target } from './targets/target.ts';

/**
 * The last step of every run, finished, interrupted or failed, while the target is still up:
 * today it writes results.json. This is where the CloudWatch pull, the cost model and the report
 * renderers plug in (they may add `cloudwatch` and `cost` to `results` before it is written).
 */
export async function afterRun(results: Results, runDir: string, _target: Target | undefined): Promise<void> {
  writeResults(runDir, results);
}
