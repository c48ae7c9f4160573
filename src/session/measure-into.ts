import type { Scenario } from '../contracts/scenario-schema.ts';
import type { Target } from '../targets/target.ts';
import type { Results } from '../contracts/results-schema.ts';
import { IntervalFile } from '../metrics/results/interval-file.ts';
import { writeResults } from '../metrics/results/results-writer.ts';
import type { EvaluateOptions } from '../verdict/evaluate.ts';
import type { Verdict } from '../contracts/verdict-schema.ts';
import { finish } from './finish.ts';
import { withOwnLimits, withQuotas } from './quota-preflight.ts';
import type { Quotas } from '../contracts/quotas-schema.ts';
import { measure, type MeasureOptions } from './measure.ts';

/**
 * A measurement that belongs to a run directory: its intervals stream to the directory's
 * intervals.ndjson, and results.json is written there as soon as the fleet is done, before
 * CloudWatch is asked (a failure later loses nothing measured). Then it is finished there
 * (finish.ts: judged, results.json again with the verdict, the reports). Every measurement of
 * a session (session.ts) is made this way.
 */
export async function measureInto(
  dir: string,
  scenario: Scenario,
  target: Target,
  o: Omit<MeasureOptions, 'intervals' | 'checkpoint'> & { quotas?: Quotas },
  judge?: EvaluateOptions,
): Promise<Results & { verdict: Verdict }> {
  const { quotas, ...options } = o;
  const measured = await measure(scenario, target, { ...options, intervals: new IntervalFile(dir), checkpoint: (r) => void writeResults(dir, r, { check: false }) });
  // the quotas the plan held the scenario against, with what the target says of its own since it started, and what this measurement ran into
  const held = quotas && target.ownLimits ? withOwnLimits(scenario, quotas, target.ownLimits, o.onWarning ?? (() => {})) : quotas;
  const results = withQuotas(measured, held);
  if (o.signal?.aborted) o.onStatus?.(`stopping: writing results and reports to ${dir}`);
  return (await finish(results, dir, { judge, onWarning: o.onWarning })).results;
}
