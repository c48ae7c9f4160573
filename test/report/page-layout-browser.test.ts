import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReport, sharedChromium } from '../chromium.ts';
import { jsonForScript } from '../../src/report/shared/escape.ts';
import { EDGE_PAGE_FIXTURES, PAGE_FIXTURES, SECTION_PAGE_FIXTURES, runFailingPage } from './page-fixtures.ts';
import { hoveredDashes, layoutProblems } from './page-layout-rule.ts';

// Every page kind (page-fixtures.ts: the default run, a failing run, a memory compare, a sweep, a
// search, a trend, a plan, an Artillery run's report; and, for their empty charts, an interrupted
// search and a compare whose sizes all failed; for the run page's Path section, the default run
// with a queued fan-out's path), rendered from recorded runs and opened from
// disk in one headless Chromium, at 1280 px and then resized to 1024 px, held to one rule
// (page-layout-rule.ts): no word broken mid-word, nothing wider than its box, no text over text,
// every chart titled and drawn (isolated points too) or saying why it is empty, one time origin,
// axis titles clear of their ticks, legends empty until hovered and without dashes when hovered.
// A failure lists every page, width, element and text that breaks it. The pages run one after
// another, each loaded into the tab the one before it left (a new tab costs Chromium about 0.3
// CPU-s; side by side, each needed one).

const WIDTHS = [1280, 1024] as const;
/** each page's problems, one a line, for reading beside a failure */
const ARTIFACTS = new URL('../../test-artifacts/page-layout/', import.meta.url).pathname;

let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-page-layout-'));
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await sharedChromium();
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The rule's problems on the page as it is laid out now, then the legends' as each chart is hovered. */
async function problemsOf(page: Page): Promise<string[]> {
  // the rule's functions come compiled; the helper that names functions must exist in the page
  await page.evaluate('globalThis.__name = globalThis.__name || ((f) => f)');
  return [...(await page.evaluate(layoutProblems)), ...(await page.evaluate(hoveredDashes))];
}

const frames = (page: Page, n: number) => page.evaluate((n) => new Promise<void>((done) => {
  const next = (k: number) => (k === 0 ? done() : requestAnimationFrame(() => next(k - 1)));
  next(n);
}), n);

describe('every page kind holds the layout rule in headless Chromium at 1280 and 1024 px', () => {
  for (const [name, build] of Object.entries({ ...PAGE_FIXTURES, ...EDGE_PAGE_FIXTURES, ...SECTION_PAGE_FIXTURES })) {
    it(name, async () => {
      const { html, section } = await build();
      const file = join(dir, `${name}.html`);
      await writeFile(file, html);
      const opened = await openReport(browser, file, { width: WIDTHS[0], height: 900 });
      const { page, problems } = opened;
      try {
        const found = [...problems];
        for (const width of WIDTHS) {
          if (width !== WIDTHS[0]) {
            // the page's charts follow the window (their resize waits a frame, uPlot draws on the next)
            await page.setViewportSize({ width, height: 900 });
            await frames(page, 3);
          }
          found.push(...(await problemsOf(page)).map((line) => `@${width}: ${line}`));
        }
        // the cases kept for their empty charts still have them: the rule's "says what it lacks" is held on each page kind's
        if (name in EDGE_PAGE_FIXTURES) expect(await page.locator('.chart-box.empty figcaption').count(), `${name}: its empty charts`).toBeGreaterThan(0);
        // a case kept for a section has it, with its charts drawn (the rule held them above)
        if (section) {
          const held = page.locator('section', { has: page.getByRole('heading', { level: 2, name: section, exact: true }) });
          expect(await held.count(), `${name}: its ${section} section`).toBe(1);
          expect(await held.locator('.chart-box:not(.empty)').count(), `${name}: the ${section} section's charts`).toBeGreaterThan(0);
        }
        await writeFile(join(ARTIFACTS, `${name}.txt`), found.join('\n'));
        expect(found, `${name}: the layout rule's problems`).toEqual([]);
      } finally {
        await opened.close();
      }
    });
  }
});

/**
 * The failing run's page with an isolated point added to its Errors chart (API ClientError 30 at
 * 0:10, between nulls, on periods of its own, as CloudWatch's points arrive), and, with
 * `defects`, the page as it was before the rule: words broken anywhere in cells (short names kept
 * whole no more), legends and
 * points left to uPlot's defaults, axes of a fixed size, the untitled empty box, a chart starting
 * before 0:00, tables that do not scroll.
 */
async function withDefects(defects: boolean): Promise<string> {
  let { html } = await runFailingPage();
  const open = '<script type="application/json" id="report-data">';
  const at = html.indexOf(open) + open.length;
  const end = html.indexOf('</script>', at);
  const charts = JSON.parse(html.slice(at, end)) as Record<string, { xRange?: number[]; series: unknown[] }>;
  charts.errors!.series.push({ label: 'API ClientError', x: [8.5, 9.5, 10.5, 11.5, 12.5], values: [null, null, 30, null, null], color: '#0891b2' });
  if (defects) charts['latency-connect']!.xRange = [-2, charts['latency-connect']!.xRange![1]!];
  html = html.slice(0, at) + jsonForScript(charts) + html.slice(end);
  if (!defects) return html;
  return html
    .replace('</head>', '<style>th, td, .nw { word-break:break-all; white-space:normal; } .table-wrap { overflow-x:visible; }</style></head>')
    .replace('fanoutFinishChart(plot);', '')
    .replaceAll('size: fanoutAxisSize', 'size: 30')
    .replace('<section><h2>Errors</h2>', '<section><h2>Errors</h2><div class="chart-box empty"><p class="no-data">No data for this chart.</p></div>');
}

describe('the layout rule in headless Chromium', () => {
  it('sees each defect it is for on a page that has them, and none of them once the page is fixed', async () => {
    const found: Record<string, string[]> = {};
    for (const defects of [true, false]) {
      const file = join(dir, `defects-${defects}.html`);
      await writeFile(file, await withDefects(defects));
      const opened = await openReport(browser, file, { width: 1024, height: 900 });
      try {
        found[String(defects)] = await problemsOf(opened.page);
      } finally {
        await opened.close();
      }
    }
    await writeFile(join(ARTIFACTS, 'rule-on-defects.txt'), found.true!.join('\n'));
    // the rule marks where a word broke with ⏎
    const seen = (pattern: RegExp) => found.true!.some((line) => pattern.test(line.replaceAll('⏎', '')));
    expect(seen(/\[Permissions\] td: word broken: "fanout-connect"/), 'a function name broken in the permissions table').toBe(true);
    expect(seen(/legend shows "–" with nothing hovered/), 'a static legend of dashes').toBe(true);
    expect(seen(/"Errors over time": series "API ClientError" has 1 values and is not drawn/), 'the isolated ClientError point').toBe(true);
    expect(seen(/its title overlaps its tick labels/), 'an axis title over its ticks').toBe(true);
    expect(seen(/div\.chart-box\.empty: a chart without a title/), 'the untitled empty box').toBe(true);
    expect(seen(/time axes start at -2 s \(Connect latency over time\)/), 'a time axis before the run').toBe(true);
    expect(found.false).toEqual([]);
  });
});
