import type { PointResult, SweepComparison } from '../../analyses/compare/compare-schema.ts';
import { reportAssets, type ReportAssets } from '../shared/assets.ts';
import { cell, EXTRA_STYLE, runLink, whyCell } from '../shared/comparison-html.ts';
import { fmtCount, fmtMsCell, fmtUsdCell } from '../shared/spread-format.ts';
import { buildSweepCharts } from './chart-data.ts';
import { parameterTitle, pickLine, settingText, sloText, transferPriced } from './format.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { htmlPage } from '../shared/html-page.ts';
import { chartBox, html, section, table } from '../shared/html-parts.ts';
import { STYLE } from '../shared/html-style.ts';

/**
 * index.html of a sweep (room size, payload, deployed variants): self-contained like a memory
 * comparison's page. The recommendation first, then latency and cost against the swept
 * parameter (points that missed the SLO shaded), a row per point and every run linked to its own
 * report. Pure: it shows the SLO outcome the comparison recorded, it decides nothing.
 */
export function renderSweepHtml(c: SweepComparison, assets: ReportAssets = reportAssets()): string {
  const charts = buildSweepCharts(c);
  const fn = c.functions[0]!;
  return htmlPage({
    title: `fanout-bench compare · ${c.scenario.name} · ${parameterTitle(c.parameter)}`,
    css: `${STYLE}${EXTRA_STYLE}
.slo-met { color:#166534; font-weight:600; }
.slo-missed { color:#991b1b; font-weight:600; }
td .why { display:block; color:var(--muted); font-size:11px; max-width:360px; }`,
    main: `${header(c)}
${recommendation(c)}
${section(`Latency and cost by ${parameterTitle(c.parameter)}`, `Medians over each point's counted repeats. Points that did not meet the SLO are shaded red.`, `<div class="grid two">${chartBox(charts, 'sweep-latency')}${chartBox(charts, 'sweep-cost')}</div>`)}
${section('By point', html`What each point ran and what it measured: median over the counted repeats, min–max below. <code>${fn}</code> Duration from REPORT log lines where the runs have them, else CloudWatch.`, pointsTable(c))}
${section('Cost by point', `The runs' own estimates per million deliveries received, at ${c.pricing.region} list prices of ${c.pricing.asOf}.`, costTable(c))}
${section('Runs', 'Each run keeps its own directory and report.', runsTable(c))}
${section('How to read this', '', `<ul class="notes">${c.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`)}`,
    dataId: 'compare-data',
    data: charts,
    uplotCss: assets.uplotCss,
    uplotJs: assets.uplotJs,
    clientJs: assets.compareJs,
  });
}

function header(c: SweepComparison): string {
  return `<header>
<div class="brand">fanout-bench <span>${h(c.tool.version)}</span> · ${h(parameterTitle(c.parameter))} sweep</div>
<h1>${h(c.scenario.name)}: ${h(c.points.map((p) => p.label).join(', '))}</h1>
${c.scenario.description ? `<p class="description">${h(c.scenario.description)}</p>` : ''}
<dl class="facts">
<div><dt>swept</dt><dd>${h(parameterTitle(c.parameter))}</dd></div>
${c.holdConstant ? `<div><dt>held constant</dt><dd>${c.holdConstant === 'deliveries' ? 'deliveries per second' : 'clients and send rate'}</dd></div>` : ''}
<div><dt>SLO</dt><dd>${h(c.slo.length > 0 ? c.slo.join(', ') : 'the built-in checks')}</dd></div>
<div><dt>repeats</dt><dd>${c.repeat} per point</dd></div>
${c.target ? `<div><dt>target</dt><dd>${h(c.target.kind)} · ${h(c.target.url)}</dd></div>` : ''}
<div><dt>created</dt><dd>${h(c.createdAt)}</dd></div>
</dl>
</header>`;
}

function recommendation(c: SweepComparison): string {
  const r = c.recommendation;
  const cards = [`<div class="card${r.pick ? '' : ' bad'}"><div class="label">${h(pickLine(c))}</div><div class="value">${h(r.pick?.label ?? 'none')}</div><div class="sub">${h(r.reason)}</div></div>`];
  if (r.firstFailing) {
    cards.push(
      `<div class="card bad"><div class="label">first to miss the SLO</div><div class="value">${h(r.firstFailing.label)}</div><div class="sub">${h(r.firstFailing.failed.join('; ') || 'its verdict failed')}</div></div>`,
    );
  }
  const banners: string[] = [];
  if (c.excluded.length > 0) {
    banners.push(`<div class="banner danger"><strong>Excluded: no run counted.</strong><ul>${c.excluded.map((e) => `<li>${h(e.label)} — ${h(e.reason)}</li>`).join('')}</ul></div>`);
  }
  const partial = c.points.filter((p) => p.status === 'partial');
  if (partial.length > 0) {
    banners.push(
      `<div class="banner warn"><strong>Some repeats were left out.</strong><ul>${partial
        .map((p) => `<li>${h(p.label)} — ${p.runs.filter((x) => !x.included).map((x) => `repeat ${x.repeat}: ${h(x.excludedBecause ?? '')}`).join('; ')}</li>`)
        .join('')}</ul></div>`,
    );
  }
  const noted = c.points.filter((p) => p.slo?.note);
  if (noted.length > 0) {
    banners.push(`<div class="banner warn" data-notes><strong>The harness was saturated at some points.</strong><ul>${noted.map((p) => `<li>${h(p.label)} — ${h(p.slo!.note!)}</li>`).join('')}</ul></div>`);
  }
  return `<section class="reco"><h2>Recommendation</h2>${banners.join('')}<div class="cards">${cards.join('')}</div></section>`;
}

function sloCell(p: PointResult): string {
  const s = sloText(p);
  if (!p.slo) return h(s.verdict);
  return `<span class="${p.slo.met ? 'slo-met' : 'slo-missed'}">${h(s.verdict)}</span>${s.why ? `<span class="why">${h(s.why)}</span>` : ''}${s.note ? `<span class="why point-note"><strong>Note:</strong> ${h(s.note)}</span>` : ''}`;
}

function pointsTable(c: SweepComparison): string {
  const fn = c.functions[0]!;
  const rows = c.points.map((p) => [
    `<span class="nw">${h(p.label)}</span>`,
    `<span class="why">${h(settingText(c, p))}</span>`,
    `${p.runs.filter((r) => r.included).length} of ${p.runs.length}${p.status === 'excluded' ? ' <span class="bad-text">excluded</span>' : ''}`,
    sloCell(p),
    cell(p.metrics.fanoutP50Ms, fmtMsCell),
    cell(p.metrics.fanoutP99Ms, fmtMsCell),
    cell(p.metrics.broadcastP99Ms, fmtMsCell),
    cell(p.functions[fn]?.durationP50Ms, fmtMsCell),
    cell(p.functions[fn]?.durationP99Ms, fmtMsCell),
    cell(p.metrics.totalCostPerMillionDeliveries, fmtUsdCell),
    cell(p.metrics.deliveriesLost, fmtCount),
    cell(p.metrics.sendsFailed, fmtCount),
  ]);
  return table(
    [h(parameterTitle(c.parameter)), 'load', 'runs counted', 'SLO', 'fan-out p50', 'fan-out p99', 'broadcast p99', 'sendMessage Duration p50', 'sendMessage Duration p99', '$ per 1M deliveries', 'lost deliveries', 'failed sends'],
    rows,
    'num second-text',
  );
}

function costTable(c: SweepComparison): string {
  const transfer = transferPriced(c);
  const rows = c.points.map((p) => [
    `<span class="nw">${h(p.label)}</span>`,
    cell(p.costs.lambda, fmtUsdCell),
    cell(p.costs.apiGateway, fmtUsdCell),
    ...(transfer ? [cell(p.costs.dataTransfer, fmtUsdCell)] : []),
    cell(p.costs.dynamodb, fmtUsdCell),
    cell(p.metrics.totalCostPerMillionDeliveries, fmtUsdCell),
    h(p.setting.architecture),
  ]);
  return table(
    [h(parameterTitle(c.parameter)), 'Lambda', 'API Gateway (32 KB message units)', ...(transfer ? ['data transfer out'] : []), 'DynamoDB', 'whole estimate', 'architecture priced'],
    rows,
    'num',
  );
}

function runsTable(c: SweepComparison): string {
  const rows = c.points.flatMap((p) =>
    p.runs.map((r) => [
      `<span class="nw">${h(p.label)}</span>`,
      String(r.repeat),
      runLink(r.dir, r.runId ?? '(no results)'),
      `<span class="nw">${h(r.status)}</span>`,
      r.included ? 'yes' : `<span class="bad-text">no</span> — ${h(r.excludedBecause ?? '')}`,
      r.warnings.map((w) => h(w)).join('<br>'),
      whyCell(r),
    ]),
  );
  return table([h(parameterTitle(c.parameter)), '<span class="nw">repeat</span>', 'run', 'status', 'counted', 'warnings', 'why'], rows, 'second-text');
}
