import type { Results } from '../contracts/results-schema.ts';
import { writeResults } from '../report/run/results-file.ts';

/**
 * results.json is written once per run directory, when its measurement is finished (finish.ts).
 * Until then the results so far are kept here by directory, as how to build them (the fleet's
 * measurements as they stand while it runs, then the fleet's results, then each system step's as
 * it returns), and should the process end first (a second Ctrl-C quits at once, an error no one
 * caught), built and written, once, as it exits: a failure mid-run loses nothing measured. One
 * 'exit' listener for the process, however many measurements.
 */
const unwritten = new Map<string, () => Results>();
let listening = false;

/** How to build the results of `dir` so far, should the process end before they are finished. */
export function keepUnwritten(dir: string, soFar: () => Results): void {
  unwritten.set(dir, soFar);
  if (listening) return;
  listening = true;
  process.on('exit', writeUnwritten);
}

/** `dir`'s results are finished (or will be by their writer): nothing to write at exit. */
export function forgetUnwritten(dir: string): void {
  unwritten.delete(dir);
}

function writeUnwritten(): void {
  for (const [dir, soFar] of unwritten) {
    try {
      // unchecked: a schema check costs a quarter of a second of a small run's CPU, and the exit cannot wait
      writeResults(dir, soFar());
    } catch {
      // a directory gone with its process's temporary files: nothing left to keep it in
    }
  }
  unwritten.clear();
}
