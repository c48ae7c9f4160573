import type { Trend } from '../../analyses/trend/trend-schema.ts';
import { reportAssets, type ReportAssets } from '../shared/assets.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { htmlPage } from '../shared/html-page.ts';
import { emptyChartBox, html, section, table } from '../shared/html-parts.ts';
import { STYLE } from '../shared/html-style.ts';
import { trendPageModel, type TrendPageModel } from './page-model.ts';

/**
 * index.html of a trend: self-contained like a run's report (uPlot and the chart script inlined,
 * data embedded as JSON, opens from disk with no network). The change points first, newest
 * first, then one chart per metric (a point per run, its repeats' band, the baseline and the
 * thresholds, each change point marked), the runs with their commits, and the runs set apart or
 * skipped. Pure, a rendering of the page's model (page-model.ts) as summary.md is: it shows what
 * the trend found and decides nothing.
 */
export function renderTrendHtml(t: Trend, assets: ReportAssets = reportAssets(), m: TrendPageModel = trendPageModel(t)): string {
  const charts = m.charts;
  return htmlPage({
    title: `fanout-bench trend · ${m.scenario}`,
    css: `${STYLE}${EXTRA_STYLE}`,
    main: `${header(m)}
${section('Change points', 'Newest first. A step is the median of the runs on either side (their middle half in brackets); the commits are those between the last run before and the first run after.', changeTable(m))}
${section('Metrics', 'A point per run: the median of its repeats where it had them, the band their min–max. Dashed: the baseline; dotted: thresholds; a red line marks a change point at the first run after it.', chartGrid(m))}
${section('Runs', 'In the order they started.', runsTable(m))}
${apartSection(m)}
${section('How to read this', '', `<ul class="notes">${m.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`)}`,
    dataId: 'trend-data',
    data: charts,
    uplotCss: assets.uplotCss,
    uplotJs: assets.uplotJs,
    clientJs: assets.trendJs,
  });
}

const EXTRA_STYLE = `
.notes li { margin:4px 0; }
.cp-count { font-weight:650; }
`;

function header(m: TrendPageModel): string {
  return `<header>
<div class="brand">fanout-bench <span>${h(m.toolVersion)}</span> · trend</div>
<h1>${h(m.scenario)}: ${h(m.runCount)}, <span class="cp-count">${h(m.changePointCount)}</span></h1>
<dl class="facts">
<div><dt>load</dt><dd>${h(m.load)}</dd></div>
<div><dt>target</dt><dd>${h(m.target)}</dd></div>
<div><dt>machine</dt><dd>${h(m.machine)}</dd></div>
${m.from && m.to ? `<div><dt>from</dt><dd>${h(m.from)} to ${h(m.to)}</dd></div>` : ''}
${m.baseline ? `<div><dt>baseline</dt><dd>${h(m.baseline)}</dd></div>` : ''}
<div><dt>created</dt><dd>${h(m.createdAt)}</dd></div>
</dl>
</header>`;
}

function changeTable(m: TrendPageModel): string {
  const banner =
    m.configChanges.length > 0 ? `<div class="banner warn"><strong>The functions' configuration changed between runs.</strong><ul>${m.configChanges.map((l) => `<li>${h(l)}</li>`).join('')}</ul></div>` : '';
  if (m.noChange) return `${banner}<p class="note">${h(m.noChange)}</p>`;
  const rows = m.changePoints.map((c) => [
    `<code>${h(c.metric)}</code><span class="src"> ${h(c.label)}</span>`,
    `<span class="nw">${h(c.started)}</span><br><span class="src">${h(c.runId)}</span>`,
    h(c.step),
    `<span class="nw change ${c.up ? 'up' : 'down'}">${h(c.change)}</span>`,
    `<code>${h(c.commits)}</code>`,
    `<span class="src">${h(c.method)}</span>`,
  ]);
  return banner + table(['metric', 'first run after', 'before → after', 'change', 'commits', 'found by'], rows);
}

function chartGrid(m: TrendPageModel): string {
  const boxes = m.metrics.map((x) =>
    x.missing
      ? emptyChartBox(html`${x.label} <code>${x.name}</code>`, x.missing)
      : `<figure class="chart-box"><figcaption>${h(x.label)} <code>${h(x.name)}</code>${x.exact ? ' <span class="src">exact</span>' : ''}</figcaption><div class="chart" data-chart="${x.id}" data-metric="${h(x.name)}"></div></figure>`,
  );
  return `<div class="grid two">${boxes.join('')}</div>`;
}

function runsTable(m: TrendPageModel): string {
  const rows = m.runs.map((r) => [
    `<span class="nw">${h(r.started)}</span>`,
    h(r.runId),
    `<code>${h(r.commit)}</code>${r.dirty ? ' <span class="bad-text">dirty</span>' : ''}`,
    h(r.ref),
    h(r.toolVersion),
    h(r.node),
    String(r.repeats),
    `<span class="src">${h(r.file)}</span>`,
  ]);
  return table(['started', 'run', 'commit', 'ref', 'tool', 'Node', 'repeats', 'file'], rows);
}

function apartSection(m: TrendPageModel): string {
  if (m.setApart.length === 0 && m.skipped.length === 0) return '';
  const apart = m.setApart.map((a) => [`<span class="nw">${h(a.started)}</span>`, h(a.runId), h(a.reason), `<span class="src">${h(a.file)}</span>`]);
  const skipped = m.skipped.map((s) => [`<span class="src">${h(s.file)}</span>`, h(s.reason)]);
  return section(
    'Not in the trend',
    'Runs of another scenario, target or machine, or that did not complete, are not mixed in: give them to a trend of their own.',
    `${apart.length > 0 ? `<h3>Set apart</h3>${table(['started', 'run', 'why', 'file'], apart)}` : ''}${skipped.length > 0 ? `<h3>Skipped (not readable as results)</h3>${table(['file', 'why'], skipped)}` : ''}`,
  );
}
