import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReport, sharedChromium, VIEWPORT, type OpenedReport } from '../chromium.ts';
import { BREAK_COLOR } from '../../src/report/plan/chart-data.ts';
import { PLAN_FILES, writePlan } from '../../src/report/plan/write.ts';
import { XSS } from './fixtures.ts';
import { hostilePlan } from './plan-fixture.ts';

// The plan of test/report/plan-fixture.ts (a hostile function name in it), written by writePlan
// and opened from disk in real headless Chromium: no network, no error, no script run from the
// name; the numbers on the first screen; every chart drawn, the first break marked in red on the
// two axes that have one and on no other.

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

let browser: Browser;
let dir: string;
let report: OpenedReport;
let page: Page;
let problems: string[];
let requests: string[];
/** the same plan with a real plan's long explanations in the headroom table (a sum over five functions) */
let longReport: OpenedReport;
let longPage: Page;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-plan-html-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const files = await writePlan(hostilePlan(XSS.functionName), dir);
  expect(files).toEqual([PLAN_FILES.json, PLAN_FILES.html, PLAN_FILES.summary].map((f) => join(dir, f)));

  browser = await sharedChromium();
  report = await openReport(browser, join(dir, PLAN_FILES.html));
  ({ page, problems, requests } = report);

  const plan = hostilePlan(XSS.functionName);
  const long = join(dir, 'long');
  await writePlan({ ...plan, headroom: plan.headroom.map((r) => ({ ...r, how: `${r.how}: ${LONG_HOW}` })) }, long);
  longReport = await openReport(browser, join(long, PLAN_FILES.html));
  longPage = longReport.page;
});

const LONG_HOW =
  "invocations/s × duration: fanout-send-message 250/s × p99 3.72 s at rooms of 1,000 × 0.192 (the fit of billed ms against recipients) = 0.713 s + fanout-join-room 27.8/s × p99 0.157 s + fanout-disconnect 27.8/s × p99 0.111 s + fanout-connect 27.8/s × p99 0.0669 s = 188";

/**
 * The headroom table's columns as laid out: per column its width, the widest word in it, the
 * widest line any of its cells fills, and every word that a line break split (a word: what lies
 * between spaces, "fanout-send-message" or "requests/s" included).
 */
function headroomLayout(p: Page, selector = 'table.headroom') {
  return p.evaluate((selector) => {
    const table = document.querySelector(selector)!;
    const heads = Array.from(table.querySelectorAll('thead th'));
    const cols = heads.map((th) => ({ name: th.textContent!, width: th.getBoundingClientRect().width, widestWord: 0, widestLine: 0, split: [] as string[] }));
    for (const tr of Array.from(table.querySelectorAll('tbody tr'))) {
      Array.from(tr.children).forEach((td, i) => {
        const col = cols[i]!;
        const left = td.getBoundingClientRect().left + parseFloat(getComputedStyle(td).paddingLeft);
        const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (const m of node.textContent!.matchAll(/\S+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
            if (new Set(rects.map((r) => Math.round(r.top))).size > 1) col.split.push(m[0]);
            const whole = range.getBoundingClientRect();
            col.widestWord = Math.max(col.widestWord, rects.length === 1 ? whole.width : 0);
            col.widestLine = Math.max(col.widestLine, whole.right - left);
          }
        }
      });
    }
    return { cols, tableWidth: table.getBoundingClientRect().width, roomWidth: table.parentElement!.clientWidth };
  }, selector);
}

afterAll(async () => {
  await report?.close();
  await longReport?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Pixels of one chart's canvas within a small colour distance of `hex` (-1: no canvas). */
function pixels(chart: string, hex: string | null): Promise<number> {
  return page.evaluate(
    ({ chart, hex }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-chart="${chart}"] canvas`);
      if (!canvas) return -1;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const rgb = hex ? [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) : null;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! <= 100) continue;
        // null: anything drawn at all
        if (!rgb || Math.abs(data[i]! - rgb[0]!) + Math.abs(data[i + 1]! - rgb[1]!) + Math.abs(data[i + 2]! - rgb[2]!) < 40) n++;
      }
      return n;
    },
    { chart, hex },
  );
}

const CHARTS = ['cost-messagesPerS', 'headroom-messagesPerS', 'cost-connections', 'headroom-connections', 'cost-roomSize', 'headroom-roomSize', 'fit-3'];

describe("a plan's index.html in headless Chromium", () => {
  it('loads offline, without errors, the hostile name as text', async () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([page.url()]);
    expect(await page.locator('svg').count()).toBe(0);
    expect(await page.locator('table.work code').nth(3).textContent()).toBe(`fanout-broadcast${XSS.functionName}`);
  });

  it('has the numbers on the first screen: the month, the first break, the headroom table begun', async () => {
    await page.screenshot({ path: join(ARTIFACTS, 'plan.png'), fullPage: true });
    await page.screenshot({ path: join(ARTIFACTS, 'plan-first-screen.png') });
    const top = async (sel: string) => (await page.locator(sel).first().boundingBox())!.y;
    expect(await top('h1')).toBeLessThan(VIEWPORT.height);
    expect(await page.locator('section.costs .card .value').first().textContent()).toBe('$4,321.50');
    const fb = (await page.locator('section.first-break').boundingBox())!;
    expect(fb.y + fb.height).toBeLessThan(VIEWPORT.height);
    expect(await page.locator('section.first-break').textContent()).toContain('1.99 × message rate (49.8 messages/s)');
    expect(await top('table.headroom')).toBeLessThan(VIEWPORT.height);
  });

  it('lays the headroom table out to read at 1280 px: no word split, each column its longest word wide, "at the peak" filled', async () => {
    for (const p of [page, longPage]) {
      const { cols, tableWidth, roomWidth } = await headroomLayout(p);
      expect(tableWidth).toBeLessThanOrEqual(roomWidth);
      expect(cols.map((c) => c.name)).toEqual(['limit', 'at the peak', 'headroom', 'how', 'limit from', 'what would move it']);
      for (const c of cols) {
        expect(c.split, `${c.name}: words split over two lines`).toEqual([]);
        expect(c.width, `${c.name}: narrower than its longest word`).toBeGreaterThanOrEqual(c.widestWord);
      }
      // the column was half empty when "needs X of Y (Z %)" was kept on one line beside squeezed names
      const peak = cols[1]!;
      expect(peak.widestLine / peak.width, 'at the peak: share of its width its widest line fills').toBeGreaterThan(0.7);
    }
    await longPage.locator('table.headroom').screenshot({ path: join(ARTIFACTS, 'plan-headroom.png') });
  });

  it('lays the load-hosts table out to read at 1280 px: no word split, each column its longest word wide', async () => {
    const { cols, tableWidth, roomWidth } = await headroomLayout(page, 'table.load-hosts');
    expect(tableWidth).toBeLessThanOrEqual(roomWidth);
    expect(cols.map((c) => c.name)).toEqual(['host', 'connections a host', 'deliveries/s a host', 'hosts', 'bound by', 'why']);
    for (const c of cols) {
      expect(c.split, `${c.name}: words split over two lines`).toEqual([]);
      expect(c.width, `${c.name}: narrower than its longest word`).toBeGreaterThanOrEqual(c.widestWord);
    }
    await page.locator('table.load-hosts').screenshot({ path: join(ARTIFACTS, 'plan-load-hosts.png') });
  });

  it('draws every chart, the limit in the legend of each headroom chart', async () => {
    expect(await page.locator('[data-chart]').evaluateAll((els) => els.map((e) => e.getAttribute('data-chart')))).toEqual(CHARTS);
    expect(await page.locator('.chart-failed').count()).toBe(0);
    for (const id of CHARTS) {
      expect(await page.locator(`[data-chart="${id}"] canvas`).count(), id).toBe(1);
      expect(await pixels(id, null), `${id}: drawn`).toBeGreaterThan(2000);
    }
    const legend = await page.locator('[data-chart="headroom-messagesPerS"] .u-legend .u-series .u-label').allTextContents();
    expect(legend[1]).toBe('account request rate (messages + @connections posts)');
    expect(legend).toContain(`fanout-broadcast${XSS.functionName} scaling rate`);
    expect(legend.at(-1)).toBe('the limit');
    // the fit: its measured points (blue) and the fitted line (amber)
    expect(await pixels('fit-3', '#2563eb')).toBeGreaterThan(50);
    expect(await pixels('fit-3', '#d97706')).toBeGreaterThan(100);
  });

  it('marks the first break in red on the axes that have one, and on no other', async () => {
    for (const id of ['cost-messagesPerS', 'headroom-messagesPerS', 'cost-roomSize', 'headroom-roomSize']) expect(await pixels(id, BREAK_COLOR), `${id}: marked`).toBeGreaterThan(150);
    for (const id of ['cost-connections', 'headroom-connections', 'fit-3']) expect(await pixels(id, BREAK_COLOR), `${id}: nothing marked`).toBeLessThan(10);
  });
});
