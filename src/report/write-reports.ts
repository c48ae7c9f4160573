import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Results } from '../metrics/results-schema.ts';
import { reportAssets } from './assets.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderSummaryMarkdown } from './summary-md.ts';

export const REPORT_FILES = { html: 'index.html', summary: 'summary.md', junit: 'junit.xml' } as const;

/** Renders the three reports of a run into its directory; returns the files written. */
export async function writeReports(results: Results, runDir: string): Promise<string[]> {
  const outputs: Array<[string, string]> = [
    [REPORT_FILES.html, renderHtml(results, reportAssets())],
    [REPORT_FILES.summary, renderSummaryMarkdown(results)],
    [REPORT_FILES.junit, renderJunit(results)],
  ];
  const files: string[] = [];
  for (const [name, text] of outputs) {
    const file = join(runDir, name);
    await writeFile(file, text);
    files.push(file);
  }
  return files;
}
