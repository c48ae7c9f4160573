import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildComparison } from '../../src/analyses/compare/build-comparison.ts';
import { buildPlan } from '../../src/analyses/plan/build-plan.ts';
import { readPlanDirs } from '../../src/analyses/plan/run-dirs.ts';
import { searchAnswer } from '../../src/analyses/search/search-answer.ts';
import { Search } from '../../src/analyses/search/search-schema.ts';
import { buildTrend } from '../../src/analyses/trend/build-trend.ts';
import { artilleryResults } from '../../src/artillery-interop/output-results.ts';
import { readArtilleryOutput, readExportedScript } from '../../src/artillery-interop/read-output.ts';
import { trafficFlags } from '../../src/commands/plan.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import { renderSweepHtml } from '../../src/report/compare-sweep/html.ts';
import { gridOf } from './grid-fixture.ts';
import { renderCompareHtml } from '../../src/report/compare/html.ts';
import { readComparison } from '../../src/report/compare/read-comparison.ts';
import { COMPARE_FILES } from '../../src/report/compare/write.ts';
import { renderPlanHtml } from '../../src/report/plan/html.ts';
import { renderHtml } from '../../src/report/run/html.ts';
import { readResults } from '../../src/report/run/results-file.ts';
import { renderSearchHtml } from '../../src/report/search/html.ts';
import { renderTrendHtml } from '../../src/report/trend/html.ts';
import { judged } from '../../src/verdict/judged.ts';
import { COMPARED, loadRecorded } from '../fixtures/compare/load.ts';
import { sqsFanoutPath } from '../fixtures/path/sqs-fanout-path.ts';
import { sqsFanoutHops } from '../fixtures/path/sqs-fanout-hops.ts';

/**
 * One page of every kind the tool writes, rendered from recorded real runs (test/fixtures/pages/
 * README.md says which and how they were recorded): what the layout test holds to its rule in a
 * browser and what docs/page-screenshots.ts takes the docs' pictures of. Each is the page's HTML
 * as its writer would write it, and a name for it.
 */
export interface PageFixture {
  /** the page kind and its case, for file names and failure lists: `run-default`, `plan` */
  name: string;
  html: string;
  /** the section a case is kept for, which the pictured pages lack (`Path`) */
  section?: string;
}

const fixture = (path: string) => new URL(`../fixtures/${path}`, import.meta.url).pathname;
const CREATED_AT = '2026-11-27T00:00:00.000Z';

/** A results.json under test/fixtures/, plain or gzipped, read as `fanout-bench report` reads it (older versions too). */
export async function readRecorded(path: string): Promise<Results> {
  if (!path.endsWith('.gz')) return readResults(fixture(path));
  const dir = await mkdtemp(join(tmpdir(), 'fanout-page-fixture-'));
  try {
    const file = join(dir, 'results.json');
    await writeFile(file, gunzipSync(await readFile(fixture(path))));
    return await readResults(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The default run (`npx fanout-bench run`, README's first command) on the emulator. */
export async function runDefaultPage(): Promise<PageFixture> {
  return { name: 'run-default', html: renderHtml(judged(await readRecorded('pages/default-run.results.json.gz'))) };
}

/** A failing run: a third of the send function's invocations throttled (errors, a crossed threshold), with the functions' permissions. */
export async function runFailingPage(): Promise<PageFixture> {
  return { name: 'run-failing', html: renderHtml(judged(await readRecorded('pages/failing-run.results.json.gz'))) };
}

/** `compare --memory 256,1769` (three repeats each) with a size whose memory update failed. */
export async function comparePage(): Promise<PageFixture> {
  const bySize = await loadRecorded();
  const sizes = [...bySize].map(([memoryMB, list]) => ({ memoryMB, runs: list.map((results) => ({ results, dir: `runs/${memoryMB}/${results.runId}` })) }));
  sizes.push({ memoryMB: 512, runs: [{ error: 'UpdateFunctionConfiguration: LastUpdateStatus Failed' }] as never });
  return { name: 'compare', html: renderCompareHtml(buildComparison({ functions: [COMPARED], sizes })) };
}

/** `compare --room-size 10,100,1000` (a sweep). */
export async function sweepPage(): Promise<PageFixture> {
  const c = await readComparison(fixture(`plan/sweep-10-100-1000/${COMPARE_FILES.json}`));
  if (!('parameter' in c) || c.parameter === undefined) throw new Error('plan/sweep-10-100-1000: not a sweep');
  return { name: 'sweep', html: renderSweepHtml(c as Parameters<typeof renderSweepHtml>[0]) };
}

/** A capacity search recorded on the emulator. */
export async function searchPage(): Promise<PageFixture> {
  const s = Search.parse(JSON.parse(readFileSync(fixture('search/search.json'), 'utf8')));
  return { name: 'search', html: renderSearchHtml(s) };
}

/** A trend over the six recorded compare runs (256 and 1,769 MB, three each), in the order they ran. */
export async function trendPage(): Promise<PageFixture> {
  const bySize = await loadRecorded();
  const runs = [...bySize.values()].flat().map((results) => ({ file: `runs/${results.runId}/results.json`, results }));
  return { name: 'trend', html: renderTrendHtml(buildTrend({ runs, toolVersion: '0.1.0', createdAt: CREATED_AT })) };
}

/** `compare --targets direct,queued --room-size 10,100,1000` (a grid), from the recorded sweep (grid-fixture.ts). */
export async function gridPage(): Promise<PageFixture> {
  const c = await readComparison(fixture(`plan/sweep-10-100-1000/${COMPARE_FILES.json}`));
  if (!('points' in c)) throw new Error('plan/sweep-10-100-1000: not a sweep');
  return { name: 'grid', html: renderSweepHtml(gridOf(c)) };
}

/** `plan` of the room-size sweep at 50,000 connections in rooms of 10, 500 messages a second (the plan). */
export async function planPage(): Promise<PageFixture> {
  const { runs, notes } = await readPlanDirs([fixture('plan/sweep')], {
    resultsFile: 'results.json',
    readResults,
    comparisonFile: COMPARE_FILES.json,
    readComparison,
  });
  const traffic = trafficFlags({ connections: '50000', roomSize: '10', messagesPerS: '500' } as Parameters<typeof trafficFlags>[0]);
  const plan = buildPlan({
    runs,
    readNotes: notes,
    ...(traffic ? { traffic } : {}),
    host: { vcpus: 2, memoryBytes: 24 * 2 ** 30, openFiles: 1_048_576, ports: 28_232 },
    toolVersion: '0.1.0',
    createdAt: CREATED_AT,
  });
  return { name: 'plan', html: renderPlanHtml(plan) };
}

/** `report --artillery` of a recorded `artillery run` of an exported script (two workers). */
export async function artilleryPage(): Promise<PageFixture> {
  const outputFile = fixture('artillery/output.json');
  const results = artilleryResults({ output: readArtilleryOutput(outputFile), outputFile, script: readExportedScript(fixture('artillery/script.yml')) });
  return { name: 'artillery', html: renderHtml(judged(results)) };
}

/** Every page kind by the name its fixture gives it, in the order the docs list them. */
export const PAGE_FIXTURES: Readonly<Record<string, () => Promise<PageFixture>>> = {
  'run-default': runDefaultPage,
  'run-failing': runFailingPage,
  compare: comparePage,
  sweep: sweepPage,
  grid: gridPage,
  search: searchPage,
  trend: trendPage,
  plan: planPage,
  artillery: artilleryPage,
};

/**
 * Cases of a page kind the layout rule holds too, not pictured in the docs: pages whose charts
 * have no data, each a titled box saying which data it lacks and why, as the run page's are.
 */
export const EDGE_PAGE_FIXTURES: Readonly<Record<string, () => Promise<PageFixture>>> = {
  'search-interrupted': searchInterruptedPage,
  'compare-excluded': compareExcludedPage,
};

/** The recorded search stopped by Ctrl-C in its first step: no load measured to the end, so both knee charts are empty. */
export async function searchInterruptedPage(): Promise<PageFixture> {
  const s = Search.parse(JSON.parse(readFileSync(fixture('search/search.json'), 'utf8')));
  const stopped = 'interrupted (SIGINT)';
  // as src/modes/search.ts writes it: the interrupted step kept, the answer from the completed ones (none)
  const { expect: _noExpect, ...rest } = s; // no --expect: an interrupted search with one judged nothing
  const search: Search = {
    ...rest,
    status: 'interrupted',
    statusReason: stopped,
    steps: [{ ...s.steps[0]!, status: 'interrupted' }],
    answer: searchAnswer({ steps: [], from: s.from, to: s.to, resolution: s.resolution, unit: s.unit, stopped }),
  };
  return { name: 'search-interrupted', html: renderSearchHtml(search) };
}

/** `compare --memory 256,512` where neither memory update took: no size counted a run, so both charts are empty. */
export async function compareExcludedPage(): Promise<PageFixture> {
  const failed = [{ error: 'UpdateFunctionConfiguration: LastUpdateStatus Failed' }] as never;
  return { name: 'compare-excluded', html: renderCompareHtml(buildComparison({ functions: [COMPARED], sizes: [{ memoryMB: 256, runs: failed }, { memoryMB: 512, runs: failed }] })) };
}

/**
 * Cases of a page kind the layout rule holds too, not pictured in the docs: pages with a section
 * the recorded runs lack, each naming it.
 */
export const SECTION_PAGE_FIXTURES: Readonly<Record<string, () => Promise<PageFixture>>> = {
  'run-path': runPathPage,
};

/**
 * The default run as a queued fan-out's would read (results.path of test/fixtures/path/: a queue,
 * the mapping that consumes it, its dead-letter queue, over the run's window): the run page's Path
 * section, its table and its charts of the queue and the mapping; and its delivery latency split
 * by hop (results.hopLatency, test/fixtures/path/), the Hops section's table beside it.
 */
export async function runPathPage(): Promise<PageFixture> {
  const r = await readRecorded('pages/default-run.results.json.gz');
  r.path = sqsFanoutPath(Date.parse(r.startedAt));
  r.hopLatency = sqsFanoutHops();
  return { name: 'run-path', html: renderHtml(judged(r)), section: 'Path' };
}

export function allPages(): Promise<PageFixture[]> {
  return Promise.all(Object.values(PAGE_FIXTURES).map((f) => f()));
}
