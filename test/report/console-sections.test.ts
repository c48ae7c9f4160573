import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSweep } from '../../src/analyses/compare/compare-schema.ts';
import { Search } from '../../src/analyses/search/search-schema.ts';
import { renderCompareConsole } from '../../src/report/compare/console.ts';
import { readComparison } from '../../src/report/compare/read-comparison.ts';
import { renderSweepConsole } from '../../src/report/compare-sweep/console.ts';
import { renderPlanConsole } from '../../src/report/plan/console.ts';
import { renderSearchConsole } from '../../src/report/search/console.ts';
import { sectionLines } from '../../src/report/shared/console-sections.ts';
import { recordedComparison } from '../fixtures/compare/load.ts';
import { PLAN } from './plan-fixture.ts';

/**
 * compare, search, plan and trend print a brief console by default, as run does: the headline, the
 * table and the answer, the detail counted in one line naming where it is (`--summary full`
 * prints it). What the brief one keeps is the full one's lines, in order, and the count is exact.
 */
const MORE = /^ {2}more {9}([\d,]+) lines? of (.+): --summary full prints them; summary\.md has every fact$/;

/** The brief console against the full: its lines are the full one's in order, and its more line counts the rest exactly. */
function expectBriefOfFull(brief: readonly string[], full: readonly string[]): void {
  const more = brief.at(-1)!;
  const m = MORE.exec(more);
  const kept = m ? brief.slice(0, -1) : brief;
  let at = 0;
  for (const line of kept) {
    at = full.indexOf(line, at);
    expect(at, line).toBeGreaterThanOrEqual(0);
    at++;
  }
  expect(m ? Number(m[1]!.replace(/,/g, '')) : 0).toBe(full.length - kept.length);
}

describe('a console in sections', () => {
  const sections = [{ lines: ['head', '  table'] }, { lines: ['  a', '  b'], detail: 'why' }, { lines: ['  answer'] }, { lines: ['  c'], detail: 'host' }, { lines: [], detail: 'empty' }];

  it('prints every section in order in full, and in brief all but the detail with one line counting it by name', () => {
    expect(sectionLines(sections, 'full')).toEqual(['head', '  table', '  a', '  b', '  answer', '  c']);
    expect(sectionLines(sections, 'brief')).toEqual(['head', '  table', '  answer', '  more         3 lines of why, host: --summary full prints them; summary.md has every fact']);
  });

  it('says nothing more where nothing was left out', () => {
    expect(sectionLines([{ lines: ['head'] }, { lines: [], detail: 'why' }], 'brief')).toEqual(['head']);
  });
});

describe('compare, search and plan in brief', () => {
  it("a memory comparison: the table and the recommendations, the repeats' whys counted", async () => {
    const c = await recordedComparison();
    const full = renderCompareConsole(c);
    const brief = renderCompareConsole(c, undefined, 'brief');
    expectBriefOfFull(brief, full);
    expect(brief.some((l) => l.startsWith('  cheapest:'))).toBe(true);
    expect(brief.filter((l) => /^ {2}(256|1,769) MB /.test(l))).toHaveLength(2);
  });

  it('a sweep: the points and the pick', async () => {
    const c = await readComparison(new URL('../fixtures/plan/sweep-10-100-1000/compare.json', import.meta.url).pathname);
    if (!isSweep(c)) throw new Error('plan/sweep-10-100-1000: not a sweep');
    const full = renderSweepConsole(c);
    const brief = renderSweepConsole(c, undefined, 'brief');
    expectBriefOfFull(brief, full);
    expect(brief.at(-1)).toMatch(/ of figures\b/);
    // the pick, as the full console says it
    const pick = full.find((l) => l.includes(' — '))!;
    expect(brief).toContain(pick);
  });

  it('a search: its steps, the answer and its first evidence; the earlier steps of a long search counted', () => {
    const s = Search.parse(JSON.parse(readFileSync(new URL('../fixtures/search/search.json', import.meta.url), 'utf8')));
    const long: Search = { ...s, steps: Array.from({ length: 3 }, () => s.steps).flat().map((st, i) => ({ ...st, index: i + 1 })) };
    for (const x of [s, long]) {
      const full = renderSearchConsole(x);
      const brief = renderSearchConsole(x, undefined, 'brief');
      expectBriefOfFull(brief, full);
      expect(brief.filter((l) => l.startsWith('  step ')).length).toBe(Math.min(10, x.steps.length));
      expect(brief.some((l) => l.startsWith('search: '))).toBe(true);
    }
  });

  it('a plan: the first limit to break, the total, the tightest headroom and the load hosts; the cost lines counted', () => {
    const full = renderPlanConsole(PLAN);
    const brief = renderPlanConsole(PLAN, undefined, 'brief');
    expectBriefOfFull(brief, full);
    expect(brief[0]).toMatch(/^first to break: /);
    expect(brief.some((l) => l.startsWith('plan: '))).toBe(true);
    expect(brief.at(-1)).toMatch(/of cost lines\b/);
  });
});
