import { UserError } from '../../../common/errors.ts';
import { COMPARE_SCHEMA_VERSION, CompareFile } from '../../analyses/compare/compare-schema.ts';
import { readVersionedJson } from '../shared/read-versioned-json.ts';

/**
 * Reads and validates a compare.json (a memory comparison, older ones too, or a sweep). A missing,
 * unreadable or invalid file is one line naming it.
 */
export async function readComparison(file: string): Promise<CompareFile> {
  const { raw } = await readVersionedJson(file, COMPARE_SCHEMA_VERSION);
  const parsed = CompareFile.safeParse(raw);
  if (!parsed.success) throw new UserError(`${file}: not a comparison this version reads (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}
