import { mkdir } from 'node:fs/promises';
import { UserError } from '../../../common/errors.ts';
import type { Plan } from '../../analyses/plan/plan-schema.ts';
import { reportAssets } from '../shared/assets.ts';
import { writeTextFiles } from '../shared/write-files.ts';
import { renderPlanHtml } from './html.ts';
import { renderPlanMarkdown } from './md.ts';

export const PLAN_FILES = { json: 'plan.json', html: 'plan.html', summary: 'summary.md' } as const;

/** Writes plan.json, plan.html and summary.md into `dir`; returns the paths written. */
export async function writePlan(plan: Plan, dir: string): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`--out ${dir}: cannot create the plan's directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return writeTextFiles(dir, [
    [PLAN_FILES.json, `${JSON.stringify(plan, null, 2)}\n`],
    [PLAN_FILES.html, renderPlanHtml(plan, reportAssets())],
    [PLAN_FILES.summary, renderPlanMarkdown(plan)],
  ]);
}
