import { ALARM_MINUTES, HORIZON_MINUTES } from '../../analyses/plan/launch-scaling.ts';
import type { LaunchScaling, ProvisionedNeed } from '../../analyses/plan/plan-schema.ts';
import { fmtInt, fmtNum, fmtUsd } from '../../number-format.ts';

/**
 * The provisioned concurrency that would serve the planned peak warm, one line a function, one
 * phrasing for the console, summary.md and index.html (through the page's notes). Pure. `period`
 * is the plan's period label ("month (30 days × 24 h, flat)").
 */
export function provisionedNeedText(n: ProvisionedNeed, period: string): string {
  const envs = `${fmtInt(n.environments)} environment${n.environments === 1 ? '' : 's'}`;
  const head =
    `provisioned concurrency to serve the peak warm: ${n.fn} ${envs} (${fmtNum(n.concurrency)} concurrent at the peak, Little's law), ` +
    `${fmtInt(n.environments)} × ${fmtInt(n.memoryMB)} MB allocated: ${fmtInt(Math.round(n.gbSeconds))} GB-seconds over the plan's period (${period}), billed busy or not`;
  const rest = 'fewer leave the rest of the peak to on-demand environments and their cold starts';
  if (!n.cost) return `${head} at Lambda's provisioned-concurrency price (not in these prices: give it in a price file, lambdaProvisioned); ${rest}`;
  const { allocation, duration, onDemand } = n.cost;
  const total = allocation + duration;
  const delta = total - onDemand;
  return (
    `${head}: ${fmtUsd(allocation)}, and its duration at the provisioned price ${fmtUsd(duration)}: ${fmtUsd(total)} against ${fmtUsd(onDemand)} on demand ` +
    `(its duration and INITs; ${delta >= 0 ? `${fmtUsd(delta)} more` : `${fmtUsd(-delta)} less`}, first-tier prices); ${rest}`
  );
}

/**
 * A launch's first minutes at the peak for one function: scheduled scaling against target
 * tracking (launch-scaling.ts), one line, one phrasing for every output. Pure.
 */
export function launchScalingText(fn: string, l: LaunchScaling): string {
  const hour = (usd: number | null) => (usd === null ? '' : `, ${fmtUsd(usd)} an hour allocated`);
  const envs = (n: number) => `${fmtInt(n)} environment${n === 1 ? '' : 's'}`;
  const t = l.targetTracking;
  const scheduled = `scheduled scaling to ${envs(l.scheduled.environments)} before it serves the first minutes warm${hour(l.scheduled.hourlyUsd)}`;
  const tracking = `target tracking at ${fmtNum(t.targetValue * 100)} % from ${envs(t.minCapacity)}${t.basis === 'template' ? " (the template's policy)" : ''}`;
  const meanwhile =
    t.spilloverInvocations > 0
      ? `${fmtInt(Math.round(t.spilloverInvocations))} invocations spill over to on-demand environments, ${fmtInt(t.coldStarts)} of them cold starts`
      : `nothing spills over to on-demand environments (its minimum holds the peak, above the target)`;
  if (t.steps.length === 0 && t.caughtUpMinute === 0) return `launch at the peak, ${fn}: ${scheduled}; ${tracking} already serves it${hour(t.hourlyUsd)}`;
  if (t.steps.length === 0) return `launch at the peak, ${fn}: ${scheduled}; ${tracking} never scales out (utilization tops at 100 %, never above its target): for ${fmtInt(HORIZON_MINUTES)} minutes ${meanwhile}`;
  const last = t.steps.at(-1)!;
  const settles =
    t.caughtUpMinute === null
      ? `is still short of its target ${fmtInt(HORIZON_MINUTES)} minutes in (${envs(last.environments)})`
      : `is back at its target ${fmtInt(t.caughtUpMinute)} minutes in, at ${envs(last.environments)}${hour(t.hourlyUsd)}`;
  return (
    `launch at the peak, ${fn}: ${scheduled}; ${tracking} first scales out ${ALARM_MINUTES} minutes in (its alarm: ${ALARM_MINUTES} one-minute data points above the target), ` +
    `at most ×${fmtNum(1 / t.targetValue)} a step (utilization tops at 100 %: the spillover is not in it), and ${settles}; meanwhile ` +
    `${meanwhile}${t.spilloverInvocations > 0 ? " (each allocation's own INIT adds to those minutes)" : ''}`
  );
}
