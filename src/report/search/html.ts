import type { Search, SearchStep } from '../../analyses/search/search-schema.ts';
import { fmtInt, fmtMs, fmtNum, fmtPercent } from '../../number-format.ts';
import { reportAssets, type ReportAssets } from '../shared/assets.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { htmlPage } from '../shared/html-page.ts';
import { chartBox, section } from '../shared/html-parts.ts';
import { STYLE } from '../shared/html-style.ts';
import { buildSearchCharts } from './chart-data.ts';
import { figureMark, loadText, outcomeTitle, sloValues, stepOutcome, whyNotMet } from './text.ts';

/**
 * index.html of a capacity search, self-contained like a run's report (uPlot and the chart
 * script inlined, data embedded as JSON, opens from disk with no network). Pure: search.json in,
 * HTML out; the answer and each step's outcome are search.json's, never decided here. Each step
 * links to its own run directory's report.
 */
export function renderSearchHtml(s: Search, assets: ReportAssets = reportAssets()): string {
  const charts = buildSearchCharts(s);
  return htmlPage({
    title: `fanout-bench search · ${s.scenario.name}`,
    css: `${STYLE}${EXTRA_STYLE}`,
    main: `${header(s)}
${answer(s)}
${section('The knee', `One point per load (the median of its measurements); loads that did not meet the SLOs (by the majority of their measurements, as the answer counts) are shaded, SLOs on a latency dashed.`, `<div class="grid two">${chartBox(charts, 'latency')}${chartBox(charts, 'throughput')}</div>`)}
${section('Steps', 'In the order measured: grow ×2 from --from, bisect between the last load that met the SLOs and the first that did not, then both measured again. Each step is a complete run with its own report.', stepsTable(s))}`,
    dataId: 'search-data',
    data: charts,
    uplotCss: assets.uplotCss,
    uplotJs: assets.uplotJs,
    clientJs: assets.searchJs,
  });
}

const EXTRA_STYLE = `
.answer .evidence li, .answer .noise li { margin:4px 0; word-break:break-word; }
.steps .why { color:#7f1d1d; font-size:12px; font-weight:400; }
.steps td.ev { font-size:12px; color:#334155; }
.steps tr.fail td.outcome { color:var(--bad); font-weight:650; }
.steps tr.pass td.outcome { color:var(--ok); font-weight:650; }
`;

function header(s: Search): string {
  return `<header>
<div class="brand">fanout-bench · capacity search</div>
<h1>${h(s.scenario.name)}: ${h(outcomeTitle(s))}</h1>
<dl class="facts">
<div><dt>varied</dt><dd>${h(s.vary)} (${h(s.unit)}), ${h(fmtNum(s.from))} to ${h(fmtNum(s.to))}</dd></div>
<div><dt>resolution</dt><dd>${h(fmtPercent(s.resolution * 100))}</dd></div>
<div><dt>hold</dt><dd>${h(fmtMs(s.holdMs))} after ${h(fmtMs(s.warmUpMs))} warm-up</dd></div>
<div><dt>SLOs</dt><dd>${s.slos.map((x) => h(x)).join('; ')}</dd></div>
<div><dt>target</dt><dd>${h(s.target)}</dd></div>
<div><dt>started</dt><dd>${h(s.startedAt)}</dd></div>
</dl>
</header>`;
}

function answer(s: Search): string {
  const a = s.answer;
  const ok = a.kind === 'limit-found' || a.kind === 'to-passed';
  const cards = [
    card('highest load that met every SLO', loadText(s, a.maxPassing), a.maxPassing === null),
    card('first load that did not', loadText(s, a.firstFailing), false),
    card('limiting factor', a.limitingFactor ?? '–', false),
  ].join('');
  const list = (cls: string, title: string, lines: string[]) =>
    lines.length === 0 ? '' : `<h3>${h(title)}</h3><ul class="${cls}">${lines.map((l) => `<li>${h(l)}</li>`).join('')}</ul>`;
  const expectation = s.expect ? `<div class="banner ${s.expect.held ? 'warn' : 'danger'}">--expect ${h(s.expect.expression)}: ${h(s.expect.detail)}</div>` : '';
  const stopped = s.statusReason ? `<div class="banner danger">${h(s.statusReason)}</div>` : '';
  return `<section class="answer verdict ${ok ? 'pass' : 'fail'}"><h2>The answer</h2><p>${h(a.summary)}</p>${stopped}${expectation}<div class="cards">${cards}</div>${list('evidence', 'Evidence at the first failing load', a.evidence.map((e) => `${e.factor}: ${e.line}`))}${list('noise', 'Noise at the boundary', a.noise)}${list('restored', 'Restored', s.restored)}</section>`;
}

function card(label: string, value: string, bad: boolean): string {
  return `<div class="card${bad ? ' bad' : ''}"><div class="label">${h(label)}</div><div class="value">${h(value)}</div></div>`;
}

function stepsTable(s: Search): string {
  const rows = s.steps.map((st) => stepRow(s, st)).join('');
  return `<div class="table-wrap"><table class="steps"><thead><tr><th>#</th><th>load</th><th>why</th><th>SLOs</th><th>broadcast p50 / p99${h(figureMark(s))}</th><th>offered / delivered per s</th><th>outcome</th><th>evidence</th><th>report</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function stepRow(s: Search, st: SearchStep): string {
  const f = st.figures;
  const why = st.passed ? '' : `<div class="why">${whyNotMet(st).map((l) => h(l)).join('<br>')}</div>`;
  const evidence = st.evidence.map((e) => h(e.line)).join('<br>') || '–';
  return `<tr class="${st.passed ? 'pass' : 'fail'}" data-step="${st.index}"><td>${st.index}</td><td class="nw">${h(loadText(s, st.load))}</td><td>${h(st.role)}</td><td>${h(sloValues(st))}</td><td class="nw">${h(fmtMs(f.broadcastP50Ms))} / ${h(fmtMs(f.broadcastP99Ms))}</td><td class="nw">${h(fmtInt(Math.round(f.offeredDeliveriesPerSec)))} / ${h(fmtInt(Math.round(f.deliveredPerSec)))}</td><td class="outcome">${h(stepOutcome(st))}${why}</td><td class="ev">${evidence}</td><td><a href="${h(encodeURI(`${st.dir}/index.html`))}">${h(st.dir)}</a></td></tr>`;
}
