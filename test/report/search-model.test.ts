import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Search } from '../../src/analyses/search/search-schema.ts';
import { renderSearchConsole } from '../../src/report/search/console.ts';
import { renderSearchHtml } from '../../src/report/search/html.ts';
import { renderSearchMarkdown } from '../../src/report/search/md.ts';
import { searchPageModel } from '../../src/report/search/page-model.ts';
import { reportAssets } from '../../src/report/shared/assets.ts';
import { consoleText, htmlText, markdownText, missingFacts } from './page-model-facts.ts';

/**
 * A capacity search's facts are computed once (search/page-model.ts); the console, summary.md and
 * index.html each show every fact they show in the model's words. What each leaves out is listed
 * here, on purpose.
 */
const FIXTURE = Search.parse(JSON.parse(readFileSync(new URL('../fixtures/search/search.json', import.meta.url), 'utf8')));

/** Chart data for the page's script; a step's directory is the page's link. */
const NOT_TEXT = ['charts', 'steps.*.dir'];
/** The console: a line per step (load, outcome, p99, SLO values), the answer, its evidence and noise, what was restored, --expect. */
const CONSOLE_OMITS = [
  ...NOT_TEXT,
  'title',
  'vary',
  'unit',
  'from',
  'to',
  'resolution',
  'hold',
  'warmUp',
  'slos',
  'target',
  'startedAt',
  'limitingFactor',
  'evidence.*.factor',
  'expect.expression',
  'steps.*.broadcastP50',
  'steps.*.offeredPerSec',
  'steps.*.deliveredPerSec',
  'steps.*.whyNotMet',
  'steps.*.evidence',
];
/** summary.md: everything but the page's header details, each step's why (its evidence is there) and the limiting factor's card (the evidence names its factor). */
const MD_OMITS = [...NOT_TEXT, 'warmUp', 'startedAt', 'limitingFactor', 'steps.*.whyNotMet'];
const HTML_OMITS = [...NOT_TEXT];

function expectEveryFact(s: Search) {
  const m = searchPageModel(s);
  expect(missingFacts(m, consoleText(renderSearchConsole(s, m)), CONSOLE_OMITS), 'console').toEqual([]);
  expect(missingFacts(m, markdownText(renderSearchMarkdown(s, m)), MD_OMITS), 'summary.md').toEqual([]);
  expect(missingFacts(m, htmlText(renderSearchHtml(s, reportAssets(), m)), HTML_OMITS), 'index.html').toEqual([]);
  return m;
}

describe('one model per search page', () => {
  it('every fact of a recorded search reads the same on the console, summary.md and the page', () => {
    const m = expectEveryFact(FIXTURE);
    expect(m.title).toBe('limit found: 32 messages/s');
    expect([m.maxPassing, m.firstFailing]).toEqual(['32 messages/s', '64 messages/s']);
    expect(m.steps.map((s) => s.outcome)).toEqual(FIXTURE.steps.map((s) => (s.passed ? 'met' : 'not met')));
    expect(m.steps.filter((s) => !s.passed).every((s) => s.whyNotMet.length > 0)).toBe(true);
  });

  it('what the search restored is on the console too (summary.md and the page said it, the console did not)', () => {
    const m = searchPageModel(FIXTURE);
    expect(m.restored).toEqual(['fanout-send-message memory back to 1024 MB']);
    expect(renderSearchConsole(FIXTURE, m)).toContain('  restored: fanout-send-message memory back to 1024 MB');
  });

  it('the range searched is one wording on summary.md and the page: loads with their unit', () => {
    const m = searchPageModel(FIXTURE);
    expect([m.from, m.to]).toEqual(['8 messages/s', '512 messages/s']);
    expect(renderSearchHtml(FIXTURE, reportAssets(), m)).toContain('<dd>rate, 8 messages/s to 512 messages/s</dd>');
  });

  it('a search stopped early, its --expect not held, on the stack\'s latencies: every rendering says so', () => {
    const s = structuredClone(FIXTURE);
    s.status = 'interrupted';
    s.statusReason = 'interrupted by the user at step 6';
    s.answer = { ...s.answer, kind: 'stopped', maxPassing: null };
    s.expect = { expression: 'max >= 64', held: false, detail: 'no load met every SLO: "max >= 64" does not hold' };
    for (const st of s.steps) st.figures.latencyFigure = 'stack';
    const m = expectEveryFact(s);
    expect(m.ok).toBe(false);
    expect(m.title).toBe('interrupted');
    expect(m.figureMark).toBe(' (stack)');
    expect(m.steps.every((st) => st.figure === ' (stack)')).toBe(true);
  });
});
