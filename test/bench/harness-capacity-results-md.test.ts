import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { partMarkers, writeResultsMd } from '../../bench/harness-capacity/results-md.ts';
import type { CapacitySummary } from '../../bench/harness-capacity/summary.ts';
import { TARGETS, type Measurement } from '../../bench/harness-capacity/targets.ts';

// `--only floor --write` records the floor and keeps what other runs recorded in the same block.
const BEGIN = '<!-- harness-capacity:begin (written by bench/harness-capacity/main.ts --write) -->';
const END = '<!-- harness-capacity:end -->';
const OTHER = ['<!-- soak:begin (written by bench/soak/main.ts --write) -->', '## Soak', 'kept', '<!-- soak:end -->'].join('\n');

function summary(tag: string, measured: Measurement[]): CapacitySummary {
  return {
    date: `date-${tag}`,
    command: `npx tsx bench/harness-capacity/main.ts ${tag}`,
    mode: 'full',
    machine: { cores: 2, cpuModel: 'cpu', node: 'v20', platform: 'linux-x64', totalMemoryMB: 1, openFilesLimit: 20_000 },
    rows: TARGETS.filter((t) => measured.includes(t.measurement)).map((t) => ({ target: t, value: 1, verdict: 'PASS' as const })),
    sections: measured.map((m) => ({ measurement: m, title: `${m} section ${tag}`, loadBefore: '1', loadAfter: '2', lines: [`${m} line ${tag}`], commands: [] })),
    wallSeconds: 1,
  };
}

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

function file(text: string): string {
  dir = mkdtempSync(join(tmpdir(), 'fb-results-md-'));
  const f = join(dir, 'RESULTS.md');
  writeFileSync(f, text);
  return f;
}

const count = (text: string, s: string) => text.split(s).length - 1;

describe('harness-capacity --write', () => {
  it('--only floor adds the floor part to a block written before parts existed, keeping the rest', () => {
    const f = file(`# Benchmark results\n\n${BEGIN}\n## Harness capacity\nold steady rows\n${END}\n\n${OTHER}\n`);
    writeResultsMd(f, summary('a', ['floor']), ['floor']);
    const text = readFileSync(f, 'utf8');
    expect(text).toContain('old steady rows');
    expect(text).toContain('floor section a');
    expect(text).toContain(OTHER);
    expect(text.indexOf(partMarkers('floor').begin)).toBeGreaterThan(text.indexOf(BEGIN));
    expect(text.indexOf(partMarkers('floor').end)).toBeLessThan(text.indexOf(END));
  });

  it('--only replaces its own part; the other parts and the other benchmarks stay', () => {
    const f = file(`# Benchmark results\n\n${OTHER}\n`);
    writeResultsMd(f, summary('full', ['steady', 'held', 'steps', 'floor']), ['steady', 'held', 'steps', 'floor']);
    writeResultsMd(f, summary('b', ['floor']), ['floor']);
    writeResultsMd(f, summary('c', ['floor', 'steady']), ['floor', 'steady']);
    const text = readFileSync(f, 'utf8');
    expect(text).toContain(OTHER);
    expect(count(text, BEGIN)).toBe(1);
    expect(count(text, partMarkers('floor').begin)).toBe(1);
    expect(text).not.toContain('floor section b');
    expect(text).toContain('floor section c');
    expect(text).toContain('steady line c');
    expect(text).not.toContain('steady line full');
    expect(text).toContain('held line full');
    expect(text).toContain('steps line full');
    expect(text).toContain('npx tsx bench/harness-capacity/main.ts c');
    // each part keeps its own rows table, verdicts included
    const held = text.slice(text.indexOf(partMarkers('held').begin), text.indexOf(partMarkers('held').end));
    expect(held).toMatch(/\| harness RSS per 1,000 clients held \| 1\.00 MB \| ≤ 6\.00 MB \| PASS \|/);
  });

  it('a run of every measurement rewrites the whole block', () => {
    const f = file(`${BEGIN}\n## Harness capacity\nold notes\n${END}\n`);
    writeResultsMd(f, summary('full', ['steady', 'held', 'steps', 'floor']), ['steady', 'held', 'steps', 'floor']);
    const text = readFileSync(f, 'utf8');
    expect(text).not.toContain('old notes');
    for (const m of ['steady', 'held', 'steps', 'floor'] as const) expect(count(text, partMarkers(m).begin)).toBe(1);
  });
});
