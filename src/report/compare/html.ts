import { LATENCY_METRIC_LABELS, type Comparison, type SizeResult } from '../../analyses/compare/compare-schema.ts';
import { reportAssets, type ReportAssets } from '../shared/assets.ts';
import { buildCompareCharts, sizeColor, type CompareCharts } from './chart-data.ts';
import { figureSentence, figureSuffix, fmtShare, hostWarningRows, pickText, sizesText, strategyTitle } from './format.ts';
import { cell, EXTRA_STYLE, runLink, whyCell } from '../shared/comparison-html.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { fmtNum } from '../../number-format.ts';
import { htmlPage } from '../shared/html-page.ts';
import { chartBox, section, table } from '../shared/html-parts.ts';
import { fmtCount, fmtMsCell, fmtUsdCell } from '../shared/spread-format.ts';
import { STYLE } from '../shared/html-style.ts';

/**
 * index.html of a comparison of memory sizes: self-contained like a run's report (uPlot and the
 * chart script inlined, data embedded as JSON, opens from disk with no network). Pure. Each
 * size's runs link to their own run directories (relative paths).
 */
export function renderCompareHtml(c: Comparison, assets: ReportAssets = reportAssets()): string {
  const charts = buildCompareCharts(c);
  const title = `fanout-bench compare · ${c.scenario.name}`;
  return htmlPage({
    title,
    css: `${STYLE}${EXTRA_STYLE}`,
    main: `${header(c)}
${recommendations(c)}
${section('Cost versus latency', `Medians over each size's counted repeats; whiskers span their min–max. Cost is the compared functions' Lambda bill per million deliveries: requests, billed Duration × memory${c.pricing.initBilled ? ' and INIT' : ''}.`, `<div class="grid two">${chartBox(charts, 'cost-latency')}${chartBox(charts, 'by-memory')}</div>${offChart(c, charts)}`)}
${section('Latency by size', `Median over the counted repeats, min–max below. The recommendation ranks ${LATENCY_METRIC_LABELS[c.latencyMetric]}.${figureSentence(c) ? ` The ${figureSentence(c)}.` : ''}`, latencyTable(c))}
${section('Cost by size', `At ${c.pricing.region} list prices of ${c.pricing.asOf}, ${c.pricing.architecture}: $${fmtNum(c.pricing.requestsPerMillion)} per million requests, $${c.pricing.gbSecond} per GB-s${c.pricing.initBilled ? ', INIT billed' : ''}.`, costTable(c))}
${section('Compared functions', 'From REPORT log lines where the runs have them (every invocation), else CloudWatch AWS/Lambda statistics.', functionsTable(c))}
${section('Runs', 'Each run keeps its own directory and report.', runsTable(c))}
${section('How to read this', '', `<ul class="notes">${c.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`)}`,
    dataId: 'compare-data',
    data: charts,
    uplotCss: assets.uplotCss,
    uplotJs: assets.uplotJs,
    clientJs: assets.compareJs,
  });
}

function offChart(c: Comparison, charts: CompareCharts): string {
  const on = new Set(charts['cost-latency']?.series.map((s) => s.memoryMB) ?? []);
  const off = c.sizes.filter((s) => !on.has(s.memoryMB));
  if (off.length === 0) return '';
  return `<p class="note">Not on the cost-versus-latency chart (no cost or no latency): ${off.map((s) => `${fmtNum(s.memoryMB)} MB`).join(', ')}.</p>`;
}

function sizeCell(c: Comparison, s: SizeResult): string {
  return `<span class="nw"><span class="swatch" style="background:${sizeColor(c, s.memoryMB)}"></span>${fmtNum(s.memoryMB)} MB</span>`;
}

function counted(s: SizeResult): string {
  const n = s.runs.filter((r) => r.included).length;
  return `${n} of ${s.runs.length}${s.status === 'excluded' ? ' <span class="bad-text">excluded</span>' : ''}`;
}

function header(c: Comparison): string {
  return `<header>
<div class="brand">fanout-bench <span>${h(c.tool.version)}</span> · memory comparison</div>
<h1>${h(c.scenario.name)}: ${h(sizesText(c))}</h1>
${c.scenario.description ? `<p class="description">${h(c.scenario.description)}</p>` : ''}
<dl class="facts">
<div><dt>functions</dt><dd>${c.functions.map((f) => h(f)).join(', ')}</dd></div>
<div><dt>repeats</dt><dd>${c.repeat} per size</dd></div>
<div><dt>latency ranked</dt><dd>${h(LATENCY_METRIC_LABELS[c.latencyMetric])}</dd></div>
${c.target ? `<div><dt>target</dt><dd>${h(c.target.kind)} · ${h(c.target.url)}</dd></div>` : ''}
<div><dt>created</dt><dd>${h(c.createdAt)}</dd></div>
</dl>
</header>`;
}

function recommendations(c: Comparison): string {
  const cards = c.recommendations
    .map(
      (r) =>
        `<div class="card${r.pick ? '' : ' bad'}"><div class="label">${h(strategyTitle(r))}</div><div class="value">${h(pickText(r))}</div><div class="sub">${h(r.reason)}</div></div>`,
    )
    .join('');
  const banners: string[] = [];
  const decided = c.hostDecided ?? [];
  const host = hostWarningRows(c);
  if (decided.length > 0 || host.length > 0) {
    const items = [...decided.map((d) => `<li>${h(d.line)}.</li>`), ...host.map((w) => `<li>${h(w.where)}: ${h(w.line)}</li>`)];
    banners.push(`<div class="banner warn"><strong>The local host held the stack back.</strong><ul>${items.join('')}</ul></div>`);
  }
  if (c.excluded.length > 0) {
    banners.push(
      `<div class="banner danger"><strong>Excluded: no run counted.</strong><ul>${c.excluded.map((e) => `<li>${fmtNum(e.memoryMB)} MB — ${h(e.reason)}</li>`).join('')}</ul></div>`,
    );
  }
  const partial = c.sizes.filter((s) => s.status === 'partial');
  if (partial.length > 0) {
    banners.push(
      `<div class="banner warn"><strong>Some repeats were left out.</strong><ul>${partial
        .map((s) => `<li>${fmtNum(s.memoryMB)} MB — ${s.runs.filter((r) => !r.included).map((r) => `repeat ${r.repeat}: ${h(r.excludedBecause ?? '')}`).join('; ')}</li>`)
        .join('')}</ul></div>`,
    );
  }
  return `<section class="reco"><h2>Recommendation</h2><p class="intro">Per strategy, in the spirit of AWS Lambda Power Tuning, with request charges${c.pricing.initBilled ? ' and INIT billing' : ''} in the cost (Power Tuning leaves them out).</p>${banners.join('')}<div class="cards">${cards}</div></section>`;
}

function latencyTable(c: Comparison): string {
  const rows = c.sizes.map((s) => [
    sizeCell(c, s),
    counted(s),
    cell(s.metrics.broadcastP50Ms, fmtMsCell),
    cell(s.metrics.broadcastP99Ms, fmtMsCell),
    cell(s.metrics.connectP50Ms, fmtMsCell),
    cell(s.metrics.connectP99Ms, fmtMsCell),
    cell(s.metrics.durationMeanMs, fmtMsCell),
    cell(s.metrics.initMeanMs, fmtMsCell),
    cell(s.metrics.coldStartShare, fmtShare),
    cell(s.metrics.deliveriesLost, fmtCount),
    cell(s.metrics.sendsFailed, fmtCount),
  ]);
  const fig = figureSuffix(c);
  return table(['memory', 'runs counted', `broadcast p50${fig}`, `broadcast p99${fig}`, `connect p50${fig}`, `connect p99${fig}`, 'Duration (mean)', 'INIT (mean)', 'cold starts', 'lost deliveries', 'failed sends'], rows, 'num');
}

function costTable(c: Comparison): string {
  const rows = c.sizes.map((s) => [
    sizeCell(c, s),
    cell(s.metrics.gbSeconds, fmtCount),
    cell(s.metrics.gbSecondsPer1000Deliveries, fmtCount),
    cell(s.metrics.lambdaCostPerMillionDeliveries, fmtUsdCell),
    cell(s.metrics.totalCostPerMillionDeliveries, fmtUsdCell),
    h(s.costSource ?? '–'),
  ]);
  return table(['memory', 'GB-s (compared functions)', 'GB-s per 1,000 deliveries', 'Lambda $ per 1M deliveries', 'whole estimate $ per 1M deliveries', 'cost source'], rows, 'num');
}

function functionsTable(c: Comparison): string {
  const rows = c.functions.flatMap((name) =>
    c.sizes.map((s) => {
      const f = s.functions[name];
      return [
        `<code>${h(name)}</code>`,
        sizeCell(c, s),
        cell(f?.invocations, fmtCount),
        cell(f?.durationP50Ms, fmtMsCell),
        cell(f?.durationP99Ms, fmtMsCell),
        cell(f?.initP50Ms, fmtMsCell),
        cell(f?.initP99Ms, fmtMsCell),
        cell(f?.coldStartShare, fmtShare),
        h(f?.durationSource ?? 'none'),
      ];
    }),
  );
  return table(['function', 'memory', 'invocations', 'Duration p50', 'Duration p99', 'INIT p50', 'INIT p99', 'cold starts', 'source'], rows, 'num second-text');
}

function runsTable(c: Comparison): string {
  const rows = c.sizes.flatMap((s) =>
    s.runs.map((r) => [
      sizeCell(c, s),
      String(r.repeat),
      runLink(r.dir, r.runId ?? '(no results)'),
      `<span class="nw">${h(r.status)}</span>`,
      r.included ? 'yes' : `<span class="bad-text">no</span> — ${h(r.excludedBecause ?? '')}`,
      r.warnings.map((w) => h(w)).join('<br>'),
      whyCell(r),
    ]),
  );
  return table(['memory', '<span class="nw">repeat</span>', 'run', 'status', 'counted', 'warnings', 'why'], rows, 'second-text');
}
