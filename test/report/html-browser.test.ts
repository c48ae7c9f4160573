import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReport, sharedChromium, type OpenedReport } from '../chromium.ts';
import { Results } from '../../src/contracts/results-schema.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { renderJunit } from '../../src/report/run/junit.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import type { JudgedResults } from '../../src/verdict/judged.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { slowAgainstBaseline } from '../verdict/recorded-runs.ts';
import { buildResults, resultsWithOldTransferLine, XSS } from './fixtures.ts';
import { judged } from '../../src/verdict/judged.ts';

// The report in a real headless Chromium (Debian's package), opened from a file:// URL the way a
// person opens it from disk: no network, no console errors, every chart drawn, hostile strings shown as text.

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await sharedChromium();
  dir = await mkdtemp(join(tmpdir(), 'fanout-html-'));
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function open(results: Results, name: string): Promise<OpenedReport> {
  const file = join(dir, `${name}.html`);
  await writeFile(file, renderHtml(judged(results)));
  return openReport(browser, file);
}

/** Per chart: canvas pixels drawn at all, and pixels in one of its series' colours. */
function chartPixels(page: Page) {
  return page.evaluate(() => {
    const specs = JSON.parse(document.getElementById('report-data')!.textContent!) as Record<string, { series: Array<{ color: string }> }>;
    const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return Array.from(document.querySelectorAll<HTMLElement>('[data-chart]')).map((el) => {
      const id = el.dataset.chart!;
      const canvas = el.querySelector('canvas');
      if (!canvas) return { id, drawn: 0, colored: 0 };
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const colors = specs[id].series.map((s) => rgb(s.color));
      let drawn = 0;
      let colored = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 0) continue;
        drawn++;
        if (data[i + 3] > 100 && colors.some((c) => Math.abs(data[i] - c[0]) + Math.abs(data[i + 1] - c[1]) + Math.abs(data[i + 2] - c[2]) < 60)) colored++;
      }
      return { id, drawn, colored };
    });
  });
}

describe('index.html in headless Chromium', () => {
  it('opens from disk with no network request, no console error, and every chart drawn', async () => {
    const opened = await open(buildResults(), 'report');
    const { page, url, problems, requests } = opened;
    try {
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
      const charts = await chartPixels(page);
      expect(charts.map((c) => c.id).sort()).toEqual(
        [
          'latency-connect',
          'latency-broadcast',
          'latency-fanoutCompletion',
          'distribution',
          'throughput',
          'errors',
          'lambda-duration',
          'lambda-concurrency',
          'lambda-invocations',
          'lambda-throttles',
          'cold-starts',
          'stale',
          'harness',
          'local-host',
        ].sort(),
      );
      for (const c of charts) {
        expect(c.drawn, c.id).toBeGreaterThan(1000);
        expect(c.colored, `${c.id}: pixels in a series colour`).toBeGreaterThan(20);
      }
      await expect(page.locator('.verdict .pill').textContent()).resolves.toBe('FAIL');
      const costSection = page.locator('section', { hasText: 'Cost estimate' });
      expect(await costSection.locator('table').textContent()).toContain('connection-minutes');
      // AWS charges no data transfer on WebSocket APIs: no line, no $0 part, no note
      await expect(costSection.locator('tr', { hasText: 'Data transfer' }).count()).resolves.toBe(0);
      expect(await costSection.locator('.cards').textContent()).not.toContain('transfer');
      await expect(costSection.locator('.uncharged-transfer').count()).resolves.toBe(0);
      expect(await costSection.textContent()).toContain('at us-east-1 list prices as of 2025-08-01 (built-in table)');
      const work = page.locator('section', { hasText: 'Work per message' });
      expect(await work.locator('table').first().locator('tr', { hasText: 'DynamoDB read units' }).locator('td').allTextContents()).toEqual([
        'DynamoDB read units',
        '8,775',
        '4.18',
        '85.4',
        'cloudwatch',
      ]);
      expect(await work.locator('table').nth(1).textContent()).toContain('byConnection: 475 read, 1,950 write');
      // the local host held 120 of 1,000 connects back: a banner up top, and its own section
      expect(await page.locator('.verdict .banner.warn').textContent()).toContain('held back 120 of 1,000 fanout-connect invocations (wait p50 310 ms, p99 821 ms)');
      const host = page.locator('section', { has: page.locator('h2', { hasText: 'Local host' }) });
      expect(await host.locator('table.num').locator('tr', { hasText: 'fanout-connect' }).locator('td').allTextContents()).toEqual([
        'fanout-connect',
        '120',
        '1,000',
        '310 ms',
        '821 ms',
        '901 ms',
        '37.2 s',
      ]);
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    } finally {
      await opened.close();
    }
  });

  it('shows hostile strings from the target and the user as text, running none of them', async () => {
    const results = buildResults({ hostile: true });
    // a threshold on the hostile error kind: its expression and detail reach the verdict table
    results.verdict = evaluate(results, { thresholds: [parseThreshold(`errors[${JSON.stringify(XSS.errorKind)}] == 0`, '--threshold')] });
    const opened = await open(results, 'hostile');
    const { page, problems, dialogs } = opened;
    try {
      // hover everything a mouseover payload could sit on
      await page.mouse.move(300, 300);
      await page.locator('h1').hover();
      expect(dialogs).toEqual([]);
      expect(problems).toEqual([]);
      const dom = await page.evaluate(() => ({
        imgs: document.querySelectorAll('img').length,
        svgs: document.querySelectorAll('svg').length,
        handlers: document.querySelectorAll('[onerror],[onload],[onmouseover]').length,
        scripts: document.querySelectorAll('script').length,
        text: document.body.innerText,
        title: document.title,
      }));
      expect(dom).toMatchObject({ imgs: 0, svgs: 0, handlers: 0, scripts: 3 });
      for (const s of [XSS.errorKind, XSS.scenario, XSS.statusReason, XSS.problem, XSS.functionName]) expect(dom.text, s).toContain(s);
      expect(dom.title).toBe(`fanout-bench · ${XSS.scenario}`);
      expect(dom.text).toContain('The harness was saturated.');
      expect(await page.locator('[data-table="thresholds"] code').textContent()).toBe(`errors[${JSON.stringify(XSS.errorKind)}] == 0`);
      await page.screenshot({ path: join(ARTIFACTS, 'report-hostile.png'), fullPage: false });

      // junit.xml with the same strings is well-formed XML with one testcase per check
      const xml = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        return {
          errors: doc.getElementsByTagName('parsererror').length,
          cases: doc.getElementsByTagName('testcase').length,
          failures: Array.from(doc.getElementsByTagName('failure')).map((f) => f.getAttribute('message')),
        };
      }, renderJunit(judged(results)));
      expect(xml.errors).toBe(0);
      expect(xml.cases).toBe(6);
      expect(xml.failures[0]).toBe(`status failed: ${XSS.statusReason}`);
    } finally {
      await opened.close();
    }
  });

  it('re-rendering results recorded with the old data-transfer line says what AWS does not charge, and the estimate without it', async () => {
    const opened = await open(resultsWithOldTransferLine(), 'old-transfer');
    const { page, problems } = opened;
    try {
      expect(problems).toEqual([]);
      const costSection = page.locator('section', { hasText: 'Cost estimate' });
      const note = costSection.locator('.uncharged-transfer');
      await expect(note.isVisible()).resolves.toBe(true);
      expect(await note.textContent()).toBe(
        "Not on AWS's bill. This estimate was recorded with a data-transfer-out line of $0.00662 (0.0735 GB at $0.09 per GB), which AWS does not charge on WebSocket APIs " +
          '(they are billed for messages and connection minutes only). Without it: $0.119 this run, $1.16 per 1M deliveries, $2,776.80 per 1,000 users per month. ' +
          'fanout-bench report --arch x86_64 <run-dir> estimates it again without the line.',
      );
      await expect(note.locator('code').textContent()).resolves.toBe('fanout-bench report --arch x86_64 <run-dir>');
      // the recorded line and figures stay as recorded, under the note
      expect(await costSection.locator('tr', { hasText: 'Data transfer' }).locator('td').nth(1).textContent()).toBe('out to the clients (GB of 2^30 bytes)');
      expect(await costSection.locator('.cards .card').first().locator('.value').textContent()).toBe('$0.125');
    } finally {
      await opened.close();
    }
  });

  it('degrades gracefully without CloudWatch, cost or intervals', async () => {
    const results = buildResults({ cloudwatch: false });
    delete results.cost;
    results.intervals = [];
    const opened = await open(Results.parse(results), 'bare');
    const { page, problems, requests, url } = opened;
    try {
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
      const charts = await chartPixels(page);
      expect(charts.map((c) => c.id)).toEqual(['distribution']);
      expect(charts[0].colored).toBeGreaterThan(20);
      await expect(page.locator('.no-data').count()).resolves.toBeGreaterThanOrEqual(4);
      expect(await page.locator('body').textContent()).toContain('CloudWatch was not pulled for this run.');
      expect(await page.locator('body').textContent()).toContain('No work counts: CloudWatch was not pulled');
    } finally {
      await opened.close();
    }
  });

  it('shows the verdict: thresholds with their outcome, and the comparison with the baseline', async () => {
    const results: JudgedResults = await slowAgainstBaseline();
    const file = join(dir, 'verdict.html');
    await writeFile(file, renderHtml(results));
    const opened = await openReport(browser, file);
    const { page, problems, requests, url } = opened;
    try {
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
      await expect(page.locator('.verdict .pill').textContent()).resolves.toBe('FAIL');
      expect(await page.locator('.verdict-summary').textContent()).toBe(results.verdict.summary);
      const rows = async (table: string) =>
        page.locator(`[data-table="${table}"] tbody tr`).evaluateAll((trs) =>
          trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td.firstChild?.textContent ?? '').trim())),
        );
      expect((await rows('thresholds')).map((r) => r.slice(0, 4))).toEqual([
        ['broadcast.p50 <= baseline * 1.10', 'crossed', '2,304 ms', '<= 1,042 ms'],
        ['broadcast.p99 <= baseline * 1.10', 'within noise', '4,903 ms', '<= 3,915 ms'],
        ['deliveries.lost == 0', 'pass', '0', '== 0'],
        ['dynamodb.readUnitsPerMessage <= 2', 'crossed', '4.56', '<= 2'],
        ['stale.timeToCleanMs < 5s', 'no data', '–', '< 5,000 ms'],
      ]);
      const diff = await rows('diff');
      expect(diff.slice(0, 3)).toEqual([
        ['broadcast.p50', '948 ms', '2,304 ms', '+143 %', 'crossed'],
        ['broadcast.p99', '3,559 ms', '4,903 ms', '+37.7 %', 'within noise'],
        ['deliveries.lost', '0', '0', '–', 'pass'],
      ]);
      expect(diff).toHaveLength(results.verdict.diff!.length);
      // a crossed threshold reads red, within noise amber: the outcome is visible, not only written
      const colour = (sel: string) => page.locator(sel).first().evaluate((el) => getComputedStyle(el).color);
      expect(await colour('[data-table="thresholds"] .outcome.fail')).toBe('rgb(185, 28, 28)');
      expect(await colour('[data-table="thresholds"] .outcome.within-noise')).toBe('rgb(180, 83, 9)');
      const box = await page.locator('[data-table="diff"]').boundingBox();
      expect(box!.width).toBeGreaterThan(600);
      expect(box!.height).toBeGreaterThan(30 * diff.length);
      await page.locator('.verdict').screenshot({ path: join(ARTIFACTS, 'report-verdict.png') });
    } finally {
      await opened.close();
    }
  });
});
