import { beforeAll, describe, expect, it } from 'vitest';
import { type SweepComparison } from '../../src/analyses/compare/compare-schema.ts';
import { gridOf } from './grid-fixture.ts';
import { buildSweepCharts } from '../../src/report/compare-sweep/chart-data.ts';
import { renderSweepConsole } from '../../src/report/compare-sweep/console.ts';
import { renderSweepHtml } from '../../src/report/compare-sweep/html.ts';
import { renderSweepMarkdown } from '../../src/report/compare-sweep/md.ts';
import { STACK_FIGURES, sweepPageModel } from '../../src/report/compare-sweep/page-model.ts';
import { readComparison } from '../../src/report/compare/read-comparison.ts';
import { COMPARE_FILES } from '../../src/report/compare/write.ts';
import { reportAssets } from '../../src/report/shared/assets.ts';
import { consoleText, htmlText, markdownText, markedModel, missingFacts } from './page-model-facts.ts';

/**
 * A sweep's facts are computed once (compare-sweep/page-model.ts); the console, summary.md and
 * index.html each show every fact they show in the model's words. What each leaves out is listed
 * here, on purpose.
 */

/** Chart data for the page's script; a run's directory is a link's target. */
const NOT_TEXT = ['charts', 'runs.*.dir'];
/** The console: a line per point (medians of the deciding columns), the pick, what missed, was noted, excluded or left out, the host's warnings, why a run failed. */
const CONSOLE_OMITS = [
  ...NOT_TEXT,
  'toolVersion',
  'createdAt',
  'description',
  'target',
  'holdConstant',
  'function',
  'pricing',
  'notes',
  'sloNone',
  'rows.*.setting',
  'rows.*.slo.why',
  'rows.*.slo.note',
  'rows.*.*.range',
  'rows.*.durationP50',
  'rows.*.deliveriesLost',
  'rows.*.sendsFailed',
  'rows.*.lambdaCost',
  'rows.*.dataTransferCost',
  'rows.*.dynamodbCost',
  'rows.*.architecture',
  'runs.*.run',
  'runs.*.status',
  'runs.*.warnings',
  // a run's size or point and why it was left out: on the console with the row it belongs to and as
  // leftOut's reason (the same words), not again a line a run
  'runs.*.where',
  'runs.*.leftOutBecause',
  // the first point to miss is among the missed, each with what did not pass
  'firstFailing',
];
/** summary.md: the page's header details, the per-service costs but API Gateway's and data out's, and the losses are the page's. */
const MD_OMITS = [
  ...NOT_TEXT,
  // a repeat left out is on the runs list with why (runs.*.leftOutBecause), the same words
  'leftOut',
  'toolVersion',
  'createdAt',
  'description',
  'target.url',
  'function',
  'pricing',
  'sloNone',
  'rows.*.durationP50',
  'rows.*.deliveriesLost',
  'rows.*.sendsFailed',
  'rows.*.lambdaCost',
  'rows.*.dynamodbCost',
  'rows.*.architecture',
];
const HTML_OMITS = [...NOT_TEXT, 'sloNone'];

function expectEveryFact(c: SweepComparison) {
  const m = sweepPageModel(c);
  expect(missingFacts(m, consoleText(renderSweepConsole(c, m)), CONSOLE_OMITS), 'console').toEqual([]);
  expect(missingFacts(m, markdownText(renderSweepMarkdown(c, m)), MD_OMITS), 'summary.md').toEqual([]);
  expect(missingFacts(m, htmlText(renderSweepHtml(c, reportAssets(), m)), HTML_OMITS), 'index.html').toEqual([]);
  // from the model and nowhere else (a marker for every fact; see markedModel)
  const marked = markedModel(m);
  expect(missingFacts(marked, consoleText(renderSweepConsole(c, marked)), CONSOLE_OMITS), 'console, from the model alone').toEqual([]);
  expect(missingFacts(marked, markdownText(renderSweepMarkdown(c, marked)), MD_OMITS), 'summary.md, from the model alone').toEqual([]);
  expect(missingFacts(marked, htmlText(renderSweepHtml(c, reportAssets(), marked)), HTML_OMITS), 'index.html, from the model alone').toEqual([]);
  return m;
}

let recorded: SweepComparison;

beforeAll(async () => {
  const c = await readComparison(new URL(`../fixtures/plan/sweep-10-100-1000/${COMPARE_FILES.json}`, import.meta.url).pathname);
  if (!('points' in c)) throw new Error('plan/sweep-10-100-1000: not a sweep');
  recorded = c;
});

describe('one model per sweep page', () => {
  it('every fact of a recorded room-size sweep reads the same on the console, summary.md and the page', () => {
    const m = expectEveryFact(recorded);
    expect(m.parameter).toBe('room size');
    expect(m.rows.map((r) => r.label)).toEqual(recorded.points.map((p) => p.label));
    // runs counted in one wording on all three (the console said "3/3")
    expect(m.rows.map((r) => r.countedOf)).toEqual(recorded.points.map((p) => `${p.runs.filter((r) => r.included).length} of ${p.runs.length}`));
    expect(renderSweepConsole(recorded, m).join('\n')).not.toMatch(/\b\d+\/\d+\b/);
  });

  it("a SnapStart sweep: the route's cold requests and the cache's month as columns on all three, its ranking latency on the chart", () => {
    const c = structuredClone(recorded);
    c.parameter = 'snapstart';
    c.latencyMetric = 'connect-p99';
    c.points = c.points.slice(0, 2).map((p, k) => ({
      ...p,
      x: k,
      label: `SnapStart ${k === 1 ? 'on' : 'off'}`,
      setting: { ...p.setting, snapStart: { function: 'chat', alias: 'live', version: String(k + 2), on: k === 1, memoryMB: 512, monthlyUsd: k === 1 ? 1.95 : 0 } },
      coldStarts: { route: '$connect', attributed: 20, cold: 3 + k, p99Ms: 40 },
    }));
    const m = expectEveryFact(c);
    expect(m.coldHead).toEqual(['cold', '$/month cache']);
    expect(m.rows.map((r) => r.coldSetting)).toEqual([{ cold: '3 of 20', monthly: '$0' }, { cold: '4 of 20', monthly: '$1.95' }]);
    const chart = buildSweepCharts(c)['sweep-latency'];
    expect('series' in chart && chart.series[0]!.label).toBe('connect p99');
    expect('series' in chart && chart.xLabels).toEqual(['off', 'on']);
  });

  it("the local host's warnings, the stack's latencies and a repeat left out: on summary.md and the page as on the console (they were the console's only)", () => {
    const c = structuredClone(recorded);
    c.latencyFigure = 'stack';
    const p = c.points[0]!;
    p.runs[0]!.hostWarnings = ['local host held back 12 of 200 fanout-send-message invocations'];
    p.runs.push({ ...structuredClone(p.runs[0]!), repeat: p.runs.length + 1, included: false, excludedBecause: 'run failed: the send function timed out', hostWarnings: [] });
    p.status = 'partial';
    const m = expectEveryFact(c);
    expect(m.hostWarnings).toEqual([{ where: `${p.label} repeat 1`, line: 'local host held back 12 of 200 fanout-send-message invocations' }]);
    expect(m.figureNote).toBe(STACK_FIGURES);
    expect(m.leftOut).toEqual([{ where: p.label, repeats: [{ repeat: p.runs.length, reason: 'run failed: the send function timed out' }] }]);
    const md = renderSweepMarkdown(c, m);
    expect(md).toContain(`> ${p.label} repeat 1: local host held back 12 of 200 fanout-send-message invocations`);
    expect(md).toContain('| fan-out p50 (stack) |');
    expect(renderSweepConsole(c, m)).toContain(`  left out ${p.label} repeat ${p.runs.length}: run failed: the send function timed out`);
  });

  it('a grid (--targets with --room-size): a row per room size, a cell per variant, the pick marked, the same on all three', () => {
    const c = gridOf(recorded);
    const m = expectEveryFact(c);
    const g = m.grid!;
    expect(g.variants).toEqual(['direct', 'queued']);
    expect(g.rows.map((r) => r.roomSize)).toEqual(recorded.points.map((p) => `${p.label}`));
    // queued is dearer everywhere but direct misses the largest size: direct, then queued
    expect(g.rows.map((r) => r.pick)).toEqual(['direct', 'direct', 'queued']);
    expect(g.rows.map((r) => r.cells.map((x) => x.recommended))).toEqual([[true, false], [true, false], [false, true]]);
    expect(m.recommendation.reason).toBe(c.grid!.line);
    expect(m.recommendation.reason).toMatch(/^direct up to rooms of 100; queued from 1,000: direct missed the SLO there \(/);
    expect(renderSweepConsole(c, m).join('\n')).toContain('by room size ($ per 1M deliveries');
    expect(renderSweepMarkdown(c, m)).toContain('### By room size');
    // the charts: room sizes on x, a line per variant
    const cost = m.charts['sweep-cost'];
    expect('series' in cost && cost.series.map((s) => s.label)).toEqual(['direct', 'queued']);
    expect(renderSweepHtml(c, reportAssets(), m)).toContain('class="pick" data-pick');
    expect(m.durationNote).toBeUndefined();
  });

  it("a grid of push runs, where the compared function never ran: its Duration column is named for it and says why it reads \"–\"", () => {
    const c = gridOf(recorded);
    const fn = c.functions[0]!;
    for (const p of c.points) p.functions[fn] = { ...p.functions[fn]!, invocations: null, durationP50Ms: null, durationP99Ms: null };
    const m = expectEveryFact(c);
    expect(m.durationNote).toBe(`${fn} ran in none of the runs, so its Duration reads "–": the runs' deliveries were posted by other functions (each run's report gives every function's Duration)`);
    expect(renderSweepMarkdown(c, m)).toContain(`| ${fn} Duration p99 |`);
    expect(renderSweepHtml(c, reportAssets(), m)).toContain(`<span class="nw">${fn}</span> Duration p99</th>`);
  });
});
