import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../../../common/errors.ts';
import { Results } from '../../contracts/results-schema.ts';

/**
 * A run's directory: intervals.ndjson grows one line per interval while the run goes
 * (interval-file.ts), results.json is written when the fleet is done and again at the end (to a
 * temporary name, then renamed, so a reader never sees half a file).
 */
export const RESULTS_FILE = 'results.json';
export const INTERVALS_FILE = 'intervals.ndjson';

/**
 * Creates `<outDir>/<runId>`. A path that cannot hold a directory is one line naming it (exit 2).
 * The missing levels are made one at a time from the nearest existing ancestor: Node's recursive
 * mkdir spins forever under /proc, where mkdir answers ENOENT for a parent that exists.
 */
export function createRunDir(outDir: string, runId: string): string {
  const dir = join(outDir, runId);
  const missing: string[] = [];
  let existing = resolve(dir);
  for (;;) {
    const st = statOrUndefined(existing);
    if (st) {
      if (!st.isDirectory()) throw new UserError(`--out ${outDir}: ${existing} is not a directory`);
      break;
    }
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
    for (const d of missing) mkdirSync(d);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UserError(`--out ${outDir}: cannot create a run directory under ${existing} (${code})`);
  }
  return dir;
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
