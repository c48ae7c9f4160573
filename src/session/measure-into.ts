import type { Scenario } from '../contracts/scenario-schema.ts';
import type { Target } from '../targets/target.ts';
import type { Results } from '../contracts/results-schema.ts';
import { IntervalFile } from '../metrics/results/interval-file.ts';
import type { EvaluateOptions } from '../verdict/evaluate.ts';
import type { Verdict } from '../contracts/verdict-schema.ts';
import { finish } from './finish.ts';
import { withOwnLimits, withQuotas } from './quota-preflight.ts';
import type { Quotas } from '../contracts/quotas-schema.ts';
import { measure, type MeasureOptions } from './measure.ts';
import { forgetUnwritten, keepUnwritten } from './unwritten-results.ts';

/**
 * A measurement that belongs to a run directory: its intervals stream to the directory's
 * intervals.ndjson; its results so far are kept to be written should the process end before
 * they are finished (unwritten-results.ts: a failure mid-run loses nothing measured); then it is
 * finished there (finish.ts: judged, results.json written once with the verdict, the reports).
 * Every measurement of a session (session.ts) is made this way.
 */
export async function measureInto(
  dir: string,
  scenario: Scenario,
  target: Target,
  o: Omit<MeasureOptions, 'intervals' | 'onResults'> & { quotas?: Quotas },
  judge?: EvaluateOptions,
): Promise<Results & { verdict: Verdict }> {
  const { quotas, ...options } = o;
  const measured = await measure(scenario, target, { ...options, intervals: new IntervalFile(dir), onResults: (r) => keepUnwritten(dir, r) });
  // the quotas the plan held the scenario against, with what the target says of its own since it started, and what this measurement ran into
  const held = quotas && target.ownLimits ? withOwnLimits(scenario, quotas, target.ownLimits, o.onWarning ?? (() => {})) : quotas;
  const results = withQuotas(measured, held);
  if (o.signal?.aborted) o.onStatus?.(`stopping: writing results and reports to ${dir}`);
  // finish writes results.json before it first waits: from here nothing is left for the exit to write
  forgetUnwritten(dir);
  return (await finish(results, dir, { judge, onWarning: o.onWarning })).results;
}
