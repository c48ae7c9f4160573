import { allocatedGbSeconds, gbSecondRate, provisionedRates } from '../../metrics/cost/lambda-rates.ts';
import { plannedInits } from './cold-starts.ts';
import { functionPeaks, wholeEnvironments } from './function-peaks.ts';
import { launchScaling } from './launch-scaling.ts';
import { plannedUsage, type PriceBasis } from './monthly-cost.ts';
import type { PlanTraffic, ProvisionedNeed, WorkModel } from './plan-schema.ts';
import type { Results } from '../../contracts/results-schema.ts';

/** Target tracking of provisioned concurrency: the utilization it holds and the capacity it starts from. */
export interface TargetTracking {
  targetValue: number;
  minCapacity: number;
}

/** A function's target tracking, and where it came from. */
export type TrackingOf = (fn: string) => TargetTracking & { basis: 'template' | 'flag' | 'default' };

/**
 * Each function's target tracking for a plan: --target-tracking where given, else the runs'
 * template's (a scalable target with a target tracking policy: its target and its minimum, at
 * least one environment), else the default.
 */
export function trackingOf(runs: ReadonlyArray<{ results: Pick<Results, 'config'> }>, flag: TargetTracking | undefined): TrackingOf {
  const fromTemplate = new Map<string, TargetTracking>();
  for (const r of runs) {
    for (const f of r.results.config.target.functions?.functions ?? []) {
      const tracked = f.autoScaling?.find((a) => a.targetValue !== undefined);
      if (tracked) fromTemplate.set(f.name, { targetValue: tracked.targetValue!, minCapacity: Math.max(1, tracked.min) });
    }
  }
  return (fn) => (flag ? { ...flag, basis: 'flag' } : fromTemplate.has(fn) ? { ...fromTemplate.get(fn)!, basis: 'template' } : { ...DEFAULT_TARGET_TRACKING, basis: 'default' });
}

/** A target of 70 % (AWS's examples' value) from one environment, where the plan is given none. */
export const DEFAULT_TARGET_TRACKING: TargetTracking = { targetValue: 0.7, minCapacity: 1 };

/**
 * The provisioned concurrency that would serve the planned peak warm, per function: its
 * concurrency at the peak (Little's law on its p99 duration, function-peaks.ts) in whole
 * environments; an allocation below it leaves the rest of the peak to on-demand environments,
 * with their cold starts. A provisioned environment is billed for every second it is allocated,
 * busy or not: its GB-seconds over the plan's period (environments × memory × period) are what
 * Lambda's provisioned-concurrency price applies to. With it, every invocation the allocation
 * serves bills its duration at the lower provisioned duration price and pays no INIT; on demand,
 * the same duration at the on-demand price and the plan's INITs. And a launch's first minutes at
 * the peak: scheduled scaling against target tracking (`scaling`: each function's target
 * utilization and the capacity it starts from, trackingOf; 0.7 from 1 where nothing says). Functions invoked at the peak only.
 */
export function provisionedNeeds(model: WorkModel, traffic: PlanTraffic, pricing: PriceBasis, scaling: TrackingOf = trackingOf([], undefined)): ProvisionedNeed[] {
  const usage = new Map(plannedUsage(model, traffic).map((u) => [u.fn.name, u]));
  const inits = new Map(plannedInits(model, traffic).map((i) => [i.fn.name, i]));
  const rates = provisionedRates(pricing.prices, pricing.architecture);
  const onDemandRate = gbSecondRate(pricing.prices, pricing.architecture);
  return functionPeaks(model, traffic)
    .filter((p) => p.perS > 0)
    .map((p) => {
      const environments = wholeEnvironments(p.concurrency);
      const gbSeconds = allocatedGbSeconds(environments, p.f.memoryMB, traffic.periodSec);
      const gb = p.f.memoryMB / 1024;
      const tracking = scaling(p.f.name);
      const launch = launchScaling({ perS: p.perS, concurrency: p.concurrency, ...tracking, ...(rates ? { hourlyPerEnvironment: allocatedGbSeconds(1, p.f.memoryMB, 3600) * rates.concurrency } : {}) });
      const need: ProvisionedNeed = { fn: p.f.name, concurrency: p.concurrency, environments, memoryMB: p.f.memoryMB, gbSeconds, launch };
      if (!rates) return need;
      const durationGbS = ((usage.get(p.f.name)?.billedMs ?? 0) / 1000) * gb;
      const init = inits.get(p.f.name);
      const initGbS = init && pricing.prices.lambda.initBilled ? ((init.coldStarts * init.initBilledMsPerColdStart) / 1000) * gb : 0;
      return {
        ...need,
        cost: {
          allocation: gbSeconds * rates.concurrency,
          duration: durationGbS * rates.duration,
          onDemand: (durationGbS + initGbS) * onDemandRate,
        },
      };
    });
}
