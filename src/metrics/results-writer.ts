import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Results, type IntervalRecord } from './results-schema.ts';

/**
 * A run's directory: intervals.ndjson grows one line per interval while the run goes (synchronous
 * appends: a crash or Ctrl-C loses nothing already measured), results.json is written at the end
 * (to a temporary name, then renamed, so a reader never sees half a file).
 */
export const RESULTS_FILE = 'results.json';
export const INTERVALS_FILE = 'intervals.ndjson';

export function createRunDir(outDir: string, runId: string): string {
  const dir = join(outDir, runId);
  mkdirSync(dir, { recursive: true });
  return dir;
}

export class IntervalStream {
  readonly file: string;

  constructor(runDir: string) {
    this.file = join(runDir, INTERVALS_FILE);
    writeFileSync(this.file, '');
  }

  append(record: IntervalRecord): void {
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }
}

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
