import { readFile } from 'node:fs/promises';
import { fieldPath, UserError } from '../errors.ts';
import { Results } from '../metrics/results-schema.ts';

/** Reads and validates a results.json; a missing or invalid file is one line naming file and field. */
export async function readResults(file: string): Promise<Results> {
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
  const parsed = Results.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${file}: ${fieldPath(issue.path)}: ${issue.message}`);
  }
  return parsed.data;
}
