import { mkdtemp, rm } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReport, sharedChromium, type OpenedReport } from '../chromium.ts';
import { buildTrend } from '../../src/analyses/trend/build-trend.ts';
import type { Trend } from '../../src/analyses/trend/trend-schema.ts';
import { writeTrend } from '../../src/report/trend/write.ts';
import { XSS } from './fixtures.ts';
import { syntheticRuns } from '../metrics/trend-synthetic.ts';

// A trend of 40 synthetic nightly runs (a 15 % step at night 27, repeats on broadcast p50, a
// threshold on broadcast p99, a baseline), plus a run on another machine and one unreadable file,
// written by writeTrend and opened from disk in real headless Chromium: one uPlot chart per
// metric, the change points marked in red on exactly the charts that have one, no network, no
// error, and the set-apart run listed, not charted.

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const CHANGE_RED = '#dc2626';

let dir: string;
let trend: Trend;
let report: OpenedReport;
let page: Page;
let problems: string[];
let requests: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-trend-html-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const runs = syntheticRuns({ nights: 40, level: (n) => (n >= 27 ? 1.15 : 1), noise: 0.02, seed: 1, repeats: true });
  const [baseline] = syntheticRuns({ nights: 1, level: () => 1, noise: 0, seed: 5 });
  const other = syntheticRuns({ nights: 1, level: () => 1, noise: 0.02, seed: 6 })[0]!;
  other.results.runId = 'elsewhere';
  other.results.environment.cpuModel = XSS.payload;
  trend = buildTrend({
    runs: [...runs, other],
    skipped: [{ file: 'history/odd/results.json', reason: `not valid JSON ${XSS.problem}` }],
    baseline: baseline!,
    toolVersion: '0.1.0',
    createdAt: '2026-02-10T00:00:00.000Z',
  });
  await writeTrend(trend, dir);

  report = await openReport(await sharedChromium(), join(dir, 'index.html'));
  ({ page, problems, requests } = report);
});

afterAll(async () => {
  await report?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Pixels of one chart's canvas within a small colour distance of `hex`. */
function pixels(metric: string, hex: string): Promise<number> {
  return page.evaluate(
    ({ metric, hex }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-metric="${metric}"] canvas`);
      if (!canvas) return -1;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 100 && Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 40) n++;
      }
      return n;
    },
    { metric, hex },
  );
}

describe('trend index.html in headless Chromium', () => {
  it('draws one chart per metric, offline and without errors', async () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([page.url()]);
    const charted = trend.metrics.filter((m) => !m.missing).map((m) => m.name);
    expect(charted).toEqual(expect.arrayContaining(['broadcast.p50', 'broadcast.p99', 'connect.p99', 'cost.perMillionDeliveries', 'dynamodb.readUnitsPerMessage', 'harness.cpuSeconds']));
    const figures = page.locator('figure.chart-box');
    expect(await figures.count()).toBe(charted.length);
    expect(await page.locator('[data-metric] canvas').count()).toBe(charted.length);
    expect(await page.locator('[data-metric]').evaluateAll((els) => els.map((e) => e.getAttribute('data-metric')))).toEqual(charted);
    // the broadcast p99 chart: the value, the baseline and the threshold in its legend
    const p99 = page.locator('[data-metric="broadcast.p99"]');
    expect(await p99.locator('.u-legend .u-series .u-label').allTextContents()).toEqual(['run', 'broadcast p99', 'baseline', 'broadcast.p99 < 250ms']);
    const p50 = page.locator('[data-metric="broadcast.p50"]');
    expect(await p50.locator('.u-legend .u-series .u-label').allTextContents()).toContain('repeats max');
    await page.screenshot({ path: join(ARTIFACTS, 'trend.png'), fullPage: true });
  });

  it('marks the change points on the charts that have one, and on no other', async () => {
    const changed = new Set(trend.changePoints.map((c) => c.metric));
    expect(changed.has('broadcast.p50')).toBe(true);
    expect(trend.changePoints.every((c) => c.index === 27)).toBe(true);
    for (const m of trend.metrics.filter((x) => !x.missing)) {
      const red = await pixels(m.name, CHANGE_RED);
      if (changed.has(m.name)) expect(red, `${m.name}: its change point marked`).toBeGreaterThan(150);
      else expect(red, `${m.name}: nothing marked`).toBeLessThan(10);
    }
    // the band of the repeats is drawn (translucent blue over white)
    expect(await pixels('broadcast.p50', '#d3e0fb')).toBeGreaterThan(20);
  });

  it('lists the change points newest first with their commit range, and the run set apart and the file skipped', async () => {
    const rows = page.locator('section', { hasText: 'Change points' }).locator('tbody tr');
    expect(await rows.count()).toBe(trend.changePoints.length);
    const first = await rows.first().locator('td').allTextContents();
    expect(first[1]).toContain('nightly-27');
    expect(first[4]).toMatch(/^[0-9a-f]{12}\.\.[0-9a-f]{12}$/);
    const apart = page.locator('section', { hasText: 'Not in the trend' });
    expect(await apart.textContent()).toContain('elsewhere');
    expect(await apart.textContent()).toContain(`another machine (linux x64, 2 cores, ${XSS.payload})`);
    expect(await apart.textContent()).toContain('history/odd/results.json');
    expect(await page.locator('section', { hasText: 'In the order they started' }).locator('tbody tr').count()).toBe(40);
  });
});
