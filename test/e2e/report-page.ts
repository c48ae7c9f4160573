import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

/**
 * Opens a report the CLI wrote in real headless Chromium (Debian's), loads it from disk, hands
 * the page to `check`, and returns the page errors and console errors logged meanwhile (a test
 * expects none). The browser is closed whatever `check` throws.
 */
export async function inChromium(file: string, check: (page: Page) => Promise<void>): Promise<string[]> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await check(page);
    return errors;
  } finally {
    await browser.close();
  }
}
