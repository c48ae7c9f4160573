import type { Trend } from '../../analyses/trend/trend-schema.ts';
import { reportAssets, type ReportAssets } from '../shared/assets.ts';
import { escapeHtml as h } from '../shared/escape.ts';
import { htmlPage } from '../shared/html-page.ts';
import { emptyChartBox, html, section, table } from '../shared/html-parts.ts';
import { STYLE } from '../shared/html-style.ts';
import { buildTrendCharts, chartId } from './chart-data.ts';
import { changePctText, commitRange, configChangeLines, methodText, noChangeText, runDate, shortCommit, stepText } from './format.ts';

/**
 * index.html of a trend: self-contained like a run's report (uPlot and the chart script inlined,
 * data embedded as JSON, opens from disk with no network). The change points first, newest
 * first, then one chart per metric (a point per run, its repeats' band, the baseline and the
 * thresholds, each change point marked), the runs with their commits, and the runs set apart or
 * skipped. Pure: it shows what the trend found and decides nothing.
 */
export function renderTrendHtml(t: Trend, assets: ReportAssets = reportAssets()): string {
  const charts = buildTrendCharts(t);
  return htmlPage({
    title: `fanout-bench trend · ${t.group.scenario}`,
    css: `${STYLE}${EXTRA_STYLE}`,
    main: `${header(t)}
${section('Change points', 'Newest first. A step is the median of the runs on either side (their middle half in brackets); the commits are those between the last run before and the first run after.', changeTable(t))}
${section('Metrics', 'A point per run: the median of its repeats where it had them, the band their min–max. Dashed: the baseline; dotted: thresholds; a red line marks a change point at the first run after it.', chartGrid(t))}
${section('Runs', 'In the order they started.', runsTable(t))}
${apartSection(t)}
${section('How to read this', '', `<ul class="notes">${t.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`)}`,
    dataId: 'trend-data',
    data: charts,
    uplotCss: assets.uplotCss,
    uplotJs: assets.uplotJs,
    clientJs: assets.trendJs,
  });
}

const EXTRA_STYLE = `
.notes li { margin:4px 0; }
.nw { white-space:nowrap; word-break:normal; }
.cp-count { font-weight:650; }
`;

function header(t: Trend): string {
  const first = t.runs[0];
  const last = t.runs.at(-1);
  return `<header>
<div class="brand">fanout-bench <span>${h(t.tool.version)}</span> · trend</div>
<h1>${h(t.group.scenario)}: ${t.runs.length} run${t.runs.length === 1 ? '' : 's'}, <span class="cp-count">${t.changePoints.length} change point${t.changePoints.length === 1 ? '' : 's'}</span></h1>
<dl class="facts">
<div><dt>load</dt><dd>${h(t.group.load)}</dd></div>
<div><dt>target</dt><dd>${h(t.group.target)}</dd></div>
<div><dt>machine</dt><dd>${h(t.group.machine)}</dd></div>
${first && last ? `<div><dt>from</dt><dd>${h(runDate(first))} to ${h(runDate(last))}</dd></div>` : ''}
${t.baseline ? `<div><dt>baseline</dt><dd>${h(t.baseline.runId)}</dd></div>` : ''}
<div><dt>created</dt><dd>${h(t.createdAt)}</dd></div>
</dl>
</header>`;
}

function changeTable(t: Trend): string {
  const configs = configChangeLines(t);
  const banner = configs.length > 0 ? `<div class="banner warn"><strong>The functions' configuration changed between runs.</strong><ul>${configs.map((l) => `<li>${h(l)}</li>`).join('')}</ul></div>` : '';
  if (t.changePoints.length === 0) return `${banner}<p class="note">${h(noChangeText(t))}</p>`;
  const rows = t.changePoints.map((c) => {
    const run = t.runs[c.index];
    return [
      `<code>${h(c.metric)}</code><span class="src"> ${h(c.label)}</span>`,
      `<span class="nw">${h(run ? runDate(run) : '')}</span><br><span class="src">${h(c.runId)}</span>`,
      h(stepText(c)),
      `<span class="nw change ${c.after.median > c.before.median ? 'up' : 'down'}">${h(changePctText(c))}</span>`,
      `<code>${h(commitRange(c))}</code>`,
      `<span class="src">${h(methodText(c))}</span>`,
    ];
  });
  return banner + table(['metric', 'first run after', 'before → after', 'change', 'commits', 'found by'], rows);
}

function chartGrid(t: Trend): string {
  const boxes = t.metrics.map((m, i) =>
    m.missing
      ? emptyChartBox(html`${m.label} <code>${m.name}</code>`, m.missing)
      : `<figure class="chart-box"><figcaption>${h(m.label)} <code>${h(m.name)}</code>${m.exact ? ' <span class="src">exact</span>' : ''}</figcaption><div class="chart" data-chart="${chartId(i)}" data-metric="${h(m.name)}"></div></figure>`,
  );
  return `<div class="grid two">${boxes.join('')}</div>`;
}

function runsTable(t: Trend): string {
  const rows = t.runs.map((r) => [
    `<span class="nw">${h(runDate(r))}</span>`,
    h(r.runId),
    `<code>${h(shortCommit(r.commit))}</code>${r.dirty ? ' <span class="bad-text">dirty</span>' : ''}`,
    h(r.ref ?? '–'),
    h(r.toolVersion),
    h(r.node),
    String(r.repeats),
    `<span class="src">${h(r.file)}</span>`,
  ]);
  return table(['started', 'run', 'commit', 'ref', 'tool', 'Node', 'repeats', 'file'], rows);
}

function apartSection(t: Trend): string {
  if (t.setApart.length === 0 && t.skipped.length === 0) return '';
  const apart = t.setApart.map((a) => [`<span class="nw">${h(runDate(a))}</span>`, h(a.runId), h(a.reason), `<span class="src">${h(a.file)}</span>`]);
  const skipped = t.skipped.map((s) => [`<span class="src">${h(s.file)}</span>`, h(s.reason)]);
  return section(
    'Not in the trend',
    'Runs of another scenario, target or machine, or that did not complete, are not mixed in: give them to a trend of their own.',
    `${apart.length > 0 ? `<h3>Set apart</h3>${table(['started', 'run', 'why', 'file'], apart)}` : ''}${skipped.length > 0 ? `<h3>Skipped (not readable as results)</h3>${table(['file', 'why'], skipped)}` : ''}`,
  );
}
