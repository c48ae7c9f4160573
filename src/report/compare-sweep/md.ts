import type { MedianRange, SweepComparison } from '../../analyses/compare/compare-schema.ts';
import { fmtMsCell, fmtUsdCell, spreadText } from '../shared/spread-format.ts';
import { parameterTitle, pickLine, settingText, sloText, transferPriced } from './format.ts';
import { escapeMarkdown } from '../shared/escape.ts';
import { fmtNum } from '../../number-format.ts';
import { runWhyLines } from '../shared/why-lines.ts';

/**
 * summary.md of a sweep (fits a CI job summary): the recommendation, one table row per point
 * (median, min–max over the repeats in brackets), what was excluded, links to each run's report.
 * Pure; target- or user-controlled text escaped.
 */
// eslint-disable-next-line no-control-regex
const md = (v: unknown) => escapeMarkdown(v).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function renderSweepMarkdown(c: SweepComparison): string {
  const out: string[] = [];
  const what = parameterTitle(c.parameter);
  out.push(`## fanout-bench compare: ${md(c.scenario.name)} — ${md(what)} ${md(c.points.map((p) => p.label).join(', '))}`, '');
  out.push(
    `SLO: ${c.slo.length > 0 ? c.slo.map((t) => `\`${t.replace(/`/g, "'")}\``).join(', ') : 'the built-in checks'} · ${c.repeat} repeat${c.repeat === 1 ? '' : 's'} per point${c.holdConstant ? ` · held constant: ${c.holdConstant === 'deliveries' ? 'deliveries per second' : 'clients and send rate'}` : ''}${c.target ? ` · ${md(c.target.kind)}` : ''}`,
    '',
  );
  const r = c.recommendation;
  out.push('### Recommendation', '', `- **${md(pickLine(c))}: ${md(r.pick?.label ?? 'none')}** — ${md(r.reason)}`);
  if (r.firstFailing) out.push(`- **first to miss the SLO: ${md(r.firstFailing.label)}** — ${md(r.firstFailing.failed.join('; ') || 'its verdict failed')}`);
  out.push('');
  if (c.excluded.length > 0) out.push('> [!WARNING]', `> Excluded (no run counted): ${c.excluded.map((e) => `${md(e.label)} — ${md(e.reason)}`).join('; ')}`, '');

  const v = (s: MedianRange | null | undefined, fmt: (n: number) => string) => {
    const t = spreadText(s, fmt);
    return t.range ? `${t.median} (${t.range})` : t.median;
  };
  const fn = c.functions[0]!;
  const transfer = transferPriced(c);
  out.push(
    `| ${md(what)} | load | runs | SLO | fan-out p50 | fan-out p99 | broadcast p99 | sendMessage Duration p99 | $ / 1M deliveries | API Gateway $ / 1M |${transfer ? ' data out $ / 1M |' : ''}`,
    `|---|---|---:|---|---:|---:|---:|---:|---:|---:|${transfer ? '---:|' : ''}`,
  );
  for (const p of c.points) {
    const m = p.metrics;
    const slo = sloText(p);
    out.push(
      `| ${md(p.label)} | ${md(settingText(c, p))} | ${p.runs.filter((x) => x.included).length} of ${p.runs.length}${p.status === 'excluded' ? ' (excluded)' : ''} | ${md(slo.verdict)}${slo.why ? `: ${md(slo.why)}` : ''}${slo.note ? ` — **note:** ${md(slo.note)}` : ''} | ${v(m.fanoutP50Ms, fmtMsCell)} | ${v(m.fanoutP99Ms, fmtMsCell)} | ${v(m.broadcastP99Ms, fmtMsCell)} | ${v(p.functions[fn]?.durationP99Ms, fmtMsCell)} | ${v(m.totalCostPerMillionDeliveries, fmtUsdCell)} | ${v(p.costs.apiGateway, fmtUsdCell)} |${transfer ? ` ${v(p.costs.dataTransfer, fmtUsdCell)} |` : ''}`,
    );
  }
  out.push('');
  const links = c.points.flatMap((p) =>
    p.runs.map((x) => {
      const name = md(x.runId ?? '(no results)');
      const link = x.dir ? `[${name}](${encodeURI(`${x.dir.replace(/\\/g, '/').replace(/\/+$/, '')}/index.html`).replace(/[()]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)})` : name;
      return [
        `- ${md(p.label)}, repeat ${x.repeat}: ${link} — ${md(x.status)}${x.included ? '' : `, left out: ${md(x.excludedBecause ?? '')}`}${x.warnings.length ? ` (${md(x.warnings.join('; '))})` : ''}`,
        ...(x.why ? runWhyLines(x.why).map((l) => `  - ${md(l.trim())}`) : []),
      ].join('\n');
    }),
  );
  out.push('<details><summary>Runs</summary>', '', ...links, '', '</details>', '');
  out.push('<details><summary>How to read this</summary>', '', ...c.notes.map((n) => `- ${md(n)}`), '', '</details>', '');
  return out.join('\n');
}

