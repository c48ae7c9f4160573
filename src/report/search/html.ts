import type { Search } from '../../analyses/search/search-schema.ts';
import { reportAssets, type ReportAssets } from '../shared/assets.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { htmlPage } from '../shared/html-page.ts';
import { chartBox, section, wholeWords } from '../shared/html-parts.ts';
import { STYLE } from '../shared/html-style.ts';
import { searchPageModel, type SearchPageModel, type SearchStepRow } from './page-model.ts';

/**
 * index.html of a capacity search, self-contained like a run's report (uPlot and the chart
 * script inlined, data embedded as JSON, opens from disk with no network). Pure: search.json in,
 * HTML out, a rendering of the page's model (page-model.ts) as summary.md and the console are; the
 * answer and each step's outcome are search.json's, never decided here. Each step links to its own
 * run directory's report.
 */
export function renderSearchHtml(s: Search, assets: ReportAssets = reportAssets(), m: SearchPageModel = searchPageModel(s)): string {
  const charts = m.charts;
  return htmlPage({
    title: `fanout-bench search · ${m.scenario}`,
    css: `${STYLE}${EXTRA_STYLE}`,
    main: `${header(m)}
${answer(m)}
${section('The knee', `One point per load (the median of its measurements); loads that did not meet the SLOs (by the majority of their measurements, as the answer counts) are shaded, SLOs on a latency dashed.`, `<div class="grid two">${chartBox(charts, 'latency')}${chartBox(charts, 'throughput')}</div>`)}
${section('Steps', 'In the order measured: grow ×2 from --from, bisect between the last load that met the SLOs and the first that did not, then both measured again. Each step is a complete run with its own report.', stepsTable(m))}`,
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

function header(m: SearchPageModel): string {
  return `<header>
<div class="brand">fanout-bench · capacity search</div>
<h1>${h(m.scenario)}: ${h(m.title)}</h1>
<dl class="facts">
<div><dt>varied</dt><dd>${h(m.vary)}, ${h(m.from)} to ${h(m.to)}</dd></div>
<div><dt>resolution</dt><dd>${h(m.resolution)}</dd></div>
<div><dt>hold</dt><dd>${h(m.hold)} after ${h(m.warmUp)} warm-up</dd></div>
<div><dt>SLOs</dt><dd>${m.slos.map((x) => h(x)).join('; ')}</dd></div>
<div><dt>target</dt><dd>${h(m.target)}</dd></div>
<div><dt>started</dt><dd>${h(m.startedAt)}</dd></div>
</dl>
</header>`;
}

function answer(m: SearchPageModel): string {
  const cards = [
    card('highest load that met every SLO', m.maxPassing ?? '–', m.maxPassing === undefined),
    card('first load that did not', m.firstFailing ?? '–', false),
    card('limiting factor', m.limitingFactor ?? '–', false),
  ].join('');
  const list = (cls: string, title: string, lines: string[]) =>
    lines.length === 0 ? '' : `<h3>${h(title)}</h3><ul class="${cls}">${lines.map((l) => `<li>${h(l)}</li>`).join('')}</ul>`;
  const expectation = m.expect ? `<div class="banner ${m.expect.held ? 'warn' : 'danger'}">--expect ${h(m.expect.expression)}: ${h(m.expect.detail)}</div>` : '';
  const stopped = m.stopped ? `<div class="banner danger">${h(m.stopped)}</div>` : '';
  return `<section class="answer verdict ${m.ok ? 'pass' : 'fail'}"><h2>The answer</h2><p>${h(m.summary)}</p>${stopped}${expectation}<div class="cards">${cards}</div>${list('evidence', 'Evidence at the first failing load', m.evidence.map((e) => `${e.factor}: ${e.line}`))}${list('noise', 'Noise at the boundary', m.noise)}${list('restored', 'Restored', m.restored)}</section>`;
}

function card(label: string, value: string, bad: boolean): string {
  return `<div class="card${bad ? ' bad' : ''}"><div class="label">${h(label)}</div><div class="value">${h(value)}</div></div>`;
}

function stepsTable(m: SearchPageModel): string {
  const rows = m.steps.map(stepRow).join('');
  return wholeWords(`<div class="table-wrap"><table class="steps"><thead><tr><th>#</th><th>load</th><th>why</th><th>SLOs</th><th>broadcast p50 / p99${h(m.figureMark)}</th><th>offered / delivered per s</th><th>outcome</th><th>evidence</th><th>report</th></tr></thead><tbody>${rows}</tbody></table></div>`);
}

function stepRow(st: SearchStepRow): string {
  const why = st.passed ? '' : `<div class="why">${st.whyNotMet.map((l) => h(l)).join('<br>')}</div>`;
  const evidence = st.evidence.map((e) => h(e)).join('<br>') || '–';
  return `<tr class="${st.passed ? 'pass' : 'fail'}" data-step="${st.index}"><td>${st.index}</td><td class="nw">${h(st.load)}</td><td>${h(st.role)}</td><td>${h(st.slos)}</td><td class="nw">${h(st.broadcastP50)} / ${h(st.broadcastP99)}</td><td class="nw">${h(st.offeredPerSec)} / ${h(st.deliveredPerSec)}</td><td class="outcome">${h(st.outcome)}${why}</td><td class="ev">${evidence}</td><td><a href="${h(encodeURI(`${st.dir}/index.html`))}">${h(st.dir)}</a></td></tr>`;
}
