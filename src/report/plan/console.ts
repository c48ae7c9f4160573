import type { Plan } from '../../analyses/plan/plan-schema.ts';
import { sectionLines } from '../shared/console-sections.ts';
import type { SummaryLength } from '../shared/summary-length.ts';
import { planPageModel, type PlanPageModel } from './page-model.ts';

/** Headroom lines shown on the console (the tightest; summary.md has them all). */
const HEADROOM_SHOWN = 6;

/**
 * The plan on the console: the first limit to break, the total, the cost by service, (a run's own
 * traffic) measured against planned, the tightest limits at the peak and the load hosts; brief
 * (the command's default) counts the cost lines, the fits and the emulator's note in one line.
 * Pure; a rendering of the page's model (page-model.ts), as summary.md and index.html are.
 */
export function renderPlanConsole(p: Plan, m: PlanPageModel = planPageModel(p), length: SummaryLength = 'full'): string[] {
  const shown = m.headroom.slice(0, HEADROOM_SHOWN);
  const l = m.loadHosts;
  return sectionLines(
    [
      {
        lines: [
          ...(m.firstBreak ? [`first to break: ${m.firstBreak.line}`, ...(m.firstBreak.moves ? [`  what moves it: ${m.firstBreak.moves}`] : [])] : []),
          `plan: ${m.total} per ${m.period} (${m.totals.map((t) => `${t.service} ${t.cost}`).join(', ')}; ${m.prices})`,
        ],
      },
      { lines: m.costLines.map((c) => `  ${c.service}: ${c.item}: ${c.quantity} ${c.unit}, ${c.cost}${c.tiered ? ' (volume tiers)' : ''}${c.partial ? ` (${c.partial})` : ''}`), detail: 'cost lines' },
      { lines: m.fits.map((f) => `  ${f.function}: ${f.line} (r² ${f.r2}, ${f.sizes})`), detail: 'fits' },
      { lines: m.check ? [`  measured ${m.check.measured}, planned ${m.check.planned}, difference ${m.check.difference} (run ${m.check.runId} at its own traffic)`] : [] },
      { lines: m.emulator ? [`  ${m.emulator.where}: ${m.emulator.line}`] : [], detail: 'emulator' },
      {
        lines:
          shown.length > 0
            ? [
                'headroom at the peak (the tightest):',
                ...shown.map((h) => `  ${h.label}: ${h.needs}${h.exceeded ? ' EXCEEDED' : ''}`),
                ...(m.headroom.length > shown.length ? [`  … ${m.headroom.length - shown.length} more in summary.md`] : []),
              ]
            : [],
      },
      { lines: l ? [`load hosts ${l.rehearsal}:`, ...l.sizes.map((s) => `  ${s.host}: ${s.hostsText} (${s.why})${s.pastPorts ? `; ${s.pastPorts}` : ''}`), `  ${l.artillery}`] : [] },
    ],
    length,
  );
}
