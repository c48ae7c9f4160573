import type { Plan } from '../../analyses/plan/plan-schema.ts';
import { fmtNum, fmtUsd } from '../../number-format.ts';
import { byShare, exceeded, firstBreakLines, needsText } from './limits-text.ts';
import { artilleryText, hostsText, hostText, pastPortsText, rehearsalText } from './load-hosts-text.ts';

/** Headroom lines shown on the console (the tightest; summary.md has them all). */
const HEADROOM_SHOWN = 6;

/**
 * The plan on the console: the first limit to break, the total, the cost by service, (a run's own
 * traffic) measured against planned, and the tightest limits at the peak. Pure.
 */
export function renderPlanConsole(p: Plan): string[] {
  const c = p.cost;
  const lines = [
    ...firstBreakLines(p),
    `plan: ${fmtUsd(c.totals.total)} per ${p.traffic.periodLabel} (Lambda ${fmtUsd(c.totals.lambda)}, API Gateway ${fmtUsd(c.totals.apiGateway)}, DynamoDB ${fmtUsd(c.totals.dynamodb)}; ${c.region} prices)`,
  ];
  for (const l of c.lines) lines.push(`  ${l.service}: ${l.item}: ${fmtNum(l.quantity)} ${l.unit}, ${fmtUsd(l.cost)}${l.tiered ? ' (volume tiers)' : ''}`);
  for (const f of p.workModel.functions) {
    if (f.fit) lines.push(`  ${f.name}: billed ms per invocation = ${fmtNum(f.fit.interceptMs)} + ${fmtNum(f.fit.perRecipientMs)} × recipients (r² ${fmtNum(f.fit.r2)}, ${f.fit.points.length} room sizes)`);
  }
  if (p.check) lines.push(`  measured ${fmtUsd(p.check.total.measured)}, planned ${fmtUsd(p.check.total.planned)} (run ${p.check.runId} at its own traffic)`);
  if (p.workModel.runs.some((r) => r.measuredOn === 'emulator')) lines.push('  measured on the local emulator: billed durations are this host\'s, not Lambda\'s');
  if (p.headroom.length > 0) {
    const shown = byShare(p.headroom).slice(0, HEADROOM_SHOWN);
    lines.push('headroom at the peak (the tightest):');
    for (const h of shown) lines.push(`  ${h.label}: ${needsText(h)}${exceeded(h) ? ' EXCEEDED' : ''}`);
    if (p.headroom.length > shown.length) lines.push(`  … ${p.headroom.length - shown.length} more in summary.md`);
  }
  const l = p.loadHosts;
  if (l) {
    lines.push(`load hosts ${rehearsalText(l)}:`);
    for (const s of l.sizes) lines.push(`  ${hostText(s)}: ${hostsText(s)} (${s.why})${s.pastPorts ? `; ${pastPortsText(s)}` : ''}`);
    lines.push(`  ${artilleryText(l)}`);
  }
  return lines;
}
