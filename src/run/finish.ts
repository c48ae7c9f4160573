import type { Results } from '../metrics/results/results-schema.ts';
import { writeResults } from '../metrics/results/results-writer.ts';
import { writeReports } from '../report/write-reports.ts';

export interface FinishOptions {
  /** a report that could not be rendered, one line (results.json is written by then) */
  onWarning?: (message: string) => void;
}

/**
 * Finishing: results → files in a run directory. results.json first, so the measurements are on
 * disk whatever the renderers do; then index.html, summary.md and junit.xml from it. A report
 * that fails to render is a warning naming how to render it again, not a lost run. Returns the
 * files written.
 */
export async function finish(results: Results, runDir: string, options: FinishOptions = {}): Promise<string[]> {
  const files = [writeResults(runDir, results)];
  try {
    files.push(...(await writeReports(results, runDir)));
  } catch (err) {
    options.onWarning?.(
      `report rendering failed: ${(err as Error).message} (results.json is complete; re-render with \`fanout-bench report ${runDir}\`)`,
    );
  }
  return files;
}
