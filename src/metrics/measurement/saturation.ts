import { fmtMs, fmtShare } from '../../number-format.ts';

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

export function assessSaturation(input: SaturationInput): { saturated: boolean; warnings: string[] } {
  const warnings: string[] = [];
  input.runLagP99Ms.forEach((lag, shard) => {
    if (lag > LAG_P99_LIMIT_MS) {
      const series = input.cpuCores[shard] ?? [];
      const busiest = series.length ? Math.max(...series) : 0;
      // A lagging loop with little CPU of its own was starved by other processes on this host.
      const cause = busiest < 0.5 ? ` while using at most ${fmtShare(busiest)} of a core: the host's CPUs are oversubscribed (a local stack shares them)` : '';
      warnings.push(
        `harness saturated: shard ${shard} event-loop lag p99 ${fmtMs(lag)} > ${fmtMs(LAG_P99_LIMIT_MS)}${cause}; latencies include the harness's own delay`,
      );
    }
  });
  input.cpuCores.forEach((series, shard) => {
    const peak = peakCores(series);
    if (peak > CPU_LIMIT_CORES) {
      warnings.push(`harness saturated: shard ${shard} used ${fmtShare(peak)} of a core over ${CPU_WINDOW_INTERVALS} s; add shards or lower the load`);
    }
  });
  return { saturated: warnings.length > 0, warnings };
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
