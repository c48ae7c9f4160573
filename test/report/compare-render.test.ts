import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../common/errors.ts';
import { buildComparison } from '../../src/analyses/compare/build-comparison.ts';
import { Comparison } from '../../src/analyses/compare/compare-schema.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import { renderCompareConsole } from '../../src/report/compare/console.ts';
import { renderCompareMarkdown } from '../../src/report/compare/md.ts';
import { COMPARE_FILES, writeComparison } from '../../src/report/compare/write.ts';
import { COMPARED, loadRecorded } from '../fixtures/compare/load.ts';

// summary.md, the console lines and the files writeComparison leaves, for a comparison of the
// recorded emulator runs with one size whose runs all failed and one run whose reason carries
// markup and a terminal escape (a target's statusReason can say anything).

const HOSTILE = '<img src=x onerror=alert(1)> | \u001b[2J stopped';
let dir: string;
let comparison: Comparison;
let bySize: Map<number, Results[]>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-compare-render-'));
  bySize = await loadRecorded();
  const failed: Results = { ...structuredClone(bySize.get(256)![1]), status: 'failed', statusReason: HOSTILE };
  comparison = buildComparison({
    functions: [COMPARED],
    sizes: [
      { memoryMB: 256, runs: bySize.get(256)!.map((results, k) => ({ results, dir: join(dir, 'runs', `256-${k + 1}`) })) },
      { memoryMB: 1024, runs: [{ error: 'UpdateFunctionConfiguration: LastUpdateStatus Failed' }, { results: failed, dir: join(dir, 'runs', '1024-2') }] },
      { memoryMB: 1769, runs: bySize.get(1769)!.map((results, k) => ({ results, dir: join(dir, 'runs', `1769-${k + 1}`) })) },
    ],
    createdAt: '2026-11-22T12:00:00.000Z',
  });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('summary.md of a comparison', () => {
  it('gives the recommendations, a row per size with the spread, the exclusion and relative links', async () => {
    const files = await writeComparison(comparison, join(dir, 'cmp'));
    expect(files).toEqual([COMPARE_FILES.json, COMPARE_FILES.html, COMPARE_FILES.summary].map((f) => join(dir, 'cmp', f)));
    const md = await readFile(join(dir, 'cmp', 'summary.md'), 'utf8');
    expect(md).toContain('## fanout-bench compare: fanout — 256, 1,024 and 1,769 MB');
    for (const r of comparison.recommendations) expect(md).toContain(`: ${r.pick!.memoryMB.toLocaleString('en-US')} MB** — `);
    expect(md).toContain('Cost includes request charges and INIT billing, which AWS Lambda Power Tuning leaves out.');
    expect(md).toContain('> Excluded (no run counted): 1,024 MB — repeat 1: UpdateFunctionConfiguration: LastUpdateStatus Failed; repeat 2: run failed: &lt;img');
    const rows = md.split('\n').filter((l) => /^\| [\d,]+ MB \|/.test(l));
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/^\| 1,024 MB \| 0 of 2 \(excluded\) \| – \|/);
    // a size measured twice shows its median and, when the repeats differ, their min–max
    const duration = comparison.sizes[0].metrics.durationMeanMs!;
    expect(duration.min).not.toBe(duration.max);
    expect(rows[0]).toMatch(/^\| 256 MB \| 3 of 3 \| .* \| [\d,.]+ (ms|s) \([\d,.]+ (ms|s)–[\d,.]+ (ms|s)\) \|/);
    expect(md).toMatch(/- 256 MB, repeat 1: \[[^\]]+\]\(\.\.\/runs\/256-1\/index\.html\) — completed/);
    expect(md).not.toContain('<img');
    expect(md).not.toContain('\u001b');
  });

  it('writes compare.json that parses back to the same comparison, with run directories relative to it', async () => {
    const json = Comparison.parse(JSON.parse(await readFile(join(dir, 'cmp', 'compare.json'), 'utf8')));
    expect(json.schemaVersion).toBe(1);
    expect(json.sizes.flatMap((s) => s.runs.map((r) => r.dir))).toEqual([
      '../runs/256-1',
      '../runs/256-2',
      '../runs/256-3',
      null,
      '../runs/1024-2',
      '../runs/1769-1',
      '../runs/1769-2',
      '../runs/1769-3',
    ]);
    expect({ ...json, sizes: json.sizes.map((s) => ({ ...s, runs: s.runs.map((r) => ({ ...r, dir: null })) })) }).toEqual({
      ...comparison,
      sizes: comparison.sizes.map((s) => ({ ...s, runs: s.runs.map((r) => ({ ...r, dir: null })) })),
    });
  });

  it('refuses a directory it cannot write with one line naming it', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');
    await expect(writeComparison(comparison, join(file, 'cmp'))).rejects.toThrow(UserError);
    await expect(writeComparison(comparison, join(file, 'cmp'))).rejects.toThrow(`${join(file, 'cmp')}: cannot create the comparison's directory (ENOTDIR)`);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked');
      await writeComparison(comparison, locked);
      await chmod(locked, 0o500);
      await expect(writeComparison(comparison, locked)).rejects.toThrow(`${join(locked, 'compare.json')}: cannot write (EACCES)`);
      await chmod(locked, 0o700);
    }
  });
});

describe('console lines of a comparison', () => {
  it('prints a row per size, the recommendations and what was left out, with no control characters', () => {
    const lines = renderCompareConsole(comparison);
    expect(lines[0]).toBe(
      "fanout-bench compare fanout: fanout-send-message at 256, 1,024 and 1,769 MB, 3 repeats each (medians over the repeats; Duration: mean over the compared functions' invocations)",
    );
    expect(lines[1]).toMatch(/^ {2}memory +runs +Duration +INIT +cold +bcast p50 +bcast p99 +conn p99 +GB-s +Lambda \$\/1M +whole \$\/1M$/);
    expect(lines[2]).toMatch(/^ {2}256 MB +3 of 3 +[\d,.]+ (ms|s) /);
    expect(lines[3]).toMatch(/^ {2}1,024 MB +0 of 2( +–)+$/);
    expect(lines[4]).toMatch(/^ {2}1,769 MB +3 of 3 /);
    const picks = comparison.recommendations.map((r) => r.pick!.memoryMB.toLocaleString('en-US'));
    expect(lines[5]).toMatch(new RegExp(`^ {2}cheapest: +${picks[0]} MB`));
    expect(lines[6]).toMatch(new RegExp(`^ {2}fastest: +${picks[1]} MB`));
    expect(lines[7]).toMatch(new RegExp(`^ {2}balanced \\(weight 0.5\\): +${picks[2]} MB`));
    expect(lines[8]).toBe('  excluded 1,024 MB: repeat 1: UpdateFunctionConfiguration: LastUpdateStatus Failed; repeat 2: run failed: <img src=x onerror=alert(1)> |  [2J stopped');
    expect(lines.join('\n')).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});
