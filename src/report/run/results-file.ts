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
 * The results checked against the schema: as they are, or, where they do not match (a bug in the
 * harness), with the problem in harness.warnings, so the measurements are still written rather
 * than lost and every page says so. The results given are left as they were. The results a
 * process writes as it exits before they were finished (src/session/unwritten-results.ts) skip
 * it: a check costs about a quarter of a second of a small run's CPU, and an exit cannot wait.
 */
export function checkedResults<R extends Results>(results: R): R {
  const check = Results.safeParse(results);
  if (check.success) return results;
  const issue = check.error.issues[0]!;
  const warning = `results.json does not match its schema at ${issue.path.join('.')}: ${issue.message}`;
  return { ...results, harness: { ...results.harness, warnings: [...results.harness.warnings, warning] } };
}

/** Writes results.json as given (whole: a temporary file renamed over it). */
export function writeResults(runDir: string, results: Results): string {
  const file = join(runDir, RESULTS_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}
