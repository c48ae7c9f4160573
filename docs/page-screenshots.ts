/**
 * The pictures in the docs: the top of each page kind (the default run's report, a failing run's,
 * a memory compare, a sweep, a search, a trend, a plan, an Artillery run's report), rendered from
 * the recorded runs the layout test holds to its rule (test/report/page-fixtures.ts) and taken in
 * headless Chromium (Debian's package, driven by playwright-core, as the browser tests do):
 *
 *   npx tsx docs/page-screenshots.ts            # every kind → docs/images/<kind>.png (the default run: docs/report.png)
 *   npx tsx docs/page-screenshots.ts plan trend # only those
 *
 * Each page is opened from disk (file://), as a person opens it; the first screen is kept, so each
 * PNG stays small enough for the docs (under 300 KB; README.md's under 200 KB).
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, openReport } from '../test/chromium.ts';
import { PAGE_FIXTURES } from '../test/report/page-fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 1200, height: 1000 };
const DOCS = new URL('./', import.meta.url).pathname;
/** the default run's picture is README.md's, where it has always been; every other kind's in images/ */
const pictureOf = (kind: string) => (kind === 'run-default' ? join(DOCS, 'report.png') : join(DOCS, 'images', `${kind}.png`));

const asked = process.argv.slice(2);
const unknown = asked.filter((k) => !Object.hasOwn(PAGE_FIXTURES, k));
if (unknown.length > 0) {
  process.stderr.write(`${unknown.join(', ')}: not a page kind (${Object.keys(PAGE_FIXTURES).join(', ')})\n`);
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`${CHROMIUM}: not installed (apt-get install -y chromium)\n`);
  process.exit(2);
}

const dir = await mkdtemp(join(tmpdir(), 'fanout-page-screenshots-'));
const browser = await launchChromium();
try {
  await mkdir(join(DOCS, 'images'), { recursive: true });
  for (const kind of asked.length > 0 ? asked : Object.keys(PAGE_FIXTURES)) {
    const { html } = await PAGE_FIXTURES[kind]!();
    const file = join(dir, `${kind}.html`);
    await writeFile(file, html);
    const { page } = await openReport(browser, file, VIEWPORT);
    const out = pictureOf(kind);
    await page.screenshot({ path: out, clip: { x: 0, y: 0, ...VIEWPORT } });
    await page.close();
    process.stdout.write(`${out}: ${Math.round(statSync(out).size / 1024)} KB\n`);
  }
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}
