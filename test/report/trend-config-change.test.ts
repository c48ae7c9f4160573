import { describe, expect, it } from 'vitest';
import { buildTrend } from '../../src/analyses/trend/build-trend.ts';
import { configChanges } from '../../src/analyses/trend/config-changes.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import { renderTrendMarkdown } from '../../src/report/trend/md.ts';
import { renderTrendHtml } from '../../src/report/trend/html.ts';
import { reportAssets } from '../../src/report/shared/assets.ts';
import { loadRecorded } from '../fixtures/compare/load.ts';

/**
 * A trend over runs whose functions' memory differs (the compare fixture's 256 MB and 1,769 MB
 * runs of one scenario, target and machine): the noise rule never calls the step between two
 * configurations noise; the pages name the change and say the noisy metrics are not comparable
 * across it.
 */
const NOISE_SENTENCE = 'No change point: every metric stayed at its level within the noise';

async function runs(): Promise<Results[]> {
  const bySize = await loadRecorded();
  // the 256 MB runs first, then the 1,769 MB ones, a day apart, as nightly runs after a memory change
  return [...bySize.get(256)!, ...bySize.get(1769)!].map((r, k) => ({ ...r, startedAt: new Date(Date.UTC(2026, 10, 1 + k)).toISOString() }));
}

describe('a trend across a change of configuration', () => {
  it('names where a function\'s memory changed', async () => {
    const rs = await runs();
    expect(configChanges(rs)).toEqual([{ index: 3, lastBefore: 2, what: ['fanout-send-message 256 → 1,769 MB'] }]);
    expect(configChanges(rs.slice(0, 3))).toEqual([]);
  });

  it('two runs, 256 and 1,769 MB: no "within the noise" across them, the change named on every page', async () => {
    const rs = await runs();
    const trend = buildTrend({ runs: [rs[0]!, rs[3]!].map((results, k) => ({ file: `r${k}.json`, results })), toolVersion: '0', createdAt: '2026-11-27T00:00:00Z' });
    expect(trend.configChanges).toEqual([{ index: 1, runId: rs[3]!.runId, lastBeforeRunId: rs[0]!.runId, what: ['fanout-send-message 256 → 1,769 MB'] }]);
    const md = renderTrendMarkdown(trend);
    const html = renderTrendHtml(trend, reportAssets());
    for (const page of [md, html]) {
      expect(page).not.toContain(NOISE_SENTENCE);
      expect(page).toContain('fanout-send-message 256 → 1,769 MB from run');
      expect(page).toContain('latencies, Duration, cost and CPU are not comparable across it');
    }
  });

  it('six runs: each stretch of one configuration judged on its own, none across the change', async () => {
    const rs = await runs();
    const trend = buildTrend({ runs: rs.map((results, k) => ({ file: `r${k}.json`, results })), toolVersion: '0', createdAt: '2026-11-27T00:00:00Z' });
    expect(trend.configChanges?.map((c) => c.index)).toEqual([3]);
    // a noisy metric's change point would need three runs a side within one stretch: none here
    expect(trend.changePoints.filter((c) => c.method === 'e-divisive')).toEqual([]);
  });
});
