/**
 * The harness's capacity targets on this 2-core machine, all measurement on (issue
 * bench/harness-capacity). A measurement without a bound is reported, not judged.
 */
export type TargetKey = 'cpuPer10k' | 'p99At20k' | 'rssPer1000' | 'connectsPerSec' | 'clientsHeld' | 'maxDeliveriesPerSec';

export interface Target {
  key: TargetKey;
  label: string;
  unit: string;
  /** at most / at least this; neither = reported only */
  max?: number;
  min?: number;
  digits: number;
  /** --quick runs too small a load for this target to be judged */
  sizeBound?: boolean;
}

export const TARGETS: Target[] = [
  { key: 'cpuPer10k', label: 'harness CPU per 10k deliveries at 20k deliveries/s', unit: 'CPU-s', max: 0.1, digits: 3 },
  { key: 'p99At20k', label: 'broadcast p99 at 20k deliveries/s', unit: 'ms', digits: 1 },
  // Fixed per-shard heap growth and a short ramp dominate at --quick's few thousand clients.
  { key: 'rssPer1000', label: 'harness RSS per 1,000 clients held', unit: 'MB', max: 6, digits: 2, sizeBound: true },
  { key: 'connectsPerSec', label: 'connects per second', unit: '/s', min: 5000, digits: 0, sizeBound: true },
  { key: 'clientsHeld', label: 'clients held open at once', unit: 'clients', min: 40_000, digits: 0, sizeBound: true },
  { key: 'maxDeliveriesPerSec', label: 'max sustained deliveries per second', unit: '/s', min: 150_000, digits: 0 },
];

export type Verdict = 'PASS' | 'FAIL' | 'info' | 'not measured' | 'not judged (--quick)';

export function verdict(t: Target, value: number | undefined, quick = false): Verdict {
  if (value === undefined || !Number.isFinite(value)) return 'not measured';
  if (quick && t.sizeBound) return 'not judged (--quick)';
  if (t.max !== undefined) return value <= t.max ? 'PASS' : 'FAIL';
  if (t.min !== undefined) return value >= t.min ? 'PASS' : 'FAIL';
  return 'info';
}

export function targetText(t: Target): string {
  if (t.max !== undefined) return `≤ ${fmt(t.max, t.digits)}`;
  if (t.min !== undefined) return `≥ ${fmt(t.min, t.digits)}`;
  return '—';
}

export function fmt(v: number | undefined, digits: number): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
