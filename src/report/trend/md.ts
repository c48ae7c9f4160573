import type { Trend } from '../../analyses/trend/trend-schema.ts';
import { escapeMarkdown } from '../shared/escape.ts';
import { changePctText, commitRange, configChangeLines, methodText, noChangeText, runDate, stepText } from './format.ts';

/** Escaped for Markdown, and no control characters. */
// eslint-disable-next-line no-control-regex
const md = (v: unknown) => escapeMarkdown(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

/**
 * summary.md of a trend (fits a CI job summary): the change points first, newest first, with
 * their step and commit range, then what the trend covers and what was left out. Pure.
 */
export function renderTrendMarkdown(t: Trend): string {
  const out: string[] = [];
  out.push(`## fanout-bench trend: ${md(t.group.scenario)} — ${t.changePoints.length} change point${t.changePoints.length === 1 ? '' : 's'}`, '');
  const configs = configChangeLines(t);
  if (configs.length > 0) out.push('> [!WARNING]', '> The functions\' configuration changed between runs:', ...configs.map((l) => `> - ${md(l)}`), '');
  if (t.changePoints.length === 0) {
    out.push(noChangeText(t), '');
  } else {
    out.push('| metric | first run after | before → after | change | commits | found by |', '|---|---|---|---|---|---|');
    for (const c of t.changePoints) {
      const run = t.runs[c.index];
      out.push(
        `| \`${c.metric.replace(/`/g, "'")}\` | ${md(run ? runDate(run) : '')} ${md(c.runId)} | ${md(stepText(c))} | ${md(changePctText(c))} | \`${commitRange(c)}\` | ${md(methodText(c))} |`,
      );
    }
    out.push('');
  }
  const first = t.runs[0];
  const last = t.runs.at(-1);
  out.push(
    `${t.runs.length} run${t.runs.length === 1 ? '' : 's'}${first && last ? ` from ${md(runDate(first))} to ${md(runDate(last))}` : ''} · ${md(t.group.load)} · ${md(t.group.target)} · ${md(t.group.machine)}${t.baseline ? ` · baseline ${md(t.baseline.runId)}` : ''}`,
    '',
  );
  if (t.setApart.length > 0) out.push(`Set apart (not comparable or not completed): ${t.setApart.map((a) => `${md(a.runId)} — ${md(a.reason)}`).join('; ')}`, '');
  if (t.skipped.length > 0) out.push(`Skipped (not readable as results): ${t.skipped.map((s) => `${md(s.file)} — ${md(s.reason)}`).join('; ')}`, '');
  out.push('The charts, one per metric, are in the trend’s `index.html`.', '');
  return out.join('\n');
}
