import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Results } from '../../src/contracts/results-schema.ts';
import { fmtInt, fmtMs } from '../../src/number-format.ts';
import { attributionModel } from '../../src/report/run/attribution-model.ts';
import { buildCharts, COLD_POINT_LABEL } from '../../src/report/run/chart-data.ts';
import { consoleSummary } from '../../src/report/run/console.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { renderJunit } from '../../src/report/run/junit.ts';
import { renderSummaryMarkdown } from '../../src/report/run/md.ts';
import { penaltyText, shareText } from '../../src/report/run/cold-warm-text.ts';
import { judged, type JudgedResults } from '../../src/verdict/judged.ts';
import { ATTRIBUTION_FIXTURES } from '../fixtures/results/attribution-fixtures.ts';

// The run's three pages over results with and without results.attribution: each says the same
// facts in the same numbers (they render one model), the stack's figure first only where the
// local host held something back, and results without attribution as they always were.

const load = (file: URL): JudgedResults => judged(Results.parse(JSON.parse(readFileSync(file, 'utf8'))));

/** Each page as the text a reader sees: the console's lines, summary.md and index.html without markup or escapes. */
function pages(r: JudgedResults): Record<'console' | 'md' | 'html', string> {
  const unescape = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const html = renderHtml(r)
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ');
  return {
    console: consoleSummary(r, 'results.json'),
    md: unescape(renderSummaryMarkdown(r))
      .replace(/\*\*/g, '')
      .replace(/\\([\\`*_[\]|])/g, '$1'),
    html: unescape(html).replace(/\s+/g, ' '),
  };
}

function inEach(p: Record<string, string>, facts: string[]): void {
  for (const [page, text] of Object.entries(p)) for (const fact of facts) expect(text, `${page}: ${fact}`).toContain(fact);
}

describe('the attribution model, rendered three ways', () => {
  it('an access-log run the host held back: the stack first, the client beside, cold against warm like with like, in the same numbers everywhere', () => {
    const r = load(ATTRIBUTION_FIXTURES.accessLog);
    const a = r.attribution!;
    const m = attributionModel(r);
    expect(m.stackFirst).toBe(true);
    const connect = m.headline.find((f) => f.key === 'connect')!;
    // every stack figure at most the client's
    for (const f of m.latencies) for (const stat of ['p50', 'p90', 'p99'] as const) expect(f.stack![stat], `${f.key} ${stat}`).toBeLessThanOrEqual(f.client[stat]);
    expect(connect.stack!.p99).toBeLessThan(connect.client.p99 / 3);

    // cold against warm: the stack's split, so the penalty is positive where the client's is not
    const row = m.coldWarm!.rows.find((x) => x.kind === 'connect')!;
    expect(row.figure).toBe('stack');
    expect(row.penaltyMs).toBeCloseTo(a.stack!.connectCold!.p50 - a.stack!.connectWarm!.p50, 3);
    expect(row.penaltyMs!).toBeGreaterThan(0);
    expect(a.connect!.penaltyMs!).toBeLessThan(0);
    expect(m.coldWarm!.rows.find((x) => x.kind === 'answer')!.figure).toBe('stack');

    const p = pages(r);
    inEach(p, [
      // the headline: stack first, then client
      `${fmtMs(connect.stack!.p99)}`,
      `${fmtMs(connect.client.p99)}`,
      `held back ${fmtInt(a.stack!.heldBack)} of ${fmtInt(a.stack!.invocations)} invocations serving timed requests (wait p50 ${fmtMs(a.stack!.wait!.p50)}, p99 ${fmtMs(a.stack!.wait!.p99)})`,
      // cold against warm
      'API Gateway access log joined with REPORT lines',
      'log group /aws/apigateway/chat-local/access',
      `${fmtInt(a.connect!.all.count)} (${fmtInt(a.stack!.connectCold!.count)} cold, ${fmtInt(a.stack!.connectWarm!.count)} warm, ${fmtInt(a.connect!.unattributed)} not traced)`,
      penaltyText(row.penaltyMs),
      fmtMs(a.stack!.connectCold!.p50),
      fmtMs(a.stack!.connectWarm!.p50),
      // the tail
      shareText(a.broadcast!.tailColdShare),
      fmtMs(a.broadcast!.p99WithoutColdMs),
      // what was not traced, with its reasons, never as warm
      `${fmtInt(a.requests.unattributed)} of ${fmtInt(a.requests.timed)} requests not traced: MESSAGE lines ≠ frames on the connection (511); no access-log line for the connection (12)`,
      // per route
      'fanout-send-message',
      `${fmtInt(a.routes[0]!.cold)} of ${fmtInt(a.routes[0]!.attributed)} (${shareText(a.routes[0]!.coldRate)})`,
      fmtMs(a.routes[0]!.initP50Ms),
      penaltyText(a.routes[0]!.stack!.penaltyMs),
      // the notes
      'deliveries attributed to the invocation that handled their message (first hop only)',
    ]);
    // the console's first lines: the host, then connect's stack line before its client line
    const lines = p.console.split('\n');
    expect(lines[2]).toMatch(/^ {2}host {9}held back 727 of 4,067 invocations serving timed requests/);
    // the host line's clause past 160 characters continues under it (console-lines.ts)
    expect(lines[3]).toMatch(/^ {15}the stack's figures first/);
    lines.splice(3, 1);
    expect(lines[3]).toBe(`  connect      stack  n=${fmtInt(connect.stack!.count)}  p50 ${fmtMs(connect.stack!.p50)}  p90 ${fmtMs(connect.stack!.p90)}  p99 ${fmtMs(connect.stack!.p99)}  max ${fmtMs(connect.stack!.max)}`);
    expect(lines[4]).toMatch(/^ {15}client n=1,000 /);
    // summary.md's headline leads with the stack's figure
    expect(p.md).toContain(`connect p99 ${fmtMs(connect.stack!.p99)} stack · ${fmtMs(connect.client.p99)} client`);
    // the old cold/warm lines from metrics are not printed beside the model's
    expect(p.console).not.toMatch(/^ {4}cold {7}n=/m);
  });

  it("a route SnapStart restores served: the restores' duration beside any INIT's, in the same words on every page", () => {
    const r = load(ATTRIBUTION_FIXTURES.accessLog);
    const route = r.attribution!.routes[0]!;
    // the console folds a long route line at a word
    const read = (x: JudgedResults) => Object.fromEntries(Object.entries(pages(x)).map(([k, v]) => [k, v.replace(/\s+/g, ' ')]));
    Object.assign(route, { restored: 3, restoreP50Ms: 180 });
    inEach(read(r), [`${fmtMs(route.initP50Ms)}; restore 180 ms (3 restored)`]);
    Object.assign(route, { initP50Ms: null });
    inEach(read(r), ['restore 180 ms (3 restored)']);
    // and per function, beside its INITs, where the REPORT lines are tabled (summary.md, index.html)
    const fn = Object.keys(r.cloudwatch!.reports)[0]!;
    Object.assign(r.cloudwatch!.reports[fn]!, { restores: 4, restoreDuration: { count: 4, min: 150, mean: 175, p50: 170, p90: 200, p99: 210, p999: 210, max: 210 } });
    const { md, html } = read(r);
    for (const page of [md, html]) expect(page).toContain('; 4 restored (restore p50 170 ms)');
  });

  it('junit.xml gives the headline as the page does: the stack figure, the client one under client.*', () => {
    const r = load(ATTRIBUTION_FIXTURES.accessLog);
    const xml = renderJunit(r);
    const connect = attributionModel(r).headline[0]!;
    expect(xml).toContain(`<property name="connect.p99" value="${fmtMs(connect.stack!.p99)}"/>`);
    expect(xml).toContain(`<property name="client.connect.p99" value="${fmtMs(connect.client.p99)}"/>`);
  });

  it('where the host held nothing back: one figure, and a word that it held nothing back', () => {
    const r = load(ATTRIBUTION_FIXTURES.accessLog);
    const stack = r.attribution!.stack!;
    // as the join reports it then: the stack's figures are the client's
    r.attribution!.stack = { ...stack, heldBack: 0, wait: undefined };
    delete r.attribution!.stack.wait;
    const m = attributionModel(r);
    expect(m.stackFirst).toBe(false);
    expect(m.latencies.every((f) => f.stack === undefined)).toBe(true);
    expect(m.coldWarm!.rows.every((x) => x.figure === 'client')).toBe(true);
    const p = pages(r);
    inEach(p, [`held back none of the ${fmtInt(stack.invocations)} invocations serving timed requests: the stack's figures are the client's`]);
    for (const [page, text] of Object.entries(p)) expect(text, page).not.toMatch(/\d stack\b/);
    expect(renderJunit(r)).not.toContain('client.connect.p99');
  });

  it("a subprotocol run: the reference stack's cold flag named, the client's figures, no routes, no host", () => {
    const r = load(ATTRIBUTION_FIXTURES.subprotocol);
    const a = r.attribution!;
    const m = attributionModel(r);
    expect(m.host).toBeUndefined();
    expect(m.coldWarm!.rows.map((x) => [x.kind, x.figure])).toEqual([
      ['connect', 'client'],
      ['broadcast', 'client'],
    ]);
    const p = pages(r);
    inEach(p, [
      "the reference stack's cold flag",
      `${fmtInt(a.broadcast!.all.count)} (${fmtInt(a.broadcast!.cold!.count)} cold, ${fmtInt(a.broadcast!.warm!.count)} warm)`,
      penaltyText(a.connect!.penaltyMs),
      fmtMs(a.connect!.cold!.p50),
      fmtMs(a.broadcast!.warm!.p99),
      `all ${fmtInt(a.requests.timed)} timed requests traced to their invocation`,
    ]);
    for (const [page, text] of Object.entries(p)) expect(text, page).not.toContain('Init Duration p50');
  });

  it('results without attribution render as they always did, from metrics.connectCold and the rest', () => {
    const r = load(ATTRIBUTION_FIXTURES.none);
    const m = attributionModel(r);
    expect([m.stackFirst, m.coldWarm, m.host]).toEqual([false, undefined, undefined]);
    const p = pages(r);
    expect(p.console).toMatch(/^ {4}cold {7}n=[\d,]+ {2}p50 [\d.,]+ ms/m);
    expect(p.md).toContain('| connect (cold) |');
    expect(p.html).toContain('client-side count share p50 p99 max');
    for (const [page, text] of Object.entries(p)) {
      expect(text, page).not.toContain('not traced');
      expect(text, page).not.toMatch(/\d stack\b/);
    }
  });

  it('the latency charts mark the cold requests as points of their own, with a "cold start" legend entry', () => {
    const r = load(ATTRIBUTION_FIXTURES.accessLog);
    const charts = buildCharts(r);
    const n = (kind: string) => r.attribution!.coldPoints.filter((x) => x.kind === kind).length;
    for (const [chart, kind] of [
      ['latency-connect', 'connect'],
      ['latency-broadcast', 'broadcast'],
    ]) {
      const cold = charts[chart]!.series.find((s) => s.label === COLD_POINT_LABEL)!;
      expect(cold, chart).toMatchObject({ points: true });
      expect(cold.x).toHaveLength(n(kind));
      expect(cold.values).toHaveLength(n(kind));
      // on the run's time axis, ascending, each its own x
      expect(new Set(cold.x).size).toBe(cold.x!.length);
      expect([...cold.x!].sort((p, q) => p - q)).toEqual(cold.x);
      expect(Math.max(...cold.x!)).toBeLessThanOrEqual(r.durationMs / 1000);
    }
    expect(charts['latency-fanoutCompletion']!.series.some((s) => s.points)).toBe(false);
    // the stack's latency over time first and solid, the client's beside it dashed, each labelled
    for (const [chart, kind] of [
      ['latency-connect', 'connect'],
      ['latency-broadcast', 'broadcast'],
    ] as const) {
      const lines = charts[chart]!.series.filter((s) => !s.points);
      expect(lines.map((s) => [s.label, s.dash ?? false]), chart).toEqual([
        ['stack p50', false],
        ['stack p99', false],
        ['client p50', true],
        ['client p90', true],
        ['client p99', true],
        ['client max', true],
      ]);
      const steps = r.attribution!.stack!.overTime![kind];
      expect(lines[1]!.values, chart).toEqual(steps.map((s) => s?.p99 ?? null));
      // each step at its middle, on the run's axis
      expect(lines[0]!.x![0]).toBe(0.5);
      // where the host held requests back, the stack's p99 is below the client's in that second
      const k = lines[1]!.values.findIndex((v) => v !== null);
      const clientAt = r.intervals.findIndex((i) => i.t - Date.parse(r.startedAt) === k * 1000);
      expect(lines[1]!.values[k]!).toBeLessThanOrEqual(charts[chart]!.series.find((s) => s.label === 'client max')!.values[clientAt] ?? Infinity);
    }
    expect(charts['latency-fanoutCompletion']!.series.map((s) => s.label)).toEqual(['p50', 'p90', 'p99', 'max']);
    // the distribution: the stack's curve and the client's of each latency, one colour, the client's dashed
    const dist = charts.distribution!.series;
    const pair = dist.filter((s) => s.label.startsWith('connect ('));
    expect(pair.map((s) => [s.label, s.dash ?? false])).toEqual([
      ['connect (stack)', false],
      ['connect (client)', true],
    ]);
    expect(pair[0]!.color).toBe(pair[1]!.color);
    // the join's own split and the host's waits are not drawn there
    expect(dist.map((s) => s.label).filter((l) => /attribution|wait|cold|warm/.test(l))).toEqual([]);
    expect(dist).toHaveLength(10);
    // without attribution: no cold points, the distribution as before
    const old = buildCharts(load(ATTRIBUTION_FIXTURES.none));
    expect(Object.values(old).some((c) => c.series.some((s) => s.points))).toBe(false);
    expect(old.distribution!.series.map((s) => s.label)).not.toContain('connect (stack)');
  });
});
