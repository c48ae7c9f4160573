import type { Comparison } from '../../analyses/compare/compare-schema.ts';
import { reportAssets, type ReportAssets } from '../shared/assets.ts';
import { cell, EXTRA_STYLE, runsRows } from '../shared/comparison-html.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { htmlPage } from '../shared/html-page.ts';
import { chartBox, section, table } from '../shared/html-parts.ts';
import { STYLE } from '../shared/html-style.ts';
import { comparePageModel, type ComparePageModel } from './page-model.ts';

/**
 * index.html of a comparison of memory sizes: self-contained like a run's report (uPlot and the
 * chart script inlined, data embedded as JSON, opens from disk with no network). Pure; a
 * rendering of the page's model (page-model.ts), as summary.md and the console are. Each
 * size's runs link to their own run directories (relative paths).
 */
export function renderCompareHtml(c: Comparison, assets: ReportAssets = reportAssets(), m: ComparePageModel = comparePageModel(c)): string {
  const title = `fanout-bench compare · ${m.scenario}`;
  return htmlPage({
    title,
    css: `${STYLE}${EXTRA_STYLE}`,
    main: `${header(m)}
${recommendations(m)}
${section('Cost versus latency', `Medians over each size's counted repeats; whiskers span their min–max. Cost is the compared functions' Lambda bill per million deliveries: requests, billed Duration × memory${m.initBilled ? ' and INIT' : ''}.`, `<div class="grid two">${chartBox(m.charts, 'cost-latency')}${chartBox(m.charts, 'by-memory')}</div>${offChart(m)}`)}
${section('Latency by size', `Median over the counted repeats, min–max below. The recommendation ranks ${m.latencyRanked}.${m.figureNote ? ` The ${m.figureNote}.` : ''}`, latencyTable(m))}
${section('Cost by size', m.pricing, costTable(m))}
${section('Compared functions', 'From REPORT log lines where the runs have them (every invocation), else CloudWatch AWS/Lambda statistics.', functionsTable(m))}
${section('Runs', 'Each run keeps its own directory and report.', runsTable(m))}
${section('How to read this', '', `<ul class="notes">${m.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`)}`,
    dataId: 'compare-data',
    data: m.charts,
    uplotCss: assets.uplotCss,
    uplotJs: assets.uplotJs,
    clientJs: assets.compareJs,
  });
}

function offChart(m: ComparePageModel): string {
  if (m.offChart.length === 0) return '';
  return `<p class="note">Not on the cost-versus-latency chart (no cost or no latency): ${m.offChart.map((s) => h(s)).join(', ')}.</p>`;
}

function sizeCell(s: { memory: string; color: string }): string {
  return `<span class="nw"><span class="swatch" style="background:${h(s.color)}"></span>${h(s.memory)}</span>`;
}

function header(m: ComparePageModel): string {
  return `<header>
<div class="brand">fanout-bench <span>${h(m.toolVersion)}</span> · memory comparison</div>
<h1>${h(m.scenario)}: ${h(m.sizes)}</h1>
${m.description ? `<p class="description">${h(m.description)}</p>` : ''}
<dl class="facts">
<div><dt>functions</dt><dd>${m.functions.map((f) => h(f)).join(', ')}</dd></div>
<div><dt>repeats</dt><dd>${m.repeat} per size</dd></div>
<div><dt>latency ranked</dt><dd>${h(m.latencyRanked)}</dd></div>
${m.target ? `<div><dt>target</dt><dd>${h(m.target.kind)} · ${h(m.target.url)}</dd></div>` : ''}
<div><dt>created</dt><dd>${h(m.createdAt)}</dd></div>
</dl>
</header>`;
}

function recommendations(m: ComparePageModel): string {
  const cards = m.recommendations
    .map((r) => `<div class="card${r.picked ? '' : ' bad'}"><div class="label">${h(r.title)}</div><div class="value">${h(r.pick)}</div><div class="sub">${h(r.reason)}</div></div>`)
    .join('');
  const banners: string[] = [];
  if (m.hostDecided.length > 0 || m.hostWarnings.length > 0) {
    const items = [...m.hostDecided.map((d) => `<li>${h(d)}.</li>`), ...m.hostWarnings.map((w) => `<li>${h(w.where)}: ${h(w.line)}</li>`)];
    banners.push(`<div class="banner warn"><strong>The local host held the stack back.</strong><ul>${items.join('')}</ul></div>`);
  }
  if (m.excluded.length > 0) {
    banners.push(`<div class="banner danger"><strong>Excluded: no run counted.</strong><ul>${m.excluded.map((e) => `<li>${h(e.memory)} — ${h(e.reason)}</li>`).join('')}</ul></div>`);
  }
  if (m.leftOut.length > 0) {
    banners.push(
      `<div class="banner warn"><strong>Some repeats were left out.</strong><ul>${m.leftOut
        .map((s) => `<li>${h(s.where)} — ${s.repeats.map((r) => `repeat ${r.repeat}: ${h(r.reason)}`).join('; ')}</li>`)
        .join('')}</ul></div>`,
    );
  }
  return `<section class="reco"><h2>Recommendation</h2><p class="intro">Per strategy, in the spirit of AWS Lambda Power Tuning, with ${h(m.costIncludes)} in the cost (Power Tuning leaves them out).</p>${banners.join('')}<div class="cards">${cards}</div></section>`;
}

function latencyTable(m: ComparePageModel): string {
  const rows = m.rows.map((s) => [
    sizeCell(s),
    `${s.countedOf}${s.excluded ? ' <span class="bad-text">excluded</span>' : ''}`,
    cell(s.broadcastP50),
    cell(s.broadcastP99),
    cell(s.connectP50),
    cell(s.connectP99),
    cell(s.durationMean),
    cell(s.initMean),
    cell(s.coldStarts),
    cell(s.deliveriesLost),
    cell(s.sendsFailed),
  ]);
  const fig = m.figureSuffix;
  return table(['memory', 'runs counted', `broadcast p50${fig}`, `broadcast p99${fig}`, `connect p50${fig}`, `connect p99${fig}`, 'Duration (mean)', 'INIT (mean)', 'cold starts', 'lost deliveries', 'failed sends'], rows, 'num');
}

function costTable(m: ComparePageModel): string {
  const rows = m.rows.map((s) => [sizeCell(s), cell(s.gbSeconds), cell(s.gbSecondsPer1000), cell(s.lambdaCost), cell(s.totalCost), h(s.costSource)]);
  return table(['memory', 'GB-s (compared functions)', 'GB-s per 1,000 deliveries', 'Lambda $ per 1M deliveries', 'whole estimate $ per 1M deliveries', 'cost source'], rows, 'num');
}

function functionsTable(m: ComparePageModel): string {
  const rows = m.functionRows.map((f) => [
    `<code>${h(f.function)}</code>`,
    sizeCell(f),
    cell(f.invocations),
    cell(f.durationP50),
    cell(f.durationP99),
    cell(f.initP50),
    cell(f.initP99),
    cell(f.coldStarts),
    h(f.source),
  ]);
  return table(['function', 'memory', 'invocations', 'Duration p50', 'Duration p99', 'INIT p50', 'INIT p99', 'cold starts', 'source'], rows, 'num second-text');
}

function runsTable(m: ComparePageModel): string {
  const rows = runsRows(m.runs, (r) => sizeCell({ memory: r.where, color: r.color }));
  return table(['memory', '<span class="nw">repeat</span>', 'run', 'status', 'counted', 'warnings', 'why'], rows, 'second-text');
}
