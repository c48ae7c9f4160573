import type { z } from 'zod';
import { fieldPath, UserError } from '../../../common/errors.ts';
import { Results, ResultsV1, SCHEMA_VERSION } from '../../contracts/results-schema.ts';
import { judged, type JudgedResults } from '../../verdict/judged.ts';
import { readVersionedJson } from '../shared/read-versioned-json.ts';

/**
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
