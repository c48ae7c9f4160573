import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/analyses/plan/build-plan.ts';
import type { Plan } from '../../src/analyses/plan/plan-schema.ts';
import { readPlanDirs } from '../../src/analyses/plan/run-dirs.ts';
import { trafficFlags } from '../../src/commands/plan.ts';
import { readComparison } from '../../src/report/compare/read-comparison.ts';
import { COMPARE_FILES } from '../../src/report/compare/write.ts';
import { renderPlanConsole } from '../../src/report/plan/console.ts';
import { renderPlanHtml } from '../../src/report/plan/html.ts';
import { renderPlanMarkdown } from '../../src/report/plan/md.ts';
import { EMULATOR_TEXT, planPageModel, type PlanPageModel } from '../../src/report/plan/page-model.ts';
import { readResults } from '../../src/report/run/results-file.ts';
import { reportAssets } from '../../src/report/shared/assets.ts';
import { consoleText, htmlText, markdownText, markedModel, missingFacts } from './page-model-facts.ts';
import { PLAN } from './plan-fixture.ts';

/**
 * A plan's facts are computed once (plan/page-model.ts); the console, summary.md and index.html
 * each show every fact they show in the model's words. What each leaves out is listed here, on
 * purpose.
 */
/** Shown by none of the text: chart data and chart ids, an axis's key and a limit's id (the page's anchors). */
const NOT_TEXT = ['charts', 'headroom.*.limit', 'loadHosts.sizes.*.name', 'growth.*.id', 'growth.*.costChart', 'growth.*.headroomChart', 'fits.*.chart'];
/** The console: the first break, the totals, each cost line, the fits, the tightest limits' needs, the load hosts in a line each. */
const consoleOmits = (m: PlanPageModel) => [
  ...NOT_TEXT,
  'toolVersion',
  'createdAt',
  // the traffic, its totals, the profile, where the first break is and the work model are summary.md's and the page's
  'traffic',
  'trafficTotals',
  'profile',
  'firstBreak.cards',
  'growthIntro',
  'growth',
  'workModel',
  'check.invocations',
  'check.lines',
  'notes',
  'costLines.*.note',
  'costLines.*.price',
  'costLines.*.source',
  'fits.*.points',
  'emulator.runs',
  ...['scope', 'needsValue', 'of', 'unit', 'share', 'headroom', 'how', 'limitSource', 'moves'].map((k) => `headroom.*.${k}`),
  // the tightest six; summary.md has them all
  ...m.headroom.slice(6).map((_, k) => `headroom.${k + 6}`),
  ...['connectionsPerHost', 'connectionsBy', 'deliveriesPerHostPerS', 'hosts', 'binding'].map((k) => `loadHosts.sizes.*.${k}`),
  'loadHosts.notes',
];
/** summary.md: the needs in columns of their own, the headroom's words and the prices per unit are the page's. */
const MD_OMITS = [
  ...NOT_TEXT,
  'headroom.*.needs',
  'headroom.*.headroom',
  'headroom.*.scope',
  'headroom.*.moves',
  'costLines.*.price',
  'loadHosts.sizes.*.hostsText',
  // the page's cards' labels ("connections there") are the page's words; their values are here,
  // but for the scale it breaks at, which the first-break line says
  'firstBreak.cards.*.label',
  'firstBreak.cards.at',
];
/** index.html: a limit's needs in one sentence ("needs 812 of 1,000 … (81.2 %)"), which holds its figures. */
const HTML_OMITS = [...NOT_TEXT, 'loadHosts.sizes.*.hostsText', ...['needsValue', 'of', 'unit', 'share'].map((k) => `headroom.*.${k}`)];

function expectEveryFact(p: Plan) {
  const m = planPageModel(p);
  expect(missingFacts(m, consoleText(renderPlanConsole(p, m)), consoleOmits(m)), 'console').toEqual([]);
  expect(missingFacts(m, markdownText(renderPlanMarkdown(p, m)), MD_OMITS), 'summary.md').toEqual([]);
  expect(missingFacts(m, htmlText(renderPlanHtml(p, reportAssets(), m)), HTML_OMITS), 'index.html').toEqual([]);
  // each fact from the model and nowhere else: rendered from a model whose every fact is a marker,
  // a rendering that words or rounds a fact itself from plan.json lacks that fact's marker
  const marked = markedModel(m);
  expect(missingFacts(marked, consoleText(renderPlanConsole(p, marked)), consoleOmits(m)), 'console, from the model alone').toEqual([]);
  expect(missingFacts(marked, markdownText(renderPlanMarkdown(p, marked)), MD_OMITS), 'summary.md, from the model alone').toEqual([]);
  expect(missingFacts(marked, htmlText(renderPlanHtml(p, reportAssets(), marked)), HTML_OMITS), 'index.html, from the model alone').toEqual([]);
  return m;
}

const fixture = (path: string) => new URL(`../fixtures/${path}`, import.meta.url).pathname;

async function recordedPlan(): Promise<Plan> {
  const { runs, notes } = await readPlanDirs([fixture('plan/sweep')], { resultsFile: 'results.json', readResults, comparisonFile: COMPARE_FILES.json, readComparison });
  const traffic = trafficFlags({ connections: '50000', roomSize: '10', messagesPerS: '500' } as Parameters<typeof trafficFlags>[0]);
  return buildPlan({
    runs,
    readNotes: notes,
    ...(traffic ? { traffic } : {}),
    host: { vcpus: 2, memoryBytes: 24 * 2 ** 30, openFiles: 1_048_576, ports: 28_232 },
    toolVersion: '0.1.0',
    createdAt: '2026-11-27T00:00:00.000Z',
  });
}

describe('one model per plan page', () => {
  it('every fact of the hand-made plan (a check, growth on three axes, load hosts) reads the same on the console, summary.md and the page', () => {
    const m = expectEveryFact(PLAN);
    expect(m.headroom.length).toBeGreaterThan(0);
    expect(m.check?.runId).toBe('emu-10');
  });

  it("every fact of the plan of a recorded room-size sweep, the issue's plan, reads the same on all three", async () => {
    const m = expectEveryFact(await recordedPlan());
    expect(m.fits.map((f) => f.function)).toEqual(['fanout-send-message']);
  });

  it("durations measured on the emulator are this host's on summary.md too (the console and the page said it, summary.md did not)", async () => {
    const p = await recordedPlan();
    const m = planPageModel(p);
    expect(m.emulator).toMatchObject(EMULATOR_TEXT);
    expect(renderPlanMarkdown(p, m)).toContain('> Measured on the local emulator (20261125-015341-compare-fanout-564a-members-5-1, ');
    expect(renderPlanMarkdown(p, m)).toContain('): billed durations are this host&#39;s, not Lambda&#39;s.');
  });

  it('a fit is one line everywhere, its negative slope with a minus sign, its points at the room sizes as the plan writes them', () => {
    const p = structuredClone(PLAN);
    const f = p.workModel.functions.find((x) => x.fit)!;
    f.fit = { ...f.fit!, interceptMs: 40, perRecipientMs: -0.5, points: f.fit!.points.map((pt, k) => (k === 0 ? { ...pt, recipients: 9.55 } : pt)) };
    const m = expectEveryFact(p);
    const fit = m.fits.find((x) => x.function === f.name)!;
    expect(fit.line).toBe('billed ms per invocation = 40 − 0.5 × recipients');
    expect(fit.points[0]!.recipients).toBe('9.6');
    expect(renderPlanConsole(p, m).some((l) => l.includes('+ -0.5'))).toBe(false);
  });

  it("a cost line resting on partial CloudWatch data says so on every rendering", () => {
    const p = structuredClone(PLAN);
    p.cost.lines[0] = { ...p.cost.lines[0]!, partial: 'AWS/Lambda Duration: 3 of 5 minutes published' };
    expectEveryFact(p);
  });
});
