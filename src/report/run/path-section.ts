import { escapeHtml as h, escapeMarkdown as md } from '../shared/escape.ts';
import { chartBox, section, table } from '../shared/html-parts.ts';
import type { ChartSpec } from './chart-data.ts';
import type { PathModel } from './path-model.ts';

/**
 * The path (path-model.ts) as summary.md's table and the page's "Path" section: one row per hop,
 * then the charts of its queues and mappings, then what could not be read of it.
 */
export const PATH_INTRO =
  "The stack's queued path, hop by hop, as CloudWatch counted it over the run's window (AWS/SQS, AWS/SNS, AWS/Events, AWS/Lambda and its event source mapping metrics): a queue with the mappings that consume it, a dead-letter queue with what was moved to it.";

export function pathMarkdown(p: PathModel | undefined): string[] {
  if (!p) return [];
  return [
    '### Path',
    '',
    md(PATH_INTRO),
    '',
    '| hop | name | what CloudWatch counted |',
    '|---|---|---|',
    ...p.rows.map((r) => `| ${md(r.kind)} | ${md(r.name)} | ${md(r.figures)} |`),
    '',
    ...(p.idle ? [`${md(p.idle)}.`, ''] : []),
    ...p.notes.map((n) => `- ${md(n)}`),
    ...(p.notes.length > 0 ? [''] : []),
  ];
}

export function pathHtml(p: PathModel, charts: Record<string, ChartSpec>): string {
  const rows = p.rows.map((r) => [h(r.kind), `<code>${h(r.name)}</code>`, h(r.figures)]);
  const grid = p.charts.length > 0 ? `<div class="grid two">${p.charts.map((id) => chartBox(charts, id)).join('')}</div>` : '';
  const notes = p.notes.length > 0 ? `<ul>${p.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : '';
  const idle = p.idle ? `<p class="note">${h(p.idle)}.</p>` : '';
  return section('Path', PATH_INTRO, table(['hop', 'name', 'what CloudWatch counted'], rows) + idle + grid + notes);
}
