import { beforeAll, describe, expect, it } from 'vitest';
import { buildTrend } from '../../src/analyses/trend/build-trend.ts';
import type { Trend } from '../../src/analyses/trend/trend-schema.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import { reportAssets } from '../../src/report/shared/assets.ts';
import { renderTrendHtml } from '../../src/report/trend/html.ts';
import { renderTrendMarkdown } from '../../src/report/trend/md.ts';
import { trendPageModel } from '../../src/report/trend/page-model.ts';
import { loadRecorded } from '../fixtures/compare/load.ts';
import { htmlText, markdownText, missingFacts } from './page-model-facts.ts';

/**
 * A trend's facts are computed once (trend/page-model.ts); summary.md (which `trend` also prints)
 * and index.html each show every fact they show in the model's words. What summary.md leaves to
 * the page is listed here, on purpose.
 */
const NOT_TEXT = ['charts', 'metrics.*.id'];
/** summary.md: the change points, the configuration changes, what the trend covers and left out; the runs table, the charts and the notes are the page's. */
const MD_OMITS = [...NOT_TEXT, 'toolVersion', 'createdAt', 'changePoints.*.label', 'runs', 'metrics', 'notes', 'setApart.*.started', 'setApart.*.file'];
const HTML_OMITS = [...NOT_TEXT];

function expectEveryFact(t: Trend) {
  const m = trendPageModel(t);
  expect(missingFacts(m, markdownText(renderTrendMarkdown(t, m)), MD_OMITS), 'summary.md').toEqual([]);
  expect(missingFacts(m, htmlText(renderTrendHtml(t, reportAssets(), m)), HTML_OMITS), 'index.html').toEqual([]);
  return m;
}

let recorded: Results[];

beforeAll(async () => {
  const bySize = await loadRecorded();
  // 256 MB nightly runs, then 1,769 MB ones after a memory change, a day apart
  recorded = [...bySize.get(256)!, ...bySize.get(1769)!].map((r, k) => ({ ...r, startedAt: new Date(Date.UTC(2026, 10, 1 + k)).toISOString() }));
});

const trendOf = (runs: Results[]) => buildTrend({ runs: runs.map((results, k) => ({ file: `runs/${k}/results.json`, results })), toolVersion: '0.1.0', createdAt: '2026-11-27T00:00:00.000Z' });

describe('one model per trend page', () => {
  it('every fact of a trend across a memory change reads the same on summary.md and the page', () => {
    const m = expectEveryFact(trendOf(recorded));
    expect(m.runCount).toBe('6 runs');
    expect(m.configChanges).toEqual([expect.stringContaining('fanout-send-message 256 → 1,769 MB')]);
  });

  it('a trend of one configuration with no change point, a run set apart and a file skipped: the same on both', () => {
    const t = trendOf(recorded.slice(0, 3));
    // the three recorded 256 MB runs step on some metrics; the page of a trend that found none is what is held here
    t.changePoints = [];
    t.setApart.push({ runId: 'r-other', file: 'runs/x/results.json', startedAt: '2026-11-10T02:00:00.000Z', reason: 'another target: aws:prod' });
    t.skipped.push({ file: 'runs/y/results.json', reason: 'not JSON' });
    const m = expectEveryFact(t);
    expect(m.changePoints).toEqual([]);
    expect(m.noChange).toMatch(/^No change point/);
    expect(m.changePointCount).toBe('0 change points');
  });
});
