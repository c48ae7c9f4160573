import type { Results } from '../contracts/results-schema.ts';

/**
 * Whether a function ran in the run's window. AWS starts no function nobody invoked, so one with 0
 * invocations (AWS/Lambda Invocations, else its REPORT lines) is never a cause, whatever its log
 * holds: an environment prepared before the run logged its INIT, or an earlier run left lines.
 * Where neither figure was read, it is not known not to have run, and is judged on what there is.
 */
export function ranInRun(r: Pick<Results, 'cloudwatch'>, fn: string): boolean {
  const metrics = r.cloudwatch?.lambda?.[fn];
  const reports = r.cloudwatch?.reports?.[fn];
  if (metrics === undefined && reports === undefined) return true;
  return (metrics?.invocations ?? 0) > 0 || (reports?.invocations ?? 0) > 0;
}
