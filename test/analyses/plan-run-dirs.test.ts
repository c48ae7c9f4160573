import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { SweepComparison } from '../../src/analyses/compare/compare-schema.ts';
import { buildPlan } from '../../src/analyses/plan/build-plan.ts';
import { planCommand } from '../../src/commands/plan.ts';
import { gridOf } from '../report/grid-fixture.ts';
import { readPlanDirs, type DirReader } from '../../src/analyses/plan/run-dirs.ts';
import { RESULTS_FILE } from '../../src/metrics/results/run-dir.ts';
import { readComparison } from '../../src/report/compare/read-comparison.ts';
import { COMPARE_FILES } from '../../src/report/compare/write.ts';
import { readResults } from '../../src/report/run/results-file.ts';

/**
 * The dirs a plan reads, as `fanout-bench compare` and `run` wrote them: a run dir, a room-size
 * sweep (every run it counted), and a memory comparison, which a plan refuses whole (its sizes
 * cannot be pooled) and names the run dir to pass instead.
 */
const READER: DirReader = { resultsFile: RESULTS_FILE, readResults, comparisonFile: COMPARE_FILES.json, readComparison };
const fixture = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const SWEEP = fixture('plan/sweep');
const RUN = fixture('plan');

const tmp = mkdtempSync(join(tmpdir(), 'plan-dirs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A memory comparison's dir as compare wrote it: compare.json and its six run dirs (256 and 1,769 MB). */
function memoryComparisonDir(edit: (c: { sizes: Array<{ memoryMB: number; runs: Array<{ included: boolean; excludedBecause?: string }> }> }) => void = () => {}): string {
  const dir = mkdtempSync(join(tmp, 'memory-'));
  const c = JSON.parse(readFileSync(fixture('compare/memory-before-sweeps.compare.json'), 'utf8'));
  edit(c);
  writeFileSync(join(dir, 'compare.json'), JSON.stringify(c));
  for (const mb of [256, 1769]) {
    for (const k of [1, 2, 3]) {
      mkdirSync(join(dir, `${mb}mb-${k}`));
      writeFileSync(join(dir, `${mb}mb-${k}`, 'results.json'), gunzipSync(readFileSync(fixture(`compare/send-message-${mb}-${k}.results.json.gz`))));
    }
  }
  return dir;
}

describe('the dirs a plan reads', () => {
  it('a run dir: its results.json', async () => {
    const { runs, notes } = await readPlanDirs([RUN], READER);
    expect(runs.map((r) => r.file)).toEqual([join(RUN, 'results.json')]);
    expect(notes).toEqual([]);
  });

  it('a room-size sweep: every run it counted, found beside compare.json', async () => {
    const compare = JSON.parse(readFileSync(join(SWEEP, 'compare.json'), 'utf8'));
    const { runs } = await readPlanDirs([SWEEP], READER);
    expect(runs.map((r) => r.file)).toEqual(['members-5-1', 'members-10-1', 'members-20-1'].map((d) => join(SWEEP, d, 'results.json')));
    expect(runs.map((r) => r.results.runId)).toEqual(compare.points.map((p: { runs: Array<{ runId: string }> }) => p.runs[0]!.runId));
  });

  it('a run named twice (its dir and its sweep) is read once', async () => {
    const { runs } = await readPlanDirs([SWEEP, join(SWEEP, 'members-10-1')], READER);
    expect(runs).toHaveLength(3);
  });

  it('runs the comparison left out are left out, and the notes say which and why', async () => {
    const dir = mkdtempSync(join(tmp, 'sweep-'));
    cpSync(SWEEP, dir, { recursive: true });
    const c = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8'));
    Object.assign(c.points[2].runs[0], { included: false, excludedBecause: 'the run failed: no results' });
    writeFileSync(join(dir, 'compare.json'), JSON.stringify(c));
    const { runs, notes } = await readPlanDirs([dir], READER);
    expect(runs).toHaveLength(2);
    expect(notes).toEqual([`${dir}: a run the comparison left out is left out here too: ${c.points[2].runs[0].runId} (the run failed: no results)`]);
  });

  it('a memory comparison is refused whole, with the run dir to pass instead', async () => {
    const dir = memoryComparisonDir();
    await expect(readPlanDirs([dir], READER)).rejects.toThrow(
      `${dir}: a memory comparison (256 MB, 1769 MB): a plan is of one memory size: pass one size's run dir (e.g. ${join(dir, '256mb-1')}) and plan each size on its own`,
    );
    // which plans
    const one = await readPlanDirs([join(dir, '256mb-1')], READER);
    expect(buildPlan({ runs: one.runs, toolVersion: 't', createdAt: '2025-01-01T00:00:00.000Z' }).workModel.functions.find((f) => f.name === 'fanout-send-message')?.memoryMB).toBe(256);
  });

  it('a memory comparison of which one size counted is that size', async () => {
    const dir = memoryComparisonDir((c) => {
      for (const r of c.sizes[1]!.runs) Object.assign(r, { included: false, excludedBecause: 'interrupted' });
    });
    const { runs, notes } = await readPlanDirs([dir], READER);
    expect(runs.map((r) => r.file)).toEqual([1, 2, 3].map((k) => join(dir, `256mb-${k}`, 'results.json')));
    expect(notes[0]).toMatch(/^.*: 3 runs the comparison left out are left out here too: .* \(interrupted\); /);
  });

  it('a dir with neither results.json nor compare.json, a missing one, a file: one line naming it', async () => {
    const empty = mkdtempSync(join(tmp, 'empty-'));
    await expect(readPlanDirs([empty], READER)).rejects.toThrow(`${empty}: no results.json nor compare.json: give a run dir (holding results.json) or a compare or sweep dir (holding compare.json)`);
    await expect(readPlanDirs([join(tmp, 'nowhere')], READER)).rejects.toThrow(`${join(tmp, 'nowhere')}: no such directory`);
    const file = join(SWEEP, 'compare.json');
    await expect(readPlanDirs([file], READER)).rejects.toThrow(`${file}: not a directory: give a run dir`);
  });

  it("a sweep whose run dir is gone: one line naming the comparison and the run", async () => {
    const dir = mkdtempSync(join(tmp, 'sweep-'));
    cpSync(SWEEP, dir, { recursive: true });
    rmSync(join(dir, 'members-10-1'), { recursive: true });
    const c = JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8'));
    await expect(readPlanDirs([dir], READER)).rejects.toThrow(`${dir}: run ${c.points[1].runs[0].runId} (${c.points[1].runs[0].dir}): no results.json there`);
  });

  it('a grid (compare --targets with --room-size): each variant planned on its own, side by side', async () => {
    const dir = gridDir();
    const { variants } = await readPlanDirs([dir], READER);
    expect(variants!.map((v) => [v.name, v.runs.length, v.largestRoomSize, v.atLargest.map((r) => r.file)])).toEqual([
      ['direct', 3, 20, [join(dir, 'members-20-1', 'results.json')]],
      ['queued', 3, 20, [join(dir, 'queued-members-20-1', 'results.json')]],
    ]);
    await expect(readPlanDirs([dir, RUN], READER)).rejects.toThrow(`${dir}: a grid of variants (compare --targets with --room-size) is planned variant by variant: name it alone`);
    // at a traffic: each from its runs at every room size (the send function's line fitted), a plan folder each, one summary.md
    const out = join(tmp, 'grid-plan');
    const { files, summary } = await planCommand([dir], { connections: '50000', roomSize: '200', messagesPerS: '250', out });
    expect(files).toEqual(expect.arrayContaining([join(out, 'direct', 'plan.json'), join(out, 'queued', 'index.html'), join(out, 'summary.md')]));
    const plans = ['direct', 'queued'].map((v) => JSON.parse(readFileSync(join(out, v, 'plan.json'), 'utf8')));
    for (const p of plans) expect(p.workModel.functions.find((f: { name: string }) => f.name === 'fanout-send-message').fit).toBeDefined();
    expect(summary[0]).toBe(`direct: ${plans[0].cost.totals.total.toLocaleString('en-US', { style: 'currency', currency: 'USD' })} per month (30 days × 24 h, flat); planned from its runs at every room size measured (3 runs)`);
    expect(summary.filter((l) => l.startsWith('  first to break: '))).toHaveLength(2);
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('| queued |');
    // no traffic: each at its own run's traffic at the largest room size, and the plan says so
    const own = await planCommand([dir], { out: join(tmp, 'grid-own') });
    expect(own.summary[0]).toContain("; planned from no traffic given: its run's own traffic at the largest room size it measured, 20 members");
    // the folder must be the grid's plans' own
    await expect(planCommand([dir], { out: dir })).rejects.toThrow(`--out ${dir}: holds compare.json, members-10-1, members-20-1, not these variants' plans`);
  });
});

/** The recorded room-size sweep as a grid of two variants (test/report/grid-fixture.ts), queued's runs copies of its own. */
function gridDir(): string {
  const dir = mkdtempSync(join(tmp, 'grid-'));
  cpSync(SWEEP, dir, { recursive: true });
  const c = gridOf(SweepComparison.parse(JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8'))));
  for (const p of c.points.filter((x) => x.variant === 'queued')) {
    for (const r of p.runs) {
      const name = `queued-${basename(r.dir!)}`;
      cpSync(join(dir, basename(r.dir!)), join(dir, name), { recursive: true });
      r.dir = name;
    }
  }
  writeFileSync(join(dir, 'compare.json'), JSON.stringify(c));
  return dir;
}
