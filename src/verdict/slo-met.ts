import { HARNESS_CHECK } from './checks.ts';
import { checkFailed, failsVerdict, type Verdict } from '../contracts/verdict-schema.ts';

/**
 * Whether a judged run met its SLOs: every threshold held and every built-in check passed, a
 * saturated harness aside. A saturated harness only adds its own delay to the latencies it
 * measures (what it failed to send or receive, the other checks catch), so SLOs met despite it
 * were met by the target; a miss with the harness saturated stays a miss, and says so. `search`
 * judges its steps and `compare` sweeps their points by this one rule; without it any busy moment
 * of a shared host (a CI machine) would end a search at its first step.
 */
export function sloMet(v: Verdict): boolean {
  if (v.outcome === 'pass') return true;
  if (v.outcome !== 'fail') return false;
  return v.thresholds.every((t) => !failsVerdict(t.outcome)) && v.checks.every((c) => !checkFailed(c) || c.name === HARNESS_CHECK);
}
