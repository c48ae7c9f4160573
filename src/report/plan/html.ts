import type { FunctionWork, Growth, Headroom, Plan } from '../../analyses/plan/plan-schema.ts';
import { fmtInt, fmtMs, fmtNum, fmtPercent, fmtRoomSize, fmtUsd } from '../../number-format.ts';
import { reportAssets, type ReportAssets } from '../shared/assets.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { htmlPage } from '../shared/html-page.ts';
import { chartBox, section, table } from '../shared/html-parts.ts';
import { STYLE } from '../shared/html-style.ts';
import { buildPlanCharts, fitChartId, scaleChartId, type PlanCharts } from './chart-data.ts';
import { AXIS_NAME, axisValue, factorText } from './limits-text.ts';
import { p99Text, planPageModel, type PlanFit, type PlanHeadroomRow, type PlanPageModel } from './page-model.ts';

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
      header(p, m),
      costCards(m),
      firstBreak(p, m),
      section('Headroom at the peak', 'Every limit that applies, the nearest first; over 100 % is exceeded.', headroomTable(m.headroom)),
      growthSection(p, m),
      loadHostsSection(m),
      costSection(m),
      checkSection(p),
      trafficSection(p),
      workSection(p, m),
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
.nw { white-space:nowrap; word-break:normal; }
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

function header(p: Plan, m: PlanPageModel): string {
  const t = p.traffic;
  const c = p.cost;
  const facts = [
    fact('traffic', t.source === 'flags' ? 'as given' : `run ${p.check?.runId ?? p.workModel.runs[0]?.runId ?? ''} at its own traffic`),
    fact('connections', fmtInt(Math.round(t.connections))),
    fact('room size', fmtRoomSize(t.roomSize)),
    fact('messages/s', fmtNum(t.messagesPerS)),
    fact('connects/s', fmtNum(t.connectsPerS)),
    t.sessionSec !== undefined ? fact('session', `${fmtNum(t.sessionSec / 60)} min`) : '',
    fact('profile', t.profile ? `${t.profile.source} · daily mean ${fmtPercent(mean(t.profile.hours) * 100)} of the peak` : 'flat: the peak 24 h a day'),
    fact('period', t.periodLabel),
    fact('prices', `${m.region} of ${m.pricesAsOf} (${m.pricesSource}), Lambda ${m.architecture}`),
    fact('created', p.createdAt),
  ];
  return `<header>
<div class="brand">fanout-bench <span>${h(p.toolVersion)}</span> · plan</div>
<h1>${h(m.total)} per ${h(m.period)}</h1>
<dl class="facts">
${facts.filter(Boolean).join('\n')}
</dl>
${emulatorBanner(m)}
</header>`;
}

function emulatorBanner(m: PlanPageModel): string {
  const e = m.emulator;
  if (!e) return '';
  return `<div class="banner warn">${h(e.where[0]!.toUpperCase() + e.where.slice(1))} (${h(e.runs.join(', '))}): ${h(e.line)}; the Lambda compute lines and the concurrency are an order of magnitude, the counts carry over.</div>`;
}

function card(label: string, value: string, sub = '', bad = false): string {
  return `<div class="card${bad ? ' bad' : ''}"><div class="label">${h(label)}</div><div class="value">${h(value)}</div>${sub ? `<div class="sub">${h(sub)}</div>` : ''}</div>`;
}

function costCards(m: PlanPageModel): string {
  const cards = [card('total', m.total, `per ${m.period}`), ...m.totals.map((x) => card(x.service, x.cost)), m.check ? card('measured', m.check.measured, `run ${m.check.runId}`) : ''];
  return `<section class="costs"><h2>Cost per ${h(m.period)}</h2><div class="cards">${cards.join('')}</div></section>`;
}

function firstBreak(p: Plan, m: PlanPageModel): string {
  const b = p.firstBreak;
  const first = p.growth[0];
  let title = 'First limit to break';
  let body: string;
  if (b && m.firstBreak) {
    title = `First limit to break: ${m.firstBreak.line}`;
    body = `<div class="cards small">${[
      card('at', `${factorText(b.factor)} ${AXIS_NAME[b.axis]}`, axisValue(b.axis, b.traffic)),
      card('connections there', fmtInt(Math.round(b.traffic.connections))),
      card('room size there', fmtRoomSize(b.traffic.roomSize)),
      card('messages/s there', fmtNum(b.traffic.messagesPerS)),
      card('cost there', fmtUsd(b.monthlyCost), 'per month'),
    ].join('')}</div><p class="moves"><strong>What would move it:</strong> ${h(m.firstBreak.moves ?? b.moves)}</p>`;
  } else if (m.firstBreak) {
    body = `<p class="no-break"><strong>${h(m.firstBreak.line)}</strong></p>`;
  } else {
    body = '<p class="note">The traffic was not grown: no limit was checked.</p>';
  }
  // the other axes grown, each with its own first break
  const others = m.growth.slice(1).map((g) => `<li>grown by ${h(g.axis)}: ${h(g.line)}</li>`);
  return `<section class="first-break verdict ${b ? 'fail' : 'pass'}"><h2>${h(title)}</h2>${first ? `<p class="intro">The planned peak grown by ${h(AXIS_NAME[first.axis])}, the rest held.</p>` : ''}${body}${others.length ? `<ul>${others.join('')}</ul>` : ''}</section>`;
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

/**
 * Text that wraps only between words: a word with a hyphen or a slash in it
 * ("fanout-send-message", "requests/s") is kept whole, where a browser would break it after its
 * hyphen or slash.
 */
function words(text: string): string {
  return text
    .split(/(\s+)/)
    .map((w) => (/[-/]/.test(w) && w.length > 1 ? `<span class="nw">${h(w)}</span>` : h(w)))
    .join('');
}

function growthSection(p: Plan, m: PlanPageModel): string {
  const charts = m.charts;
  if (p.growth.length === 0) return '';
  const parts = p.growth.map((g, i) => {
    const base = axisValue(g.axis, p.traffic);
    const outcome = m.growth[i]!.line;
    return `<h3 data-axis="${h(g.axis)}">Grown by ${h(AXIS_NAME[g.axis])} (1× = ${h(base)}): ${h(outcome)}</h3><div class="grid two">${chartBox(charts, scaleChartId('cost', g.axis))}${chartBox(charts, scaleChartId('headroom', g.axis))}</div>`;
  });
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
  return section('Cost by line', `At ${m.region} prices of ${m.pricesAsOf}, over ${m.period}.`, table(['service', 'item', 'quantity', 'unit', 'price', 'cost', 'source'], rows, 'lines'));
}

/** planned − measured, and its share of the measured: "+12 (+0.5 %)"; "0" within rounding. */
function diffText(m: number | null, planned: number | null, fmt: (n: number) => string): string {
  if (m === null || planned === null) return '–';
  const d = planned - m;
  if (Math.abs(d) <= 1e-9 * Math.max(Math.abs(m), Math.abs(planned))) return '0';
  const sign = d > 0 ? '+' : '−';
  const share = fmtPercent((Math.abs(d) / Math.abs(m)) * 100);
  return `${sign}${fmt(Math.abs(d))}${m !== 0 ? ` (${/^\d/.test(share) ? sign : ''}${share})` : ''}`;
}

function checkSection(p: Plan): string {
  const k = p.check;
  if (!k) return '';
  const inv = k.invocations.map((i) => [h(i.function), h(fmtNum(i.measured)), h(fmtNum(i.planned)), h(diffText(i.measured, i.planned, fmtNum))]);
  const lines = k.lines.map((l) => [
    `${h(l.service)}: ${h(l.item)}`,
    h(fmtNum(l.quantity.measured)),
    h(fmtNum(l.quantity.planned)),
    h(diffText(l.quantity.measured, l.quantity.planned, fmtNum)),
    h(fmtUsd(l.cost.measured)),
    h(fmtUsd(l.cost.planned)),
    h(diffText(l.cost.measured, l.cost.planned, fmtUsd)),
  ]);
  lines.push(['<strong>total</strong>', '', '', '', `<strong>${h(fmtUsd(k.total.measured))}</strong>`, `<strong>${h(fmtUsd(k.total.planned))}</strong>`, h(diffText(k.total.measured, k.total.planned, fmtUsd))]);
  return section(
    `Measured beside planned (${k.runId})`,
    'The run planned at its own traffic: what it measured, what the plan gives, and the difference (planned − measured).',
    `<h3>Invocations</h3>${table(['function', 'measured', 'planned', 'difference'], inv, 'num check-invocations')}<h3>Cost by line</h3>${table(['line', 'measured quantity', 'planned', 'difference', 'measured cost', 'planned', 'difference'], lines, 'num check-lines')}`,
  );
}

function trafficSection(p: Plan): string {
  const t = p.traffic.totals;
  const totals = table(
    ['connects', 'rooms', 'joins', 'messages', 'recipients', 'posts', 'connection minutes'],
    [[t.connects, t.rooms, t.joins, t.messages, t.recipients, t.posts, t.connectionMinutes].map((n) => h(fmtInt(Math.round(n))))],
    'num',
  );
  const profile = p.traffic.profile;
  const hours = profile
    ? `<h3>Daily profile (${h(profile.source)}): % of the peak by hour, UTC</h3><div class="table-wrap">${table(
        profile.hours.map((_, i) => String(i)),
        [profile.hours.map((f) => h(fmtNum(f * 100)))],
        'profile',
      )}</div>`
    : '';
  return section(`Traffic over ${p.traffic.periodLabel}`, 'The operations the cost is priced on.', `${totals}${hours}`);
}

function workSection(p: Plan, m: PlanPageModel): string {
  const w = p.workModel;
  const runs = table(
    ['run', 'measured on', 'CloudWatch', 'duration', 'room size', 'payload', 'file'],
    w.runs.map((r) => [h(r.runId), h(r.measuredOn), h(r.cloudwatchSource ?? 'none'), `${h(fmtNum(r.durationSec))} s`, h(fmtRoomSize(r.roomSize)), `${h(fmtInt(r.payloadBytes))} B`, `<span class="src">${h(r.file)}</span>`]),
  );
  const counts = `${fmtInt(w.counts.connects)} connects, ${fmtInt(w.counts.rooms)} rooms, ${fmtInt(w.counts.joins)} joins, ${fmtInt(w.counts.messages)} messages, ${fmtInt(w.counts.recipients)} recipients`;
  const fns = table(
    ['function', 'per', 'invocations per', 'billed ms per', 'memory', 'p99', 'source', 'measured on', 'runs'],
    w.functions.map((f) => [
      `<code>${h(f.name)}</code> <span class="src">${h(f.route)}${f.authorizer ? ' (authorizer)' : ''}</span>`,
      `<span class="nw">${h(f.per)}</span>`,
      h(fmtNum(f.invocationsPer)),
      `<span class="nw">${h(fmtNum(f.billedMsPer))}</span> <span class="src">per ${h(f.billedMsPerUnit)}${f.fit ? ', fitted' : ''}</span>`,
      h(f.memoryMB === f.measuredMemoryMB ? `${fmtInt(f.memoryMB)} MB` : `${fmtInt(f.memoryMB)} MB (measured at ${fmtInt(f.measuredMemoryMB)})`),
      h(p99Text(f)),
      `<span class="src nw">${h(f.invocationsSource === f.billedSource ? f.billedSource : `${f.invocationsSource} / ${f.billedSource}`)}</span>`,
      h(f.measuredOn.join(', ')),
      `<span class="src">${h(f.runs.join(', '))}</span>`,
    ]),
    'work',
  );
  const fits = w.functions.map((f, i) => { const fit = m.fits.find((x) => x.function === f.name); return f.fit && fit ? fitPart(fit, i, m.charts) : ''; }).join('');
  const d = w.dynamodb;
  const units = table(
    ['DynamoDB units per', 'read', 'write'],
    d.perOperation.map((u) => [h(u.operation), h(fmtNum(u.readUnits)), h(fmtNum(u.writeUnits))]),
    'num',
  );
  const unitsFrom =
    d.source === 'cloudwatch'
      ? `measured (AWS/DynamoDB, ${d.runs.join(', ')}), split over the routes by the per-route model (read × ${fmtNum(d.readScale)}, write × ${fmtNum(d.writeScale)})`
      : 'the per-route assumptions (nothing measured)';
  const rest = [
    `DynamoDB units: ${unitsFrom}; ${fmtNum(d.gonePerMessage)} gone connections per message.`,
    `@connections posts per recipient: ${fmtNum(w.posts.perRecipient)} (${w.posts.source}${w.posts.runs.length ? `, ${w.posts.runs.join(', ')}` : ''}).`,
    `Bytes per post: ${fmtInt(Math.round(w.bytes.perPost))} (${w.bytes.source}${w.bytes.runs.length ? `, ${w.bytes.runs.join(', ')}` : ''}).`,
    `Joins per connect: ${fmtNum(w.joinsPerConnect)}.`,
  ];
  return section(
    'Work model',
    `What the measured runs did per operation (${counts}), each figure with its source and runs.`,
    `<h3>Runs</h3>${runs}<h3>Lambda functions</h3>${fns}${fits}<h3>DynamoDB</h3>${units}<ul class="notes">${rest.map((l) => `<li>${h(l)}</li>`).join('')}</ul>`,
  );
}

/** A fan-out function's room-size fit: the line, r², its points and a chart of both. */
function fitPart(fit: PlanFit, i: number, charts: PlanCharts): string {
  const points = table(
    ['recipients', 'billed ms per invocation', 'on the line', 'runs'],
    fit.points.map((pt) => [h(pt.recipients), h(pt.billedMs), h(pt.onTheLine), `<span class="src">${h(pt.runs)}</span>`]),
    'num',
  );
  return `<h3 class="fit" data-function="${h(fit.function)}"><code>${h(fit.function)}</code>: ${h(fit.line)}, r² = ${h(fit.r2)}</h3><div class="grid two">${chartBox(charts, fitChartId(i))}<div>${points}<p class="src">Least squares over ${h(fit.sizes)}.</p></div></div>`;
}

function notesSection(m: PlanPageModel): string {
  if (m.notes.length === 0) return '';
  return section('Notes', '', `<ul class="notes">${m.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`);
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
