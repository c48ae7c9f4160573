import { describe, expect, it } from 'vitest';
import { buildPlanCharts, type ScaleChart } from '../../src/report/plan/chart-data.ts';
import { renderPlanHtml } from '../../src/report/plan/html.ts';
import { XSS } from './fixtures.ts';
import { hostilePlan, PLAN } from './plan-fixture.ts';

/**
 * A plan's index.html, a pure function of plan.json (test/report/plan-fixture.ts: every section filled).
 * Numbers first: the month by service, the first break with its scale, traffic and cost, the
 * headroom lines; then the charts' data, and measured beside planned with the difference.
 */
const html = renderPlanHtml(PLAN);

/** The rows of the table with this class, each as its cells' text (tags dropped). */
function rows(page: string, cls: string): string[][] {
  const start = page.indexOf(`<table class="${cls}">`);
  expect(start, `table.${cls}`).toBeGreaterThan(-1);
  const body = page.slice(page.indexOf('<tbody>', start), page.indexOf('</tbody>', start));
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '')));
}

describe("a plan's index.html", () => {
  it('opens on numbers: the month by service, the traffic, the first break, the headroom, before any chart', () => {
    expect(html).toContain('<h1>$4,321.50 per month (30 days, profiled)</h1>');
    const cards = [...html.matchAll(/<div class="label">([^<]+)<\/div><div class="value">([^<]+)<\/div>/g)].map((m) => [m[1], m[2]]);
    expect(cards.slice(0, 5)).toEqual([
      ['total', '$4,321.50'],
      ['Lambda', '$1,659.54'],
      ['API Gateway', '$2,538.00'],
      ['DynamoDB', '$123.96'],
      ['measured', '$0.136'],
    ]);
    for (const f of ['<dt>connections</dt><dd>50,000</dd>', '<dt>room size</dt><dd>200</dd>', '<dt>messages/s</dt><dd>25</dd>', '<dt>connects/s</dt><dd>4.63</dd>', '<dt>session</dt><dd>180 min</dd>'])
      expect(html).toContain(f);
    expect(html).toContain('<dt>profile</dt><dd>plan.yaml: peak 18-22, off-peak 0.2 · daily mean 62.5 % of the peak</dd>');
    expect(html).toContain('Measured on the local emulator (emu-10)');

    // the first break: the limit, 1.99 × the message rate (49.75 messages/s), the traffic there, its cost
    expect(html).toContain('<h2>First limit to break: account request rate (messages + @connections posts) at 1.99 × message rate (49.8 messages/s), $6,888.47/month there</h2>');
    expect(cards.slice(5)).toEqual([
      // the scale in the words of the heading above it
      ['at', '1.99 × message rate'],
      ['connections there', '50,000'],
      ['room size there', '200'],
      ['messages/s there', '49.8'],
      ['cost there', '$6,888.47'],
    ]);
    expect(html).toContain('<div class="sub">49.8 messages/s</div>');
    expect(html).toContain('<strong>What would move it:</strong> a quota increase of the account throttle (Service Quotas), or fewer posts per message');
    // the other axes, each with its own outcome
    expect(html).toContain('<li>grown by connections: no limit passed up to 100 × connections (5,000,000 connections), $261,018.60/month there</li>');
    expect(html).toContain('<li>grown by room size: account request rate (messages + @connections posts) at 1.99 × room size (rooms of 398, 50,000 connections), $6,888.47/month there</li>');

    const firstChart = html.indexOf('data-chart=');
    for (const s of ['<h1>', 'First limit to break', 'Headroom at the peak']) expect(html.indexOf(s)).toBeLessThan(firstChart);
  });

  it('gives every limit as "needs X of Y (Z %)", the nearest first, the exceeded one marked', () => {
    const r = rows(html, 'headroom');
    expect(r.map((c) => [c[0], c[1], c[2]])).toEqual([
      ['API Gateway connection lifetime', 'needs 10,800 of 7,200 s (150 %)', 'exceeded'],
      ['account request rate (messages + @connections posts)', 'needs 5,025 of 10,000 requests/s (50.2 %)', '×1.99 to the limit'],
      ['account Lambda concurrency', 'needs 103 of 1,000 concurrent executions (10.3 %)', '×9.71 to the limit'],
      ['fanout-broadcast scaling rate', 'needs 41.2 of 1,000 new environments per 10 s (4.1 %)', '×24.3 to the limit'],
      ['API Gateway new connections per second', 'needs 4.63 of 500 connections/s (0.9 %)', '×108 to the limit'],
      ['table fanout-messages write units', 'needs 84 of 40,000 write units/s (0.2 %)', '×476 to the limit'],
    ]);
    expect([...html.matchAll(/<tr class="passed" data-limit="([^"]+)">/g)].map((m) => m[1])).toEqual(['connectionLifetime']);
  });

  it('charts cost and each limit\'s share per axis, the limit at 100 %, the first break marked where there is one; the fit\'s points and line', () => {
    const charts = buildPlanCharts(PLAN);
    expect(Object.keys(charts)).toEqual(['cost-messagesPerS', 'headroom-messagesPerS', 'cost-connections', 'headroom-connections', 'cost-roomSize', 'headroom-roomSize', 'fit-3']);
    const share = charts['headroom-messagesPerS'] as ScaleChart;
    expect(share.limit).toBe(100);
    expect(share.mark).toEqual({ x: 1.99, label: 'first break ×1.99' });
    expect(share.series[0]!.label).toBe('account request rate (messages + @connections posts)');
    expect(share.series[0]!.values[4]).toBeCloseTo(100.5, 6); // ×2: 0.5025 × 2
    expect(share.series.map((s) => s.label)).toContain('fanout-broadcast scaling rate');
    expect(share.xText[1]).toBe('31.3 messages/s');
    expect(share.xLabel).toBe('× message rate (1× = 25)');
    const cost = charts['cost-connections'] as ScaleChart;
    expect(cost.mark).toBeNull();
    expect(cost.x).toEqual([1, 2, 4, 8, 16, 32, 64, 100]);
    expect(cost.xText.at(-1)).toBe('5,000,000 connections');
    expect(cost.series[0]!.values[0]).toBe(4321.5);
    expect(charts['fit-3']).toEqual({
      kind: 'fit',
      title: 'fanout-broadcast: billed ms per invocation against recipients',
      xLabel: 'recipients per message',
      yLabel: 'billed ms per invocation',
      x: [10, 100, 1000],
      points: [33.1, 196.4, 1844],
      line: [10, 100, 1000].map((r) => 14.2 + 1.83 * r),
    });
    expect(html).toContain('<h3 data-axis="connections">Grown by connections (1× = 50,000 connections): no limit passed up to 100 × connections (5,000,000 connections), $261,018.60/month there</h3>');
    expect(html).toContain('<code>fanout-broadcast</code>: billed ms per invocation = 14.2 + 1.83 × recipients, r² = 0.997</h3>');
  });

  it('shows the work model with its sources, and measured beside planned with the difference', () => {
    const fns = rows(html, 'work');
    expect(fns[3]).toEqual(['fanout-broadcast broadcast', 'message', '1', '1.90 per recipient, fitted', '1,024 MB (measured at 512)', '410 ms at 100 recipients', 'report-lines', 'emulator, aws', 'emu-10, aws-100']);
    expect(fns[1]![0]).toBe('fanout-authorizer $connect (authorizer)');
    expect(rows(html, 'lines').at(-1)).toEqual(['total', '', '', '', '', '$4,321.50', '']);

    expect(rows(html, 'num check-invocations')).toEqual([
      ['fanout-connect', '1,200', '1,200', '0'],
      ['fanout-send-message', '2,400', '2,400', '0'],
      ['fanout-broadcast', '2,400', '2,412', '+12 (+0.5 %)'],
    ]);
    expect(rows(html, 'num check-lines')).toEqual([
      ['Lambda: requests', '6,000', '6,012', '+12 (+0.2 %)', '$0.00120', '$0.00120', '+$0.00000240 (+0.2 %)'],
      ['API Gateway: messages (32 KB units)', '134,400', '134,400', '0', '$0.134', '$0.134', '0'],
      ['API Gateway: connection minutes', '–', '426', '–', '–', '$0.000107', '–'],
      ['total', '', '', '', '$0.136', '$0.136', '+$0.000109 (far below 1 %)'],
    ]);
    expect(html).toContain('<h2>Measured beside planned (emu-10)</h2>');
  });

  it('gives the load hosts a rehearsal takes, one row a host size, the binding resource and why; then the Artillery workers', () => {
    const r = rows(html, 'load-hosts');
    expect(r.map((c) => c[0])).toEqual(['this host (2 vCPUs, 24 GiB)', 'c7i.large (2 vCPUs, 4 GiB)', 'c7i.xlarge (4 vCPUs, 8 GiB)', 'c7i.2xlarge (8 vCPUs, 16 GiB)', 'm7i.xlarge (4 vCPUs, 16 GiB)']);
    // 50,000 connections over one source address's 28,232 ports: 2 hosts of any size
    expect(r[1]!.slice(1, 5)).toEqual(['28,232by ports', '140,000', '2', 'ports']);
    expect(html).toContain('<p class="artillery">Artillery: artillery export --workers 10 (7 by open files: 7,992 clients a worker, 70,000 deliveries/s a worker; 10 divides the clients and the 250 rooms)</p>');
    expect(renderPlanHtml({ ...PLAN, loadHosts: undefined })).not.toContain('<table class="load-hosts">');
  });

  it('leaves out what a plan has not: no check, no growth, no profile', () => {
    const bare = renderPlanHtml({ ...PLAN, check: undefined, growth: [], firstBreak: null, headroom: [], traffic: { ...PLAN.traffic, profile: undefined } });
    expect(bare).not.toContain('Measured beside planned');
    expect(bare).not.toContain('data-chart="cost-');
    expect(bare).toContain('The traffic was not grown: no limit was checked.');
    expect(bare).toContain('<dt>profile</dt><dd>flat: the peak 24 h a day</dd>');
    expect(bare).toContain('data-chart="fit-3"');
  });

  it('escapes every name from the plan: a hostile function name, line item, label and note are text', () => {
    const page = renderPlanHtml(hostilePlan(XSS.functionName));
    expect(page).not.toContain(XSS.functionName);
    expect(page).not.toMatch(/<svg/i);
    const escaped = '&lt;svg onload=alert(4)&gt;';
    expect(page).toContain(`<code>fanout-broadcast${escaped}</code>`);
    // the headroom table keeps a hyphenated word whole in a span
    expect(page).toContain(`<td><span class="nw">fanout-broadcast&lt;svg</span> onload=alert(4)&gt; scaling rate</td>`);
    expect(page).toContain(`<td><span class="nw">fanout-broadcast&lt;svg</span> onload=alert(4)&gt;</td><td>2,400</td>`);
    expect(page).toContain(`<li>note ${escaped}</li>`);
    // in the charts' JSON too: the label cannot close its script
    const data = page.slice(page.indexOf('<script type="application/json" id="plan-data">'));
    expect(data.slice(0, data.indexOf('</script>'))).toContain('fanout-broadcast\\u003csvg onload=alert(4)\\u003e scaling rate');
  });
});
