import type { Page } from 'playwright-core';
import { launchChromium, openReport } from '../chromium.ts';

/**
 * Opens a report the CLI wrote in real headless Chromium (Debian's), loads it from disk, hands
 * the page to `check`, and returns the page errors and console errors logged meanwhile (a test
 * expects none). The browser is closed whatever `check` throws.
 */
export async function inChromium(file: string, check: (page: Page) => Promise<void>): Promise<string[]> {
  const browser = await launchChromium();
  try {
    const { page, problems } = await openReport(browser, file);
    await check(page);
    return problems;
  } finally {
    await browser.close();
  }
}
