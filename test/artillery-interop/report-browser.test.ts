import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReport, sharedChromium } from '../chromium.ts';
import { artilleryNotes, artilleryResults } from '../../src/artillery-interop/output-results.ts';
import { readArtilleryOutput, readExportedScript } from '../../src/artillery-interop/read-output.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { evaluate } from '../../src/verdict/evaluate.ts';
import type { JudgedResults } from '../../src/verdict/judged.ts';

// An Artillery run's index.html (from the recorded output in test/fixtures/artillery) in a real
// headless Chromium, opened from disk: every chart Artillery's output has data for is drawn, the
// ones it has none for say so, and nothing fails or reaches the network.

const FIXTURES = fileURLToPath(new URL('../fixtures/artillery/', import.meta.url));

let browser: Browser;
let dir: string;

beforeAll(async () => {
  // the process's one Chromium (a launch is about 1 CPU-s): this file closes its tab, never the browser
  browser = await sharedChromium();
  dir = await mkdtemp(join(tmpdir(), 'fanout-artillery-html-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('an Artillery run\'s index.html in headless Chromium', () => {
  it('draws every chart it has data for, with no console error and no network request', async () => {
    const output = readArtilleryOutput(join(FIXTURES, 'output.json'));
    const script = readExportedScript(join(FIXTURES, 'script.yml'));
    const results = artilleryResults({ output, outputFile: 'output.json', script });
    results.verdict = evaluate(results, { notes: artilleryNotes(results, { outputFile: 'output.json', script }) });
    const file = join(dir, 'artillery.html');
    await writeFile(file, renderHtml(results as JudgedResults));
    const opened = await openReport(browser, file);
    const { page, url, problems, requests } = opened;
    try {
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
      const drawn = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('[data-chart]')).map((el) => {
          const canvas = el.querySelector('canvas');
          if (!canvas) return [el.dataset.chart, 0] as const;
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
          return [el.dataset.chart, n] as const;
        }),
      );
      expect(drawn.map(([id]) => id).sort()).toEqual(['errors', 'harness', 'latency-broadcast', 'latency-connect', 'latency-fanoutCompletion', 'throughput']);
      for (const [id, n] of drawn) expect(n, id).toBeGreaterThan(1000);
      const text = await page.locator('body').innerText();
      expect(text).toContain('per 10-second Artillery period');
      expect(text).toContain("latencies are Artillery's DDSketch summaries");
      expect(text).toContain('CloudWatch was not pulled for this run.');
    } finally {
      await opened.close();
    }
  });
});
