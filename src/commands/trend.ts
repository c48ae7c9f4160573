import type { Command } from 'commander';
import { relative } from 'node:path';
import { UserError } from '../../common/errors.ts';
import { TOOL_VERSION } from '../metrics/results/results-builder.ts';
import { buildTrend, type ReadRun } from '../analyses/trend/build-trend.ts';
import { collectRuns } from '../analyses/trend/collect-runs.ts';
import { trendMetric } from '../analyses/trend/trend-metrics.ts';
import { readResults } from '../report/run/results-file.ts';
import { commitRange, configChangeLines, stepText } from '../report/trend/format.ts';
import { writeTrend } from '../report/trend/write.ts';
import { writeLines } from '../report/shared/console-lines.ts';
import { sectionLines } from '../report/shared/console-sections.ts';
import { summaryFlag, summaryLength } from './summary-flag.ts';
import { collect } from './shared-flags.ts';

/** Change points a brief console shows, the first ones (summary.md and the page have every one). */
const CHANGE_POINTS_SHOWN = 10;

/**
 * `fanout-bench trend <results.json | run-dir | dir>… [--out dir] [--metric NAME…] [--baseline
 * results.json]`: many runs (a folder of nightly results) as one trend: trend.json, index.html and
 * summary.md in --out. A file that cannot be read as results is one line naming it, skipped; with
 * nothing readable left, or no completed run, exit 2. Otherwise exit 0, change points or not: a
 * trend reports, the run's thresholds judge.
 */
interface TrendFlags {
  out: string;
  metric?: string[];
  baseline?: string;
  summary?: string;
}

export function addTrendCommand(program: Command): void {
  const command = program
    .command('trend')
    .description('many runs as a trend: one chart per metric over time, change points named with the commits between (trend.json, index.html, summary.md)')
    .argument('<paths...>', 'results.json files, run directories, or folders searched for them')
    .option('--out <dir>', 'where the trend is written', 'reports/trend')
    .option('--metric <name>', 'a metric to chart, e.g. broadcast.p99 or lambda.fanout-send-message.durationMean (repeatable; default: the nightly set)', collect)
    .option('--baseline <results.json>', 'a run drawn as the baseline on every chart');
  summaryFlag(command).action(async (paths: string[], flags: TrendFlags) => {
    summaryLength(flags.summary);
    const files = await trendCommand(paths, flags, (line) => process.stderr.write(`fanout-bench: ${line}\n`));
    for (const f of files.written) process.stdout.write(`${relative(process.cwd(), f) || f}\n`);
    writeLines(process.stdout, files.summary, 'summary.md');
  });
}

export async function trendCommand(
  paths: readonly string[],
  flags: TrendFlags,
  warn: (line: string) => void,
): Promise<{ written: string[]; summary: string[] }> {
  for (const name of flags.metric ?? []) {
    const def = trendMetric(name);
    if ('problem' in def) throw new UserError(`--metric ${name}: ${def.problem}`);
  }
  let baseline: ReadRun | undefined;
  if (flags.baseline !== undefined) {
    try {
      baseline = { file: flags.baseline, results: await readResults(flags.baseline) };
    } catch (err) {
      throw new UserError(`--baseline ${err instanceof UserError ? err.message : (err as Error).message}`);
    }
  }
  const { runs, skipped } = await collectRuns(paths, readResults);
  for (const s of skipped) warn(`${s.file}: ${s.reason}: skipped`);
  if (runs.length === 0) throw new UserError(`trend: nothing readable as results in ${paths.join(', ')}`);
  const trend = buildTrend({ runs, skipped, metrics: flags.metric, baseline, toolVersion: TOOL_VERSION, createdAt: new Date().toISOString() });
  if (trend.runs.length === 0) {
    throw new UserError(`trend: none of the ${runs.length} runs read completed (${trend.setApart.map((a) => `${a.runId}: ${a.reason}`).join('; ')})`);
  }
  const written = await writeTrend(trend, flags.out);
  const points = trend.changePoints.map((c) => `  ${c.metric} at ${c.runId}: ${stepText(c)} (${commitRange(c)})`);
  const summary = sectionLines(
    [
      {
        lines: [
          `trend: ${trend.runs.length} run${trend.runs.length === 1 ? '' : 's'} of ${trend.group.scenario}, ${trend.changePoints.length} change point${trend.changePoints.length === 1 ? '' : 's'}${trend.setApart.length > 0 ? `, ${trend.setApart.length} set apart` : ''}`,
        ],
      },
      { lines: configChangeLines(trend).map((l) => `  configuration changed: ${l}`), detail: 'configuration changes' },
      { lines: points.slice(0, CHANGE_POINTS_SHOWN) },
      { lines: points.slice(CHANGE_POINTS_SHOWN), detail: 'later change points' },
    ],
    summaryLength(flags.summary),
  );
  return { written, summary };
}
