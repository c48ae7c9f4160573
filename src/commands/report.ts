import type { Command } from 'commander';
import { join, relative } from 'node:path';
import { UserError } from '../errors.ts';
import { costOptionsFromFlags } from '../metrics/cost-flags.ts';
import { estimateCost } from '../metrics/cost-model.ts';
import { RESULTS_FILE, writeResults } from '../metrics/results-writer.ts';
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
    .option('--prices <file>', 're-estimate the cost with these JSON/YAML price overrides')
    .option('--arch <arch>', 're-estimate the cost for x86_64 or arm64 Lambda')
    .action(async (runDir: string, flags: { prices?: string; arch?: string }) => {
      const files = await reportCommand(runDir, flags);
      for (const f of files) process.stdout.write(`${relative(process.cwd(), f) || f}\n`);
    });
}

export async function reportCommand(runDir: string, flags: { prices?: string; arch?: string } = {}): Promise<string[]> {
  const results = await readResults(join(runDir, RESULTS_FILE));
  if (flags.prices !== undefined || flags.arch !== undefined) {
    // the estimate lives in results.json too, so it and the reports stay in agreement
    results.cost = estimateCost(results, await costOptionsFromFlags(flags));
    try {
      writeResults(runDir, results);
    } catch (err) {
      throw new UserError(`${join(runDir, RESULTS_FILE)}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return writeReports(results, runDir);
}
