import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type ConsoleMessage, type Dialog, type Page, type Request } from 'playwright-core';

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

const SHARED = Symbol.for('fanout-bench.test.chromium');

/**
 * One Chromium for every report test file of this process, launched at first use: a launch costs
 * about 1 CPU-s, and the shared project's files run one after another in one process
 * (vitest.config.ts), where module state is not kept between files but globalThis is. A file
 * closes the pages it opens, never this browser: it ends with the process. When vitest stops the
 * worker (SIGTERM) Playwright closes it, on exit Playwright kills it, and were the worker killed
 * outright, Chromium ends itself when its pipe to Playwright closes (tried: no Chromium outlives
 * a SIGKILLed launcher). A browser that crashed or disconnected is launched again.
 */
export function sharedChromium(): Promise<Browser> {
  const g = globalThis as { [SHARED]?: Promise<Browser> };
  g[SHARED] ??= launchChromium().then(
    (browser) => {
      browser.on('disconnected', () => delete g[SHARED]);
      return browser;
    },
    (err: unknown) => {
      delete g[SHARED];
      throw err;
    },
  );
  return g[SHARED];
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
  /** done with the report: its tab is blanked and kept for the next report this browser opens */
  close(): Promise<void>;
}

/** Idle tabs per browser, on globalThis as the shared browser is (module state ends with each file). */
const IDLE = Symbol.for('fanout-bench.test.chromium.idle-tabs');
/** enough for the files that hold two reports open at once; more would only hold memory */
const MAX_IDLE = 4;

function idleTabs(browser: Browser): Page[] {
  const g = globalThis as { [IDLE]?: WeakMap<Browser, Page[]> };
  const all = (g[IDLE] ??= new WeakMap());
  let tabs = all.get(browser);
  if (!tabs) all.set(browser, (tabs = []));
  return tabs;
}

/**
 * Opens a report file (at `viewport`, the report tests' by default), the way a person opens it
 * from disk, and waits two animation frames: uPlot has drawn whatever it draws on its first one.
 * In a tab another report was closed in if there is one: a new tab costs Chromium about 0.3 CPU-s,
 * a report loaded into a blanked one is a new document all the same (its scripts, layout and
 * events its own), at the size asked for, the mouse where a new tab has it.
 */
export async function openReport(browser: Browser, file: string, viewport: { width: number; height: number } = VIEWPORT): Promise<OpenedReport> {
  const url = pathToFileURL(file).href;
  const idle = idleTabs(browser);
  let reused = idle.pop();
  while (reused?.isClosed()) reused = idle.pop();
  if (reused) await reused.setViewportSize(viewport);
  const page = reused ?? (await browser.newPage({ viewport }));
  const onConsole = (m: ConsoleMessage) => {
    if (m.type() === 'error') opened.problems.push(`console: ${m.text()}`);
  };
  const onPageError = (e: Error) => opened.problems.push(`pageerror: ${e.message}`);
  const onRequest = (r: Request) => opened.requests.push(r.url());
  const onDialog = (d: Dialog) => {
    opened.dialogs.push(d.message());
    opened.problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  };
  const opened: OpenedReport = {
    page,
    url,
    problems: [],
    requests: [],
    dialogs: [],
    close: async () => {
      page.off('console', onConsole).off('pageerror', onPageError).off('request', onRequest).off('dialog', onDialog);
      if (page.isClosed()) return;
      if (idle.length >= MAX_IDLE) return page.close();
      await page.goto('about:blank');
      await page.mouse.move(0, 0);
      idle.push(page);
    },
  };
  page.on('console', onConsole).on('pageerror', onPageError).on('request', onRequest).on('dialog', onDialog);
  await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return opened;
}
