import { describe, expect, it } from 'vitest';
import { searchStep } from '../../src/analyses/search/search-step.ts';
import { buildTrend } from '../../src/analyses/trend/build-trend.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import { buildTrendCharts } from '../../src/report/trend/chart-data.ts';
import { renderSearchConsole } from '../../src/report/search/console.ts';
import { recorded } from '../verdict/recorded-runs.ts';
import { withStack } from '../verdict/stack-results.ts';

// search's knee and trend's series read the metric catalogue's figure: the stack's where a run has
// one (recorded local runs given a stack figure at a tenth of the client's), else the client's.

describe("search judges a step on the stack's latency", () => {
  it('a step whose client broadcast p99 crosses the SLO meets it on the stack figure, and its figures are the stack’s', async () => {
    const r = withStack(await recorded('base-1'));
    const verdict = evaluate(r, { thresholds: [parseThreshold('broadcast.p99 < 1s', '--threshold')] });
    const step = searchStep({ ...r, verdict }, { index: 1, load: 40, role: 'grow', dir: 'step-1' });
    expect(step.slos[0]).toMatchObject({ metric: 'broadcast.p99', outcome: 'pass', figure: 'stack' });
    expect(step.figures.broadcastP99Ms).toBeCloseTo(r.metrics.broadcast.p99 * 0.1, 6);
    expect(step.figures.latencyFigure).toBe('stack');

    // the same run without the stack's figure: the client's, which crosses it
    const plain = await recorded('base-1');
    const v2 = evaluate(plain, { thresholds: [parseThreshold('broadcast.p99 < 1s', '--threshold')] });
    const s2 = searchStep({ ...plain, verdict: v2 }, { index: 1, load: 40, role: 'grow', dir: 'step-1' });
    expect(s2.slos[0].outcome).toBe('fail');
    expect(s2.slos[0].figure).toBeUndefined();
    expect(s2.figures.broadcastP99Ms).toBe(plain.metrics.broadcast.p99);
  });

  it('the console names the figure', async () => {
    const r = withStack(await recorded('base-1'));
    const verdict = evaluate(r, { thresholds: [parseThreshold('broadcast.p99 < 1s', '--threshold')] });
    const step = searchStep({ ...r, verdict }, { index: 1, load: 40, role: 'grow', dir: 'step-1' });
    const lines = renderSearchConsole({
      steps: [step],
      unit: 'clients',
      // what the page's model reads besides (search/page-model.ts)
      scenario: { name: 'x', source: 'x' },
      from: 40,
      to: 40,
      resolution: 0.1,
      holdMs: 1000,
      warmUpMs: 0,
      slos: [],
      restored: [],
      answer: { kind: 'to-passed', summary: 's', maxPassing: 40, firstFailing: null, evidence: [], noise: [] },
    } as never);
    expect(lines[0]).toMatch(/broadcast p99 \(stack\) .* · broadcast\.p99 \d+ ms \(stack\)/);
  });
});

describe("trend's latency series", () => {
  it("use the stack's figure where a run has it, and mark a run without one as the client's", async () => {
    const [a, b, c] = await Promise.all(['base-1', 'base-2', 'base-3'].map(recorded));
    const runs = [withStack(a), withStack(b), c].map((results, k) => ({ file: `r${k}.json`, results }));
    const t = buildTrend({ runs, metrics: ['broadcast.p99', 'client.broadcast.p99', 'deliveries.lost'], toolVersion: 't', createdAt: '2026-01-01T00:00:00Z' });
    const order = t.runs.map((r) => runs.find((x) => x.results.runId === r.runId)!.results);
    const p99 = t.metrics.find((m) => m.name === 'broadcast.p99')!;
    expect(p99.figures).toEqual(order.map((r) => (r.attribution ? 'stack' : 'client')));
    expect(p99.values).toEqual(order.map((r) => expect.closeTo(r.attribution ? r.metrics.broadcast.p99 * 0.1 : r.metrics.broadcast.p99, 6)));
    expect(p99.label).toBe('broadcast p99 (stack; client where marked)');
    const client = t.metrics.find((m) => m.name === 'client.broadcast.p99')!;
    expect(client.values).toEqual(order.map((r) => r.metrics.broadcast.p99));
    expect(client.figures).toBeUndefined();
    expect(t.metrics.find((m) => m.name === 'deliveries.lost')!.figures).toBeUndefined();
    expect(t.notes.join(' ')).toMatch(/marked as the client's/);

    const chart = Object.values(buildTrendCharts(t)).find((x) => x.name === 'broadcast.p99')!;
    expect(chart.clientPoints).toEqual(order.map((r, k) => (r.attribution ? null : p99.values[k])));
  });
});
