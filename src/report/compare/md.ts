import { LATENCY_METRIC_LABELS, type Comparison, type MedianRange } from '../../analyses/compare/compare-schema.ts';
import { figureSentence, figureSuffix, fmtShare, hostWarningRows, pickText, sizesText, strategyTitle } from './format.ts';
import { fmtMsCell, fmtUsdCell, spreadText } from '../shared/spread-format.ts';
import { escapeMarkdown } from '../shared/escape.ts';
import { fmtNum } from '../../number-format.ts';
import { runWhyLines } from '../shared/why-lines.ts';

/**
 * summary.md of a comparison (fits a CI job summary): the recommendation per strategy, one table
 * row per size (median, min–max over the repeats in brackets), what was excluded, links to each
 * run's report (relative paths). Pure; target- or user-controlled text escaped.
 */
/** Escaped for Markdown, and no control characters (a reason may quote the target verbatim). */
// eslint-disable-next-line no-control-regex
const md = (v: unknown) => escapeMarkdown(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function renderCompareMarkdown(c: Comparison): string {
  const out: string[] = [];
  out.push(`## fanout-bench compare: ${md(c.scenario.name)} — ${md(sizesText(c))}`, '');
  out.push(
    `${c.functions.map((f) => `\`${f.replace(/`/g, "'")}\``).join(', ')} · ${c.repeat} repeat${c.repeat === 1 ? '' : 's'} per size${c.target ? ` · ${md(c.target.kind)}` : ''} · latency ranked: ${md(LATENCY_METRIC_LABELS[c.latencyMetric])}`,
    '',
  );

  out.push('### Recommendation', '');
  for (const r of c.recommendations) out.push(`- **${md(strategyTitle(r))}: ${md(pickText(r))}** — ${md(r.reason)}`);
  out.push(
    '',
    `Cost includes request charges${c.pricing.initBilled ? ' and INIT billing' : ''}, which AWS Lambda Power Tuning leaves out.`,
    '',
  );

  const decided = c.hostDecided ?? [];
  const host = hostWarningRows(c);
  if (decided.length > 0 || host.length > 0) {
    out.push('> [!WARNING]', ...decided.map((d) => `> ${md(d.line)}.  `), ...host.map((w) => `> ${md(w.where)}: ${md(w.line)}  `), '');
  }
  const figures = figureSentence(c);
  if (figures) out.push(`${md(figures[0]!.toUpperCase() + figures.slice(1))}.`, '');

  if (c.excluded.length > 0) {
    out.push('> [!WARNING]', `> Excluded (no run counted): ${c.excluded.map((e) => `${fmtNum(e.memoryMB)} MB — ${md(e.reason)}`).join('; ')}`, '');
  }

  const v = (s: MedianRange | null | undefined, fmt: (n: number) => string) => {
    const t = spreadText(s, fmt);
    return t.range ? `${t.median} (${t.range})` : t.median;
  };
  out.push(
    `| memory | runs | broadcast p50${figureSuffix(c)} | broadcast p99${figureSuffix(c)} | connect p99${figureSuffix(c)} | Duration (mean) | INIT (mean) | cold starts | GB-s | Lambda $ / 1M deliveries | whole $ / 1M deliveries |`,
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const s of c.sizes) {
    const m = s.metrics;
    const n = s.runs.filter((r) => r.included).length;
    out.push(
      `| ${fmtNum(s.memoryMB)} MB | ${n} of ${s.runs.length}${s.status === 'excluded' ? ' (excluded)' : ''} | ${v(m.broadcastP50Ms, fmtMsCell)} | ${v(m.broadcastP99Ms, fmtMsCell)} | ${v(m.connectP99Ms, fmtMsCell)} | ${v(m.durationMeanMs, fmtMsCell)} | ${v(m.initMeanMs, fmtMsCell)} | ${v(m.coldStartShare, fmtShare)} | ${v(m.gbSeconds, fmtNum)} | ${v(m.lambdaCostPerMillionDeliveries, fmtUsdCell)} | ${v(m.totalCostPerMillionDeliveries, fmtUsdCell)} |`,
    );
  }
  out.push('');

  const links = c.sizes.flatMap((s) =>
    s.runs.map((r) => {
      const name = md(r.runId ?? '(no results)');
      const link = r.dir ? `[${name}](${encodeURI(`${r.dir.replace(/\\/g, '/').replace(/\/+$/, '')}/index.html`).replace(/[()]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)})` : name;
      return [
        `- ${fmtNum(s.memoryMB)} MB, repeat ${r.repeat}: ${link} — ${md(r.status)}${r.included ? '' : `, left out: ${md(r.excludedBecause ?? '')}`}${r.warnings.length ? ` (${md(r.warnings.join('; '))})` : ''}`,
        ...(r.why ? runWhyLines(r.why).map((l) => `  - ${md(l.trim())}`) : []),
      ].join('\n');
    }),
  );
  out.push('<details><summary>Runs</summary>', '', ...links, '', '</details>', '');
  out.push('<details><summary>How to read this</summary>', '', ...c.notes.map((n) => `- ${md(n)}`), '', '</details>', '');
  return out.join('\n');
}
