/**
 * The harness's capacity targets on this 2-core machine, all measurement on (issue
 * bench/harness-capacity), and its tail and CPU beside a bare `ws` fleet's (the floor). A
 * measurement without a bound is reported, not judged.
 */
export type TargetKey = 'cpuPer10k' | 'rssPer1000' | 'connectsPerSec' | 'clientsHeld' | 'maxDeliveriesPerSec';
export type Measurement = 'steady' | 'held' | 'steps' | 'floor';

export interface Target {
  /** a TargetKey, or a floor row's own key (floorKey) */
  key: string;
  /** the part of the benchmark that measures it (--only) */
  measurement: Measurement;
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
  { key: 'cpuPer10k', measurement: 'steady', label: 'harness CPU per 10k deliveries at 20k deliveries/s', unit: 'CPU-s', max: 0.1, digits: 3 },
  // Fixed per-shard heap growth and a short ramp dominate at --quick's few thousand clients.
  { key: 'rssPer1000', measurement: 'held', label: 'harness RSS per 1,000 clients held', unit: 'MB', max: 6, digits: 2, sizeBound: true },
  { key: 'connectsPerSec', measurement: 'held', label: 'connects per second', unit: '/s', min: 5000, digits: 0, sizeBound: true },
  { key: 'clientsHeld', measurement: 'held', label: 'clients held open at once', unit: 'clients', min: 40_000, digits: 0, sizeBound: true },
  { key: 'maxDeliveriesPerSec', measurement: 'steps', label: 'max sustained deliveries per second', unit: '/s', min: 150_000, digits: 0 },
];

/**
 * The harness beside the bare `ws` fleet (measure-floor.ts): its figure ÷ the floor's in the same
 * round, median over rounds, at most this. Its own tail may widen a target's by this much and no
 * more; CPU per delivery barely at all.
 */
export const FLOOR_LIMITS = { p99Ms: 1.2, p999Ms: 1.5, cpuPer10k: 1.05 } as const;
export type FloorFigure = keyof typeof FLOOR_LIMITS;
const FLOOR_LABELS: Record<FloorFigure, string> = { p99Ms: 'broadcast p99', p999Ms: 'broadcast p99.9', cpuPer10k: 'CPU per delivery' };

export const FLOOR_LOST_KEY = 'floor:lost';

/** A floor row's key: the figure, the harness's shards and the rate, against the bare fleet on `floorProcesses` processes. */
export function floorKey(figure: FloorFigure, shards: number, rate: number, floorProcesses = 1): string {
  return `${floorProcesses === 1 ? 'floor' : `floor-${floorProcesses}`}:${figure}:${shards}:${rate}`;
}

/**
 * One row per figure, shard count and rate, against the bare fleet on one process (judged for 1
 * shard and the default: the cheapest way to measure at that rate), and for n > 1 shards against
 * the bare fleet on n processes too (judged: the harness's own code on n processes); one for what
 * the harness lost in all of them.
 */
export function floorTargets(shards: number[], defaultShards: Record<number, number>, rates: number[]): Target[] {
  const out: Target[] = [];
  for (const rate of rates) {
    for (const n of shards) {
      const who = `${n} shard${n === 1 ? '' : 's'}${n === defaultShards[rate] ? ' (default)' : ''}`;
      const against = n === 1 ? [1] : [n, 1];
      for (const processes of against) {
        const judged = processes === n || n === defaultShards[rate];
        const floor = processes === 1 ? "bare ws fleet's" : `bare ws fleet's on ${processes} processes`;
        for (const figure of Object.keys(FLOOR_LIMITS) as FloorFigure[]) {
          out.push({
            key: floorKey(figure, n, rate, processes),
            measurement: 'floor',
            label: `${FLOOR_LABELS[figure]} ÷ ${floor}, ${who}, ${fmt(rate / 1000, 0)}k deliveries/s`,
            unit: '×',
            ...(judged ? { max: FLOOR_LIMITS[figure] } : {}),
            digits: 2,
            sizeBound: true,
          });
        }
      }
    }
  }
  out.push({ key: FLOOR_LOST_KEY, measurement: 'floor', label: 'deliveries the harness lost beside the floor (all rounds)', unit: 'deliveries', max: 0, digits: 0 });
  return out;
}

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
