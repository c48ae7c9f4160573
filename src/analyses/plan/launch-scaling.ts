import { wholeEnvironments } from './function-peaks.ts';
import type { LaunchScaling } from './plan-schema.ts';

/**
 * A launch's first minutes for one function, its traffic jumping from nothing to the planned peak:
 * what scheduled scaling and what target tracking (Application Auto Scaling, the two ways to scale
 * provisioned concurrency) would do.
 *
 * - Scheduled: a scheduled action raises the minimum capacity to the peak's environments before
 *   the launch (allocation takes minutes, so ahead of it): the peak is served warm from its first
 *   second, and allocated for as long as the schedule holds it.
 * - Target tracking: it scales on ProvisionedConcurrencyUtilization, busy ÷ allocated, which tops
 *   at 100 %: requests past the allocation spill over to on-demand environments and are not in it.
 *   Its scale-out alarm waits for 3 one-minute data points above the target (Average); each step
 *   then sets the capacity in proportion to the metric over the target, so a step grows it at most
 *   1 ÷ target times (at a target of 100 % the metric is never above it: no step at all). The model takes a step each minute the alarm stays in alarm after the first
 *   three (Lambda's scale-out cooldown is 0), and leaves out each allocation's own INIT time, so
 *   its minutes are the fewest and its spillover the least target tracking can do. Every
 *   on-demand environment the spillover starts is a cold start: the peak's environments less the
 *   allocation it starts from.
 */

/** Application Auto Scaling's scale-out alarm: 3 data points of 1 minute above the target. */
export const ALARM_MINUTES = 3;
/** How long the model follows target tracking before it says it had not caught up. */
export const HORIZON_MINUTES = 120;

export interface LaunchInput {
  /** the function's invocations per second at the peak */
  perS: number;
  /** its concurrency at the peak (Little's law) */
  concurrency: number;
  /** target tracking's target utilization (0–1) and the capacity it starts from */
  targetValue: number;
  minCapacity: number;
  /** where those came from */
  basis?: 'template' | 'flag' | 'default';
  /** USD an hour for one environment allocated (its memory at the provisioned-concurrency rate); undefined: not priced */
  hourlyPerEnvironment?: number;
}

export function launchScaling(i: LaunchInput): LaunchScaling {
  const scheduledEnvironments = wholeEnvironments(i.concurrency);
  const hourly = (environments: number) => (i.hourlyPerEnvironment === undefined ? null : environments * i.hourlyPerEnvironment);
  let capacity = i.minCapacity;
  let spillover = 0;
  const steps: Array<{ minute: number; environments: number }> = [];
  // the metric: busy ÷ allocated, at most 1
  const utilization = () => Math.min(1, i.concurrency / capacity);
  // the allocation holds the peak at the target
  const caughtUp = () => capacity * i.targetValue >= i.concurrency - 1e-9;
  for (let minute = 1; minute <= HORIZON_MINUTES && !caughtUp(); minute++) {
    // what this minute's allocation cannot serve spills over to on-demand environments
    spillover += i.perS * 60 * Math.max(0, 1 - capacity / i.concurrency);
    // the alarm needs its data points above the target; at a target of 100 % the metric never is
    if (minute < ALARM_MINUTES || utilization() <= i.targetValue) continue;
    capacity = Math.max(capacity + 1, Math.ceil(capacity * (utilization() / i.targetValue) - 1e-9));
    steps.push({ minute, environments: capacity });
  }
  return {
    scheduled: { environments: scheduledEnvironments, hourlyUsd: hourly(scheduledEnvironments) },
    targetTracking: {
      targetValue: i.targetValue,
      minCapacity: i.minCapacity,
      ...(i.basis ? { basis: i.basis } : {}),
      steps,
      caughtUpMinute: caughtUp() ? (steps.at(-1)?.minute ?? 0) : null,
      spilloverInvocations: spillover,
      coldStarts: Math.max(0, scheduledEnvironments - i.minCapacity),
      hourlyUsd: hourly(capacity),
    },
  };
}
