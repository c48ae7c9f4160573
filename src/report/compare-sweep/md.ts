import type { SweepComparison } from '../../analyses/compare/compare-schema.ts';
import { markdownRunLink, type SpreadFigure } from '../shared/comparison-model.ts';
import { escapeMarkdown } from '../shared/escape.ts';
import { sweepPageModel, type SweepPageModel } from './page-model.ts';

/**
 * summary.md of a sweep (fits a CI job summary): the recommendation, one table row per point
 * (median, min–max over the repeats in brackets), what was excluded, links to each run's report.
 * Pure; a rendering of the page's model (page-model.ts); target- or user-controlled text escaped.
 */
// eslint-disable-next-line no-control-regex
const md = (v: unknown) => escapeMarkdown(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function renderSweepMarkdown(c: SweepComparison, m: SweepPageModel = sweepPageModel(c)): string {
  const out: string[] = [];
  out.push(`## fanout-bench compare: ${md(m.scenario)} — ${md(m.parameter)} ${md(m.points.join(', '))}`, '');
  out.push(
    `SLO: ${m.slo.length > 0 ? m.slo.map((t) => `\`${t.replace(/`/g, "'")}\``).join(', ') : m.sloNone} · ${m.repeat} repeat${m.repeat === 1 ? '' : 's'} per point${m.holdConstant ? ` · held constant: ${m.holdConstant}` : ''}${m.target ? ` · ${md(m.target.kind)}` : ''}`,
    '',
  );
  const r = m.recommendation;
  out.push('### Recommendation', '', `- **${md(r.title)}: ${md(r.pick)}** — ${md(r.reason)}`);
  if (m.firstFailing) out.push(`- **${m.firstFailing.title}: ${md(m.firstFailing.label)}** — ${md(m.firstFailing.why)}`);
  for (const p of m.missed) out.push(`- missed ${md(p.label)}: ${md(p.why)}`);
  out.push('');
  if (m.grid) {
    const g = m.grid;
    out.push(`### By room size`, '', `$ per 1M deliveries · ${md(g.latencyName)} · SLO; the size's pick in bold.`, '');
    out.push(`| room size | ${g.variants.map(md).join(' | ')} | pick |`, `|---|${g.variants.map(() => '---|').join('')}---|`);
    for (const row of g.rows) {
      const cells = row.cells.map((x) => {
        const text = `${x.cost} · ${x.latency} · ${md(x.verdict)}`;
        return x.recommended ? `**${text}**` : text;
      });
      out.push(`| ${md(row.roomSize)} | ${cells.join(' | ')} | ${md(row.pick)} |`);
    }
    out.push('');
  }
  if (m.hostWarnings.length > 0) out.push('> [!WARNING]', ...m.hostWarnings.map((w) => `> ${md(w.where)}: ${md(w.line)}  `), '');
  if (m.figureNote) out.push(`${md(m.figureNote[0]!.toUpperCase() + m.figureNote.slice(1))}.`, '');
  if (m.durationNote) out.push(`${md(m.durationNote)}.`, '');
  if (m.excluded.length > 0) out.push('> [!WARNING]', `> Excluded (no run counted): ${m.excluded.map((e) => `${md(e.label)} — ${md(e.reason)}`).join('; ')}`, '');

  const v = (t: SpreadFigure | undefined) => (!t ? '–' : t.range ? `${t.median} (${t.range})` : t.median);
  const transfer = m.transferPriced;
  const fig = m.figureSuffix;
  out.push(
    `| ${md(m.parameter)} | load | runs | SLO |${(m.coldHead ?? []).map((x) => ` ${md(x)} |`).join('')} fan-out p50${fig} | fan-out p99${fig} | broadcast p99${fig} | ${md(m.function)} Duration p99 | $ / 1M deliveries | API Gateway $ / 1M |${transfer ? ' data out $ / 1M |' : ''}`,
    `|---|---|---:|---|${m.coldHead ? '---:|---:|' : ''}---:|---:|---:|---:|---:|---:|${transfer ? '---:|' : ''}`,
  );
  for (const p of m.rows) {
    const slo = p.slo;
    out.push(
      `| ${md(p.label)} | ${md(p.setting)} | ${p.countedOf}${p.excluded ? ' (excluded)' : ''} | ${md(slo.verdict)}${slo.why ? `: ${md(slo.why)}` : ''}${slo.note ? ` — **note:** ${md(slo.note)}` : ''} |${m.coldHead ? ` ${p.coldSetting?.cold ?? '–'} | ${p.coldSetting?.monthly ?? '–'} |` : ''} ${v(p.fanoutP50)} | ${v(p.fanoutP99)} | ${v(p.broadcastP99)} | ${v(p.durationP99)} | ${v(p.totalCost)} | ${v(p.apiGatewayCost)} |${transfer ? ` ${v(p.dataTransferCost)} |` : ''}`,
    );
  }
  out.push('');
  const links = m.runs.map((x) =>
    [
      `- ${md(x.where)}, repeat ${x.repeat}: ${markdownRunLink(x.dir, md(x.run))} — ${md(x.status)}${x.counted ? '' : `, left out: ${md(x.leftOutBecause)}`}${x.warnings.length ? ` (${md(x.warnings.join('; '))})` : ''}`,
      ...x.why.map((l) => `  - ${md(l.trim())}`),
    ].join('\n'),
  );
  out.push('<details><summary>Runs</summary>', '', ...links, '', '</details>', '');
  out.push('<details><summary>How to read this</summary>', '', ...m.notes.map((n) => `- ${md(n)}`), '', '</details>', '');
  return out.join('\n');
}
