import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/contracts/results-schema.ts';
import { analyze, criteria } from '../../bench/soak/analyze.ts';
import { makePlan, SOAK_PHASE } from '../../bench/soak/plan.ts';
import { readProbes, type MemorySample, type ProbedProcess } from '../../bench/soak/probe-log.ts';
import { writeResultsMd, type SoakSummary } from '../../bench/soak/report.ts';

// The soak's verdict must be able to fail: each criterion is fed a run that breaks it.

const dir = mkdtempSync(join(tmpdir(), 'fb-soak-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const plan = makePlan('custom', 2_000, 120_000, 100); // warm-up 24 s, windows of 12 s
const START = 1_800_000_000_000;

function results(over: { lost?: number; failed?: number } = {}): Results {
  return {
    runId: 'r',
    status: 'completed',
    phases: [{ name: SOAK_PHASE, startedAt: START, durationMs: plan.durationMs }],
    deliveries: { expected: 1_200_000, received: 1_200_000 - (over.lost ?? 0), lost: over.lost ?? 0, duplicates: 0 },
    sends: { intended: 12_000, sent: 12_000, acked: 12_000 - (over.failed ?? 0), failed: over.failed ?? 0, missedSlots: 0 },
    connections: { opened: 2_000, failed: 0, openAtEnd: 2_000 },
    harness: { saturated: false },
  } as unknown as Results;
}

/** One interval line per second of the send phase, `pad(second)` characters of padding in each. */
function intervalsFile(name: string, pad: (s: number) => number = () => 0): string {
  const lines = [];
  for (let s = 0; s < plan.durationMs / 1000; s++) {
    lines.push(JSON.stringify({ t: START + s * 1000, phase: SOAK_PHASE, delivered: 10_000, cpuCores: 0.2, broadcast: { p99: 5 }, note: 'x'.repeat(pad(s)) }));
  }
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A process whose RSS and post-GC heap follow `mb(second)` MB. */
function probed(role: 'parent' | 'shard', pid: number, rssMb: (s: number) => number, heapMb: (s: number) => number): ProbedProcess {
  const samples: MemorySample[] = [];
  for (let s = 0; s <= plan.durationMs / 1000; s++) {
    const base = { t: START + s * 1000, heapTotal: 0, external: 0, arrayBuffers: 0 };
    samples.push({ ...base, kind: 's', rss: rssMb(s) * 2 ** 20, heapUsed: heapMb(s) * 2 ** 20 });
    if (s % 2 === 0) samples.push({ ...base, kind: 'gc', rss: rssMb(s) * 2 ** 20, heapUsed: heapMb(s) * 2 ** 20 });
  }
  return { role, pid, samples };
}

const flat = () => 100;
const verdicts = (r: Results, file: string, probes: ProbedProcess[]) => Object.fromEntries(criteria(analyze(plan, r, file, probes)).map((c) => [c.label, c.pass]));

describe('soak verdict', () => {
  it('passes a flat run and fails each criterion a run breaks', () => {
    const file = intervalsFile('flat.ndjson');
    const ok = [probed('parent', 1, flat, flat), probed('shard', 2, flat, flat), probed('shard', 3, flat, flat)];
    expect(Object.values(verdicts(results(), file, ok))).toEqual([true, true, true, true, true, true]);

    // a shard whose heap grows 10 KB/s (+10 % over the run): a slow leak
    const leaking = [ok[0]!, ok[1]!, probed('shard', 3, flat, (s) => 100 + s * 0.1)];
    expect(verdicts(results(), file, leaking)).toMatchObject({
      'shard heap growth after warm-up (worst shard, after full GC)': false,
      'shard RSS growth after warm-up (worst shard)': true,
    });
    // the parent's RSS grows
    const parentRss = [probed('parent', 1, (s) => 100 + s * 0.1, flat), ok[1]!, ok[2]!];
    expect(verdicts(results(), file, parentRss)).toMatchObject({ 'parent RSS growth after warm-up': false, 'parent heap growth after warm-up (after full GC)': true });
    // a lost delivery, a failed send
    expect(verdicts(results({ lost: 1 }), file, ok)['nothing lost (deliveries, sends, connections)']).toBe(false);
    expect(verdicts(results({ failed: 1 }), file, ok)['nothing lost (deliveries, sends, connections)']).toBe(false);
    // interval lines that grow with the run
    const growing = intervalsFile('growing.ndjson', (s) => s * 4);
    expect(verdicts(results(), growing, ok)['interval file bounded (one line per interval, lines do not grow)']).toBe(false);
  });

  it('refuses a send phase too short for a warm-up and two windows', () => {
    const short = { ...results(), phases: [{ name: SOAK_PHASE, startedAt: START, durationMs: 30_000 }] } as unknown as Results;
    expect(() => analyze(plan, short, intervalsFile('short.ndjson'), [])).toThrow(/too short/);
  });
});

describe('soak result in bench/RESULTS.md', () => {
  it('writes its own block with the command and PASS/FAIL per criterion, and replaces only that block', () => {
    const file = join(dir, 'RESULTS.md');
    writeFileSync(file, '# Benchmark results\n\n<!-- other:begin (written by x --write) -->\nkept\n<!-- other:end -->\n');
    const probes = [probed('parent', 1, flat, flat), probed('shard', 2, flat, flat)];
    const analysis = analyze(plan, results({ lost: 3 }), intervalsFile('md.ndjson'), probes);
    const summary: SoakSummary = {
      date: '2026-11-22T00:00:00.000Z',
      command: 'npx tsx bench/soak/main.ts --quick --write',
      plan,
      machine: { cores: 2, cpuModel: 'test', node: 'v20', platform: 'linux-x64', totalMemoryMB: 1, openFilesLimit: 20_000 },
      loadBefore: '1.00 1.00 1.00',
      loadAfter: '1.00 1.00 1.00',
      wallSeconds: 130,
      analysis,
      criteria: criteria(analysis),
      snapshots: [],
    };
    writeResultsMd(file, summary);
    writeResultsMd(file, summary); // again: replaced, not appended
    const text = readFileSync(file, 'utf8');
    expect(text.match(/<!-- soak:begin/g)).toHaveLength(1);
    expect(text).toContain('kept');
    expect(text).toContain('`npx tsx bench/soak/main.ts --quick --write`');
    expect(text).toContain('- verdict: **FAIL**');
    expect(text).toMatch(/\| nothing lost \(deliveries, sends, connections\) \| lost 3 of .* \| FAIL \|/);
    expect(text).toMatch(/\| parent heap growth after warm-up \(after full GC\) \| \+0\.0 % .* \| PASS \|/);
  });
});

describe('soak memory probe', () => {
  it('records samples and post-GC samples from a process it is preloaded into, and nothing from others', () => {
    const probeDir = mkdtempSync(join(dir, 'probe-'));
    const probe = fileURLToPath(new URL('../../bench/soak/memory-probe.cjs', import.meta.url));
    const script = (name: string) => {
      const file = join(dir, name);
      writeFileSync(file, 'setTimeout(() => {}, 400);\n');
      return file;
    };
    const env = { ...process.env, NODE_OPTIONS: `--require "${probe}"`, FANOUT_SOAK_PROBE_DIR: probeDir, FANOUT_SOAK_PROBE_MS: '50', FANOUT_SOAK_GC_MS: '100' };
    for (const name of ['fanout-bench.js', 'unrelated.js']) {
      const out = spawnSync(process.execPath, [script(name)], { env, encoding: 'utf8' });
      expect(out.status).toBe(0);
    }
    expect(readdirSync(probeDir)).toHaveLength(1); // only the CLI-named process was probed
    const [parent] = readProbes(probeDir);
    expect(parent?.role).toBe('parent');
    const kinds = new Set(parent!.samples.map((s) => s.kind));
    expect(kinds).toEqual(new Set(['s', 'gc']));
    for (const s of parent!.samples) expect(s.rss).toBeGreaterThan(s.heapUsed);
    expect(readFileSync(join(probeDir, readdirSync(probeDir)[0]!), 'utf8').endsWith('\n')).toBe(true);
  });
});
