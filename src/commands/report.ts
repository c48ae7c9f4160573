import type { Command } from 'commander';
import { join, relative } from 'node:path';
import { RESULTS_FILE } from '../metrics/results-writer.ts';
import { readResults } from '../report/read-results.ts';
import { writeReports } from '../report/write-reports.ts';

/**
 * `fanout-bench report <run-dir>`: re-renders index.html, summary.md and junit.xml from the run's
 * results.json (e.g. after an upgrade, or for a run copied from CI). A missing or invalid
 * results.json is a UserError: one line naming the file and field, exit 2.
 */
export function addReportCommand(program: Command): void {
  program
    .command('report')
    .description(`re-render index.html, summary.md and junit.xml of a run from its ${RESULTS_FILE}`)
    .argument('<run-dir>', `a run directory (holding ${RESULTS_FILE})`)
    .action(async (runDir: string) => {
      const files = await reportCommand(runDir);
      for (const f of files) process.stdout.write(`${relative(process.cwd(), f) || f}\n`);
    });
}

export async function reportCommand(runDir: string): Promise<string[]> {
  const results = await readResults(join(runDir, RESULTS_FILE));
  return writeReports(results, runDir);
}
