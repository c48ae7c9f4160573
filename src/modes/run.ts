import { join } from 'node:path';
import { now } from '../clock.ts';
import type { CostOptions } from '../metrics/cost/cost-model.ts';
import type { IntervalRecord, Results } from '../contracts/results-schema.ts';
import { createRunDir } from '../metrics/results/run-dir.ts';
import { newRunId } from '../metrics/results/run-id.ts';
import type { ProgressContext } from '../report/progress-line.ts';
import { UserError } from '../../common/errors.ts';
import { checkRunInput, type RunRequest } from './run-input.ts';
import type { StackKnobs } from '../contracts/scenario-schema.ts';
import type { TokenPlacement } from '../contracts/token-placement.ts';
import { resolveTarget } from '../targets/resolve-target.ts';
import type { Target } from '../targets/target.ts';
import type { Verdict } from '../contracts/verdict-schema.ts';
import { failedStartResults } from './failed-start.ts';
import { finish } from './finish.ts';
import { measureInto, measuringOptions } from './measure-into.ts';
import { preflightQuotas, withQuotas } from './quota-preflight.ts';
import { checkVerdictInput } from './verdict-input.ts';
import { INTERRUPTED_KILL_BY_MS, stopBudget } from './stop-budget.ts';

/**
 * One run, start to end: check the input (scenario, flags, thresholds, baseline) → resolve the
 * target → measure (`repeat` times) → judge → finish (files) → stop the target. The CLI calls
 * this and nothing else. Only mistakes the user can fix (bad scenario, bad flag or threshold, a
 * bad baseline file, an unreachable target, a local stack that does not start) throw, as
 * UserError, before anything is measured; whatever happens once measuring starts ends in
 * results.json, with its verdict.
 *
 * With `repeat` > 1 every measurement is a complete run directory of its own (`repeat-1/` …) and
 * the run directory's results.json is the last one's measurements judged over all of them
 * (medians, and differences within the repeats' spread called noise: src/verdict).
 */
export interface RunOptions extends RunRequest {
  /** parent of the run directory (default ./reports) */
  outDir?: string;
  runId?: string;
  /** the local target's knobs set by flags (--memory, --runtime): over the scenario's `target:` */
  stackKnobs?: StackKnobs;
  /** abort = interrupt: stop, keep what was measured, status "interrupted" (a string reason is named in it) */
  signal?: AbortSignal;
  onInterval?: (record: IntervalRecord, ctx: ProgressContext) => void;
  onWarning?: (message: string) => void;
  /** prices and architecture for the cost estimate */
  cost?: CostOptions;
  /** measurement interval (default 1000 ms) */
  intervalMs?: number;
  /** `--threshold` expressions, after the scenario's own */
  thresholds?: string[];
  /** `--baseline`: a results.json to compare with */
  baseline?: string;
  /** measure the scenario this many times against one target (default 1) */
  repeat?: number;
  /** a note on what the run is doing (e.g. waiting for a fresh CloudWatch minute) */
  onStatus?: (message: string) => void;
  /** `--metrics-wait`: the longest wait for CloudWatch to publish each measurement (default: the target's) */
  metricsWaitMs?: number;
}

export interface RunOutcome {
  results: Results & { verdict: Verdict };
  runDir: string;
}

/** Where repeat `i` (1-based) of a run with several writes its files. */
export const repeatDirName = (i: number): string => `repeat-${i}`;

export async function runBenchmark(o: RunOptions = {}): Promise<RunOutcome> {
  const { scenario, seed, shards, targetSpec, target: spec, token } = checkRunInput(o);
  const verdictInput = await checkVerdictInput(scenario, o);
  // Held against the target's quotas before anything starts: a frame that cannot pass is refused here.
  const quotas = await preflightQuotas(scenario, spec, { aws: o.aws });
  for (const line of quotas?.plan ?? []) o.onWarning?.(line);
  const repeat = o.repeat ?? 1;
  const runId = o.runId ?? newRunId(scenario.name);
  const outDir = o.outDir ?? 'reports';

  // A local stack logs into the run directory, so it exists first; a URL is probed first, so an
  // unreachable one leaves nothing behind.
  let runDir = spec.startsLocalStack ? createRunDir(outDir, runId) : undefined;
  let target: Target;
  const startedAt = now();
  try {
    target = await resolveTarget({
      spec: targetSpec,
      aws: o.aws,
      knobs: scenario.target,
      stackKnobs: o.stackKnobs,
      token,
      logFile: runDir && join(runDir, 'stack.log'),
      onWarning: o.onWarning,
    });
  } catch (err) {
    if (!runDir) throw err;
    // Leave no run directory holding only stack.log: say in results.json that the run failed, and why.
    const reason = (err as Error).message;
    await finish(failedStartResults({ runId, scenario, target: spec, shards, seed, rate: o.rate, startedAt, reason }), runDir, { onWarning: o.onWarning });
    throw new UserError(`${reason} (its log: ${join(runDir, 'stack.log')})`);
  }
  const budget = stopBudget(o.signal);
  try {
    runDir ??= createRunDir(outDir, runId);
    const measuring = measuringOptions(o, { seed, shards, token });
    const all: Array<Results & { verdict: Verdict }> = [];
    for (let i = 1; i <= repeat; i++) {
      const dir = repeat > 1 ? createRunDir(runDir, repeatDirName(i)) : runDir;
      // each repeat its own rooms (room names carry the run id)
      const results = await measureInto(dir, scenario, target, { ...measuring, quotas, runId: repeat > 1 ? `${runId}-${repeatDirName(i)}` : runId }, verdictInput);
      all.push(results);
      // an interrupted or failed measurement ends the series: the verdict is over what was measured
      if (results.status !== 'completed' || o.signal?.aborted) break;
    }
    if (repeat === 1) return { results: all[0]!, runDir };
    if (o.signal?.aborted) o.onStatus?.(`stopping: writing results and reports to ${runDir}`);
    // the run directory's: the last repeat judged over every one (the medians, the repeats' spread as noise)
    const last = await finish(all.at(-1)!, runDir, { judge: { ...verdictInput, ...(all.length > 1 ? { repeats: all } : {}) }, onWarning: o.onWarning });
    return { results: last.results, runDir };
  } finally {
    budget.dispose();
    const graceMs = budget.left(INTERRUPTED_KILL_BY_MS);
    if (graceMs !== undefined && target.local) o.onStatus?.('stopping: stopping the local stack');
    await target.stop(graceMs);
  }
}
