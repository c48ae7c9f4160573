import { readFileSync } from 'node:fs';
import type { IntervalRecord, Results } from '../../src/contracts/results-schema.ts';
import { SOAK_PHASE, type SoakPlan } from './plan.ts';
import type { MemorySample, ProbedProcess } from './probe-log.ts';

/**
 * The soak's verdict, from the run's results.json and intervals.ndjson and the memory probe's
 * samples (pure: files in, numbers out). Memory is compared between two windows of the send
 * phase: right after warm-up (baseline) and its last stretch (final). RSS: the median of the
 * 1-second samples in each window; heap: the median of the samples taken right after a full GC
 * (what is still reachable), so the heap's sawtooth cannot hide or fake a trend.
 */
export const MAX_GROWTH = 0.05;

export interface Window {
  from: number;
  to: number;
}

export interface Growth {
  before: number;
  after: number;
  /** (after − before) / before */
  growth: number;
  samplesBefore: number;
  samplesAfter: number;
}

export interface ProcessGrowth {
  label: string;
  pid: number;
  rss: Growth;
  heap: Growth;
}

export interface IntervalFileCheck {
  lines: number;
  bytes: number;
  /** lines of the send phase ÷ its seconds: one line per interval means 1 */
  linesPerSecond: number;
  bytesPerLineBefore: number;
  bytesPerLineAfter: number;
  growth: number;
  bytesPerHour: number;
}

export interface SoakAnalysis {
  phase: { startedAt: number; durationMs: number };
  baseline: Window;
  final: Window;
  processes: ProcessGrowth[];
  intervals: IntervalFileCheck;
  deliveries: { expected: number; received: number; lost: number; duplicates: number };
  sends: { intended: number; sent: number; acked: number; failed: number; missedSlots: number };
  connections: { opened: number; failed: number; openAtEnd: number };
  deliveredPerSec: number;
  p99Before: number;
  p99After: number;
  harnessCpuCores: number;
  saturated: boolean;
  status: string;
}

export interface Criterion {
  label: string;
  measured: string;
  target: string;
  pass: boolean;
}

const median = (xs: number[]) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function growthOf(samples: MemorySample[], pick: (s: MemorySample) => number, a: Window, b: Window): Growth {
  const within = (w: Window) => samples.filter((s) => s.t >= w.from && s.t <= w.to).map(pick);
  const before = within(a);
  const after = within(b);
  const mb = median(before);
  const ma = median(after);
  return { before: mb, after: ma, growth: (ma - mb) / mb, samplesBefore: before.length, samplesAfter: after.length };
}

export function analyze(plan: SoakPlan, results: Results, intervalsFile: string, probes: ProbedProcess[]): SoakAnalysis {
  const phase = results.phases?.find((p) => p.name === SOAK_PHASE);
  if (!phase) throw new Error(`results.json of ${results.runId} has no phase "${SOAK_PHASE}" (status ${results.status}${results.statusReason ? `: ${results.statusReason}` : ''})`);
  const start = phase.startedAt;
  const end = start + phase.durationMs;
  const baseline = { from: start + plan.warmupMs, to: start + plan.warmupMs + plan.windowMs };
  const final = { from: end - plan.windowMs, to: end };
  if (baseline.to > final.from) throw new Error(`the send phase ran ${phase.durationMs / 1000} s: too short for a warm-up and two windows`);

  let shard = 0;
  const processes = probes.map((p) => ({
    label: p.role === 'parent' ? 'parent' : `shard ${shard++}`,
    pid: p.pid,
    rss: growthOf(p.samples.filter((s) => s.kind === 's'), (s) => s.rss, baseline, final),
    heap: growthOf(p.samples.filter((s) => s.kind === 'gc'), (s) => s.heapUsed, baseline, final),
  }));

  // The interval file: one line per interval, and lines that do not grow.
  const lines = readFileSync(intervalsFile, 'utf8').split('\n').filter((l) => l.trim());
  const records = lines.map((l) => ({ bytes: Buffer.byteLength(l) + 1, r: JSON.parse(l) as IntervalRecord }));
  const inPhase = records.filter((x) => x.r.phase === SOAK_PHASE);
  const meanBytes = (w: Window) => {
    const xs = inPhase.filter((x) => x.r.t >= w.from && x.r.t < w.to).map((x) => x.bytes);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const bytes = records.reduce((a, x) => a + x.bytes, 0);
  const before = meanBytes(baseline);
  const after = meanBytes(final);
  const intervals: IntervalFileCheck = {
    lines: records.length,
    bytes,
    linesPerSecond: inPhase.length / (phase.durationMs / 1000),
    bytesPerLineBefore: before,
    bytesPerLineAfter: after,
    growth: (after - before) / before,
    bytesPerHour: after * 3600 * (inPhase.length / (phase.durationMs / 1000)),
  };

  const p99In = (w: Window) => median(inPhase.filter((x) => x.r.t >= w.from && x.r.t < w.to && x.r.broadcast).map((x) => x.r.broadcast!.p99));
  const cpu = inPhase.length > 0 ? inPhase.reduce((a, x) => a + x.r.cpuCores, 0) / inPhase.length : Number.NaN;
  return {
    phase: { startedAt: start, durationMs: phase.durationMs },
    baseline,
    final,
    processes,
    intervals,
    deliveries: {
      expected: results.deliveries.expected,
      received: results.deliveries.received,
      lost: results.deliveries.lost,
      duplicates: results.deliveries.duplicates,
    },
    sends: {
      intended: results.sends.intended,
      sent: results.sends.sent,
      acked: results.sends.acked,
      failed: results.sends.failed,
      missedSlots: results.sends.missedSlots ?? 0,
    },
    connections: {
      opened: results.connections?.opened ?? 0,
      failed: results.connections?.failed ?? Number.NaN,
      openAtEnd: results.connections?.openAtEnd ?? 0,
    },
    deliveredPerSec: inPhase.reduce((a, x) => a + x.r.delivered, 0) / (phase.durationMs / 1000),
    p99Before: p99In(baseline),
    p99After: p99In(final),
    harnessCpuCores: cpu,
    saturated: results.harness.saturated,
    status: results.status,
  };
}

const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : '—');
const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
const worst = (xs: ProcessGrowth[], key: 'rss' | 'heap') => xs.reduce<ProcessGrowth | undefined>((w, p) => (!w || !(p[key].growth <= w[key].growth) ? p : w), undefined);

/**
 * One PASS/FAIL line per criterion; a value that could not be measured fails. With heap
 * snapshots taken during the run, RSS is not comparable (writing a snapshot grows it).
 */
export function criteria(a: SoakAnalysis, o: { snapshots?: boolean } = {}): Criterion[] {
  const shards = a.processes.filter((p) => p.label !== 'parent');
  const parent = a.processes.find((p) => p.label === 'parent');
  const growthRow = (label: string, p: ProcessGrowth | undefined, key: 'rss' | 'heap'): Criterion => {
    const g = p?.[key];
    if (key === 'rss' && o.snapshots) return { label, measured: 'not comparable: heap snapshots were written during the run', target: `≤ +${MAX_GROWTH * 100} %`, pass: false };
    return {
      label,
      measured: g ? `${pct(g.growth)} (${p!.label}: ${mb(g.before)} → ${mb(g.after)})` : 'not measured',
      target: `≤ +${MAX_GROWTH * 100} %`,
      pass: g !== undefined && g.growth <= MAX_GROWTH,
    };
  };
  const nothingLost = a.deliveries.lost === 0 && a.sends.failed === 0 && a.connections.failed === 0 && a.deliveries.expected > 0 && a.status === 'completed';
  const perLine = a.intervals.linesPerSecond;
  return [
    growthRow('shard RSS growth after warm-up (worst shard)', worst(shards, 'rss'), 'rss'),
    growthRow('shard heap growth after warm-up (worst shard, after full GC)', worst(shards, 'heap'), 'heap'),
    growthRow('parent RSS growth after warm-up', parent, 'rss'),
    growthRow('parent heap growth after warm-up (after full GC)', parent, 'heap'),
    {
      label: 'nothing lost (deliveries, sends, connections)',
      measured: `lost ${a.deliveries.lost} of ${a.deliveries.expected.toLocaleString('en-US')}, failed sends ${a.sends.failed}, failed connects ${a.connections.failed}, run ${a.status}`,
      target: 'all 0, completed',
      pass: nothingLost,
    },
    {
      label: 'interval file bounded (one line per interval, lines do not grow)',
      measured: `${perLine.toFixed(2)} lines/s, ${a.intervals.bytesPerLineBefore.toFixed(0)} → ${a.intervals.bytesPerLineAfter.toFixed(0)} B/line (${pct(a.intervals.growth)})`,
      target: `1 line/s ± 5 %, ≤ +${MAX_GROWTH * 100} %`,
      pass: Math.abs(perLine - 1) <= 0.05 && a.intervals.growth <= MAX_GROWTH,
    },
  ];
}
