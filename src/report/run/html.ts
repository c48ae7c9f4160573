import { errorTotal } from '../../contracts/metric-catalogue.ts';
import type { CloudWatchResults } from '../../contracts/cloudwatch-schema.ts';
import type { CostEstimate } from '../../contracts/cost-schema.ts';
import type { LatencySummary, Results } from '../../contracts/results-schema.ts';
import type { JudgedResults } from '../../verdict/judged.ts';
import { checkState, type Verdict } from '../../contracts/verdict-schema.ts';
import { reportAssets, type ReportAssets } from '../shared/assets.ts';
import { buildCharts, type ChartSpec } from './chart-data.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { htmlPage } from '../shared/html-page.ts';
import { chartBox, section, table, wholeWords } from '../shared/html-parts.ts';
import { fmtDuration, fmtInt, fmtMs, fmtNum, fmtPercent, fmtShare, fmtUsd, fmtValue } from '../../number-format.ts';
import { STYLE } from '../shared/html-style.ts';
import { diffCells, explanationOf, OUTCOME_TEXT, REPEAT_FIGURE_LABELS, repeatRows, VERDICT_HEADLINE } from './verdict-text.ts';
import { explanationLines } from '../shared/explanation-lines.ts';
import { lossRule, lossTimeoutLabel } from './loss-rule.ts';
import { workTable } from './work-table.ts';
import { missingSection } from './missing-section.ts';
import { pricesLabel } from './prices-label.ts';
import { unchargedTransfer } from '../../metrics/cost/uncharged-transfer.ts';
import { NO_CALL_TEXT } from './permissions-table.ts';
import type { AttributionModel } from './attribution-model.ts';
import { runPageModel, type ErrorFacts, type HostFacts, type PermissionFacts, type RunPageModel } from './page-model.ts';
import { ATTRIBUTION_STYLE, cardsNote, coldWarmBody, hostBanner, latencyCard } from './attribution-section.ts';
import { FIGURE_LABEL, restoresText } from './cold-warm-text.ts';
import { emulatedRuntimeHtmlCell, runtimeHtmlCell } from './runtimes-text.ts';
import { pathCharts } from './path-charts.ts';
import { pathHtml } from './path-section.ts';
import { hopsHtml } from './hops-section.ts';
import { publishRows } from './publish-model.ts';

/** A check's state on the page: one with nothing to judge is neither a pass nor a failure (its detail says why). */
const CHECK_CLASS = { passed: 'ok', failed: 'fail', 'not judged': 'unjudged' } as const;
const CHECK_MARK = { passed: '✓', failed: '✗', 'not judged': '–' } as const;

/**
 * index.html for one run: self-contained (uPlot and the chart script inlined, data embedded as
 * JSON), so it opens from disk with no network. Pure: results (and the asset texts) in, HTML out.
 * Every string from the target or the user is escaped; the embedded JSON cannot close its script.
 */
export function renderHtml(results: JudgedResults, assets: ReportAssets = reportAssets()): string {
  const charts = { ...buildCharts(results), ...pathCharts(results) };
  // the page's facts, computed once (page-model.ts): the console, summary.md and junit.xml render the same model
  const page = runPageModel(results);
  const model = page.attribution;
  const title = `fanout-bench · ${results.scenario.name}`;
  return htmlPage({
    title,
    css: STYLE + ATTRIBUTION_STYLE,
    main: `${header(results)}
${verdictBlock(results, page)}
${section('Latency over time', latencyOverTimeIntro(results, model), chartGrid(charts, ['latency-connect', 'latency-broadcast', 'latency-fanoutCompletion']))}
${section('Latency distribution', 'Whole-run HDR histograms; the x axis counts nines (p90, p99, p99.9 …).', chartBox(charts, 'distribution') + latencyTable(results, model))}
${section('Throughput and connections', '', chartBox(charts, 'throughput') + connectionsNote(results) + phasesTable(results) + publishTable(results))}
${section('Errors', '', chartBox(charts, 'errors') + errorTable(results, page.errors) + quotaNote(page.quotas))}
${missingSection(results.deliveries.missing)}
${page.path ? pathHtml(page.path, charts) : ''}
${page.hops ? hopsHtml(page.hops) : ''}
${section('Lambda (CloudWatch)', lambdaIntro(results.cloudwatch, page.thisHost), lambdaSection(charts, results.cloudwatch))}
${section('Work per message', 'From CloudWatch: work counts do not depend on how busy the host was. DynamoDB units cover every table and global index over the whole run (connects, joins, sends, disconnects); Lambda GB-seconds are Duration × memory, INIT excluded.', workSection(results))}
${model.coldWarm ? section('Cold vs warm', 'Each timed request split by the Lambda invocation that served it: cold where that invocation was a cold start.', coldWarmBody(model, { chart: chartBox(charts, 'cold-starts'), reports: reportsTable(results) })) : section('Cold vs warm', 'Cold: the message or connection met a new Lambda execution environment.', coldWarm(results, charts))}
${section('Stale connections', 'Clients dropped without a close frame; the stack finds them by 410 Gone and deletes them.', staleSection(results, charts))}
${section('Cost estimate', costIntro(results.cost, page.thisHost), costSection(results.cost))}
${page.permissions ? section('Permissions', "What each function's role grants beside what the run used of it (IAM, and IAM Access Analyzer's policy generation over the run), with the policy that allows exactly what was used.", permissionsSection(page.permissions)) : ''}
${section('Harness health', 'The harness watches itself: when it is the bottleneck, its numbers are not trustworthy.', chartBox(charts, 'harness') + harnessTable(results))}
${page.host ? section('Local host', LOCAL_HOST_INTRO, chartBox(charts, 'local-host') + localHostTable(results, page.host)) : ''}
${section('Run configuration', '', configSection(results, page))}`,
    dataId: 'report-data',
    data: charts,
    uplotCss: assets.uplotCss,
    uplotJs: assets.uplotJs,
    clientJs: assets.clientJs,
  });
}

/** What the latency-over-time charts show: the client's figures per interval, and the cold requests marked where the run traced them. */
function latencyOverTimeIntro(r: Results, m: AttributionModel): string {
  const base = `Client-side, per ${intervalWording(r)}, measured from each send's intended time (open model).`;
  const host = m.stackFirst ? ` These are the client's figures (${FIGURE_LABEL.client}), host waits included: the run has the stack's only for the whole run (the table under Latency distribution).` : '';
  const cold = m.coldWarm && m.coldWarm.coldPoints.connect + m.coldWarm.coldPoints.broadcast > 0 ? ' Each cold request traced to its invocation is marked as a point (cold start).' : '';
  return base + host + cold;
}

/** "1-second interval", or the period of results that came in longer ones (an Artillery run's: 10 s). */
function intervalWording(r: Results): string {
  const periodMs = (r.config.artillery as { periodMs?: unknown } | undefined)?.periodMs;
  return typeof periodMs === 'number' ? `${Math.round(periodMs / 1000)}-second Artillery period` : '1-second interval';
}

function chartGrid(charts: Record<string, ChartSpec>, ids: string[]): string {
  return `<div class="grid">${ids.map((id) => chartBox(charts, id)).join('')}</div>`;
}

function header(r: Results): string {
  return `<header>
<div class="brand">fanout-bench <span>${h(r.tool.version)}</span></div>
<h1>${h(r.scenario.name)}</h1>
${r.scenario.description ? `<p class="description">${h(r.scenario.description)}</p>` : ''}
<dl class="facts">
<div><dt>run</dt><dd>${h(r.runId)}</dd></div>
<div><dt>started</dt><dd>${h(r.startedAt)}</dd></div>
<div><dt>duration</dt><dd>${h(fmtDuration(r.durationMs))}</dd></div>
<div><dt>target</dt><dd>${h(r.config.target.label ?? r.config.target.kind)} · ${h(r.config.target.url)}</dd></div>
${discovered(r)}<div><dt>clients</dt><dd>${fmtInt(r.config.clients)} in ${fmtInt(r.config.rooms)} rooms</dd></div>
</dl>
</header>`;
}

/** What a deployed target was found to be, and where each thing came from. */
function discovered(r: Results): string {
  const d = r.config.target.discovery;
  if (!d) return '';
  const how = { 'stack-outputs': "the stack's outputs", 'stack-resources': "the stack's resources", api: 'the API by id' }[d.method];
  const rows = d.found.map((f) => `<li>${h(f.what)}: <code>${h(f.value)}</code> <span class="sub">(${h(f.from)})</span></li>`).join('');
  return `<div class="discovery"><dt>discovered</dt><dd><details><summary>${fmtInt(d.found.length)} items, from ${h(how)}</summary><ul>${rows}</ul></details></dd></div>\n`;
}

function verdictBlock(r: JudgedResults, page: RunPageModel): string {
  const model = page.attribution;
  const checks = r.verdict.checks;
  const v = r.verdict.outcome === 'pass' ? 'pass' : 'fail';
  const errorsTotal = page.errors.total;
  const card = (label: string, value: string, sub = '', bad = false) =>
    `<div class="card${bad ? ' bad' : ''}"><div class="label">${label}</div><div class="value">${value}</div>${sub ? `<div class="sub">${sub}</div>` : ''}</div>`;
  const hostWarnings = page.hostWarnings;
  const cause = page.verdict?.firstCause;
  const warnings = [
    ...(cause
      ? [`<div class="banner danger first-cause"><strong>Why: ${h(cause.check)}.</strong> ${h(cause.line)} <span class="remedy">(what would move it: ${h(cause.remedy)})</span></div>`]
      : []),
    ...(page.unservedCalls.length > 0
      ? [`<div class="banner danger"><strong>Called AWS services this emulator does not run.</strong><ul>${page.unservedCalls.map((l) => `<li>${h(l)}</li>`).join('')}</ul></div>`]
      : []),
    ...(r.harness.saturated
      ? [`<div class="banner danger"><strong>The harness was saturated.</strong> Its own CPU or event loop was the bottleneck, so these latencies describe the harness, not the system under test.</div>`]
      : []),
    ...(model.stackFirst ? [hostBanner(model, hostWarnings)] : []),
    ...(!model.stackFirst && hostWarnings.length > 0
      ? [
          `<div class="banner warn"><strong>The local host held the stack back.</strong> Where a client waited on it, its latency includes the emulator's host queueing, which AWS would not have (see Local host).<ul>${hostWarnings.map((w) => `<li>${h(w)}</li>`).join('')}</ul></div>`,
        ]
      : []),
    ...(r.status !== 'completed'
      ? [`<div class="banner danger"><strong>Run ${h(r.status)}.</strong> ${r.statusReason ? h(r.statusReason) : ''}</div>`]
      : []),
  ];
  return `<section class="verdict ${v}">
<div class="verdict-head"><span class="pill ${v}">${VERDICT_HEADLINE[r.verdict.outcome]}</span><span class="status">status: ${h(r.status)}</span></div>
<p class="verdict-summary">${h(r.verdict.summary)}</p>
${warnings.join('\n')}
<div class="cards">
${model.headline.map(latencyCard).join('\n')}
${card('deliveries', fmtInt(r.deliveries.received), `of ${fmtInt(r.deliveries.expected)} expected · ${fmtInt(r.deliveries.lost)} lost${lossTimeoutLabel(r) ? ` (${h(lossTimeoutLabel(r)!)})` : ''}`, r.deliveries.lost > 0)}
${card('errors', fmtInt(errorsTotal), `${fmtInt(r.sends.failed)} failed sends · ${fmtInt(r.sends.missedSlots)} missed slots`, errorsTotal > 0)}
${r.cost ? card('estimated cost', fmtUsd(r.cost.totals.total), `${fmtUsd(r.cost.perMillionDeliveries)} per 1M deliveries`) : ''}
</div>
${cardsNote(model)}
<ul class="checks">${checks
    .map((c) => `<li class="${CHECK_CLASS[checkState(c)]}"><span class="mark">${CHECK_MARK[checkState(c)]}</span><strong>${h(c.name)}</strong> — ${h(c.detail)}${whyList(r.verdict, c.name)}</li>`)
    .join('')}</ul>
${thresholdTable(r.verdict)}
${diffTable(r.verdict)}
${repeatsTable(r.verdict)}
${r.verdict.notes.length ? `<ul class="verdict-notes">${r.verdict.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>` : ''}
</section>`;
}

/** A failed check's (or crossed threshold's) explanation under it in the verdict box. */
function whyList(v: Verdict, check: string, threshold = false): string {
  const e = explanationOf(v, check, threshold);
  return e ? `<ul class="why">${explanationLines(e).map((l) => `<li>${h(l)}</li>`).join('')}</ul>` : '';
}

function thresholdTable(v: Verdict): string {
  if (v.thresholds.length === 0) return '';
  const rows = v.thresholds.map(
    (t) =>
      `<tr class="outcome-${t.outcome}"><td><code>${h(t.expression)}</code></td><td><span class="outcome ${t.outcome}">${h(OUTCOME_TEXT[t.outcome])}</span></td><td class="n">${h(fmtValue(t.observed, t.unit))}</td><td class="n">${t.limit === null ? '–' : h(`${t.op} ${fmtValue(t.limit, t.unit)}`)}</td><td>${h(t.detail)}<div class="src">${h(t.source)}</div>${whyList(v, t.expression, true)}</td></tr>`,
  );
  return `<h3>Thresholds</h3>${wholeWords(`<table class="thresholds" data-table="thresholds"><thead><tr><th>threshold</th><th>result</th><th class="n">this run</th><th class="n">limit</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`)}`;
}

/** Each repeat's figures with why its checks failed, beside them. */
function repeatsTable(v: Verdict): string {
  const rows = repeatRows(v).map((x) => [
    `<code>${h(x.runId)}</code>`,
    h(x.status),
    ...x.figures.map((f) => h(f)),
    x.why.length ? `<ul class="why">${x.why.map((l) => `<li>${h(l.trim())}</li>`).join('')}</ul>` : '–',
  ]);
  return rows.length ? `<h3>Repeats</h3>${table(['run', 'status', ...REPEAT_FIGURE_LABELS, 'why'], rows, 'second-text')}` : '';
}

function diffTable(v: Verdict): string {
  if (!v.baseline || !v.diff) return '';
  const b = v.baseline;
  const rows = v.diff.map((row) => {
    const [metric, base, cur, change, outcome] = diffCells(row);
    const dir = row.changePct === null || row.changePct === 0 ? '' : row.changePct > 0 ? ' up' : ' down';
    return `<tr class="outcome-${row.outcome ?? 'none'}"><td><code>${h(metric)}</code><div class="src">${h(row.label)}</div></td><td class="n">${h(base)}</td><td class="n">${h(cur)}</td><td class="n change${dir}">${h(change)}</td><td>${row.outcome ? `<span class="outcome ${row.outcome}">${h(outcome)}</span>` : h(outcome)}</td></tr>`;
  });
  return `<h3>Compared with the baseline</h3><p class="note">Baseline <code>${h(b.runId)}</code> (${h(b.scenario)}, ${h(b.startedAt)}${b.runs > 1 ? `, median of ${b.runs} runs` : ''}).</p>${wholeWords(`<table class="diff" data-table="diff"><thead><tr><th>metric</th><th class="n">baseline</th><th class="n">this run</th><th class="n">change</th><th>verdict</th></tr></thead><tbody>${rows.join('')}</tbody></table>`)}`;
}

const METRIC_LABELS: Array<[keyof Results['metrics'], string]> = [
  ['connect', 'connect'],
  ['broadcast', 'broadcast'],
  ['fanoutCompletion', 'fan-out completion'],
  ['connectCold', 'connect (cold)'],
  ['connectWarm', 'connect (warm)'],
  ['broadcastCold', 'broadcast (cold)'],
  ['broadcastWarm', 'broadcast (warm)'],
  ['join', 'join'],
  ['ack', 'send ack'],
];

function summaryRow(label: string, s: LatencySummary): string[] {
  return [h(label), fmtInt(s.count), fmtMs(s.p50), fmtMs(s.p90), fmtMs(s.p99), fmtMs(s.p999), fmtMs(s.max)];
}

function latencyTable(r: Results, model: AttributionModel): string {
  if (!model.stackFirst && !model.coldWarm) {
    const rows = METRIC_LABELS.filter(([k]) => r.metrics[k]).map(([k, label]) => summaryRow(label, r.metrics[k] as LatencySummary));
    return table(['metric', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'], rows, 'num');
  }
  // the model's latencies, the stack's row first where the host held anything back; the cold/warm split is its own section
  const rows = model.latencies.flatMap((f) => [
    ...(f.stack ? [summaryRow(`${f.label} (${FIGURE_LABEL.stack})`, f.stack)] : []),
    summaryRow(f.stack ? `${f.label} (${FIGURE_LABEL.client})` : f.label, f.client),
  ]);
  return table(['metric', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'], rows, 'num');
}

function connectionsNote(r: Results): string {
  const c = r.connections;
  if (!c) return '';
  return `<p class="note">Connections: ${fmtInt(c.attempted)} attempted, ${fmtInt(c.opened)} opened, ${fmtInt(c.failed)} failed, ${fmtInt(c.missedSlots)} left late; ${fmtInt(c.joined)} joined a room, ${fmtInt(c.joinFailed)} joins failed; ${fmtInt(c.openAtEnd)} open at the end.</p>`;
}

function phasesTable(r: Results): string {
  if (!r.phases?.length) return '';
  const rows = r.phases.map((p) => [
    h(p.name),
    h(p.kind),
    fmtDuration(p.durationMs),
    fmtInt(p.sends.sent),
    fmtInt(p.deliveries.received),
    fmtInt(p.deliveries.lost),
    fmtMs(p.broadcast?.p99),
    fmtMs(p.fanoutCompletion?.p99),
    fmtInt(errorTotal(p.errors)),
  ]);
  return `<h3>Phases</h3>${table(['phase', 'kind', 'duration', 'sent', 'delivered', 'lost', 'broadcast p99', 'fan-out p99', 'errors'], rows, 'num second-text')}`;
}

/** Each publish phase (publish-model.ts): what it published to, its calls, publish → delivery and its ledger. */
function publishTable(r: Results): string {
  const published = publishRows(r);
  if (published.length === 0) return '';
  const rows = published.map((p) => [h(p.head), h(p.calls), fmtMs(p.delivery?.p50), fmtMs(p.delivery?.p99), fmtMs(p.delivery?.max), h(p.ledger)]);
  const refusals = published.filter((p) => p.firstFailure).map((p) => `<p class="note">First refused publish: ${h(p.firstFailure!)}</p>`);
  return `<h3>Publishes</h3>${table(['publish', 'calls', 'publish → delivery p50', 'p99', 'max', 'deliveries'], rows, 'second-text')}${refusals.join('')}`;
}

function errorTable(r: Results, errors: ErrorFacts): string {
  const rows = errors.kinds.map(({ kind, count }) => [`<code>${h(kind)}</code>`, fmtInt(count)]);
  const d = r.deliveries;
  const optional = (n: number | undefined, what: string) => (n ? `, ${fmtInt(n)} ${what}` : '');
  const sends = `<p class="note">Sends: ${fmtInt(r.sends.intended)} intended, ${fmtInt(r.sends.sent)} sent, ${fmtInt(r.sends.acked)} acknowledged, ${fmtInt(r.sends.failed)} failed, ${fmtInt(r.sends.missedSlots)} left late${optional(r.sends.skipped, 'skipped')}${optional(r.sends.cutOffByReconnect, 'cut off by a close their sender reconnected from (not failed)')}. Deliveries: ${fmtInt(d.duplicates)} duplicates, ${fmtInt(d.outOfOrder)} out of order${optional(d.unacknowledged, 'from unacknowledged sends')}${optional(d.surplus, 'surplus')}${optional(d.missedDuringReconnect, 'missed during reconnect (their members away, not lost)')}${optional(d.foreign, 'foreign')}. ${h(lossRule(r))}</p>`;
  return `<p class="note">${h(errors.line)}</p>${rows.length ? table(['error kind', 'count'], rows, 'num') : ''}${sends}`;
}

/** The quotas the run was held against: the plan's lines, and the refusals and closes each limit caused. */
function quotaNote(q: RunPageModel['quotas']): string {
  if (!q) return '';
  const items = [...q.plan.map((l) => `<li>plan: ${h(l)}</li>`), ...q.attributed.map((l) => `<li><strong>${h(l)}</strong></li>`)];
  return `<p class="note">Quotas: held against ${h(q.note)}.</p><ul class="warnings">${items.join('')}</ul>`;
}

function lambdaIntro(cw: CloudWatchResults | undefined, thisHost: string | undefined): string {
  if (!cw) return 'CloudWatch was not pulled for this run.';
  const period = cw.window.periodSec === 1 ? '1-second' : `${cw.window.periodSec}-second`;
  return `From ${cw.source === 'aws' ? `AWS (${cw.region})` : `the local emulator (${cw.endpoint ?? ''})`}, ${period} periods, on the same time axis as the client-side charts.${thisHost ? ` ${capital(thisHost)}.` : ''}`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function problemsList(cw: CloudWatchResults): string {
  const families = Object.entries(cw.completeness ?? {}).flatMap(([f, c]) => (c ? [`${f} ${c.status}: ${c.detail}`] : []));
  const items = [
    ...cw.problems.map((p) => `<li><strong>${h(p.step)}</strong>: <code>${h(p.errorName)}</code> ${h(p.message)}</li>`),
    ...cw.notes.map((n) => `<li>${h(n)}</li>`),
    ...(families.length > 0 ? [`<li>published when pulled: ${families.map(h).join('; ')}</li>`] : []),
  ];
  if (items.length === 0) return '';
  const cls = cw.status === 'complete' ? 'banner info' : 'banner warn';
  const head = cw.status === 'unavailable' ? 'CloudWatch could not be pulled.' : cw.status === 'partial' ? 'Some CloudWatch data could not be pulled.' : 'Notes';
  return `<div class="${cls}"><strong>${head}</strong><ul>${items.join('')}</ul></div>`;
}

function lambdaSection(charts: Record<string, ChartSpec>, cw: CloudWatchResults | undefined): string {
  if (!cw) return '<p class="note">Nothing to show.</p>';
  const rows = Object.entries(cw.lambda)
    .filter(([, t]) => t.invocations > 0 || t.errors > 0 || t.throttles > 0)
    .map(([fn, t]) => [
      `<code>${h(fn)}</code>`,
      fmtInt(t.invocations),
      fmtInt(t.errors),
      fmtInt(t.throttles),
      fmtMs(t.durationAvgMs),
      fmtMs(t.durationP50Ms),
      fmtMs(t.durationP99Ms),
      fmtNum(t.concurrentExecutionsMax),
    ]);
  const api = cw.apiGatewayTotals
    ? `<p class="note">API Gateway ${cw.apiGateway ? `<code>${h(cw.apiGateway.apiId)}</code> stage <code>${h(cw.apiGateway.stage)}</code>` : ''}: ${fmtInt(cw.apiGatewayTotals.connectCount)} connects, ${fmtInt(cw.apiGatewayTotals.messageCount)} messages, ${fmtInt(cw.apiGatewayTotals.clientError)} client errors, ${fmtInt(cw.apiGatewayTotals.executionError)} execution errors, ${fmtInt(cw.apiGatewayTotals.integrationError)} integration errors; integration latency avg ${fmtMs(cw.apiGatewayTotals.integrationLatencyAvgMs)}, p99 ${fmtMs(cw.apiGatewayTotals.integrationLatencyP99Ms)}.</p>`
    : '';
  const routes = Object.entries(cw.apiGatewayRoutes ?? {}).map(([route, t]) => [
    `<code>${h(route)}</code>`,
    fmtInt(t.messageCount),
    fmtInt(t.integrationError),
    fmtInt(t.executionError),
    fmtMs(t.integrationLatencyAvgMs),
    fmtMs(t.integrationLatencyP50Ms),
    fmtMs(t.integrationLatencyP99Ms),
  ]);
  const emf = Object.entries(cw.emf).map(([name, t]) => [`<code>${h(name)}</code>`, fmtNum(t.sum), fmtNum(t.average), fmtNum(t.p99)]);
  return (
    problemsList(cw) +
    `<div class="grid two">${['lambda-duration', 'lambda-concurrency', 'lambda-invocations', 'lambda-throttles'].map((id) => chartBox(charts, id)).join('')}</div>` +
    // left out when no function was active: the charts above already say so (as before)
    (rows.length ? table(['function', 'invocations', 'errors', 'throttles', 'avg', 'p50', 'p99', 'max concurrency'], rows, 'num') : '') +
    api +
    (routes.length
      ? `<h3>API Gateway by route (detailed metrics)</h3>${table(['route', 'messages', 'integration errors', 'execution errors', 'integration latency avg', 'p50', 'p99'], routes, 'num')}`
      : '') +
    (emf.length ? `<h3>Custom metrics (EMF)</h3>${table(['metric', 'sum', 'average', 'p99'], emf, 'num')}` : '')
  );
}

function workSection(r: Results): string {
  const w = workTable(r);
  if (!w) return '<p class="note">No work counts: CloudWatch was not pulled, or it had no AWS/DynamoDB or Lambda data for this run.</p>';
  const esc = (rows: string[][]) => rows.map((row) => row.map((c, i) => (i === 0 ? `<code>${h(c)}</code>` : h(c))));
  return (
    table(w.head.map(h), w.rows.map((row) => row.map(h)), 'num') +
    (w.tables.rows.length ? `<h3>DynamoDB by table</h3>${table(w.tables.head.map(h), esc(w.tables.rows), 'num')}` : '')
  );
}

function coldWarm(r: Results, charts: Record<string, ChartSpec>): string {
  const m = r.metrics;
  const pairs: Array<[string, LatencySummary | undefined, LatencySummary | undefined]> = [
    ['connect', m.connectCold, m.connectWarm],
    ['broadcast', m.broadcastCold, m.broadcastWarm],
  ];
  const client = pairs
    .filter(([, c, w]) => c || w)
    .flatMap(([name, c, w]) => [
      ...(c ? [[h(`${name} cold`), fmtInt(c.count), fmtShare(c.count / (c.count + (w?.count ?? 0))), fmtMs(c.p50), fmtMs(c.p99), fmtMs(c.max)]] : []),
      ...(w ? [[h(`${name} warm`), fmtInt(w.count), fmtShare(w.count / (w.count + (c?.count ?? 0))), fmtMs(w.p50), fmtMs(w.p99), fmtMs(w.max)]] : []),
    ]);
  return (
    `<div class="grid two"><div>${client.length ? table(['client-side', 'count', 'share', 'p50', 'p99', 'max'], client, 'num') : `<p class="note">${h(r.protocol?.notObservable['metrics.connectCold'] ?? 'The run recorded no cold/warm split.')}</p>`}</div>${chartBox(charts, 'cold-starts')}</div>` +
    reportsTable(r)
  );
}

/** Init durations per function from the REPORT lines (CloudWatch), whatever the split's source. */
function reportsTable(r: Results): string {
  const reports = Object.entries(r.cloudwatch?.reports ?? {}).map(([fn, s]) => [
    `<code>${h(fn)}</code>`,
    fmtInt(s.invocations),
    `${fmtInt(s.coldStarts)} (${fmtShare(s.invocations > 0 ? s.coldStarts / s.invocations : null)})${h(restoresText(s))}`,
    fmtMs(s.initDuration?.p50),
    fmtMs(s.initDuration?.p99),
    fmtMs(s.initDuration?.max),
    s.memorySizeMB === null ? '–' : `${fmtInt(s.maxMemoryUsedMB ?? 0)} / ${fmtInt(s.memorySizeMB)} MB`,
  ]);
  return reports.length ? `<h3>Init durations (REPORT log lines)</h3>${table(['function', 'invocations', 'cold starts', 'init p50', 'init p99', 'init max', 'memory used'], reports, 'num')}` : '';
}

function staleSection(r: Results, charts: Record<string, ChartSpec>): string {
  const s = r.stale;
  const unseen = r.protocol?.notObservable['stale.gone410'];
  if (s && !s.source && unseen) return `<div class="cards small"><div class="card"><div class="label">clients dropped</div><div class="value">${fmtInt(s.dropped)}</div></div></div><p class="note">410s, time to clean and wasted posts: ${h(unseen)}</p>`;
  const cards = s
    ? `<div class="cards small">
<div class="card"><div class="label">clients dropped</div><div class="value">${fmtInt(s.dropped)}</div></div>
<div class="card"><div class="label">410 Gone reported</div><div class="value">${fmtInt(s.gone410)}</div></div>
<div class="card${s.timeToCleanMs === null ? ' bad' : ''}"><div class="label">time to clean</div><div class="value">${s.timeToCleanMs === null ? 'never' : fmtMs(s.timeToCleanMs)}</div></div>
<div class="card"><div class="label">wasted posts</div><div class="value">${fmtInt(s.wastedPosts)}</div></div>
</div>${s.source ? `<p class="note">410s, time to clean and wasted posts from ${h(s.source)}</p>` : ''}`
    : '<p class="note">This scenario dropped no clients.</p>';
  return cards + chartBox(charts, 'stale');
}

function costIntro(cost: CostEstimate | undefined, thisHost: string | undefined): string {
  if (!cost) return 'No cost estimate for this run.';
  const dt = cost.sources.dataTransfer ? `, data transfer out from ${cost.sources.dataTransfer}` : '';
  return `What this run's load costs on AWS at ${pricesLabel(cost.prices)}, Lambda on ${cost.architecture}. Sources: Lambda from ${cost.sources.lambda}, messages from ${cost.sources.messages}, DynamoDB from ${cost.sources.dynamodb}${dt}.${thisHost ? ` ${capital(thisHost)}.` : ''}`;
}

function permissionsSection(p: PermissionFacts): string {
  const rows = p.rows.map((p) => [
    `<code>${h(p.function)}</code>`,
    h(p.role),
    h(p.unusedCount),
    p.note ? h(p.note) : p.noCall ? h(NO_CALL_TEXT) : p.unused.map((u) => `<code>${h(u)}</code>`).join('<br>'),
    p.used.map((u) => `<code>${h(u)}</code>`).join('<br>') || '–',
    p.policy ? `<pre>${h(JSON.stringify(JSON.parse(p.policy), null, 1))}</pre>` : '–',
  ]);
  const denied = p.denied.map((d) => [`<code>${h(d.function)}</code>`, `<code>${h(d.call)}</code>`, h(d.count), h(d.why), d.statement ? `<pre>${h(JSON.stringify(JSON.parse(d.statement), null, 1))}</pre>` : '–']);
  return (
    (denied.length > 0 ? `<h3>Denied</h3><p class="note">The calls IAM refused (caught by the code or not), and posts to an API that is not the stack's.</p>${table(['function', 'call', 'count', 'why', 'statement that allows it'], denied)}` : '') +
    table(['function', 'role', 'grants unused', 'unused', 'used', 'least privilege'], rows)
  );
}

function costSection(cost: CostEstimate | undefined): string {
  if (!cost) return '';
  const rows = cost.lines.map((l) => [
    h(l.service),
    h(l.item),
    `${fmtNum(l.quantity)} ${h(l.unit)}`,
    `${fmtUsd(l.unitPrice)}${l.per === 1 ? '' : ` / ${l.per === 1e6 ? '1M' : fmtInt(l.per)}`}`,
    fmtUsd(l.cost),
    `<span class="src">${h(l.source)}</span>${l.partial ? ` <strong class="bad-text" title="${h(l.partial)}">partial data</strong>` : ''}`,
  ]);
  rows.push(['', '<strong>total</strong>', '', '', `<strong>${fmtUsd(cost.totals.total)}</strong>`, '']);
  const old = unchargedTransfer(cost);
  return (
    (old ? `<div class="banner warn uncharged-transfer"><strong>Not on AWS's bill.</strong> ${h(old.text)} <code>${h(old.command)}</code> estimates it again without the line.</div>` : '') +
    `<div class="cards small">
<div class="card"><div class="label">this run</div><div class="value">${fmtUsd(cost.totals.total)}</div><div class="sub">Lambda ${fmtUsd(cost.totals.lambda)} · API ${fmtUsd(cost.totals.apiGateway)} · DynamoDB ${fmtUsd(cost.totals.dynamodb)}${cost.totals.dataTransfer !== undefined ? ` · transfer ${fmtUsd(cost.totals.dataTransfer)}` : ''}${cost.totals.path !== undefined ? ` · path ${fmtUsd(cost.totals.path)}` : ''}${cost.totals.secretsManager !== undefined ? ` · Secrets Manager ${fmtUsd(cost.totals.secretsManager)}` : ''}</div></div>
<div class="card"><div class="label">per 1M deliveries</div><div class="value">${fmtUsd(cost.perMillionDeliveries)}</div><div class="sub">${fmtInt(cost.basis.deliveries)} delivered</div></div>
<div class="card"><div class="label">per 1,000 users / month</div><div class="value">${fmtUsd(cost.perThousandUsersPerMonth)}</div><div class="sub">this activity, around the clock</div></div>
</div>` +
    table(['service', 'item', 'quantity', 'price', 'cost', 'source'], rows, 'num cost') +
    `<details><summary>Assumptions</summary><ul>${cost.assumptions.map((a) => `<li>${h(a)}</li>`).join('')}</ul></details>`
  );
}

function harnessTable(r: Results): string {
  const x = r.harness;
  const rows = [
    ['shards', fmtInt(x.shards)],
    ['CPU', `${fmtNum(x.cpuSeconds)} CPU-s, peak ${fmtNum(x.cpuCoresMax)} cores`],
    ['event-loop lag', `p99 ${fmtMs(x.eventLoopLagP99Ms)}, max ${fmtMs(x.eventLoopLagMaxMs)}`],
    ['memory', `${fmtInt(x.rssMB)} MB RSS (peak, all shards)`],
    ['saturated', x.saturated ? '<strong class="bad-text">yes</strong>' : 'no'],
  ];
  const warnings = x.warnings.length ? `<ul class="warnings">${x.warnings.map((w) => `<li>${h(w)}</li>`).join('')}</ul>` : '';
  return table(['', ''], rows, 'kv') + warnings;
}

const LOCAL_HOST_INTRO =
  'The local stack shares this machine with the harness; on AWS every execution environment has CPU of its own. Held back: invocations that waited at a host cap, or for an INIT slot, where AWS would have started an environment at once.';

function localHostTable(r: Results, host: HostFacts): string {
  const kv = table(
    ['', ''],
    [
      ['host busy', `${fmtPercent(host.busyAvgPercent)} on average, peak ${fmtPercent(host.busyPeakPercent)} (${fmtInt(r.environment.cpus)} cores, every process)`],
      ['stack process', `${fmtNum(host.stackCpuMs / 1000)} CPU-s`],
    ],
    'kv',
  );
  const rows = host.rows.map((b) => [h(b.fn), fmtInt(b.held.part), fmtInt(b.held.whole), fmtMs(b.p50Ms), fmtMs(b.p99Ms), fmtMs(b.maxMs), fmtMs(b.totalMs)]);
  const disagree = host.rows.filter((b) => b.held.disagree).map((b) => `<li>${h(b.fn)}: ${h(b.held.disagree!)}</li>`);
  const held = rows.length ? table(['function', 'held back', 'invocations', 'wait p50', 'wait p99', 'wait max', 'waited in all'], rows, 'num') : '<p class="note">The host held no invocation back.</p>';
  return kv + held + (disagree.length ? `<ul class="warnings">${disagree.join('')}</ul>` : '');
}

function configSection(r: Results, page: RunPageModel): string {
  const e = r.environment;
  const env = [
    ['node', h(e.node)],
    ['platform', h(e.platform)],
    ['CPUs', `${fmtInt(e.cpus)} × ${h(e.cpuModel)}`],
    ['memory', `${fmtInt(e.totalMemoryMB)} MB`],
    ['clock', h(e.clock)],
    ...(e.lambdaRuntimes ? [['Lambda runtimes', runtimeHtmlCell(e.lambdaRuntimes)]] : e.lambdaRuntime ? [['Lambda runtime', emulatedRuntimeHtmlCell(e.lambdaRuntime)]] : []),
    ...(page.notEmulated.length > 0 ? [['not emulated', page.notEmulated.map(h).join('<br>')]] : []),
    ...(page.notEmulatedResources.length > 0 ? [['resources not emulated', page.notEmulatedResources.map(h).join('<br>')]] : []),
    ['tool', `${h(r.tool.name)} ${h(r.tool.version)}`],
    ['results schema', String(r.schemaVersion)],
    ...(r.protocol
      ? [['protocol', `${h(r.protocol.name)} (${h(r.protocol.kind)}, membership ${h(r.protocol.membership)}${r.protocol.sendAcks ? '' : ', no acks'})${Object.entries(r.protocol.notObservable).map(([f, why]) => `<br><code>${h(f)}</code>: ${h(why)}`).join('')}`]]
      : []),
  ];
  return (
    `<div class="grid two"><div><h3>Environment</h3>${table(['', ''], env, 'kv')}</div>` +
    `<div><h3>Config</h3><pre>${h(JSON.stringify(r.config, null, 2))}</pre></div></div>` +
    `<details><summary>Scenario definition</summary><pre>${h(JSON.stringify(r.scenario.definition, null, 2))}</pre></details>`
  );
}
