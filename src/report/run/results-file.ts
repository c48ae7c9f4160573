import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { fieldPath, UserError } from '../../../common/errors.ts';
import { Results, ResultsV1, SCHEMA_VERSION } from '../../contracts/results-schema.ts';
import { judged, type JudgedResults } from '../../verdict/judged.ts';
import { RESULTS_FILE } from '../../metrics/results/run-dir.ts';
import { readVersionedJson } from '../shared/read-versioned-json.ts';

/**
 * results.json, read and written in one place.
 *
 * Reads and validates a results.json of this version or an older one, with its verdict: a
 * version 1 file (no verdict stored) is judged by its built-in checks as it is read. A missing or
 * invalid file is one line naming file and field.
 */
export async function readResults(file: string): Promise<JudgedResults> {
  const { raw, version } = await readVersionedJson(file, SCHEMA_VERSION);
  if (version === 1) {
    const v1 = valid(ResultsV1, raw, file);
    return judged({ ...v1, schemaVersion: SCHEMA_VERSION }, 'judged when read: a version 1 results file stores no verdict, so this is its built-in checks');
  }
  return judged(valid(Results, raw, file));
}

function valid<T extends z.ZodType>(schema: T, raw: unknown, file: string): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${file}: ${fieldPath(issue.path)}: ${issue.message}`);
  }
  return parsed.data;
}

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
