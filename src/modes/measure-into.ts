import type { Scenario } from '../contracts/scenario-schema.ts';
import type { Target } from '../targets/target.ts';
import type { Results } from '../contracts/results-schema.ts';
import { IntervalFile } from '../metrics/results/interval-file.ts';
import { writeResults } from '../metrics/results/results-writer.ts';
import type { EvaluateOptions } from '../verdict/evaluate.ts';
import type { Verdict } from '../contracts/verdict-schema.ts';
import { finish } from './finish.ts';
import { withQuotas } from './quota-preflight.ts';
import type { Quotas } from '../contracts/quotas-schema.ts';
import { measure, type MeasureOptions } from './measure.ts';

/**
 * A measurement that belongs to a run directory: its intervals stream to the directory's
 * intervals.ndjson, and results.json is written there as soon as the fleet is done, before
 * CloudWatch is asked (a failure later loses nothing measured). Then it is finished there
 * (finish.ts: judged, results.json again with the verdict, the reports). Every measurement of
 * `run` (each `--repeat`) and of `compare` (each size's repeats) is made this way.
 */
export async function measureInto(
  dir: string,
  scenario: Scenario,
  target: Target,
  o: Omit<MeasureOptions, 'intervals' | 'checkpoint'> & { quotas?: Quotas },
  judge?: EvaluateOptions,
): Promise<Results & { verdict: Verdict }> {
  const { quotas, ...options } = o;
  const measured = await measure(scenario, target, { ...options, intervals: new IntervalFile(dir), checkpoint: (r) => void writeResults(dir, r) });
  // the quotas the plan held the scenario against, with what this measurement ran into
  const results = withQuotas(measured, quotas);
  if (o.signal?.aborted) o.onStatus?.(`stopping: writing results and reports to ${dir}`);
  return (await finish(results, dir, { judge, onWarning: o.onWarning })).results;
}

/** What a run's or a comparison's options give every one of its measurements. */
type Shared = Pick<MeasureOptions, 'rate' | 'signal' | 'onInterval' | 'onWarning' | 'onStatus' | 'cost' | 'intervalMs' | 'metricsWaitMs'>;

/** The options every measurement of a run or a comparison shares: its checked input and its own options. */
export function measuringOptions(
  o: Shared,
  input: Pick<MeasureOptions, 'seed' | 'shards' | 'token'>,
): Omit<MeasureOptions, 'intervals' | 'checkpoint' | 'runId'> {
  return {
    seed: input.seed,
    shards: input.shards,
    ...(input.token ? { token: input.token } : {}),
    rate: o.rate,
    signal: o.signal,
    onInterval: o.onInterval,
    onWarning: o.onWarning,
    onStatus: o.onStatus,
    cost: o.cost,
    intervalMs: o.intervalMs,
    ...(o.metricsWaitMs !== undefined ? { metricsWaitMs: o.metricsWaitMs } : {}),
  };
}
