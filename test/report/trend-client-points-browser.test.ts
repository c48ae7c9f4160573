import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openReport, sharedChromium, type OpenedReport } from '../chromium.ts';
import { buildTrend } from '../../src/analyses/trend/build-trend.ts';
import { writeTrend } from '../../src/report/trend/write.ts';
import { syntheticRuns } from '../metrics/trend-synthetic.ts';
import { withStack } from '../verdict/stack-results.ts';

// A trend whose later runs have the stack's figure and whose earlier ones do not (results from
// before the access log): the latency charts draw the client's points apart, with a legend entry,
// in real headless Chromium, offline and without errors.

const CLIENT_ORANGE = '#b45309';
/** in the process's one Chromium (a launch is about 1 CPU-s): this file closes its tab, never the browser */
let report: OpenedReport | undefined;
let dir: string | undefined;

afterAll(async () => {
  await report?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('trend chart with runs without a stack figure', () => {
  it("marks the client's points and draws them", async () => {
    const runs = syntheticRuns({ nights: 10, level: () => 1, noise: 0.02, seed: 3 }).map((run, k) => (k < 4 ? run : { ...run, results: withStack(run.results, 0.9) }));
    const trend = buildTrend({ runs, metrics: ['broadcast.p99', 'deliveries.lost'], toolVersion: '0.1.0', createdAt: '2026-02-10T00:00:00.000Z' });
    const p99 = trend.metrics.find((m) => m.name === 'broadcast.p99')!;
    expect(p99.figures).toEqual([...Array(4).fill('client'), ...Array(6).fill('stack')]);
    dir = await mkdtemp(join(tmpdir(), 'fanout-trend-points-'));
    await writeTrend(trend, dir);
    report = await openReport(await sharedChromium(), join(dir, 'index.html'));
    const { page, problems, requests } = report;
    expect(problems).toEqual([]);
    expect(requests).toEqual([page.url()]);
    const chart = page.locator('[data-metric="broadcast.p99"]');
    expect(await chart.locator('.u-legend .u-series .u-label').allTextContents()).toEqual(['run', 'broadcast p99 (stack; client where marked)', "client's figure (no stack figure)"]);
    const orange = (metric: string) =>
      page.evaluate(
        ({ metric, hex }) => {
          const canvas = document.querySelector<HTMLCanvasElement>(`[data-metric="${metric}"] canvas`)!;
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
          let n = 0;
          for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 100 && Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 40) n++;
          return n;
        },
        { metric, hex: CLIENT_ORANGE },
      );
    expect(await orange('broadcast.p99')).toBeGreaterThan(40);
    expect(await orange('deliveries.lost')).toBeLessThan(10);
  });
});
