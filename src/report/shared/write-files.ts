import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../../common/errors.ts';

/**
 * Writes rendered reports, `[file name, text]` each, into `dir`; returns the paths written. A
 * file that cannot be written is a UserError naming it (exit 2).
 */
export async function writeTextFiles(dir: string, outputs: ReadonlyArray<readonly [string, string]>): Promise<string[]> {
  const files: string[] = [];
  for (const [name, text] of outputs) {
    const file = join(dir, name);
    try {
      await writeFile(file, text);
    } catch (err) {
      throw new UserError(`${file}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    files.push(file);
  }
  return files;
}
