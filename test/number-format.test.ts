import { describe, expect, it } from 'vitest';
import { fmtFactor, fmtInt, fmtMemoryMB, fmtMs, fmtNum, fmtPercent, fmtRate, fmtRoomSize, fmtShare, fmtSignificant, fmtUsd, fmtValue } from '../src/number-format.ts';
import { consoleSummary } from '../src/report/run/console.ts';
import { renderHtml } from '../src/report/run/html.ts';
import { renderSummaryMarkdown } from '../src/report/run/md.ts';
import { fmtChangePercent } from '../src/report/shared/percent-change.ts';
import { judged } from '../src/verdict/judged.ts';
import { readRecorded } from './report/page-fixtures.ts';
import { htmlText, markdownText } from './report/page-model-facts.ts';

/**
 * The one way a number is written on every page, summary.md and the console: counts with
 * thousands separators, one rounding per quantity (a room size to 0.1, a percentage to 0.1 %, a
 * price in cents from a dollar up), and words where digits say nothing ("far below 1 %", "far
 * above ×1,000").
 */
describe('number-format', () => {
  it('counts: whole, with thousands separators', () => {
    expect(fmtInt(50_000)).toBe('50,000');
    expect(fmtInt(1_440_005_000)).toBe('1,440,005,000');
    expect(fmtInt(28_232)).toBe('28,232');
    expect(fmtInt(999)).toBe('999');
    expect(fmtNum(15_700_000_000)).toBe('15,700,000,000');
  });

  it('a room size: one decimal at most, the same in notes and tables (9.55 members is 9.6)', () => {
    expect(fmtRoomSize(9.55)).toBe('9.6');
    expect(fmtRoomSize(10)).toBe('10');
    expect(fmtRoomSize(18.94)).toBe('18.9');
    expect(fmtRoomSize(1000)).toBe('1,000');
    expect(fmtRoomSize(null)).toBe('–');
  });

  it('a percentage: to 0.1 % below 100 %, whole from there, a space before the sign; above 0 but under 0.1 % it says "far below 1 %"', () => {
    expect(fmtPercent(55.28)).toBe('55.3 %');
    // 25 and 18.0000001 round alike: no "25 %" beside "18.0 %"
    expect(fmtPercent(25)).toBe('25 %');
    expect(fmtPercent(18.0000001)).toBe('18 %');
    expect(fmtPercent(0.1)).toBe('0.1 %');
    expect(fmtPercent(0.0000416)).toBe('far below 1 %');
    expect(fmtPercent(0)).toBe('0 %');
    expect(fmtPercent(150)).toBe('150 %');
    expect(fmtPercent(502.8)).toBe('503 %');
    expect(fmtPercent(123_456.7)).toBe('123,457 %');
    expect(fmtPercent(-3.25)).toBe('−3.3 %');
    expect(fmtPercent(-0.00001)).toBe('about 0 %');
    expect(fmtShare(0.5528)).toBe('55.3 %');
    expect(fmtShare(0.000000416)).toBe('far below 1 %');
    // a metric's value in % (a threshold's, a cold-start share) is the same percentage
    expect(fmtValue(12, '%')).toBe('12 %');
    expect(fmtValue(0.5, '%')).toBe(fmtPercent(0.5));
  });

  it('a change in percent (a diff against the baseline, a trend\'s change point): signed, written as a percentage is', () => {
    expect(fmtChangePercent(143.2)).toBe('+143 %');
    expect(fmtChangePercent(37.71)).toBe('+37.7 %');
    expect(fmtChangePercent(-10.74)).toBe('−10.7 %');
    expect(fmtChangePercent(0)).toBe('0 %');
    expect(fmtChangePercent(0.01)).toBe('about 0 %');
    expect(fmtChangePercent(null)).toBe('–');
  });

  it('a factor: three significant digits with separators; past ×1,000 or under ×0.001, words', () => {
    expect(fmtFactor(3.2)).toBe('×3.2');
    expect(fmtFactor(1.99)).toBe('×1.99');
    expect(fmtFactor(0.45)).toBe('×0.45');
    expect(fmtFactor(123.456)).toBe('×123');
    expect(fmtFactor(1000)).toBe('×1,000');
    expect(fmtFactor(2_404_999)).toBe('far above ×1,000');
    expect(fmtFactor(0.0000416)).toBe('far below ×0.001');
  });

  it('three significant digits never as an exponent', () => {
    expect(fmtSignificant(3.86e-7)).toBe('0.000000386');
    expect(fmtNum(3.86e-7)).toBe('0.000000386');
    expect(fmtSignificant(0.000535)).toBe('0.000535');
    expect(fmtSignificant(1.05)).toBe('1.05');
    expect(fmtSignificant(1_570_000_000)).toBe('1,570,000,000');
    expect(fmtSignificant(-0.5)).toBe('-0.5');
  });

  it("a rate too slow for a decimal says how often (the plan's createRoom at 0.000000386/s)", () => {
    expect(fmtRate(500)).toBe('500/s');
    expect(fmtRate(0.0256)).toBe('0.0256/s');
    expect(fmtRate(0.00193)).toBe('1 every 8.64 min');
    expect(fmtRate(3.86e-7)).toBe('1 every 30.0 days');
    expect(fmtRate(0.02)).toBe('0.02/s');
    expect(fmtRate(0.005)).toBe('1 every 3.33 min');
    expect(fmtRate(0)).toBe('0/s');
  });

  it('memory: whole MB below a GB, GB to a tenth from there', () => {
    expect([512, 1023.6, 1024, 4096, 7475.2, 1_264_128].map(fmtMemoryMB)).toEqual(['512 MB', '1,024 MB', '1.0 GB', '4.0 GB', '7.3 GB', '1,234.5 GB']);
  });

  it('a latency: a space before the unit, seconds from 10 s (the progress line\'s p99 too)', () => {
    expect([0.42, 12.345, 150, 2_500, 12_345].map(fmtMs)).toEqual(['0.42 ms', '12.3 ms', '150 ms', '2,500 ms', '12.3 s']);
  });

  it('a price: cents from a dollar up, three significant digits below', () => {
    expect(fmtUsd(15_976.654)).toBe('$15,976.65');
    expect(fmtUsd(288)).toBe('$288.00');
    expect(fmtUsd(0.136)).toBe('$0.136');
    expect(fmtUsd(0)).toBe('$0');
  });
});

/**
 * The run page wrote its own percentages `12%` (number-format's old fmtPct) where every other page
 * writes `12 %` (fmtPercent). On the run's index.html, summary.md and console, from the default
 * and the failing run, every percentage has the space: the page's own and the verdict's check
 * sentences (src/verdict/checks.ts, fmtShare) alike, and a metric's value in % (fmtValue). The
 * recorded runs stored the verdict they were given then (a report quotes a stored verdict as
 * written), so they are judged afresh here.
 */
describe("the run page's percentages", () => {
  it('are fmtPercent\'s ("4 %", "17.5 %"), on index.html, summary.md and the console alike', async () => {
    for (const path of ['pages/default-run.results.json.gz', 'pages/failing-run.results.json.gz']) {
      const { verdict: _stored, ...recorded } = await readRecorded(path);
      const r = judged(recorded);
      const texts = { html: htmlText(renderHtml(r)), md: markdownText(renderSummaryMarkdown(r)), console: consoleSummary(r, 'results.json') };
      for (const [name, text] of Object.entries(texts)) {
        const unspaced = [...text.matchAll(/[\d.,]+%/g)].map((m) => m[0]);
        expect(unspaced, `${path}: ${name}`).toEqual([]);
      }
      // the cold starts' share of a route's requests, as the page words it
      expect(texts.html, path).toMatch(/\(\d+(\.\d)? %\)/);
    }
  });
});
