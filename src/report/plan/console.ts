import type { Plan } from '../../analyses/plan/plan-schema.ts';
import { planPageModel, type PlanPageModel } from './page-model.ts';

/** Headroom lines shown on the console (the tightest; summary.md has them all). */
const HEADROOM_SHOWN = 6;

/**
 * The plan on the console: the first limit to break, the total, the cost by service, (a run's own
 * traffic) measured against planned, and the tightest limits at the peak. Pure; a rendering of
 * the page's model (page-model.ts), as summary.md and index.html are.
 */
export function renderPlanConsole(p: Plan, m: PlanPageModel = planPageModel(p)): string[] {
  const lines = [
    ...(m.firstBreak ? [`first to break: ${m.firstBreak.line}`, ...(m.firstBreak.moves ? [`  what moves it: ${m.firstBreak.moves}`] : [])] : []),
    `plan: ${m.total} per ${m.period} (${m.totals.map((t) => `${t.service} ${t.cost}`).join(', ')}; ${m.prices})`,
  ];
  for (const l of m.costLines) lines.push(`  ${l.service}: ${l.item}: ${l.quantity} ${l.unit}, ${l.cost}${l.tiered ? ' (volume tiers)' : ''}${l.partial ? ` (${l.partial})` : ''}`);
  for (const f of m.fits) lines.push(`  ${f.function}: ${f.line} (r² ${f.r2}, ${f.sizes})`);
  if (m.check) lines.push(`  measured ${m.check.measured}, planned ${m.check.planned}, difference ${m.check.difference} (run ${m.check.runId} at its own traffic)`);
  if (m.emulator) lines.push(`  ${m.emulator.where}: ${m.emulator.line}`);
  if (m.headroom.length > 0) {
    const shown = m.headroom.slice(0, HEADROOM_SHOWN);
    lines.push('headroom at the peak (the tightest):');
    for (const h of shown) lines.push(`  ${h.label}: ${h.needs}${h.exceeded ? ' EXCEEDED' : ''}`);
    if (m.headroom.length > shown.length) lines.push(`  … ${m.headroom.length - shown.length} more in summary.md`);
  }
  const l = m.loadHosts;
  if (l) {
    lines.push(`load hosts ${l.rehearsal}:`);
    for (const s of l.sizes) lines.push(`  ${s.host}: ${s.hostsText} (${s.why})${s.pastPorts ? `; ${s.pastPorts}` : ''}`);
    lines.push(`  ${l.artillery}`);
  }
  return lines;
}
