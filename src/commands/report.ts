import type { Command } from 'commander';
import { join, relative } from 'node:path';
import { artilleryNotes, artilleryResults } from '../artillery-interop/output-results.ts';
import { readArtilleryOutput, readExportedScript } from '../artillery-interop/read-output.ts';
import { UserError } from '../../common/errors.ts';
import { costOptionsFromFlags } from '../metrics/cost/cost-flags.ts';
import { estimateCost } from '../metrics/cost/cost-model.ts';
import { createRunDir, RESULTS_FILE } from '../metrics/results/run-dir.ts';
import { UnknownPrices } from '../metrics/cost/price-choice.ts';
import { pricesToReestimate } from '../metrics/cost/uncharged-transfer.ts';
import { runConsole } from '../report/run/run-console.ts';
import { checkedResults, readResults, writeResults } from '../report/run/results-file.ts';
import { writeReports } from '../report/run/write.ts';
import { consoleWidth } from '../report/shared/console-lines.ts';
import { finish } from '../session/finish.ts';
import { COMPARE_FILES } from '../report/compare/write.ts';
import { existsSync } from 'node:fs';
import { parseThreshold } from '../contracts/threshold.ts';
import { collectThresholds, THRESHOLD_FLAG } from '../verdict/threshold-list.ts';
import { exitCodeOf } from '../verdict/exit-codes.ts';
import { collect } from './shared-flags.ts';
import { summaryFlag, summaryLength } from './summary-flag.ts';

/**
 * `fanout-bench report <run-dir>`: re-renders index.html, summary.md and junit.xml from the run's
 * results.json (e.g. after an upgrade, or for a run copied from CI). A missing or invalid
 * results.json is a UserError: one line naming the file and field, exit 2.
 *
 * `fanout-bench report --artillery <output.json> [--script <script>]`: a run of the fanout engine
 * on Artillery, from Artillery's `--output` JSON: results.json and the three reports in a new run
 * directory under --out, judged like a run (the script's thresholds, --threshold, --baseline), with
 * run's exit codes: 0 passed, 99 a check or threshold failed, 1 a worker failed, 2 bad input.
 */
interface ReportFlags {
  prices?: string;
  arch?: string;
  artillery?: string;
  script?: string;
  out?: string;
  threshold?: string[];
  baseline?: string;
  repull?: boolean;
  summary?: string;
}

export function addReportCommand(program: Command): void {
  const report = program
    .command('report')
    .description(`re-render index.html, summary.md and junit.xml of a run from its ${RESULTS_FILE}, or render an Artillery run's (--artillery)`)
    .argument('[run-dir]', `a run directory (holding ${RESULTS_FILE})`)
    .option('--prices <file>', 're-estimate the cost with these JSON/YAML price overrides')
    .option('--arch <arch>', 're-estimate the cost for x86_64 or arm64 Lambda')
    .option('--artillery <output.json>', 'render a run of the fanout engine on Artillery from its --output JSON')
    .option('--script <file>', '--artillery: the script fanout-bench artillery export wrote (names the scenario, target, phases and timeouts; adds its thresholds)')
    .option('--out <dir>', '--artillery: reports directory (the run gets <dir>/<run-id>/)', 'reports')
    .option(`${THRESHOLD_FLAG} <expr>`, '--artillery: pass/fail criterion, e.g. "broadcast.p99 < 250ms" (repeatable)', collect)
    .option('--baseline <results.json>', '--artillery: a previous run to compare with (thresholds may name `baseline`); --repull: the baseline the run was judged against')
    .option('--repull', "pull the run's CloudWatch window again (metrics AWS published after the run), recompute completeness, work and cost, judge again and re-render (a comparison's directory: every run, and compare.json)");
  summaryFlag(report, '--artillery, --repull: ').action(async (runDir: string | undefined, flags: ReportFlags) => {
    summaryLength(flags.summary);
    if (flags.artillery !== undefined) {
      if (runDir !== undefined) throw new UserError(`report: give a run directory or --artillery <output.json>, not both`);
      process.exitCode = await reportArtillery(flags.artillery, flags);
      return;
    }
    if (runDir === undefined) throw new UserError('report: missing a run directory (or --artillery <output.json>)');
    if (flags.repull) {
      process.exitCode = await reportRepull(runDir, flags);
      return;
    }
    for (const [flag, v] of [['--script', flags.script], [THRESHOLD_FLAG, flags.threshold], ['--baseline', flags.baseline]] as const) {
      if (v !== undefined) throw new UserError(`${flag}: applies to --artillery only (a run directory keeps the verdict it was judged by)`);
    }
    if (flags.summary !== undefined) throw new UserError('--summary: applies to --artillery and --repull only (a run directory\'s reports are written, no summary printed)');
    const files = await reportCommand(runDir, flags);
    for (const f of files) process.stdout.write(`${relative(process.cwd(), f) || f}\n`);
  });
}

export async function reportCommand(runDir: string, flags: { prices?: string; arch?: string } = {}): Promise<string[]> {
  let results = await readResults(join(runDir, RESULTS_FILE));
  if (flags.prices !== undefined || flags.arch !== undefined) {
    // the estimate lives in results.json too, so it and the reports stay in agreement
    const options = await costOptionsFromFlags(flags, { rerender: true });
    // the run's own prices (its region's, as read then) unless they predate the recorded source
    if (results.cost?.prices.source !== undefined) options.prices = pricesToReestimate(results.cost);
    try {
      results = checkedResults({ ...results, cost: estimateCost(results, options) });
    } catch (err) {
      if (err instanceof UnknownPrices) throw new UserError(err.message);
      throw err;
    }
    try {
      writeResults(runDir, results);
    } catch (err) {
      throw new UserError(`${join(runDir, RESULTS_FILE)}: cannot write (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return writeReports(results, runDir);
}

/**
 * `report --repull <dir>`: the exit code of the verdict judged again (a comparison: 0 once its
 * pages are written again), as `run` and `compare` give theirs.
 */
export async function reportRepull(dir: string, flags: ReportFlags): Promise<number> {
  for (const [flag, v] of [['--prices', flags.prices], ['--arch', flags.arch], ['--script', flags.script], [THRESHOLD_FLAG, flags.threshold]] as const) {
    if (v !== undefined) throw new UserError(`${flag}: does not apply to --repull (it keeps the run's prices and thresholds)`);
  }
  const baseline = flags.baseline === undefined ? undefined : await readResults(flags.baseline);
  // Loaded here, not with the command: it brings the run modes and the AWS SDK's CloudWatch, which
  // rendering a run's pages (report's every other use) never needs.
  const { repull } = await import('../modes/repull.ts');
  const files = await repull(dir, { ...(baseline ? { baseline } : {}), onWarning: (m) => process.stderr.write(`fanout-bench: warning: ${m}\n`) });
  for (const f of files) process.stdout.write(`${relative(process.cwd(), f) || f}\n`);
  if (existsSync(join(dir, COMPARE_FILES.json))) return 0;
  const results = await readResults(join(dir, RESULTS_FILE));
  process.stdout.write(runConsole(results, { results: join(dir, RESULTS_FILE) }, summaryLength(flags.summary), consoleWidth(process.stdout)));
  return exitCodeOf(results.verdict);
}

/** `report --artillery`: the exit code of the verdict. */
export async function reportArtillery(outputFile: string, flags: ReportFlags): Promise<number> {
  if (flags.prices !== undefined || flags.arch !== undefined) {
    throw new UserError(`${flags.prices !== undefined ? '--prices' : '--arch'}: an Artillery run has no cost estimate (its output carries no Lambda, API Gateway or DynamoDB usage)`);
  }
  const output = readArtilleryOutput(outputFile);
  const script = flags.script === undefined ? undefined : readExportedScript(flags.script);
  const plan = script?.config.engines.fanout;
  // checked before anything is written, as run checks them before any load is sent
  const thresholds = collectThresholds({
    ...(plan && flags.script ? { scenario: plan.scenario.thresholds.map((e, i) => parseThreshold(e, `${flags.script}: thresholds[${i}]`)) } : {}),
    flags: flags.threshold,
    baseline: { given: flags.baseline !== undefined },
  });
  const baseline = flags.baseline === undefined ? undefined : await readResults(flags.baseline);
  const measured = artilleryResults({ output, outputFile, ...(script ? { script } : {}) });
  const runDir = createRunDir(flags.out ?? 'reports', measured.runId);
  // finished as a run is: judged, results.json first, then the reports (one that fails to render is a warning)
  const { results, files } = await finish(measured, runDir, {
    judge: { thresholds, ...(baseline ? { baseline } : {}), notes: artilleryNotes(measured, { outputFile, script }) },
    onWarning: (m) => process.stderr.write(`fanout-bench: warning: ${m}\n`),
  });
  const [resultsFile, ...reports] = files;
  process.stdout.write(runConsole(results, { results: resultsFile }, summaryLength(flags.summary), consoleWidth(process.stdout)));
  for (const f of reports) process.stdout.write(`${relative(process.cwd(), f) || f}\n`);
  return exitCodeOf(results.verdict);
}
