import { readFile } from 'node:fs/promises';
import { UserError } from '../../../common/errors.ts';
import { COMPARE_SCHEMA_VERSION, CompareFile } from '../../analyses/compare/compare-schema.ts';

/**
 * Reads and validates a compare.json (a memory comparison, older ones too, or a sweep). A missing,
 * unreadable or invalid file is one line naming it.
 */
export async function readComparison(file: string): Promise<CompareFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? (error as Error).message})`}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const version = typeof raw === 'object' && raw !== null ? (raw as { schemaVersion?: unknown }).schemaVersion : undefined;
  if (typeof version === 'number' && version > COMPARE_SCHEMA_VERSION) {
    throw new UserError(`${file}: schemaVersion ${version} is newer than this fanout-bench reads (${COMPARE_SCHEMA_VERSION}): upgrade fanout-bench`);
  }
  const parsed = CompareFile.safeParse(raw);
  if (!parsed.success) throw new UserError(`${file}: not a comparison this version reads (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}
