import type { Results } from '../../contracts/results-schema.ts';
import { judged } from '../../verdict/judged.ts';
import { reportAssets } from '../shared/assets.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderSummaryMarkdown } from './md.ts';
import { writeTextFiles } from '../shared/write-files.ts';

export const REPORT_FILES = { html: 'index.html', summary: 'summary.md', junit: 'junit.xml' } as const;

/**
 * Renders the three reports of a run into its directory; returns the files written. A file that
 * cannot be written is a UserError naming it (the `report` command's exit 2). Results should carry
 * their verdict (evaluate() stores it); results without one are judged by their built-in checks.
 */
export async function writeReports(unjudged: Results, runDir: string): Promise<string[]> {
  const results = judged(unjudged);
  return writeTextFiles(runDir, [
    [REPORT_FILES.html, renderHtml(results, reportAssets())],
    [REPORT_FILES.summary, renderSummaryMarkdown(results)],
    [REPORT_FILES.junit, renderJunit(results)],
  ]);
}
