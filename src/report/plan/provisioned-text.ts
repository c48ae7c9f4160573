import type { ProvisionedNeed } from '../../analyses/plan/plan-schema.ts';
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
