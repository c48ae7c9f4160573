import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Real headless Chromium for the report tests: Debian's package (nothing is downloaded), with no
 * background traffic of its own, so that a page's requests are the page's.
 */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

/** the page size every report test opens at: the first screen the plan page's numbers must fit */
export const VIEWPORT = { width: 1280, height: 900 };

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
}

/** A report opened from disk, and what it did meanwhile: a test expects no problem and no request but its own URL. */
export interface OpenedReport {
  page: Page;
  url: string;
  /** console errors, page errors and dialogs, each prefixed with its kind */
  problems: string[];
  /** every URL the page requested */
  requests: string[];
  /** the messages of dialogs the page opened (each also a problem), dismissed */
  dialogs: string[];
}

/**
 * Opens a report file in a new page (at `viewport`, the report tests' by default), the way a person
 * opens it from disk, and waits two animation frames: uPlot has drawn whatever it draws on its first one.
 */
export async function openReport(browser: Browser, file: string, viewport: { width: number; height: number } = VIEWPORT): Promise<OpenedReport> {
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport });
  const opened: OpenedReport = { page, url, problems: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') opened.problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => opened.problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => opened.requests.push(r.url()));
  page.on('dialog', (d) => {
    opened.dialogs.push(d.message());
    opened.problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return opened;
}
