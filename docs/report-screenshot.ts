/**
 * The picture at the top of README.md: the top of a real run's report, rendered in headless
 * Chromium (Debian's package, driven by playwright-core, as the browser tests do).
 *
 *   node bin/fanout-bench.js run                                 # the default run → reports/<run-id>/
 *   npx tsx docs/report-screenshot.ts reports/<run-id> [docs/report.png]
 *
 * The report is opened from disk (file://), as a person opens it; only the first screen is kept,
 * so the PNG stays small enough for the README (under 200 KB).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const VIEWPORT = { width: 1200, height: 1170 };

const [runDir, out = 'docs/report.png'] = process.argv.slice(2);
if (runDir === undefined) {
  process.stderr.write('usage: npx tsx docs/report-screenshot.ts <run-dir> [out.png]\n');
  process.exit(2);
}
const html = resolve(join(runDir, 'index.html'));
if (!existsSync(html)) {
  process.stderr.write(`${html}: no report here (run \`fanout-bench run\` first, or \`fanout-bench report ${runDir}\`)\n`);
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`${CHROMIUM}: not installed (apt-get install -y chromium)\n`);
  process.exit(2);
}

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
try {
  const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(html).href);
  // the charts are drawn by uPlot after load: wait for the first canvas
  await page.waitForSelector('canvas', { timeout: 10_000 }).catch(() => undefined);
  await page.screenshot({ path: out, clip: { x: 0, y: 0, ...VIEWPORT } });
} finally {
  await browser.close();
}
process.stdout.write(`${out}: ${Math.round(statSync(out).size / 1024)} KB\n`);
