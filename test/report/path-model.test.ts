import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { judged } from '../../src/verdict/judged.ts';
import { consoleSummary } from '../../src/report/run/console.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { reportAssets } from '../../src/report/shared/assets.ts';
import { runPageModel } from '../../src/report/run/page-model.ts';
import { pathCharts } from '../../src/report/run/path-charts.ts';
import { MAPPING_CHART_ID, queueChartId } from '../../src/report/run/path-model.ts';
import { buildResults, RUN_START } from './fixtures.ts';
import { consoleText, htmlText, markdownText, modelFacts } from './page-model-facts.ts';
import { sqsFanoutPath } from '../fixtures/path/sqs-fanout-path.ts';

/**
 * The run page's path (results.path): one model (path-model.ts), each hop a line of the console,
 * a row of summary.md's and the page's Path table, the page's charts of each queue and of the
 * mappings' concurrency; and a run without a path shows nothing of one.
 */
const ASSETS = reportAssets();

function withPath(): Results {
  const r = buildResults();
  r.path = sqsFanoutPath(RUN_START);
  return Results.parse(r);
}

function pages(r: Results) {
  const j = judged(r);
  return { console: consoleSummary(j, 'results.json', 1000), md: renderSummaryMarkdown(j), html: renderHtml(j, ASSETS) };
}

describe('the path on the run page', () => {
  it('is one line per hop: the queue with the mapping that consumes it, its dead-letter queue', () => {
    const model = runPageModel(withPath()).path!;
    expect(model.rows).toEqual([
      {
        kind: 'queue',
        name: 'fanout-jobs',
        figures: 'sent 30  received 36  deleted 27  oldest 0.8 s max  depth 14 max  → fanout-worker  invocations 12  batch 3.0 avg  failed events 6  errors 6  concurrency 2→5',
      },
      { kind: 'dead-letter queue', name: 'fanout-jobs-dlq', figures: 'moved 3 from fanout-jobs after maxReceiveCount 2  depth 3 max' },
    ]);
    expect(model.charts).toEqual([queueChartId('fanout-jobs'), queueChartId('fanout-jobs-dlq'), MAPPING_CHART_ID]);
  });

  it('every fact of the model is in the console, summary.md and the page', () => {
    const r = withPath();
    const model = runPageModel(r).path!;
    const out = pages(r);
    const texts = { console: consoleText(out.console), md: markdownText(out.md), html: htmlText(out.html) };
    // the chart ids are the page's to draw, not words to read
    const facts = modelFacts(model).filter((f) => !f.path.startsWith('charts'));
    for (const [page, text] of Object.entries(texts)) {
      for (const f of facts) expect(text, `${page}: ${f.path}`).toContain(f.text.replace(/\s+/g, ' '));
    }
    expect(out.console).toContain('  path         queue fanout-jobs  sent 30  received 36');
    expect(out.md).toContain('### Path');
    expect(out.html).toContain('<h2>Path</h2>');
  });

  it("draws each queue's age of oldest message and depth, and the mapping's batches at once, on the run's time axis", () => {
    const r = withPath();
    const charts = pathCharts(r);
    const jobs = charts[queueChartId('fanout-jobs')]!;
    expect(jobs.series.map((s) => s.label)).toEqual(['age of oldest message (s)', 'depth (visible messages)']);
    expect(jobs.series[1]!.right).toBe(true);
    // the first period's middle, seconds since the run started
    expect(jobs.x[0]).toBe(0.5);
    expect(jobs.series[0]!.values).toEqual([0, 0.4, 0.8, 0.2, 0]);
    const mapping = charts[MAPPING_CHART_ID]!;
    expect(mapping.series).toEqual([expect.objectContaining({ label: 'fanout-jobs → fanout-worker', values: [0, 2, 5, 3, 0] })]);
    const html = pages(r).html;
    for (const id of [queueChartId('fanout-jobs'), queueChartId('fanout-jobs-dlq'), MAPPING_CHART_ID]) expect(html).toContain(`data-chart="${id}"`);
  });

  it('a run without a path shows none: no line, no section, no chart', () => {
    const r = Results.parse(buildResults());
    expect(runPageModel(r).path).toBeUndefined();
    const out = pages(r);
    expect(out.console).not.toMatch(/^ {2}path /m);
    expect(out.md).not.toContain('### Path');
    expect(out.html).not.toContain('<h2>Path</h2>');
    expect(pathCharts(r)).toEqual({});
  });
});
