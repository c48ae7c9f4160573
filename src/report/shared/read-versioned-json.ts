import { readFile } from 'node:fs/promises';
import { UserError } from '../../../common/errors.ts';

/**
 * A JSON file fanout-bench wrote (results.json, compare.json), read back: its content and its
 * `schemaVersion`, refused when newer than `newest` (what this version reads). A missing,
 * unreadable, malformed or newer file is one line naming it; the caller validates the content.
 */
export async function readVersionedJson(file: string, newest: number): Promise<{ raw: unknown; version: unknown }> {
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
  if (typeof version === 'number' && Number.isInteger(version) && version > newest) {
    throw new UserError(`${file}: schemaVersion ${version} is newer than this fanout-bench reads (${newest}): upgrade fanout-bench`);
  }
  return { raw, version };
}
