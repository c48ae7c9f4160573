import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildComparison } from '../../src/analyses/compare/build-comparison.ts';
import { Comparison } from '../../src/analyses/compare/compare-schema.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import { renderCompareConsole } from '../../src/report/compare/console.ts';
import { renderCompareHtml } from '../../src/report/compare/html.ts';
import { renderCompareMarkdown } from '../../src/report/compare/md.ts';
import { comparePageModel, type ComparePageModel } from '../../src/report/compare/page-model.ts';
import { reportAssets } from '../../src/report/shared/assets.ts';
import { COMPARED, loadRecorded } from '../fixtures/compare/load.ts';
import { consoleText, htmlText, markdownText, markedModel, missingFacts, modelFacts } from './page-model-facts.ts';

/**
 * A memory comparison's facts are computed once (compare/page-model.ts); the console, summary.md
 * and index.html each show every fact they show in the model's words. What each leaves out is
 * listed here, on purpose.
 */

/** Shown by none of the text: colours, chart data for the page's script, a run's directory (a link's target). */
const NOT_TEXT = ['rows.*.color', 'functionRows.*.color', 'runs.*.color', 'runs.*.dir', 'charts'];
/** The console is the summary: medians of the columns that decide, the recommendations, what was left out and why. */
const CONSOLE_OMITS = [
  ...NOT_TEXT,
  'toolVersion',
  'createdAt',
  'description',
  'target',
  'costIncludes',
  'pricing',
  'notes',
  'offChart',
  'functionRows',
  'rows.*.*.range',
  'rows.*.connectP50',
  'rows.*.deliveriesLost',
  'rows.*.sendsFailed',
  'rows.*.gbSecondsPer1000',
  'rows.*.costSource',
  // a picked size's reason is on summary.md and the page; the console names the pick
  'recommendations.*.reason',
  'runs.*.run',
  'runs.*.status',
  'runs.*.warnings',
  // a run's size or point and why it was left out: on the console with the row it belongs to and as
  // leftOut's reason (the same words), not again a line a run
  'runs.*.where',
  'runs.*.leftOutBecause',
  // named in the console only when it is not the default (Duration)
  'latencyRanked',
];
/** summary.md: the decisive table and the runs; the functions table, the price list and the chart's notes are the page's. */
const MD_OMITS = [
  ...NOT_TEXT,
  // a repeat left out is on the runs list with why (runs.*.leftOutBecause), the same words
  'leftOut',
  'toolVersion',
  'createdAt',
  'description',
  'target.url',
  'pricing',
  'offChart',
  'functionRows',
  'rows.*.connectP50',
  'rows.*.deliveriesLost',
  'rows.*.sendsFailed',
  'rows.*.gbSecondsPer1000',
  'rows.*.costSource',
  // the reason says it in full ("the difference is within the noise")
  'recommendations.*.withinNoise',
];
const HTML_OMITS = [...NOT_TEXT, 'recommendations.*.withinNoise'];

function rendered(c: Comparison) {
  const m = comparePageModel(c);
  return {
    m,
    console: consoleText(renderCompareConsole(c, m)),
    md: markdownText(renderCompareMarkdown(c, m)),
    html: htmlText(renderCompareHtml(c, reportAssets(), m)),
  };
}

function expectEveryFact(c: Comparison) {
  const r = rendered(c);
  expect(missingFacts(r.m, r.console, CONSOLE_OMITS), 'console').toEqual([]);
  expect(missingFacts(r.m, r.md, MD_OMITS), 'summary.md').toEqual([]);
  expect(missingFacts(r.m, r.html, HTML_OMITS), 'index.html').toEqual([]);
  // from the model and nowhere else: rendered from a model whose every fact is a marker, a
  // rendering that words a fact itself from compare.json ("2/3" for "2 of 3") lacks its marker
  const marked = markedModel(r.m);
  expect(missingFacts(marked, consoleText(renderCompareConsole(c, marked)), CONSOLE_OMITS), 'console, from the model alone').toEqual([]);
  expect(missingFacts(marked, markdownText(renderCompareMarkdown(c, marked)), MD_OMITS), 'summary.md, from the model alone').toEqual([]);
  expect(missingFacts(marked, htmlText(renderCompareHtml(c, reportAssets(), marked)), HTML_OMITS), 'index.html, from the model alone').toEqual([]);
  return r.m;
}

let recorded: Comparison;

beforeAll(async () => {
  const bySize = await loadRecorded();
  const r256 = bySize.get(256)!;
  const failed: Results = { ...structuredClone(r256[1]!), status: 'failed', statusReason: 'the send function timed out' };
  recorded = buildComparison({
    functions: [COMPARED],
    sizes: [
      { memoryMB: 256, runs: [r256[0]!, failed, r256[2]!].map((results, k) => ({ results, dir: `runs/256-${k + 1}` })) },
      { memoryMB: 512, runs: [{ error: 'UpdateFunctionConfiguration: LastUpdateStatus Failed' }] },
      { memoryMB: 1769, runs: bySize.get(1769)!.map((results, k) => ({ results, dir: `runs/1769-${k + 1}` })) },
    ],
    createdAt: '2026-11-22T12:00:00.000Z',
  });
});

describe('the facts helper', () => {
  it('names a fact a rendering lacks by its path, and leaves out what a rendering omits on purpose', () => {
    const model = { rows: [{ memory: '256 MB', p99: { median: '41 ms', range: '40 ms–44 ms' } }], charts: { title: 'Cost' } };
    expect(missingFacts(model, htmlText('<td>256&nbsp;MB</td><td>41 ms</td>'), ['charts'])).toEqual(['rows.0.p99.range: "40 ms–44 ms"']);
    expect(missingFacts(model, markdownText('| 256 MB | 41 ms (40 ms–44 ms) |'), ['charts'])).toEqual([]);
    expect(missingFacts(model, consoleText(['256 MB 41 ms']), ['rows.*.*.range', 'charts'])).toEqual([]);
  });
});

describe('one model per comparison page', () => {
  it('every fact of a comparison of recorded runs, with an excluded size and a repeat left out, reads the same on the console, summary.md and the page', () => {
    const m = expectEveryFact(recorded);
    // the cases the model holds are there to be checked
    expect(m.excluded.map((e) => e.memory)).toEqual(['512 MB']);
    expect(m.leftOut).toEqual([{ where: '256 MB', repeats: [{ repeat: 2, reason: expect.stringContaining('the send function timed out') }] }]);
    expect(m.rows.map((r) => [r.memory, r.counted, r.runs, r.countedOf, r.excluded])).toEqual([
      ['256 MB', 2, 3, '2 of 3', false],
      ['512 MB', 0, 1, '0 of 1', true],
      ['1,769 MB', 3, 3, '3 of 3', false],
    ]);
    expect(m.recommendations.every((r) => r.picked)).toBe(true);
    expect(modelFacts(m).length).toBeGreaterThan(100);
  });

  it('says how many runs counted one way on all three: "3 of 3", never "3/3" on the console', () => {
    const r = rendered(recorded);
    for (const [name, text] of [['console', r.console], ['summary.md', r.md], ['index.html', r.html]] as const) {
      expect(text, name).toContain('3 of 3');
      expect(text, name).toContain('2 of 3');
      expect(text, name).not.toMatch(/\b\d+\/\d+\b/);
    }
  });

  it('a comparison file written before sweeps reads the same on all three', () => {
    const c = Comparison.parse(JSON.parse(readFileSync(new URL('../fixtures/compare/memory-before-sweeps.compare.json', import.meta.url), 'utf8')));
    expectEveryFact(c);
  });

  it('what the local host decided and held back, and a pick within the noise, are facts of the model every rendering shows', () => {
    const c: Comparison = structuredClone(recorded);
    c.latencyFigure = 'stack';
    c.latencyMetric = 'broadcast-p99';
    c.hostDecided = [{ metric: 'broadcast-p99', between: [256, 1769], differenceMs: 4, hostWaitDifferenceMs: 30, line: 'between 256 and 1,769 MB the local host decided broadcast p99' }];
    c.sizes[0]!.runs[0]!.hostWarnings = ['local host held back 12 of 200 fanout-send-message invocations'];
    c.recommendations[0] = { ...c.recommendations[0]!, withinSpread: true };
    c.recommendations[1] = { ...c.recommendations[1]!, pick: null, reason: 'No recommendation: speed ranks broadcast p99, and the local host decided it.' };
    const m: ComparePageModel = expectEveryFact(c);
    expect(m.figureNote).toContain("latencies are the stack's");
    expect(m.hostWarnings).toEqual([{ where: '256 MB repeat 1', line: 'local host held back 12 of 200 fanout-send-message invocations' }]);
    const lines = renderCompareConsole(c, m);
    expect(lines).toContain(`  ${'fastest:'.padEnd(24)} none — No recommendation: speed ranks broadcast p99, and the local host decided it.`);
    expect(lines.some((l) => l.includes('(within the noise of the runner-up)'))).toBe(true);
  });
});
