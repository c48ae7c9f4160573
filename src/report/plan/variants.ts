import type { Plan } from '../../analyses/plan/plan-schema.ts';
import { escapeMarkdown } from '../shared/escape.ts';
import { breakText } from './limits-text.ts';
import { planPageModel } from './page-model.ts';

/**
 * `plan <grid-dir>`: each variant's plan side by side — what it was planned from, its month's
 * cost, its first limit to break and, on a queued path, the first of the path's own quotas —
 * computed once here from each variant's plan (whose own page, in a folder of its own, has the
 * rest); the console and the grid plan's summary.md render these rows. Pure.
 */
export interface VariantPlanRow {
  variant: string;
  /** what it was planned from: its runs at every room size, or its largest room size's run */
  basis: string;
  total: string;
  period: string;
  firstBreak: string;
  /** a queued path's first own quota to break (absent: a direct path) */
  pathFirstBreak?: string;
  /** its plan's folder, as given */
  dir: string;
}

export function variantPlanRows(plans: ReadonlyArray<{ name: string; basis: string; plan: Plan; dir: string }>): VariantPlanRow[] {
  return plans.map(({ name, basis, plan, dir }) => {
    const m = planPageModel(plan);
    const g = plan.growth[0];
    const path = g && plan.pathFirstBreak !== undefined ? breakText({ ...g, firstBreak: plan.pathFirstBreak }, plan.headroom) : undefined;
    return {
      variant: name,
      basis,
      total: m.total,
      period: m.period,
      firstBreak: m.firstBreak?.line ?? 'nothing was grown',
      ...(path !== undefined ? { pathFirstBreak: path } : {}),
      dir,
    };
  });
}

export function renderVariantPlansConsole(rows: readonly VariantPlanRow[]): string[] {
  return rows.flatMap((r) => [
    `${r.variant}: ${r.total} per ${r.period}; planned from ${r.basis}`,
    `  first to break: ${r.firstBreak}`,
    ...(r.pathFirstBreak ? [`  its path's first: ${r.pathFirstBreak}`] : []),
    `  plan: ${r.dir}`,
  ]);
}

export function renderVariantPlansMarkdown(rows: readonly VariantPlanRow[]): string {
  const md = (v: string) => escapeMarkdown(v);
  return [
    '## fanout-bench plan: the variants side by side',
    '',
    '| variant | per month | first to break | the path\'s first | planned from | plan |',
    '|---|---:|---|---|---|---|',
    ...rows.map((r) => `| ${md(r.variant)} | ${md(r.total)} per ${md(r.period)} | ${md(r.firstBreak)} | ${r.pathFirstBreak ? md(r.pathFirstBreak) : '–'} | ${md(r.basis)} | [${md(r.dir)}](${encodeURI(r.dir)}/index.html) |`),
    '',
  ].join('\n');
}
