import { mkdir } from 'node:fs/promises';
import { UserError } from '../../../common/errors.ts';
import type { Trend } from '../../analyses/trend/trend-schema.ts';
import { reportAssets } from '../shared/assets.ts';
import { renderTrendHtml } from './html.ts';
import { renderTrendMarkdown } from './md.ts';
import { writeTextFiles } from '../shared/write-files.ts';

export const TREND_FILES = { json: 'trend.json', html: 'index.html', summary: 'summary.md' } as const;

/**
 * Writes a trend into `dir` (created if missing): trend.json, index.html, summary.md. Returns the
 * files written; a directory or file that cannot be written is a UserError naming it (exit 2).
 */
export async function writeTrend(trend: Trend, dir: string): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`--out ${dir}: cannot create the trend's directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return writeTextFiles(dir, [
    [TREND_FILES.json, `${JSON.stringify(trend, null, 2)}\n`],
    [TREND_FILES.html, renderTrendHtml(trend, reportAssets())],
    [TREND_FILES.summary, renderTrendMarkdown(trend)],
  ]);
}
