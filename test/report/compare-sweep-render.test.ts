import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSweep } from '../../src/analyses/compare/build-sweep.ts';
import { CompareFile, isSweep, type SweepComparison } from '../../src/analyses/compare/compare-schema.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import { renderCompareConsole } from '../../src/report/compare/console.ts';
import { renderSweepConsole } from '../../src/report/compare-sweep/console.ts';
import { writeComparison } from '../../src/report/compare/write.ts';
import { judgePoint } from '../../src/modes/compare-sweep.ts';
import { parseThreshold } from '../../src/contracts/threshold.ts';
import { COMPARED, loadRecorded } from '../fixtures/compare/load.ts';
import { estimateCost } from '../../src/metrics/cost/cost-model.ts';
import { DEFAULT_PRICES } from '../../src/metrics/cost/region-prices.ts';

// A compare.json written before sweeps existed still reads and renders as a memory comparison;
// and a sweep whose point missed only because the harness was saturated says so in every report.

let dir: string;
let bySize: Map<number, Results[]>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-sweep-render-'));
  bySize = await loadRecorded();
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a compare.json from before sweeps', () => {
  it('reads as a memory comparison and renders its three files', async () => {
    // written by the memory-only compare from the recorded runs here (no `parameter`, no fan-out fields)
    const text = await readFile(new URL('../fixtures/compare/memory-before-sweeps.compare.json', import.meta.url), 'utf8');
    expect(text).not.toContain('"parameter"');
    expect(text).not.toContain('fanoutP99Ms');
    const c = CompareFile.parse(JSON.parse(text));
    expect(isSweep(c)).toBe(false);
    if (isSweep(c)) return;
    expect(c.sizes.map((s) => s.memoryMB)).toEqual([256, 1769]);
    await writeComparison(c, join(dir, 'old'));
    const html = await readFile(join(dir, 'old', 'index.html'), 'utf8');
    expect(html).toContain('data-chart="cost-latency"');
    expect(html).toContain('1,769 MB');
    const md = await readFile(join(dir, 'old', 'summary.md'), 'utf8');
    expect(md).toContain('## fanout-bench compare: fanout — 256 and 1,769 MB');
    expect(md.split('\n').filter((l) => /^\| [\d,]+ MB \|/.test(l))).toHaveLength(2);
    expect(renderCompareConsole(c).join('\n')).toContain('cheapest:');
    // what it wrote back reads as the same memory comparison
    const again = CompareFile.parse(JSON.parse(await readFile(join(dir, 'old', 'compare.json'), 'utf8')));
    expect(isSweep(again)).toBe(false);
  });
});

describe('a sweep point met with the harness saturated', () => {
  let c: SweepComparison;
  beforeAll(() => {
    // 256 MB's first run kept up; 1,769 MB's third was saturated while it was recorded
    const small = bySize.get(256)!.slice(0, 1);
    const saturated = bySize.get(1769)!.slice(2);
    const slo = [parseThreshold('fanoutCompletion.p99 < 60s', 'test')];
    c = buildSweep({
      parameter: 'room-size',
      holdConstant: 'clients',
      slo: ['fanoutCompletion.p99 < 60s'],
      functions: [COMPARED],
      points: [
        { x: 10, label: '10 members', setting: setting(10), runs: small.map((results) => ({ results, dir: join(dir, 'runs', 'a') })), slo: judgePoint(small, slo) },
        { x: 30, label: '30 members', setting: setting(30), runs: saturated.map((results) => ({ results, dir: join(dir, 'runs', 'b') })), slo: judgePoint(saturated, slo) },
      ],
      createdAt: '2026-11-22T12:00:00.000Z',
    });
  });

  it('is met in compare.json, with a note, and can be the recommendation', () => {
    expect(c.points.map((p) => [p.label, p.slo?.met, p.slo?.missedBy])).toEqual([
      ['10 members', true, undefined],
      ['30 members', true, undefined],
    ]);
    expect(c.points[1]!.slo!.failed).toEqual([expect.stringMatching(/^harness not saturated: /)]);
    expect(c.recommendation.pick?.label).toBe('30 members');
  });

  it('says so on the console, in summary.md and in index.html', async () => {
    const lines = renderSweepConsole(c);
    expect(lines.find((l) => l.trimStart().startsWith('30 members'))).toMatch(/\bmet\b/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}note 30 members: the harness was saturated \(shard 0 event-loop lag p99 .*\), and the SLO held even with the harness's own delay in the latencies: the stack met it at least as well$/));
    await writeComparison(c, join(dir, 'sweep'));
    const md = await readFile(join(dir, 'sweep', 'summary.md'), 'utf8');
    expect(md).toMatch(/^\| 30 members \| .* \| met — \*\*note:\*\* the harness was saturated/m);
    const html = await readFile(join(dir, 'sweep', 'index.html'), 'utf8');
    expect(html).toContain('<div class="banner warn" data-notes><strong>The harness was saturated at some points.</strong><ul><li>30 members — the harness was saturated');
    expect(html).toContain('<span class="slo-met">met</span><span class="why point-note"><strong>Note:</strong> the harness was saturated');
  });
});

describe('data transfer out in a payload sweep', () => {
  const sweep = (price?: number) => {
    // the recorded runs, their cost estimated as today: at the built-in prices, or a price file's transfer price on top
    const runs = (mb: number) =>
      bySize.get(mb)!.map((r) => ({ results: { ...r, cost: estimateCost(r, price === undefined ? {} : { prices: { ...DEFAULT_PRICES, dataTransferOut: { outPerGB: price } } }) }, dir: join(dir, 'runs', `${mb}`) }));
    return buildSweep({
      parameter: 'payload',
      slo: [],
      functions: [COMPARED],
      points: [
        { x: 256, label: '256 B', setting: setting(10), runs: runs(256) },
        { x: 4096, label: '4,096 B', setting: { ...setting(10), payloadBytes: 4096 }, runs: runs(1769) },
      ],
      createdAt: '2026-11-22T12:00:00.000Z',
    });
  };

  it('AWS charges none on WebSocket APIs: no part, no column, no series, and the notes say why', async () => {
    const c = sweep();
    expect(c.points.map((p) => p.costs.dataTransfer)).toEqual([null, null]);
    expect(c.notes).toContain('API Gateway bills WebSocket messages in 32 KB units (a message of 32 KB and 1 byte is two): that is in the cost per million deliveries. AWS charges no data transfer out on WebSocket APIs.');
    await writeComparison(c, join(dir, 'payload'));
    const md = await readFile(join(dir, 'payload', 'summary.md'), 'utf8');
    expect(md).toContain('| $ / 1M deliveries | API Gateway $ / 1M |\n');
    expect(md).not.toContain('data out');
    const html = await readFile(join(dir, 'payload', 'index.html'), 'utf8');
    expect(html).not.toContain('<th>data transfer out</th>');
    expect(html).not.toContain('"label":"data transfer out"');
    expect(html).toContain('AWS charges no data transfer out on WebSocket APIs.');
  });

  it('a price file that prices it: its part per point, a column and a series', async () => {
    const c = sweep(0.09);
    for (const p of c.points) expect(p.costs.dataTransfer!.median).toBeGreaterThan(0);
    await writeComparison(c, join(dir, 'payload-priced'));
    const md = await readFile(join(dir, 'payload-priced', 'summary.md'), 'utf8');
    expect(md).toContain('| API Gateway $ / 1M | data out $ / 1M |\n');
    const html = await readFile(join(dir, 'payload-priced', 'index.html'), 'utf8');
    expect(html).toContain('<th>data transfer out</th>');
    expect(html).toContain('"label":"data transfer out"');
  });
});

function setting(membersPerRoom: number) {
  return { clients: 60, rooms: 60 / membersPerRoom, membersPerRoom, messagesPerSecond: 10, deliveriesPerSecond: 10 * membersPerRoom, payloadBytes: 256, target: 'local', architecture: 'x86_64' as const };
}
