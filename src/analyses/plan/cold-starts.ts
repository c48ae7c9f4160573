import type { InitUsage } from '../../metrics/cost/cost-model.ts';
import { fmtNum, fmtRate } from '../../number-format.ts';
import { functionPeaks, wholeEnvironments } from './function-peaks.ts';
import type { FunctionWork, PlanTraffic, WorkModel } from './plan-schema.ts';
import { functionOf } from './work-model.ts';

/**
 * The cold starts of a planned traffic, each billed the runs' mean INIT. A short run starts most
 * of its environments cold; a month of steady traffic reuses them, so a run's cold starts per
 * invocation would overstate a month's INIT by orders of magnitude. Instead:
 * - a run's own traffic: the run's own cold starts (its plan reproduces its measured cost);
 * - a month: Lambda starts an environment when a function's concurrency rises past those it has,
 *   and keeps it while it is used. Flat, the peak's concurrency (Little's law, function-peaks.ts)
 *   is started once; with a daily profile, the lowest hour's environments are started once and
 *   each day's rise from the lowest hour to the peak starts the difference again.
 * Lambda also ends environments every few hours, even busy ones, at an interval it does not
 * publish, and reaps idle ones (docs/aws-facts.md): the month's count is a lower bound, and each
 * line's note says so.
 */

const DAY_SEC = 86_400;

/** Whole environments for a concurrency: one for any use at all (float noise is not one more). */
const environments = (concurrency: number) => (concurrency > 0 ? wholeEnvironments(concurrency) : 0);

const envs = (n: number) => `${fmtNum(n)} environment${n === 1 ? '' : 's'}`;

const LOWER_BOUND = 'a lower bound: Lambda also ends environments every few hours, at an interval it does not publish, and reaps idle ones (docs/aws-facts.md)';

/** Each function with a measured INIT: its cold starts over the traffic's period, with how they were counted. */
export function plannedInits(model: WorkModel, traffic: PlanTraffic): InitUsage[] {
  const measured = model.functions.filter((f) => f.initBilledMsPerColdStart !== null);
  return coldStartCounts(model, traffic, measured, (f) => f.coldStarts).map(({ f, n, how }) => ({
    fn: functionOf(f),
    memoryMB: f.memoryMB,
    coldStarts: n,
    initBilledMsPerColdStart: f.initBilledMsPerColdStart!,
    note:
      traffic.source === 'run'
        ? `${how} × ${fmtNum(f.initBilledMsPerColdStart!)} ms billed INIT each`
        : `${how}, × ${fmtNum(f.initBilledMsPerColdStart!)} ms billed INIT each (the runs' mean over ${fmtNum(f.coldStarts)} cold starts); ${LOWER_BOUND}`,
  }));
}

/** A SnapStart function's restores over the traffic's period: its cold starts, each a restore from its version's snapshot. */
export interface RestoreUsage {
  name: string;
  memoryMB: number;
  restores: number;
  note: string;
}

/**
 * Each function the runs saw restored from a SnapStart snapshot (its REPORT lines' Restore
 * Duration): its cold starts over the traffic's period, counted as an on-demand function's are,
 * each one a restore (its billed part is in the function's billed time already).
 */
export function plannedRestores(model: WorkModel, traffic: PlanTraffic): RestoreUsage[] {
  const restored = model.functions.filter((f) => (f.restores ?? 0) > 0);
  return coldStartCounts(model, traffic, restored, (f) => f.restores!).map(({ f, n, how }) => ({
    name: f.name,
    memoryMB: f.memoryMB,
    restores: n,
    note: traffic.source === 'run' ? how.replace('cold starts', 'restores') : `${how}, each a restore; ${LOWER_BOUND}`,
  }));
}

/** How many cold starts each of `fns` has over the traffic's period, and how that was counted (`own`: a run's own count). */
function coldStartCounts(model: WorkModel, traffic: PlanTraffic, fns: readonly FunctionWork[], own: (f: FunctionWork) => number): Array<{ f: FunctionWork; n: number; how: string }> {
  if (traffic.source === 'run') return fns.map((f) => ({ f, n: own(f), how: `the run's own ${fmtNum(own(f))} cold starts` }));

  const peak = new Map(functionPeaks(model, traffic).map((p) => [p.f.name, p]));
  const low = traffic.profile ? Math.min(...traffic.profile.hours) : 1;
  if (low >= 1) {
    return fns.map((f) => {
      const p = peak.get(f.name)!;
      const n = environments(p.concurrency);
      return { f, n, how: `${envs(n)} at the peak (Little's law: ${fmtRate(p.perS)} × ${fmtNum(p.durationMs)} ms = ${fmtNum(p.concurrency)}), started once` };
    });
  }
  // the lowest hour is the same traffic at a share of the peak's rates (the rooms' creations stay over the period)
  const lowTraffic: PlanTraffic = { ...traffic, connections: traffic.connections * low, connectsPerS: traffic.connectsPerS * low, messagesPerS: traffic.messagesPerS * low };
  const lowest = new Map(functionPeaks(model, lowTraffic).map((p) => [p.f.name, p]));
  const days = traffic.periodSec / DAY_SEC;
  return fns.map((f) => {
    const atPeak = environments(peak.get(f.name)!.concurrency);
    const atLow = Math.min(atPeak, environments(lowest.get(f.name)!.concurrency));
    const n = atLow + days * (atPeak - atLow);
    return {
      f,
      n,
      how: `${envs(atLow)} at the lowest hour (× ${fmtNum(low)} of the peak) started once + ${fmtNum(days)} days × the daily rise to ${fmtNum(atPeak)} at the peak (Little's law) = ${fmtNum(n)} cold starts`,
    };
  });
}
