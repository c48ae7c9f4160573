import type { Plan } from '../../analyses/plan/plan-schema.ts';
import { reportAssets, type ReportAssets } from '../shared/assets.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { htmlPage } from '../shared/html-page.ts';
import { chartBox, section, table, words } from '../shared/html-parts.ts';
import { STYLE } from '../shared/html-style.ts';
import type { PlanCharts } from './chart-data.ts';
import { planPageModel, type PlanFact, type PlanFit, type PlanHeadroomRow, type PlanPageModel } from './page-model.ts';

/**
 * The plan's index.html: self-contained like a run's report (uPlot and the chart script inlined,
 * the charts' data embedded as JSON, opens from disk with no network). Numbers first: the month's
 * cost by service, the traffic, the first limit to break and the headroom at the peak; then the cost and
 * each limit's share as the traffic grows, the cost by line, measured beside planned (a run at its
 * own traffic), the traffic's totals and the work model with where each figure came from. Pure:
 * plan.json in, HTML out, its facts the page's model's (page-model.ts) as summary.md's and the
 * console's are; every string from it escaped (function and table names are the user's).
 */
export function renderPlanHtml(p: Plan, assets: ReportAssets = reportAssets(), m: PlanPageModel = planPageModel(p)): string {
  const charts = m.charts;
  return htmlPage({
    title: `fanout-bench plan · ${m.total} per ${m.period}`,
    css: `${STYLE}${EXTRA_STYLE}`,
    main: [
      header(m),
      costCards(m),
      firstBreak(m),
      section('Headroom at the peak', 'Every limit that applies, the nearest first; over 100 % is exceeded.', headroomTable(m.headroom)),
      growthSection(m),
      loadHostsSection(m),
      costSection(m),
      checkSection(m),
      trafficSection(m),
      workSection(m),
      notesSection(m),
    ]
      .filter(Boolean)
      .join('\n'),
    dataId: 'plan-data',
    data: charts,
    uplotCss: assets.uplotCss,
    uplotJs: assets.uplotJs,
    clientJs: assets.planJs,
  });
}

const EXTRA_STYLE = `
.tag { display:inline-block; border-radius:4px; padding:0 6px; font-size:12px; font-weight:650; }
.tag.passed { color:#fff; background:var(--bad); }
tr.passed td { background:#fef2f2; }
.first-break .moves { margin:6px 0 0; }
.first-break ul { margin:6px 0 0; padding-left:20px; }
table.lines td:nth-child(3), table.lines td:nth-child(5), table.lines td:nth-child(6), table.lines th:nth-child(3), table.lines th:nth-child(6) { text-align:right; }
table.work td:nth-child(3), table.work td:nth-child(4), table.work td:nth-child(5), table.work td:nth-child(6) { text-align:right; }
table.profile td, table.profile th { text-align:right; padding:3px 4px; font-size:12px; }
.notes li { margin:4px 0; word-break:break-word; }
.table-wrap { overflow-x:auto; }
table.headroom td, table.headroom th { word-break:normal; overflow-wrap:normal; }
table.load-hosts td, table.load-hosts th { word-break:normal; overflow-wrap:normal; }
table.load-hosts td:nth-child(2), table.load-hosts td:nth-child(3), table.load-hosts td:nth-child(4), table.load-hosts th:nth-child(2), table.load-hosts th:nth-child(3), table.load-hosts th:nth-child(4) { text-align:right; }
`;

function fact(label: string, value: string): string {
  return `<div><dt>${h(label)}</dt><dd>${h(value)}</dd></div>`;
}

function header(m: PlanPageModel): string {
  const facts = [...m.traffic.map((f) => fact(f.label, f.value)), fact('period', m.period), fact('prices', m.prices), fact('created', m.createdAt)];
  return `<header>
<div class="brand">fanout-bench <span>${h(m.toolVersion)}</span> · plan</div>
<h1>${h(m.total)} per ${h(m.period)}</h1>
<dl class="facts">
${facts.join('\n')}
</dl>
${emulatorBanner(m)}
</header>`;
}

function emulatorBanner(m: PlanPageModel): string {
  const e = m.emulator;
  if (!e) return '';
  return `<div class="banner warn">${h(e.where[0]!.toUpperCase() + e.where.slice(1))} (${h(e.runs.join(', '))}): ${h(e.line)}; the Lambda compute lines and the concurrency are an order of magnitude, the counts carry over.</div>`;
}

function card(f: PlanFact, bad = false): string {
  return `<div class="card${bad ? ' bad' : ''}"><div class="label">${h(f.label)}</div><div class="value">${h(f.value)}</div>${f.sub ? `<div class="sub">${h(f.sub)}</div>` : ''}</div>`;
}

function costCards(m: PlanPageModel): string {
  const cards = [
    card({ label: 'total', value: m.total, sub: `per ${m.period}` }),
    ...m.totals.map((x) => card({ label: x.service, value: x.cost })),
    m.check ? card({ label: 'measured', value: m.check.measured, sub: `run ${m.check.runId}` }) : '',
  ];
  return `<section class="costs"><h2>Cost per ${h(m.period)}</h2><div class="cards">${cards.join('')}</div></section>`;
}

function firstBreak(m: PlanPageModel): string {
  const b = m.firstBreak;
  const cards = b?.cards;
  let title = 'First limit to break';
  let body: string;
  if (b && cards) {
    title = `First limit to break: ${b.line}`;
    body = `<div class="cards small">${[cards.at, cards.connections, cards.roomSize, cards.messagesPerS, cards.cost].map((c) => card(c)).join('')}</div>${b.moves ? `<p class="moves"><strong>What would move it:</strong> ${h(b.moves)}</p>` : ''}`;
  } else if (b) {
    body = `<p class="no-break"><strong>${h(b.line)}</strong></p>`;
  } else {
    body = '<p class="note">The traffic was not grown: no limit was checked.</p>';
  }
  // the other axes grown, each with its own first break
  const others = m.growth.slice(1).map((g) => `<li>grown by ${h(g.axis)}: ${h(g.line)}</li>`);
  return `<section class="first-break verdict ${cards ? 'fail' : 'pass'}"><h2>${h(title)}</h2>${m.growthIntro ? `<p class="intro">${h(m.growthIntro)}</p>` : ''}${body}${others.length ? `<ul>${others.join('')}</ul>` : ''}</section>`;
}

function headroomTable(rows: readonly PlanHeadroomRow[]): string {
  if (rows.length === 0) return '<p class="no-data">No limit was checked.</p>';
  const body = rows.map((r) => {
    const scope = r.scope ? ` <span class="src">${words(r.scope)}</span>` : '';
    const state = r.exceeded ? `<span class="tag passed">${h(r.headroom)}</span>` : r.headroom !== '–' ? `<span class="nw">${h(r.headroom)}</span>` : '–';
    return `<tr class="${r.exceeded ? 'passed' : 'within'}" data-limit="${h(r.limit)}"><td>${words(r.label)}${scope}</td><td>${words(r.needs)}</td><td>${state}</td><td class="src">${words(r.how)}</td><td class="src">${words(r.limitSource)}</td><td class="src">${words(r.moves)}</td></tr>`;
  });
  return `<table class="headroom">${HEADROOM_COLUMNS}<thead><tr><th>limit</th><th>at the peak</th><th>headroom</th><th>how</th><th>limit from</th><th>what would move it</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/**
 * The headroom table's share of the page width per column: the limit's name and what it needs
 * read first, the explanations take what is left. Cells wrap between words only (see words()),
 * so no column is narrower than its longest word whatever these say.
 */
const HEADROOM_COLUMNS = `<colgroup>${[19, 19, 10, 22, 11, 19].map((pct) => `<col style="width:${pct}%">`).join('')}</colgroup>`;

function growthSection(m: PlanPageModel): string {
  if (m.growth.length === 0) return '';
  const parts = m.growth.map(
    (g) => `<h3 data-axis="${h(g.id)}">Grown by ${h(g.axis)} (1× = ${h(g.base)}): ${h(g.line)}</h3>${g.moves ? `<p class="moves"><strong>What would move it:</strong> ${h(g.moves)}</p>` : ''}<div class="grid two">${chartBox(m.charts, g.costChart)}${chartBox(m.charts, g.headroomChart)}</div>`,
  );
  return section(
    'As the traffic grows',
    'The planned peak grown along each axis, the others held: the monthly cost, and each limit\'s share of itself with the limit drawn at 100 %. The red line marks the first limit passed.',
    parts.join(''),
  );
}

/**
 * The load hosts a rehearsal of the peak needs, one row a host size: the host's name and the count
 * read first, the why takes what is left (cells wrap between words only, as the headroom table's).
 */
function loadHostsSection(m: PlanPageModel): string {
  const l = m.loadHosts;
  if (!l) return '';
  const rows = l.sizes.map(
    (s) =>
      `<tr data-host="${h(s.name)}"><td>${words(s.host)}</td><td>${h(s.connectionsPerHost)}<br><span class="src">by ${h(s.connectionsBy)}</span></td><td>${h(s.deliveriesPerHostPerS)}</td><td><strong>${h(s.hosts)}</strong></td><td class="nw">${h(s.binding)}</td><td class="src">${words(s.why)}${s.pastPorts ? `; ${words(s.pastPorts)}` : ''}</td></tr>`,
  );
  const body = `<table class="load-hosts">${LOAD_HOST_COLUMNS}<thead><tr><th>host</th><th>connections a host</th><th>deliveries/s a host</th><th>hosts</th><th>bound by</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table><p class="artillery">${h(l.artillery)}</p><ul class="notes">${l.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`;
  return section(`Load hosts ${l.rehearsal}`, 'How many hosts a rehearsal of the peak takes, by host size, from the harness\'s measured memory and CPU per client and per delivery; the first resource to run out binds.', body);
}

/** The load-host table's share of the page width per column. */
const LOAD_HOST_COLUMNS = `<colgroup>${[20, 13, 11, 7, 10, 39].map((pct) => `<col style="width:${pct}%">`).join('')}</colgroup>`;

function costSection(m: PlanPageModel): string {
  const rows = m.costLines.map((l) => [
    h(l.service),
    `${h(l.item)}${l.note ? `<br><span class="src">${h(l.note)}</span>` : ''}${l.partial ? `<br><span class="src bad-text">${h(l.partial)}</span>` : ''}`,
    h(l.quantity),
    h(l.unit),
    `<span class="nw">${h(l.price)}</span>`,
    `${h(l.cost)}${l.tiered ? '<br><span class="src">volume tiers</span>' : ''}`,
    `<span class="src">${h(l.source)}</span>`,
  ]);
  rows.push(['<strong>total</strong>', '', '', '', '', `<strong>${h(m.total)}</strong>`, '']);
  return section('Cost by line', `At ${m.prices}, over ${m.period}.`, table(['service', 'item', 'quantity', 'unit', 'price', 'cost', 'source'], rows, 'lines'));
}

function checkSection(m: PlanPageModel): string {
  const k = m.check;
  if (!k) return '';
  const inv = k.invocations.map((i) => [h(i.name), h(i.measured), h(i.planned), h(i.difference)]);
  const lines = k.lines.map((l) => [h(l.name), h(l.quantity.measured), h(l.quantity.planned), h(l.quantity.difference), h(l.cost.measured), h(l.cost.planned), h(l.cost.difference)]);
  lines.push(['<strong>total</strong>', '', '', '', `<strong>${h(k.measured)}</strong>`, `<strong>${h(k.planned)}</strong>`, h(k.difference)]);
  return section(
    `Measured beside planned (${k.runId})`,
    'The run planned at its own traffic: what it measured, what the plan gives, and the difference (planned − measured).',
    `<h3>Invocations</h3>${table(['function', 'measured', 'planned', 'difference'], inv, 'num check-invocations')}<h3>Cost by line</h3>${table(['line', 'measured quantity', 'planned', 'difference', 'measured cost', 'planned', 'difference'], lines, 'num check-lines')}`,
  );
}

function trafficSection(m: PlanPageModel): string {
  const totals = table(
    m.trafficTotals.map((t) => h(t.label)),
    [m.trafficTotals.map((t) => h(t.value))],
    'num',
  );
  const profile = m.profile;
  const hours = profile
    ? `<h3>Daily profile (${h(profile.source)}): % of the peak by hour, UTC</h3><div class="table-wrap">${table(
        profile.hours.map((_, i) => String(i)),
        [profile.hours.map((v) => h(v))],
        'profile',
      )}</div>`
    : '';
  return section(`Traffic over ${m.period}`, 'The operations the cost is priced on.', `${totals}${hours}`);
}

function workSection(m: PlanPageModel): string {
  const w = m.workModel;
  const runs = table(
    ['run', 'measured on', 'CloudWatch', 'duration', 'room size', 'payload', 'file'],
    w.runs.map((r) => [h(r.runId), h(r.measuredOn), h(r.cloudwatch), h(r.duration), h(r.roomSize), h(r.payload), `<span class="src">${h(r.file)}</span>`]),
  );
  const fns = table(
    ['function', 'per', 'invocations per', 'billed ms per', 'memory', 'p99', 'source', 'measured on', 'runs'],
    w.functions.map((f) => [
      `<code>${h(f.name)}</code> <span class="src">${h(f.route)}${f.authorizer ? ' (authorizer)' : ''}</span>`,
      `<span class="nw">${h(f.per)}</span>`,
      h(f.invocationsPer),
      `<span class="nw">${h(f.billedMsPer)}</span> <span class="src">${h(f.billedMsPerUnit)}</span>`,
      h(f.memory),
      h(f.p99),
      `<span class="src nw">${h(f.source)}</span>`,
      h(f.measuredOn),
      `<span class="src">${h(f.runs)}</span>`,
    ]),
    'work',
  );
  const fits = m.fits.map((fit) => fitPart(fit, m.charts)).join('');
  const units = table(
    ['DynamoDB units per', 'read', 'write'],
    w.units.map((u) => [h(u.operation), h(u.read), h(u.write)]),
    'num',
  );
  return section(
    'Work model',
    `What the measured runs did per operation (${w.counts}), each figure with its source and runs.`,
    `<h3>Runs</h3>${runs}<h3>Lambda functions</h3>${fns}${fits}<h3>DynamoDB</h3>${units}<ul class="notes">${w.figures.map((l) => `<li>${h(l)}</li>`).join('')}</ul>`,
  );
}

/** A fan-out function's room-size fit: the line, r², its points and a chart of both. */
function fitPart(fit: PlanFit, charts: PlanCharts): string {
  const points = table(
    ['recipients', 'billed ms per invocation', 'on the line', 'runs'],
    fit.points.map((pt) => [h(pt.recipients), h(pt.billedMs), h(pt.onTheLine), `<span class="src">${h(pt.runs)}</span>`]),
    'num',
  );
  return `<h3 class="fit" data-function="${h(fit.function)}"><code>${h(fit.function)}</code>: ${h(fit.line)}, r² = ${h(fit.r2)}</h3><div class="grid two">${chartBox(charts, fit.chart)}<div>${points}<p class="src">Least squares over ${h(fit.sizes)}.</p></div></div>`;
}

function notesSection(m: PlanPageModel): string {
  if (m.notes.length === 0) return '';
  return section('Notes', '', `<ul class="notes">${m.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`);
}
