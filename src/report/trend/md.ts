import type { Trend } from '../../analyses/trend/trend-schema.ts';
import { escapeMarkdown } from '../shared/escape.ts';
import { trendPageModel, type TrendPageModel } from './page-model.ts';

/** Escaped for Markdown, and no control characters. */
// eslint-disable-next-line no-control-regex
const md = (v: unknown) => escapeMarkdown(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

/**
 * summary.md of a trend (fits a CI job summary; `trend` prints it too): the change points first,
 * newest first, with their step and commit range, then what the trend covers and what was left
 * out. Pure; a rendering of the page's model (page-model.ts), as index.html is.
 */
export function renderTrendMarkdown(t: Trend, m: TrendPageModel = trendPageModel(t)): string {
  const out: string[] = [];
  out.push(`## fanout-bench trend: ${md(m.scenario)} — ${m.changePointCount}`, '');
  if (m.configChanges.length > 0) out.push('> [!WARNING]', '> The functions\' configuration changed between runs:', ...m.configChanges.map((l) => `> - ${md(l)}`), '');
  if (m.noChange) {
    out.push(m.noChange, '');
  } else {
    out.push('| metric | first run after | before → after | change | commits | found by |', '|---|---|---|---|---|---|');
    for (const c of m.changePoints) {
      out.push(`| \`${c.metric.replace(/`/g, "'")}\` | ${md(c.started)} ${md(c.runId)} | ${md(c.step)} | ${md(c.change)} | \`${c.commits}\` | ${md(c.method)} |`);
    }
    out.push('');
  }
  out.push(
    `${m.runCount}${m.from && m.to ? ` from ${md(m.from)} to ${md(m.to)}` : ''} · ${md(m.load)} · ${md(m.target)} · ${md(m.machine)}${m.baseline ? ` · baseline ${md(m.baseline)}` : ''}`,
    '',
  );
  if (m.setApart.length > 0) out.push(`Set apart (not comparable or not completed): ${m.setApart.map((a) => `${md(a.runId)} — ${md(a.reason)}`).join('; ')}`, '');
  if (m.skipped.length > 0) out.push(`Skipped (not readable as results): ${m.skipped.map((s) => `${md(s.file)} — ${md(s.reason)}`).join('; ')}`, '');
  out.push('The charts, one per metric, are in the trend’s `index.html`.', '');
  return out.join('\n');
}
