import type { Comparison } from '../../analyses/compare/compare-schema.ts';
import { markdownRunLink } from '../shared/comparison-model.ts';
import { escapeMarkdown } from '../shared/escape.ts';
import { comparePageModel, type ComparePageModel, type SpreadFigure } from './page-model.ts';

/**
 * summary.md of a comparison (fits a CI job summary): the recommendation per strategy, one table
 * row per size (median, min–max over the repeats in brackets), what was excluded, links to each
 * run's report (relative paths). Pure; a rendering of the page's model (page-model.ts);
 * target- or user-controlled text escaped.
 */
/** Escaped for Markdown, and no control characters (a reason may quote the target verbatim). */
// eslint-disable-next-line no-control-regex
const md = (v: unknown) => escapeMarkdown(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function renderCompareMarkdown(c: Comparison, m: ComparePageModel = comparePageModel(c)): string {
  const out: string[] = [];
  out.push(`## fanout-bench compare: ${md(m.scenario)} — ${md(m.sizes)}`, '');
  out.push(
    `${m.functions.map((f) => `\`${f.replace(/`/g, "'")}\``).join(', ')} · ${m.repeat} repeat${m.repeat === 1 ? '' : 's'} per size${m.target ? ` · ${md(m.target.kind)}` : ''} · latency ranked: ${md(m.latencyRanked)}`,
    '',
  );

  out.push('### Recommendation', '');
  for (const r of m.recommendations) out.push(`- **${md(r.title)}: ${md(r.pick)}** — ${md(r.reason)}`);
  out.push('', `Cost includes ${m.costIncludes}, which AWS Lambda Power Tuning leaves out.`, '');

  if (m.hostDecided.length > 0 || m.hostWarnings.length > 0) {
    out.push('> [!WARNING]', ...m.hostDecided.map((d) => `> ${md(d)}.  `), ...m.hostWarnings.map((w) => `> ${md(w.where)}: ${md(w.line)}  `), '');
  }
  if (m.figureNote) out.push(`${md(m.figureNote[0]!.toUpperCase() + m.figureNote.slice(1))}.`, '');

  if (m.excluded.length > 0) {
    out.push('> [!WARNING]', `> Excluded (no run counted): ${m.excluded.map((e) => `${e.memory} — ${md(e.reason)}`).join('; ')}`, '');
  }

  const v = (t: SpreadFigure) => (t.range ? `${t.median} (${t.range})` : t.median);
  const fig = m.figureSuffix;
  out.push(
    `| memory | runs | broadcast p50${fig} | broadcast p99${fig} | connect p99${fig} | Duration (mean) | INIT (mean) | cold starts | GB-s | Lambda $ / 1M deliveries | whole $ / 1M deliveries |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const s of m.rows) {
    out.push(
      `| ${s.memory} | ${s.countedOf}${s.excluded ? ' (excluded)' : ''} | ${v(s.broadcastP50)} | ${v(s.broadcastP99)} | ${v(s.connectP99)} | ${v(s.durationMean)} | ${v(s.initMean)} | ${v(s.coldStarts)} | ${v(s.gbSeconds)} | ${v(s.lambdaCost)} | ${v(s.totalCost)} |`,
    );
  }
  out.push('');

  const links = m.runs.map((r) => {
    const name = md(r.run);
    const link = markdownRunLink(r.dir, name);
    return [
      `- ${r.where}, repeat ${r.repeat}: ${link} — ${md(r.status)}${r.counted ? '' : `, left out: ${md(r.leftOutBecause)}`}${r.warnings.length ? ` (${md(r.warnings.join('; '))})` : ''}`,
      ...r.why.map((l) => `  - ${md(l.trim())}`),
    ].join('\n');
  });
  out.push('<details><summary>Runs</summary>', '', ...links, '', '</details>', '');
  out.push('<details><summary>How to read this</summary>', '', ...m.notes.map((n) => `- ${md(n)}`), '', '</details>', '');
  return out.join('\n');
}
