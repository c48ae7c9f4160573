import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReport, sharedChromium, type OpenedReport } from '../chromium.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { fmtMs } from '../../src/number-format.ts';
import { attributionModel } from '../../src/report/run/attribution-model.ts';
import { COLD_POINT_COLOR, COLD_POINT_LABEL } from '../../src/report/run/chart-data.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { judged, type JudgedResults } from '../../src/verdict/judged.ts';
import { ATTRIBUTION_FIXTURES } from '../fixtures/results/attribution-fixtures.ts';

// The run page's cold-against-warm section, headline cards and cold points in a real headless
// Chromium (Debian's package), at the width of a laptop and of a small one.

const NEW_TABLES = ['cold-warm', 'cold-tail', 'cold-routes'];

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await sharedChromium();
  dir = await mkdtemp(join(tmpdir(), 'fanout-attribution-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function load(file: URL): Promise<JudgedResults> {
  return judged(Results.parse(JSON.parse(await readFile(file, 'utf8'))));
}

async function open(r: JudgedResults, name: string, width: number): Promise<OpenedReport> {
  const file = join(dir, `${name}.html`);
  await writeFile(file, renderHtml(r));
  const opened = await openReport(browser, file);
  await resize(opened.page, width);
  return opened;
}

/** The page at `width` px (from the 1280 px it opens at), its charts redrawn. */
async function resize(page: Page, width: number): Promise<void> {
  if (width === page.viewportSize()!.width) return;
  await page.setViewportSize({ width, height: 900 });
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

/**
 * A table as laid out: every word (what lies between spaces) that a line break split, every
 * cell whose text is wider than its box, and the table's width against the room it has.
 */
function layout(page: Page, id: string) {
  return page.evaluate((id) => {
    const table = document.querySelector(`[data-table="${id}"]`)!;
    const split: string[] = [];
    const overflowing: string[] = [];
    for (const td of Array.from(table.querySelectorAll('td, th'))) {
      const box = td.getBoundingClientRect();
      const style = getComputedStyle(td);
      const inner = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const m of node.textContent!.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
          if (new Set(rects.map((r) => Math.round(r.top))).size > 1) split.push(m[0]);
          if (range.getBoundingClientRect().width > inner + 1) overflowing.push(m[0]);
        }
      }
    }
    return { split, overflowing, width: table.getBoundingClientRect().width, room: table.parentElement!.clientWidth, rows: table.querySelectorAll('tbody tr').length };
  }, id);
}

/** Pixels of a chart's canvas within a small colour distance of `hex`. */
function pixels(page: Page, chart: string, hex: string): Promise<number> {
  return page.evaluate(
    ({ chart, hex }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-chart="${chart}"] canvas`);
      if (!canvas) return -1;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! <= 100) continue;
        if (Math.abs(data[i]! - rgb[0]!) + Math.abs(data[i + 1]! - rgb[1]!) + Math.abs(data[i + 2]! - rgb[2]!) < 40) n++;
      }
      return n;
    },
    { chart, hex },
  );
}

const legend = (page: Page, chart: string) => page.locator(`[data-chart="${chart}"] .u-legend .u-label`).allTextContents();

describe('cold against warm on the run page, in headless Chromium', () => {
  // one page, laid out at 1280 px and then resized to 1024 px, as a window is
  it('at 1280 and at 1024 px: the new tables break no word and fit, the cards lead with the stack, the cold requests are drawn', async () => {
    const r = await load(ATTRIBUTION_FIXTURES.accessLog);
    const opened = await open(r, 'access-log', 1280);
    const { page, problems, requests, url } = opened;
    try {
      for (const width of [1280, 1024]) {
        await resize(page, width);
        for (const id of NEW_TABLES) {
          const t = await layout(page, id);
          expect(t.rows, id).toBeGreaterThan(0);
          expect(t.split, `${width} px: ${id}: words broken across lines`).toEqual([]);
          expect(t.overflowing, `${width} px: ${id}: words wider than their cell`).toEqual([]);
          expect(t.width, `${width} px: ${id}: fits its section`).toBeLessThanOrEqual(t.room + 1);
        }
        // the headline card: the stack's p99 first, labelled, the client's beside it, labelled
        const connect = attributionModel(r).headline[0]!;
        const card = page.locator('[data-card="connect"]');
        expect(await card.locator('.value').textContent()).toBe(`${fmtMs(connect.stack!.p99)}stack`);
        expect(await card.locator('.beside').textContent()).toBe(`${fmtMs(connect.client.p99)}client`);
        const [value, beside] = [await card.locator('.value').boundingBox(), await card.locator('.beside').boundingBox()];
        expect(value!.y).toBeLessThan(beside!.y);
        // the yellow box says how many invocations the host held back, and their waits
        expect(await page.locator('.banner.warn.host-held').textContent()).toContain('It held back 727 of 4,067 invocations serving timed requests (wait p50');
        // the cold requests, drawn as points in their own colour, with their legend entry
        for (const chart of ['latency-connect', 'latency-broadcast']) {
          expect(await legend(page, chart), chart).toContain(COLD_POINT_LABEL);
          // the stack's latency over time, and the client's beside it
          expect(await legend(page, chart), chart).toEqual(expect.arrayContaining(['stack p50', 'stack p99', 'client p50', 'client p99']));
          expect(await pixels(page, chart, COLD_POINT_COLOR), `${width} px: ${chart}: cold points drawn`).toBeGreaterThan(40);
        }
        expect(await legend(page, 'latency-fanoutCompletion')).not.toContain(COLD_POINT_LABEL);
      }
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await opened.close();
    }
  });

  it('results without attribution: the page as before, no cold points, no stack label', async () => {
    const opened = await open(await load(ATTRIBUTION_FIXTURES.none), 'none', 1280);
    const { page, problems } = opened;
    try {
      expect(problems).toEqual([]);
      for (const id of NEW_TABLES) await expect(page.locator(`[data-table="${id}"]`).count()).resolves.toBe(0);
      expect(await legend(page, 'latency-connect')).not.toContain(COLD_POINT_LABEL);
      await expect(page.locator('.card .who').count()).resolves.toBe(0);
      expect(await page.locator('section', { has: page.locator('h2', { hasText: 'Cold vs warm' }) }).locator('table').first().locator('th').first().textContent()).toBe('client-side');
    } finally {
      await opened.close();
    }
  });

  it("a user's stack at 1024 px: CloudFormation's long function names scroll the route table within its section, never widen the page", async () => {
    const r = await load(ATTRIBUTION_FIXTURES.accessLog);
    // the names CloudFormation gives a stack's functions: the stack's, the logical id's, a suffix
    for (const route of r.attribution!.routes) route.functionName = `my-launch-stack-production-${route.route.replace(/\W/g, '')}Function-3L155AAAFDPAZ`;
    const opened = await open(r, 'long-names', 1024);
    const { page, problems } = opened;
    try {
      expect(problems).toEqual([]);
      const t = await layout(page, 'cold-routes');
      expect(t.split).toEqual([]);
      expect(t.width, 'the table is wider than its section: the case this test is for').toBeGreaterThan(t.room + 1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    } finally {
      await opened.close();
    }
  });

  it('a subprotocol run at 1024 px: its tables break no word, and name their source', async () => {
    const opened = await open(await load(ATTRIBUTION_FIXTURES.subprotocol), 'subprotocol', 1024);
    const { page, problems } = opened;
    try {
      expect(problems).toEqual([]);
      for (const id of ['cold-warm', 'cold-tail']) {
        const t = await layout(page, id);
        expect(t.split, id).toEqual([]);
        expect(t.width, id).toBeLessThanOrEqual(t.room + 1);
      }
      await expect(page.locator('[data-table="cold-routes"]').count()).resolves.toBe(0);
      expect(await page.locator('.note.source').textContent()).toContain("the reference stack's cold flag");
    } finally {
      await opened.close();
    }
  });
});
