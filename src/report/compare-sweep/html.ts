import type { SweepComparison } from '../../analyses/compare/compare-schema.ts';
import { reportAssets, type ReportAssets } from '../shared/assets.ts';
import { cell, EXTRA_STYLE, runsRows } from '../shared/comparison-html.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { htmlPage } from '../shared/html-page.ts';
import { chartBox, html, section, table, wholeWords } from '../shared/html-parts.ts';
import { STYLE } from '../shared/html-style.ts';
import { sweepPageModel, type GridModel, type SweepPageModel, type SweepPointRow } from './page-model.ts';

/**
 * index.html of a sweep (room size, payload, deployed variants): self-contained like a memory
 * comparison's page. The recommendation first, then latency and cost against the swept
 * parameter (points that missed the SLO shaded), a row per point and every run linked to its own
 * report. Pure, a rendering of the page's model (page-model.ts) as summary.md and the console
 * are: it shows the SLO outcome the comparison recorded, it decides nothing.
 */
export function renderSweepHtml(c: SweepComparison, assets: ReportAssets = reportAssets(), m: SweepPageModel = sweepPageModel(c)): string {
  const charts = m.charts;
  return htmlPage({
    title: `fanout-bench compare · ${m.scenario} · ${m.parameter}`,
    css: `${STYLE}${EXTRA_STYLE}
.slo-met { color:#166534; font-weight:600; }
.slo-missed { color:#991b1b; font-weight:600; }
td.pick { background:#dcfce7; font-weight:600; }
td .why { display:block; color:var(--muted); font-size:11px; max-width:360px; }`,
    main: `${header(m)}
${recommendation(m)}
${m.grid ? section('By room size', html`The whole estimate per million deliveries, ${m.grid.latencyName} and the SLO of each variant at each room size; the size's pick is marked.`, gridTable(m.grid)) : ''}
${section(`Latency and cost by ${m.grid ? 'room size' : m.parameter}`, `Medians over each point's counted repeats. Points that did not meet the SLO are shaded red.${m.figureNote ? ` The ${m.figureNote}.` : ''}`, `<div class="grid two">${chartBox(charts, 'sweep-latency')}${chartBox(charts, 'sweep-cost')}</div>`)}
${section('By point', html`What each point ran and what it measured: median over the counted repeats, min–max below. <code>${m.function}</code> Duration from REPORT log lines where the runs have them, else CloudWatch.`, pointsTable(m))}
${section('Cost by point', m.pricing, costTable(m))}
${section('Runs', 'Each run keeps its own directory and report.', runsTable(m))}
${section('How to read this', '', `<ul class="notes">${m.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`)}`,
    dataId: 'compare-data',
    data: charts,
    uplotCss: assets.uplotCss,
    uplotJs: assets.uplotJs,
    clientJs: assets.compareJs,
  });
}

function header(m: SweepPageModel): string {
  return `<header>
<div class="brand">fanout-bench <span>${h(m.toolVersion)}</span> · ${h(m.parameter)} sweep</div>
<h1>${h(m.scenario)}: ${h(m.points.join(', '))}</h1>
${m.description ? `<p class="description">${h(m.description)}</p>` : ''}
<dl class="facts">
<div><dt>swept</dt><dd>${h(m.parameter)}</dd></div>
${m.holdConstant ? `<div><dt>held constant</dt><dd>${h(m.holdConstant)}</dd></div>` : ''}
<div><dt>SLO</dt><dd>${h(m.slo.length > 0 ? m.slo.join(', ') : m.sloNone)}</dd></div>
<div><dt>repeats</dt><dd>${m.repeat} per point</dd></div>
${m.target ? `<div><dt>target</dt><dd>${h(m.target.kind)} · ${h(m.target.url)}</dd></div>` : ''}
<div><dt>created</dt><dd>${h(m.createdAt)}</dd></div>
</dl>
</header>`;
}

function recommendation(m: SweepPageModel): string {
  const r = m.recommendation;
  const cards = [`<div class="card${r.picked ? '' : ' bad'}"><div class="label">${h(r.title)}</div><div class="value">${h(r.pick)}</div><div class="sub">${h(r.reason)}</div></div>`];
  if (m.firstFailing) {
    cards.push(`<div class="card bad"><div class="label">${h(m.firstFailing.title)}</div><div class="value">${h(m.firstFailing.label)}</div><div class="sub">${h(m.firstFailing.why)}</div></div>`);
  }
  const banners: string[] = [];
  if (m.hostWarnings.length > 0) {
    banners.push(`<div class="banner warn"><strong>The local host held the stack back.</strong><ul>${m.hostWarnings.map((w) => `<li>${h(w.where)}: ${h(w.line)}</li>`).join('')}</ul></div>`);
  }
  if (m.excluded.length > 0) {
    banners.push(`<div class="banner danger"><strong>Excluded: no run counted.</strong><ul>${m.excluded.map((e) => `<li>${h(e.label)} — ${h(e.reason)}</li>`).join('')}</ul></div>`);
  }
  if (m.leftOut.length > 0) {
    banners.push(
      `<div class="banner warn"><strong>Some repeats were left out.</strong><ul>${m.leftOut
        .map((p) => `<li>${h(p.where)} — ${p.repeats.map((x) => `repeat ${x.repeat}: ${h(x.reason)}`).join('; ')}</li>`)
        .join('')}</ul></div>`,
    );
  }
  if (m.missed.length > 0) {
    banners.push(`<div class="banner warn" data-missed><strong>Missed the SLO.</strong><ul>${m.missed.map((p) => `<li>${h(p.label)} — ${h(p.why)}</li>`).join('')}</ul></div>`);
  }
  if (m.noted.length > 0) {
    banners.push(`<div class="banner warn" data-notes><strong>The harness was saturated at some points.</strong><ul>${m.noted.map((p) => `<li>${h(p.label)} — ${h(p.note)}</li>`).join('')}</ul></div>`);
  }
  return `<section class="reco"><h2>Recommendation</h2>${banners.join('')}<div class="cards">${cards.join('')}</div></section>`;
}

function sloCell(p: SweepPointRow): string {
  const s = p.slo;
  if (p.met === null) return h(s.verdict);
  return `<span class="${p.met ? 'slo-met' : 'slo-missed'}">${h(s.verdict)}</span>${s.why ? `<span class="why">${h(s.why)}</span>` : ''}${s.note ? `<span class="why point-note"><strong>Note:</strong> ${h(s.note)}</span>` : ''}`;
}

function pointsTable(m: SweepPageModel): string {
  const rows = m.rows.map((p) => [
    `<span class="nw">${h(p.label)}</span>`,
    `<span class="why">${h(p.setting)}</span>`,
    `${p.countedOf}${p.excluded ? ' <span class="bad-text">excluded</span>' : ''}`,
    sloCell(p),
    ...(m.coldHead ? [h(p.coldSetting?.cold ?? '–'), h(p.coldSetting?.monthly ?? '–')] : []),
    cell(p.fanoutP50),
    cell(p.fanoutP99),
    cell(p.broadcastP99),
    cell(p.durationP50),
    cell(p.durationP99),
    cell(p.totalCost),
    cell(p.deliveriesLost),
    cell(p.sendsFailed),
  ]);
  const fig = h(m.figureSuffix);
  return table(
    [h(m.parameter), 'load', 'runs counted', 'SLO', ...(m.coldHead ?? []).map(h), `fan-out p50${fig}`, `fan-out p99${fig}`, `broadcast p99${fig}`, `${h(m.function)} Duration p50`, `${h(m.function)} Duration p99`, '$ per 1M deliveries', 'lost deliveries', 'failed sends'],
    rows,
    'num second-text',
  ) + (m.durationNote ? `<p class="note">${h(m.durationNote)}.</p>` : '');
}

function costTable(m: SweepPageModel): string {
  const transfer = m.transferPriced;
  const rows = m.rows.map((p) => [
    `<span class="nw">${h(p.label)}</span>`,
    cell(p.lambdaCost),
    cell(p.apiGatewayCost),
    ...(transfer && p.dataTransferCost ? [cell(p.dataTransferCost)] : []),
    cell(p.dynamodbCost),
    cell(p.totalCost),
    h(p.architecture),
  ]);
  return table(
    [h(m.parameter), 'Lambda', 'API Gateway (32 KB message units)', ...(transfer ? ['data transfer out'] : []), 'DynamoDB', 'whole estimate', 'architecture priced'],
    rows,
    'num',
  );
}

function gridTable(g: GridModel): string {
  const head = `<tr><th>room size</th>${g.variants.map((v) => `<th>${h(v)}</th>`).join('')}<th>pick</th></tr>`;
  const rows = g.rows.map(
    (r) =>
      `<tr><td class="nw">${h(r.roomSize)}</td>${r.cells
        .map((x) => {
          const slo = x.met === null ? h(x.verdict) : `<span class="${x.met ? 'slo-met' : 'slo-missed'}">${h(x.verdict)}</span>`;
          return `<td${x.recommended ? ' class="pick" data-pick' : ''}>${h(x.cost)} · ${h(x.latency)} · ${slo}${x.recommended ? ' <strong>(pick)</strong>' : ''}</td>`;
        })
        .join('')}<td>${h(r.pick)}</td></tr>`,
  );
  return wholeWords(`<div class="table-wrap"><table class="grid-table"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div>`);
}

function runsTable(m: SweepPageModel): string {
  const rows = runsRows(m.runs, (r) => `<span class="nw">${h(r.where)}</span>`);
  return table([h(m.parameter), '<span class="nw">repeat</span>', 'run', 'status', 'counted', 'warnings', 'why'], rows, 'second-text');
}
