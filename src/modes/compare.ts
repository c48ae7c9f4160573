import { join } from 'node:path';
import { buildComparison, type SizeInput } from '../analyses/compare/build-comparison.ts';
import type { Comparison, LatencyMetric } from '../analyses/compare/compare-schema.ts';
import type { IntervalSink } from '../metrics/measurement/interval-sink.ts';
import type { Results } from '../contracts/results-schema.ts';
import { createRunDir } from '../metrics/results/run-dir.ts';
import { newRunId } from '../metrics/results/run-id.ts';
import { choosePrices, UnknownPrices } from '../metrics/cost/price-choice.ts';
import { writeComparison } from '../report/write-comparison.ts';
import { UserError } from '../../common/errors.ts';
import { checkRunInput } from './run-input.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';
import { createLambdaClient } from '../aws/lambda-client.ts';
import { memorySession } from '../aws/memory-session.ts';
import type { ConnectToken } from '../fleet/protocols/connect-token.ts';
import { resolveTarget } from '../targets/resolve-target.ts';
import type { Target } from '../targets/target.ts';
import { measure } from './measure.ts';
import { measureInto, measuringOptions } from './measure-into.ts';
import { preflightQuotas } from './quota-preflight.ts';
import type { RunOptions } from './run.ts';

/**
 * `compare`: one scenario at several Lambda memory sizes, against one target. For each size the
 * compared functions are set through Lambda's UpdateFunctionConfiguration (the same calls for AWS
 * and the emulator, waiting for `Successful`; an update retires the warm environments), a short
 * warm-up runs the scenario's connect, join and send phases so the measurement starts on warm
 * environments, then the scenario is measured `repeat` times, each a complete run directory
 * (`<size>mb-<n>/`) starting in a CloudWatch minute of its own. The original sizes are restored
 * at the end, also after a failure or Ctrl-C. The comparison (compare.json, index.html,
 * summary.md) goes into the comparison's directory.
 */
export interface CompareOptions
  extends Pick<
    RunOptions,
    | 'scenario' | 'target' | 'aws' | 'clients' | 'rooms' | 'durationMs' | 'rate' | 'seed' | 'shards' | 'outDir'
    | 'stackKnobs' | 'ignoreHostLimits' | 'cost' | 'signal' | 'onInterval' | 'onWarning' | 'onStatus' | 'metricsWaitMs'
  > {
  /** memory sizes, MB */
  sizes: number[];
  /** functions set to each size (default: fanout-send-message) */
  functions?: string[];
  repeat?: number;
  latencyMetric?: LatencyMetric;
  balancedWeights?: number[];
  /** send phases of the warm-up last this long (default 3 s; 0: no warm-up) */
  warmUpMs?: number;
}

export interface CompareOutcome {
  comparison: Comparison;
  dir: string;
  /** every measurement completed (none interrupted or failed) */
  complete: boolean;
}

export const DEFAULT_COMPARED_FUNCTIONS = ['fanout-send-message'];
const DEFAULT_WARM_UP_MS = 3_000;

export async function runComparison(o: CompareOptions): Promise<CompareOutcome> {
  const { scenario, seed, shards, targetSpec, target: spec, token } = checkRunInput(o);
  // Held against the target's quotas before anything starts, as a run is: a frame that cannot pass is refused here.
  const quotas = await preflightQuotas(scenario, spec, { aws: o.aws });
  for (const line of quotas?.plan ?? []) o.onWarning?.(line);
  const functions = o.functions && o.functions.length > 0 ? [...new Set(o.functions)] : DEFAULT_COMPARED_FUNCTIONS;
  const repeat = o.repeat ?? 1;
  const say = o.onStatus ?? (() => {});
  const compareId = newRunId(`compare-${scenario.name}`);
  const dir = createRunDir(o.outDir ?? 'reports', compareId);

  const target = await resolveTarget({
    spec: targetSpec,
    aws: o.aws,
    knobs: scenario.target,
    stackKnobs: o.stackKnobs,
    token,
    logFile: spec.startsLocalStack ? join(dir, 'stack.log') : undefined,
    onWarning: o.onWarning,
  });
  const sizes: SizeInput[] = [];
  let complete = true;
  const measuring = measuringOptions(o, { seed, shards, token });
  try {
    const where = target.lambdaApi;
    if (!where) {
      throw new UserError(`--target ${targetSpec}: compare changes memory through Lambda's API, which this target does not name (use --target local or an execute-api URL)`);
    }
    // compare ranks by cost: a region without prices is refused before any load, not priced as another
    if (!o.cost?.priceList) {
      try {
        choosePrices(target.endpoints.region, o.cost ?? {});
      } catch (err) {
        if (err instanceof UnknownPrices) throw new UserError(err.message);
        throw err;
      }
    }
    const lambda = createLambdaClient(where);
    try {
      const session = await memorySession(lambda, functions, { log: (line) => say(line) });
      try {
        for (const memoryMB of o.sizes) {
          if (o.signal?.aborted) break;
          say(`${functions.join(', ')} at ${memoryMB} MB: updating, then warming up`);
          await session.set(Object.fromEntries(functions.map((f) => [f, memoryMB])));
          if (o.warmUpMs !== 0) await warmUp(scenario, target, { ...o, seed, shards, token: token, runId: `${compareId}-${memoryMB}mb-warm` });
          const runs: SizeInput['runs'] = [];
          for (let i = 1; i <= repeat && !o.signal?.aborted; i++) {
            const runDir = createRunDir(dir, `${memoryMB}mb-${i}`);
            const results = await measureInto(runDir, scenario, target, { ...measuring, quotas, runId: `${compareId}-${memoryMB}mb-${i}` });
            runs.push({ results, dir: runDir });
            if (results.status !== 'completed') complete = false;
          }
          sizes.push({ memoryMB, runs });
        }
      } finally {
        await session.restore();
      }
    } finally {
      lambda.destroy();
    }
  } finally {
    await target.stop();
  }
  if (o.signal?.aborted || sizes.length < o.sizes.length) complete = false;
  if (sizes.length === 0) throw new UserError('compare: interrupted before any size was measured (the original memory sizes were restored)', 130);
  const comparison = buildComparison({
    functions,
    sizes,
    repeat,
    latencyMetric: o.latencyMetric,
    balancedWeights: o.balancedWeights,
    prices: o.cost?.prices,
    architecture: o.cost?.architecture,
  });
  await writeComparison(comparison, dir);
  return { comparison, dir, complete };
}

/** A null sink: the warm-up's intervals are not kept. */
const DISCARD: IntervalSink = { append: () => {}, records: () => [] };

/**
 * The scenario's connect, join and send phases, sends shortened: every compared function runs on
 * environments of the new size (a sweep: on warm environments) before the measurement. Nothing of
 * it is kept.
 */
export async function warmUp(
  scenario: Scenario,
  target: Target,
  o: Pick<CompareOptions, 'warmUpMs' | 'signal' | 'onWarning'> & { seed: number; shards: number; runId: string; token?: ConnectToken },
): Promise<Results> {
  const warmUpMs = o.warmUpMs ?? DEFAULT_WARM_UP_MS;
  const phases = scenario.phases
    .filter((p) => p.kind === 'connect' || p.kind === 'join' || p.kind === 'send')
    .map((p) => (p.kind === 'send' ? { ...p, durationMs: Math.min(p.durationMs, warmUpMs) } : p));
  return measure({ ...scenario, phases }, target, {
    runId: o.runId,
    seed: o.seed,
    shards: o.shards,
    intervals: DISCARD,
    token: o.token,
    signal: o.signal,
    onWarning: o.onWarning,
    systemMetrics: false,
  });
}
