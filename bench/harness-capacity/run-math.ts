import type { IntervalRecord, PhaseResult, Results } from '../../src/contracts/results-schema.ts';
import type { TreeSample } from './harness-run.ts';

/**
 * Reading one phase out of a run: its entry in results.phases, its 1-second interval records
 * (each record names the phase it belongs to), and the /proc samples taken while it ran.
 */
export function phaseNamed(r: Results, name: string): PhaseResult {
  const p = r.phases?.find((x) => x.name === name);
  if (!p) throw new Error(`results.json of ${r.runId} has no phase "${name}" (status ${r.status}${r.statusReason ? `: ${r.statusReason}` : ''})`);
  return p;
}

export interface IntervalSpan {
  record: IntervalRecord;
  /** the interval's wall time, seconds */
  seconds: number;
}

/** The phase's intervals with their lengths (a record's `t` is its start; the next record's `t` its end). */
export function phaseIntervals(r: Results, name: string): IntervalSpan[] {
  const out: IntervalSpan[] = [];
  const startMs = Date.parse(r.startedAt);
  r.intervals.forEach((rec, i) => {
    if (rec.phase !== name) return;
    const end = i + 1 < r.intervals.length ? r.intervals[i + 1].t : startMs + rec.elapsedSec * 1000;
    out.push({ record: rec, seconds: Math.max(0, (end - rec.t) / 1000) });
  });
  return out;
}

/** Harness CPU-seconds (all shards) over the phase's intervals, as the shards measured themselves. */
export function shardCpuSeconds(spans: IntervalSpan[]): number {
  return spans.reduce((a, s) => a + s.record.cpuCores * s.seconds, 0);
}

/** The spans' wall seconds, added up. */
export function spanSeconds(spans: IntervalSpan[]): number {
  return spans.reduce((a, s) => a + s.seconds, 0);
}

export function sum(spans: IntervalSpan[], key: 'delivered' | 'connects' | 'sent'): number {
  return spans.reduce((a, s) => a + s.record[key], 0);
}

/** A sampled quantity at time t, interpolated between the samples around it. */
export function sampledAt<K extends string>(samples: ({ t: number } & Record<K, number>)[], t: number, key: K): number {
  if (samples.length === 0) return Number.NaN;
  if (t <= samples[0].t) return samples[0][key];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    if (t <= b.t) return a[key] + ((b[key] - a[key]) * (t - a.t)) / Math.max(1e-9, b.t - a.t);
  }
  return samples[samples.length - 1][key];
}

/** The samples taken inside [from, to] with every expected shard alive. */
export function samplesWithin(samples: TreeSample[], from: number, to: number, shards: number): TreeSample[] {
  return samples.filter((s) => s.t >= from && s.t <= to && s.shards === shards);
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function phaseEnd(p: PhaseResult): number {
  return p.startedAt + p.durationMs;
}
