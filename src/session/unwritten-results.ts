import type { Results } from '../contracts/results-schema.ts';
import { writeResults } from '../report/run/results-file.ts';

/**
 * results.json is written once per run directory, when its measurement is finished (finish.ts).
 * Until then the results so far (the fleet's, then each system step's as it returns) are kept
 * here by directory, and should the process end first (a second Ctrl-C quits at once, an error no
 * one caught), written from them, once, as it exits: a failure mid-run loses nothing measured.
 * One 'exit' listener for the process, however many measurements.
 */
const unwritten = new Map<string, Results>();
let listening = false;

/** The results of `dir` so far, to be written should the process end before they are finished. */
export function keepUnwritten(dir: string, results: Results): void {
  unwritten.set(dir, results);
  if (listening) return;
  listening = true;
  process.on('exit', writeUnwritten);
}

/** `dir`'s results are finished (or will be by their writer): nothing to write at exit. */
export function forgetUnwritten(dir: string): void {
  unwritten.delete(dir);
}

function writeUnwritten(): void {
  for (const [dir, results] of unwritten) {
    try {
      // unchecked: a schema check costs a quarter of a second of a small run's CPU, and the exit cannot wait
      writeResults(dir, results);
    } catch {
      // a directory gone with its process's temporary files: nothing left to keep it in
    }
  }
  unwritten.clear();
}
