import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Results } from '../../contracts/results-schema.ts';
import type { ReadRun } from './build-trend.ts';

export const RESULTS_FILE_NAME = 'results.json';

/**
 * The runs a trend is made of, from what the user named: a results.json (any name), a run
 * directory (its results.json), or a folder of them, searched to any depth. A run directory's
 * own results.json stands for it: the `repeat-N/` directories under it are its repeats, already
 * in its verdict, not runs of their own. Each file is read by `read` (the command's reader: the
 * results contract, older versions too); one that cannot be read, or a path that does not
 * exist, is skipped with why.
 */
export async function collectRuns(
  paths: readonly string[],
  read: (file: string) => Promise<Results>,
): Promise<{ runs: ReadRun[]; skipped: Array<{ file: string; reason: string }> }> {
  const files: string[] = [];
  const skipped: Array<{ file: string; reason: string }> = [];
  for (const path of paths) {
    const kind = await kindOf(path);
    if (kind === 'file') files.push(path);
    else if (kind === 'dir') files.push(...(await resultsUnder(path)));
    else skipped.push({ file: path, reason: kind.missing });
  }
  const runs: ReadRun[] = [];
  for (const file of files) {
    try {
      runs.push({ file, results: await read(file) });
    } catch (err) {
      skipped.push({ file, reason: (err as Error).message.startsWith(`${file}: `) ? (err as Error).message.slice(file.length + 2) : (err as Error).message });
    }
  }
  return { runs, skipped };
}

async function kindOf(path: string): Promise<'file' | 'dir' | { missing: string }> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { missing: code === 'ENOENT' ? 'no such file or directory' : `cannot read (${code ?? (err as Error).message})` };
  }
}

/** Every run directory's results.json under `dir`, in name order; a run directory is not searched further. */
async function resultsUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  if (entries.some((e) => e.isFile() && e.name === RESULTS_FILE_NAME)) return [join(dir, RESULTS_FILE_NAME)];
  const found: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) found.push(...(await resultsUnder(join(dir, e.name))));
  }
  return found;
}
