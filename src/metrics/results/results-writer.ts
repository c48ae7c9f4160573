import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Results } from '../../contracts/results-schema.ts';
import { RESULTS_FILE } from './run-dir.ts';

/**
 * Writes results.json. The results are checked against the schema first; a mismatch is a bug
 * in the harness, but the measurements are still written (with the problem in
 * harness.warnings) rather than lost. `check: false` for the results a process writes as it exits
 * before they were finished (src/session/unwritten-results.ts): a check costs about a quarter of
 * a second of a small run's CPU, and an exit cannot wait.
 */
export function writeResults(runDir: string, results: Results, o: { check?: boolean } = {}): string {
  const check = o.check === false ? undefined : Results.safeParse(results);
  if (check && !check.success) {
    const issue = check.error.issues[0];
    results.harness.warnings.push(`results.json does not match its schema at ${issue.path.join('.')}: ${issue.message}`);
  }
  const file = join(runDir, RESULTS_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}
