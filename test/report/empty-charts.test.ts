import { describe, expect, it } from 'vitest';
import type { SweepComparison } from '../../src/analyses/compare/compare-schema.ts';
import { renderSweepHtml } from '../../src/report/compare-sweep/html.ts';
import { readComparison } from '../../src/report/compare/read-comparison.ts';
import { COMPARE_FILES } from '../../src/report/compare/write.ts';
import { renderPlanHtml } from '../../src/report/plan/html.ts';
import { NO_CHART_DATA } from '../../src/report/shared/html-parts.ts';
import { compareExcludedPage, searchInterruptedPage } from './page-fixtures.ts';
import { PLAN } from './plan-fixture.ts';

/**
 * Every page kind shows a chart that has no data as the run page does: a box with the chart's
 * title and, under it, which data it lacks and why (shared/empty-chart.ts, drawn by html-parts'
 * chartBox). The compare, sweep, search and plan pages used to leave such a chart out of their
 * data, and the page drew an untitled "No data for this chart." in its place.
 */

/** Each empty chart box of a page: its title and what it says under it. */
function emptyBoxes(html: string): Array<{ title: string; why: string }> {
  return [...html.matchAll(/<figure class="chart-box empty"><figcaption>(.*?)<\/figcaption><p class="no-data">(.*?)<\/p><\/figure>/g)].map((m) => ({ title: m[1]!, why: m[2]! }));
}

function expectNoUntitledBox(html: string) {
  expect(html).not.toContain(`<div class="chart-box empty"><p class="no-data">${NO_CHART_DATA}</p></div>`);
}

describe('an empty chart on every page kind: its title, and which data it lacks and why', () => {
  it('compare, every size excluded: both charts say no size counted a run', async () => {
    const { html } = await compareExcludedPage();
    expectNoUntitledBox(html);
    expect(emptyBoxes(html)).toEqual([
      { title: 'Cost versus mean Duration', why: 'No size counted a run: each was excluded (the banner above says why).' },
      { title: 'mean Duration and cost by memory size', why: 'No size counted a run: each was excluded (the banner above says why).' },
    ]);
    // the empty chart says why no size is on it; no list of sizes "not on the chart" beside it
    expect(html).not.toContain('Not on the cost-versus-latency chart');
  });

  it('sweep, every point excluded: both charts say no point counted a run', async () => {
    const c = (await readComparison(new URL(`../fixtures/plan/sweep-10-100-1000/${COMPARE_FILES.json}`, import.meta.url).pathname)) as SweepComparison;
    const none: SweepComparison = { ...c, points: c.points.map((p) => ({ ...p, status: 'excluded' as const })) };
    const html = renderSweepHtml(none);
    expectNoUntitledBox(html);
    expect(emptyBoxes(html)).toEqual([
      { title: 'Latency by members per room', why: 'No point counted a run: each was excluded (the banner above says why).' },
      { title: 'Cost per million deliveries by members per room', why: 'No point counted a run: each was excluded (the banner above says why).' },
    ]);
  });

  it('search interrupted in its first step: both knee charts say no load was measured to the end, and why', async () => {
    const { html } = await searchInterruptedPage();
    expectNoUntitledBox(html);
    const why = 'No load was measured to the end (interrupted (SIGINT)): its only step was cut short.';
    expect(emptyBoxes(html)).toEqual([
      { title: 'Broadcast latency against load', why },
      { title: 'Deliveries offered against delivered', why },
    ]);
  });

  it('plan: an axis grown to no point, a growth with no limit to share and a fit without points each say so under their titles', () => {
    const p = structuredClone(PLAN);
    p.growth[0]!.points = [];
    p.growth[1]!.points = p.growth[1]!.points.map((pt) => ({ ...pt, shares: {} }));
    const fitted = p.workModel.functions.find((f) => f.fit)!;
    fitted.fit = { ...fitted.fit!, points: [] };
    const html = renderPlanHtml(p);
    expectNoUntitledBox(html);
    const boxes = emptyBoxes(html);
    expect(boxes).toContainEqual({ title: 'Monthly cost against message rate', why: 'The planned peak was grown by message rate to no point: there is nothing to draw.' });
    expect(boxes).toContainEqual({ title: 'Each limit&#39;s share against message rate', why: 'The planned peak was grown by message rate to no point: there is nothing to draw.' });
    expect(boxes).toContainEqual({ title: 'Each limit&#39;s share against connections', why: 'No limit applies to this traffic: the plan holds no share of any limit to draw.' });
    expect(boxes).toContainEqual({ title: `${fitted.name}: billed ms per invocation against recipients`, why: `No room size measured for ${fitted.name}: the fit has no point to draw.` });
    // the charts that have data are drawn, not boxed
    expect(html).toContain('data-chart="cost-connections"');
  });
});
