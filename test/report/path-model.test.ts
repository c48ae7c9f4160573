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
import { sqsFanoutHops } from '../fixtures/path/sqs-fanout-hops.ts';
import { hopLatency } from '../../src/metrics/cloudwatch/hop-reach-pull.ts';

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
        figures: 'sent 30  received 36  deleted 27  oldest 0.8 s max  depth 14 max  → fanout-worker  invocations 12  batch 3 avg  failed events 6  errors 6  concurrency 2→5',
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

  it("a path nothing passed (the reference stack's push path in a run that publishes nothing): one console line, the rows on the page", () => {
    const r = buildResults();
    r.path = {
      periodSec: 1,
      hops: [
        { kind: 'rule', name: 'fanout-push-rule', bus: 'fanout-push', totals: { matched: 0, invocations: 0, failed: 0 } },
        { kind: 'function', name: 'fanout-push', totals: { invocations: 0, errors: 0, throttles: 0, durationP99Ms: null, concurrencyMax: null, asyncReceived: 0, asyncAgeMaxMs: null, asyncDropped: 0 } },
      ],
    };
    const model = runPageModel(Results.parse(r)).path!;
    expect(model.idle).toBe("fanout-push-rule, fanout-push: nothing passed in the run's window");
    const out = pages(Results.parse(r));
    expect(out.console.match(/^ {2}path .*$/gm)).toEqual(["  path         fanout-push-rule, fanout-push: nothing passed in the run's window"]);
    expect(out.md).toContain('| rule | fanout-push-rule | matched 0  invocations 0  failed 0 |');
    expect(out.md).toContain("fanout-push-rule, fanout-push: nothing passed in the run&#39;s window.");
    expect(htmlText(out.html)).toContain("fanout-push-rule, fanout-push: nothing passed in the run's window.");
    // a path anything passed is a row per hop
    expect(runPageModel(withPath()).path!.idle).toBeUndefined();
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

describe('the delivery latency split by hop on the run page', () => {
  function withHops(): Results {
    const r = buildResults();
    r.hopLatency = sqsFanoutHops();
    return Results.parse(r);
  }

  it('orders the hops by p50 reach, each step the rise from the one before, the deliveries last (the pull, pure)', () => {
    const f = sqsFanoutHops();
    const unordered = [f.hops[2]!, f.hops[0]!, f.hops[3]!, f.hops[1]!].map(({ stepMs: _s, ...h }) => h);
    const split = hopLatency(unordered, { count: 270, min: 20, mean: 70, p50: 63, p90: 200, p99: 405, p999: 500, max: 600 });
    expect(split.hops.map((h) => h.hop)).toEqual(['gateway:sendMessage', 'sqs:fanout-jobs', 'lambda:fanout-worker', '@connections']);
    expect(split.hops.map((h) => h.stepMs)).toEqual([1.8, 6.4 - 1.8, 38 - 6.4, 61 - 38]);
    expect(split.delivered).toEqual({ count: 270, p50Ms: 63, p99Ms: 405, stepMs: 2 });
    // no deliveries measured: the split still ends with them, unknown
    expect(hopLatency(unordered, undefined).delivered).toEqual({ count: 0, p50Ms: null, p99Ms: null, stepMs: null });
    // stamped within the same millisecond (a topic's asynchronous invocation): the topic first, the function after it, a step of 0
    const tie = hopLatency([{ hop: 'lambda:fanout', count: 2, p50Ms: 4, p99Ms: 9 }, { hop: 'sns:Alerts', count: 2, p50Ms: 4, p99Ms: 9 }], undefined);
    expect(tie.hops.map((h) => [h.hop, h.stepMs])).toEqual([['sns:Alerts', 4], ['lambda:fanout', 0]]);
  });

  it('is one row per hop and the deliveries, and one console line of the p50 reaches', () => {
    const model = runPageModel(withHops()).hops!;
    expect(model.rows.at(-1)).toEqual({ hop: 'delivered', count: '270', p50: '63 ms', p99: '405 ms', step: '+2 ms' });
    expect(model.rows[1]).toEqual({ hop: 'sqs:fanout-jobs', count: '30', p50: '6.40 ms', p99: '12 ms', step: '+4.60 ms' });
    expect(model.line).toBe('p50 from the send: gateway:sendMessage +1.80 ms → sqs:fanout-jobs +6.40 ms → lambda:fanout-worker +38 ms → @connections +61 ms → delivered +63 ms');
  });

  it('every fact of the model is in the console, summary.md and the page; a run without the split shows none of it', () => {
    const r = withHops();
    const model = runPageModel(r).hops!;
    const out = pages(r);
    expect(out.console).toContain(`  hops         ${model.line}`);
    const texts = { md: markdownText(out.md), html: htmlText(out.html) };
    for (const [page, text] of Object.entries(texts)) {
      for (const f of modelFacts(model).filter((x) => !x.path.startsWith('line'))) expect(text, `${page}: ${f.path}`).toContain(f.text.replace(/\s+/g, ' '));
    }
    expect(out.md).toContain('### Hops');
    expect(out.html).toContain('<h2>Hops</h2>');
    const none = pages(Results.parse(buildResults()));
    expect(none.console).not.toMatch(/^ {2}hops /m);
    expect(none.md).not.toContain('### Hops');
    expect(none.html).not.toContain('<h2>Hops</h2>');
  });
});
