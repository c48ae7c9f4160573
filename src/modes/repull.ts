import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserError } from '../../common/errors.ts';
import { pullCloudWatch } from '../metrics/cloudwatch/cloudwatch-puller.ts';
import { logGroupsOf } from '../metrics/cloudwatch/function-log-group.ts';
import { buildComparison, type SizeInput } from '../analyses/compare/build-comparison.ts';
import { CompareFile, isSweep, type Comparison } from '../analyses/compare/compare-schema.ts';
import { estimateCost } from '../metrics/cost/cost-model.ts';
import { pricesToReestimate } from '../metrics/cost/uncharged-transfer.ts';
import { UnknownPrices } from '../metrics/cost/price-choice.ts';
import { dynamoDbWork, lambdaWork } from '../metrics/cost/work-per-message.ts';
import type { Results } from '../contracts/results-schema.ts';
import { RESULTS_FILE } from '../metrics/results/run-dir.ts';
import { runEmfSources, runTables } from '../metrics/cost/run-functions.ts';
import { readResults } from '../report/run/results-file.ts';
import { COMPARE_FILES, writeComparison } from '../report/compare/write.ts';
import { awsCloudWatch, emulatorCloudWatch, type CloudWatchTarget } from '../aws/cloudwatch-source.ts';
import { parseThreshold } from '../contracts/threshold.ts';
import { expectedCounts } from '../session/expected-counts.ts';
import { finish } from '../session/finish.ts';
import { repeatDirName } from './run.ts';

/**
 * `fanout-bench report --repull <dir>`: CloudWatch asked again for a run's window, later (AWS
 * publishes minutes late; a run whose --metrics-wait ran out recorded partial metrics). The same
 * window, functions, API and tables as results.json recorded, from the same CloudWatch (the
 * source and region recorded; AWS's endpoint as the SDK resolves it, AWS_ENDPOINT_URL_* included);
 * no wait: what is published now is taken. A window older than CloudWatch keeps at the recorded
 * period is asked at the period it still serves (60, 300 or 3600 s; queryWindow), and noted. Then
 * completeness, work and cost are computed again, the run is judged again by the thresholds it
 * recorded, and every report is written again. A `--repeat` run's directory repulls each repeat
 * and judges over them; a comparison's directory repulls each of its runs and writes compare.json
 * and its pages again.
 */
export interface RepullOptions {
  /** the baseline the run's thresholds compared with (needed only when one did) */
  baseline?: Results;
  onWarning?: (message: string) => void;
}

export async function repull(dir: string, o: RepullOptions = {}): Promise<string[]> {
  if (existsSync(join(dir, COMPARE_FILES.json))) return repullComparison(dir, o);
  const repeats = repeatDirs(dir);
  const top = await readResults(join(dir, RESULTS_FILE));
  const judge = judgeOptions(top, o, join(dir, RESULTS_FILE));
  if (repeats.length === 0) {
    return (await finish(await repulled(top, join(dir, RESULTS_FILE)), dir, { judge, onWarning: o.onWarning })).files;
  }
  const all: Results[] = [];
  const files: string[] = [];
  for (const sub of repeats) {
    const file = join(sub, RESULTS_FILE);
    const r = await repulled(await readResults(file), file);
    files.push(...(await finish(r, sub, { judge: { ...judge, repeats: undefined }, onWarning: o.onWarning })).files);
    all.push(r);
  }
  // the directory's results.json is the last repeat's measurements, judged over all of them
  files.push(...(await finish(all.at(-1)!, dir, { judge: { ...judge, repeats: all }, onWarning: o.onWarning })).files);
  return files;
}

/** repeat-1, repeat-2 … of a `--repeat` run, in order. */
function repeatDirs(dir: string): string[] {
  const out: string[] = [];
  for (let i = 1; existsSync(join(dir, repeatDirName(i), RESULTS_FILE)); i++) out.push(join(dir, repeatDirName(i)));
  return out;
}

/** The thresholds the run was judged by, parsed again from what the verdict recorded. */
function judgeOptions(r: Results, o: RepullOptions, file: string) {
  const thresholds = (r.verdict?.thresholds ?? []).map((t) => parseThreshold(t.expression, t.source));
  if (thresholds.some((t) => t.bound.baseline) && !o.baseline) {
    throw new UserError(`${file}: its thresholds compare with a baseline (run ${r.verdict?.baseline?.runId ?? 'unknown'}): give that run's results.json with --baseline`);
  }
  return { thresholds, ...(o.baseline ? { baseline: o.baseline } : {}) };
}

/** The CloudWatch the run was pulled from, as results.json recorded it. */
function recordedCloudWatch(r: Results, file: string): CloudWatchTarget {
  const cw = r.cloudwatch;
  if (!cw) throw new UserError(`${file}: this run has no CloudWatch pull to repeat (its target publishes no metrics the harness knows)`);
  const region = cw.region === 'unknown' ? undefined : cw.region;
  if (cw.source === 'aws') return awsCloudWatch(region ? { region } : {});
  if (!cw.endpoint) throw new UserError(`${file}: cloudwatch.endpoint: the emulator's endpoint is not recorded`);
  return emulatorCloudWatch({ endpoint: cw.endpoint, ...(region ? { region } : {}) });
}

/** One run's results with CloudWatch pulled again over its recorded window, and work and cost from it. */
async function repulled(r: Results, file: string): Promise<Results> {
  const before = r.cloudwatch!;
  const target = recordedCloudWatch(r, file);
  const pulled = await pullCloudWatch({
    target,
    run: { startMs: before.window.startMs, endMs: before.window.endMs },
    periodSec: before.window.periodSec,
    marginSec: 0,
    functions: before.functions,
    logGroups: logGroupsOf(r.config.target.functions?.functions ?? []),
    apiGateway: before.apiGateway,
    tables: runTables(r),
    emf: runEmfSources(r),
    settle: false,
    expected: expectedCounts(r),
  });
  if (pulled.status === 'unavailable') {
    const p = pulled.problems[0];
    throw new UserError(`${file}: CloudWatch could not be pulled again${p ? ` (${p.step}: ${p.errorName}: ${p.message})` : ''}; results.json is left as it was`);
  }
  // the wait that ran with the run stays on record; this pull is when it was asked again
  pulled.notes.push(`pulled again with \`fanout-bench report --repull\` at ${pulled.pulledAt} (first pulled ${before.pulledAt})`);
  if (before.wait) pulled.wait = before.wait;
  const out: Results = { ...r, cloudwatch: pulled };
  delete out.dynamodb;
  delete out.lambda;
  const dynamodb = dynamoDbWork(out);
  if (dynamodb) out.dynamodb = dynamodb;
  const lambda = lambdaWork(out);
  if (lambda) out.lambda = lambda;
  if (r.cost) {
    try {
      out.cost = estimateCost(out, { prices: pricesToReestimate(r.cost), architecture: r.cost.architecture });
    } catch (err) {
      if (err instanceof UnknownPrices) throw new UserError(err.message);
      throw err;
    }
  }
  return out;
}

async function repullComparison(dir: string, o: RepullOptions): Promise<string[]> {
  const file = join(dir, COMPARE_FILES.json);
  let read: CompareFile;
  try {
    read = CompareFile.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch (err) {
    throw new UserError(`${file}: not a comparison this version reads (${(err as Error).message.split('\n')[0]})`);
  }
  if (isSweep(read)) {
    throw new UserError(`${file}: a ${read.parameter} sweep is not repulled as a whole; repull its runs one by one (fanout-bench report --repull <its run directory>)`);
  }
  const c: Comparison = read;
  const files: string[] = [];
  const sizes: SizeInput[] = [];
  for (const size of c.sizes) {
    const runs: SizeInput['runs'] = [];
    for (const ref of size.runs) {
      const runDir = ref.dir === null ? undefined : resolve(dir, ref.dir);
      if (!runDir || !existsSync(join(runDir, RESULTS_FILE))) {
        runs.push({ error: ref.excludedBecause ?? 'the run produced no results' });
        continue;
      }
      const before = await readResults(join(runDir, RESULTS_FILE));
      const finished = await finish(await repulled(before, join(runDir, RESULTS_FILE)), runDir, { onWarning: o.onWarning });
      files.push(...finished.files);
      runs.push({ results: finished.results, dir: runDir });
    }
    sizes.push({ memoryMB: size.memoryMB, runs });
  }
  const balancedWeights = c.recommendations.filter((r) => r.strategy === 'balanced' && r.weight !== null).map((r) => r.weight!);
  const comparison = buildComparison({
    functions: c.functions,
    sizes,
    repeat: c.repeat,
    latencyMetric: c.latencyMetric,
    ...(balancedWeights.length > 0 ? { balancedWeights } : {}),
    architecture: c.pricing.architecture,
    scenario: c.scenario,
  });
  files.push(...(await writeComparison(comparison, dir)));
  return files;
}

