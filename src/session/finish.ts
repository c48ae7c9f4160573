import type { Results } from '../contracts/results-schema.ts';
import { checkedResults, writeResults } from '../report/run/results-file.ts';
import { writeReports } from '../report/run/write.ts';
import { evaluate, type EvaluateOptions } from '../verdict/evaluate.ts';
import type { Verdict } from '../contracts/verdict-schema.ts';

export interface FinishOptions {
  /** what the verdict is judged by besides the built-in checks: thresholds, a baseline, the repeats, notes */
  judge?: EvaluateOptions;
  /** a report that could not be rendered, one line (results.json is written by then) */
  onWarning?: (message: string) => void;
}

export interface Finished {
  /** the results, their verdict stored in them */
  results: Results & { verdict: Verdict };
  /** the files written: results.json first */
  files: string[];
}

/**
 * Finishing, the one way every run ends (`run`, each `--repeat`, each of `compare`'s
 * measurements, a target that never started, `report --artillery`): judge → results.json →
 * reports. results.json first, so the measurements and their verdict are on disk whatever the
 * renderers do; then index.html, summary.md and junit.xml from it. A report that fails to render
 * is a warning naming how to render it again, not a lost run.
 */
export async function finish(results: Results, runDir: string, options: FinishOptions = {}): Promise<Finished> {
  const judged = checkedResults({ ...results, verdict: evaluate(results, options.judge) });
  const files = [writeResults(runDir, judged)];
  try {
    files.push(...(await writeReports(judged, runDir)));
  } catch (err) {
    options.onWarning?.(
      `report rendering failed: ${(err as Error).message} (results.json is complete; re-render with \`fanout-bench report ${runDir}\`)`,
    );
  }
  return { results: judged, files };
}
