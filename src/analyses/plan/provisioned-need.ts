import { functionPeaks } from './function-peaks.ts';
import type { PlanTraffic, ProvisionedNeed, WorkModel } from './plan-schema.ts';

/**
 * The provisioned concurrency that would serve the planned peak warm, per function: its
 * concurrency at the peak (Little's law on its p99 duration, function-peaks.ts) in whole
 * environments; an allocation below it leaves the rest of the peak to on-demand environments,
 * with their cold starts. A provisioned environment is billed for every second it is allocated,
 * busy or not: its GB-seconds over the plan's period (environments × memory × period) are what
 * Lambda's provisioned-concurrency price applies to. Functions invoked at the peak only.
 */
export function provisionedNeeds(model: WorkModel, traffic: PlanTraffic): ProvisionedNeed[] {
  return functionPeaks(model, traffic)
    .filter((p) => p.perS > 0)
    .map((p) => {
      const environments = Math.max(1, Math.ceil(p.concurrency - 1e-9));
      return { fn: p.f.name, concurrency: p.concurrency, environments, memoryMB: p.f.memoryMB, gbSeconds: (environments * p.f.memoryMB * traffic.periodSec) / 1024 };
    });
}
