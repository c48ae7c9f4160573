import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Results } from '../../contracts/results-schema.ts';
import { RESULTS_FILE } from './run-dir.ts';

/**
 * Writes results.json. The results are checked against the schema first; a mismatch is a bug
 * in the harness, but the measurements are still written (with the problem in
 * harness.warnings) rather than lost.
 */
export function writeResults(runDir: string, results: Results): string {
  const check = Results.safeParse(results);
  if (!check.success) {
    const issue = check.error.issues[0];
    results.harness.warnings.push(`results.json does not match its schema at ${issue.path.join('.')}: ${issue.message}`);
  }
  const file = join(runDir, RESULTS_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}
