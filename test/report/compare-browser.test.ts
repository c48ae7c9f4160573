import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReport, sharedChromium, type OpenedReport } from '../chromium.ts';
import { buildComparison } from '../../src/analyses/compare/build-comparison.ts';
import type { Comparison } from '../../src/analyses/compare/compare-schema.ts';
import { sizeColor } from '../../src/report/compare/chart-data.ts';
import { writeComparison } from '../../src/report/compare/write.ts';
import { writeReports } from '../../src/report/run/write.ts';
import { COMPARED, loadRecorded } from '../fixtures/compare/load.ts';

// A comparison of recorded emulator runs (256 and 1,769 MB, three repeats each, plus a size whose
// memory update failed) written by writeComparison next to the runs' own reports, then opened in
// real headless Chromium from disk: the uPlot charts draw a series per size, nothing reaches the
// network, nothing logs an error, and each run's link opens that run's report.

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

let browser: Browser;
let dir: string;
let comparison: Comparison;
let report: OpenedReport;
let page: Page;
let problems: string[];
let requests: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-compare-html-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const bySize = await loadRecorded();
  // the layout a compare run leaves: <out>/<comparison>/ with each run's directory beside it
  const sizes = [];
  for (const [memoryMB, list] of bySize) {
    const runs = [];
    for (const results of list) {
      const runDir = join(dir, 'runs', `${memoryMB}`, results.runId);
      await mkdir(runDir, { recursive: true });
      await writeReports(results, runDir);
      runs.push({ results, dir: runDir });
    }
    sizes.push({ memoryMB, runs });
  }
  sizes.push({ memoryMB: 512, runs: [{ error: 'UpdateFunctionConfiguration: LastUpdateStatus Failed' }] });
  comparison = buildComparison({ functions: [COMPARED], sizes });
  await writeComparison(comparison, join(dir, 'comparison'));

  browser = await sharedChromium();
  report = await openReport(browser, join(dir, 'comparison', 'index.html'));
  ({ page, problems, requests } = report);
});

afterAll(async () => {
  await report?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Pixels of a chart's canvas within a colour distance of each given colour. */
function pixelsByColor(id: string, colors: string[]) {
  return page.evaluate(
    ({ id, colors }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-chart="${id}"] canvas`);
      if (!canvas) return null;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const rgb = colors.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
      const counts = colors.map(() => 0);
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] < 100) continue;
        rgb.forEach((c, k) => {
          if (Math.abs(data[i] - c[0]) + Math.abs(data[i + 1] - c[1]) + Math.abs(data[i + 2] - c[2]) < 40) counts[k]++;
        });
      }
      return counts;
    },
    { id, colors },
  );
}

describe('compare index.html in headless Chromium', () => {
  it('draws the cost-versus-latency chart with one uPlot series per measured size, offline and without errors', async () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([page.url()]);

    const measured = comparison.sizes.filter((s) => s.status !== 'excluded');
    expect(measured.map((s) => s.memoryMB)).toEqual([256, 1769]);
    const chart = page.locator('[data-chart="cost-latency"]');
    await expect(chart.locator('canvas').count()).resolves.toBe(1);
    // uPlot's legend lists its series (the x series is left out of a legend that is not live): one per size
    expect(await chart.locator('.u-legend .u-series .u-label').allTextContents()).toEqual(['256 MB', '1,769 MB']);
    const perSize = await pixelsByColor('cost-latency', measured.map((s) => sizeColor(comparison, s.memoryMB)));
    expect(perSize).not.toBeNull();
    for (const [k, n] of perSize!.entries()) expect(n, `${measured[k].memoryMB} MB: pixels in its colour`).toBeGreaterThan(40);

    // Power Tuning's view: latency and cost by memory
    const byMemory = page.locator('[data-chart="by-memory"]');
    expect(await byMemory.locator('.u-legend .u-series .u-label').allTextContents()).toEqual(['memory', 'mean Duration', 'Lambda cost per million deliveries']);
    const lines = await pixelsByColor('by-memory', ['#2563eb', '#d97706']);
    for (const n of lines!) expect(n).toBeGreaterThan(40);
    await page.screenshot({ path: join(ARTIFACTS, 'compare.png'), fullPage: true });
  });

  it('shows the recommendations, the excluded size and a row per size', async () => {
    const cards = page.locator('.reco .card');
    expect(await cards.locator('.label').allTextContents()).toEqual(['cheapest', 'fastest', 'balanced (weight 0.5)']);
    expect(await cards.locator('.value').allTextContents()).toEqual(comparison.recommendations.map((r) => `${r.pick!.memoryMB.toLocaleString('en-US')} MB`));
    expect(await page.locator('.reco .banner.danger').textContent()).toContain('512 MB — repeat 1: UpdateFunctionConfiguration: LastUpdateStatus Failed');
    const rows = page.locator('section', { hasText: 'Latency by size' }).locator('tbody tr');
    expect(await rows.locator('td:first-child').allTextContents()).toEqual(['256 MB', '512 MB', '1,769 MB']);
    expect(await rows.nth(1).locator('td').nth(1).textContent()).toBe('0 of 1 excluded');
    expect(await page.locator('body').textContent()).toContain('AWS Lambda Power Tuning prices Duration × memory alone: no request charge, no INIT.');
  });

  it("links each run to its own report by a relative path", async () => {
    const links = page.locator('section', { hasText: 'Each run keeps its own directory' }).locator('a');
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toHaveLength(6);
    for (const href of hrefs) expect(href).toMatch(/^\.\.\/runs\/(256|1769)\/[^/]+\/index\.html$/);
    const run = await openReport(browser, fileURLToPath(new URL(hrefs[0]!, page.url())));
    try {
      expect(await run.page.title()).toBe('fanout-bench · fanout');
      await expect(run.page.locator('h1').textContent()).resolves.toBe('fanout');
    } finally {
      await run.close();
    }
  });
});
