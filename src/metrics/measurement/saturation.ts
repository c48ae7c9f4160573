import type { Saturation } from '../../contracts/results-schema.ts';

/**
 * When was the harness, not the system, the bottleneck? A shard whose event loop lags (p99 over
 * the run > 50 ms) timestamps deliveries late; a shard that keeps a core busy (> 90 % averaged
 * over 3 consecutive intervals) queues frames before it reads them. Either way its latencies
 * include its own queueing, and the run says so instead of reporting them as the system's.
 */
export const LAG_P99_LIMIT_MS = 50;
export const CPU_LIMIT_CORES = 0.9;
export const CPU_WINDOW_INTERVALS = 3;

export interface SaturationInput {
  /** per shard: event-loop lag p99 over the whole run, ms */
  runLagP99Ms: number[];
  /** per shard: CPU in cores for each interval */
  cpuCores: number[][];
}

/** A loop lagging while its shard used less of a core than this was starved by other processes on this host. */
const STARVED_BELOW_CORES = 0.5;

/** Each shard that was the bottleneck, and how (worded by diagnosis/saturation-text.ts). */
export function assessSaturation(input: SaturationInput): Saturation[] {
  const found: Saturation[] = [];
  input.runLagP99Ms.forEach((lag, shard) => {
    if (lag > LAG_P99_LIMIT_MS) {
      const series = input.cpuCores[shard] ?? [];
      const busiest = series.length ? Math.max(...series) : 0;
      found.push({ sign: 'lag', shard, lagP99Ms: lag, limitMs: LAG_P99_LIMIT_MS, ...(busiest < STARVED_BELOW_CORES ? { starvedAtCores: busiest } : {}) });
    }
  });
  input.cpuCores.forEach((series, shard) => {
    const peak = peakCores(series);
    if (peak > CPU_LIMIT_CORES) found.push({ sign: 'cpu', shard, cores: peak, limitCores: CPU_LIMIT_CORES, windowSeconds: CPU_WINDOW_INTERVALS });
  });
  return found;
}

/** The busiest CPU_WINDOW_INTERVALS consecutive intervals of a series, averaged, in cores (0 for a shorter series). */
export function peakCores(series: readonly number[]): number {
  let peak = 0;
  for (let i = 0; i + CPU_WINDOW_INTERVALS <= series.length; i++) {
    let sum = 0;
    for (let k = 0; k < CPU_WINDOW_INTERVALS; k++) sum += series[i + k];
    peak = Math.max(peak, sum / CPU_WINDOW_INTERVALS);
  }
  return peak;
}

/**
 * One phase's verdict from its intervals: a worst-shard lag p99 over the limit in any interval,
 * or a shard over the CPU limit in most of its (whole-second) intervals.
 */
export function phaseSaturated(p: { lagP99Max: number; hotIntervals: number; intervals: number }): boolean {
  return p.lagP99Max > LAG_P99_LIMIT_MS || (p.hotIntervals > 0 && p.hotIntervals >= Math.min(CPU_WINDOW_INTERVALS, Math.ceil(p.intervals / 2)));
}
