import { mkdir, readdir } from 'node:fs/promises';
import { UserError } from '../../../common/errors.ts';
import type { Plan } from '../../analyses/plan/plan-schema.ts';
import { reportAssets } from '../shared/assets.ts';
import { writeTextFiles } from '../shared/write-files.ts';
import { renderPlanHtml } from './html.ts';
import { renderPlanMarkdown } from './md.ts';

export const PLAN_FILES = { json: 'plan.json', html: 'index.html', summary: 'summary.md' } as const;

/**
 * Writes plan.json, index.html and summary.md into `dir`; returns the paths written. The plan's
 * page has the name every page has, so it needs a folder of its own: `dir` must be new, empty or
 * a plan's (only a plan's files, plan.json among them). A run's or comparison's directory, or any
 * other folder holding something else, is refused in one line (exit 2) before anything is
 * written, so `--out reports/<run-id>` cannot replace that run's index.html and summary.md.
 */
export async function writePlan(plan: Plan, dir: string): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`--out ${dir}: cannot create the plan's directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  await checkOwnFolder(dir);
  return writeTextFiles(dir, [
    [PLAN_FILES.json, `${JSON.stringify(plan, null, 2)}\n`],
    [PLAN_FILES.html, renderPlanHtml(plan, reportAssets())],
    [PLAN_FILES.summary, renderPlanMarkdown(plan)],
  ]);
}

const OWN: ReadonlySet<string> = new Set(Object.values(PLAN_FILES));

async function checkOwnFolder(dir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    throw new UserError(`--out ${dir}: cannot read the plan's directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const isPlans = entries.includes(PLAN_FILES.json) && entries.every((e) => OWN.has(e));
  if (entries.length === 0 || isPlans) return;
  const shown = entries.sort().slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
  throw new UserError(`--out ${dir}: holds ${shown}, not a plan: a plan is written to a folder of its own (its page is index.html); name a new or empty directory`);
}
