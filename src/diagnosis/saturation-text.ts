import type { Results, Saturation } from '../contracts/results-schema.ts';
import { CPU_LIMIT_CORES, CPU_WINDOW_INTERVALS, LAG_P99_LIMIT_MS } from '../metrics/measurement/saturation.ts';
import { fmtInt, fmtMs, fmtShare } from '../number-format.ts';

/**
 * The words of how the harness was the bottleneck, said the same way by the run's warnings, the
 * harness check and a sweep point's note.
 */

/** "shard 1 event-loop lag p99 75 ms > 50 ms; latencies include the harness's own delay" */
export function saturationText(s: Saturation): string {
  if (s.sign === 'lag') {
    const starved = s.starvedAtCores === undefined ? '' : ` while using at most ${fmtShare(s.starvedAtCores)} of a core: the host's CPUs are oversubscribed (a local stack shares them)`;
    return `shard ${s.shard} event-loop lag p99 ${fmtMs(s.lagP99Ms)} > ${fmtMs(s.limitMs)}${starved}; latencies include the harness's own delay`;
  }
  if (s.sign === 'cpu') return `shard ${s.shard} used ${fmtShare(s.cores)} of a core over ${fmtInt(s.windowSeconds)} s; add shards or lower the load`;
  return `${fmtInt(s.saturated)} of ${fmtInt(s.workers)} workers had an event-loop lag p99 over ${fmtMs(LAG_P99_LIMIT_MS)} or used more than ${fmtShare(CPU_LIMIT_CORES)} of a core for ${fmtInt(CPU_WINDOW_INTERVALS)} s; latencies include the workers' own delay`;
}

const SATURATED = 'harness saturated: ';

/**
 * How a saturated harness was the bottleneck, as its first sign says; an older run's as it
 * stored it (its warnings say it, it keeps no signs).
 */
export function firstSaturationText(h: Pick<Results['harness'], 'saturation' | 'warnings'>): string | undefined {
  const first = h.saturation?.[0];
  if (first) return saturationText(first);
  return h.saturation ? undefined : h.warnings.find((w) => w.startsWith(SATURATED))?.slice(SATURATED.length);
}

/** The harness's warnings with its saturation first: "harness saturated: shard 0 …", then the rest as kept. */
export function harnessWarningLines(h: Pick<Results['harness'], 'saturation' | 'warnings'>): string[] {
  return [...(h.saturation ?? []).map((s) => `${SATURATED}${saturationText(s)}`), ...h.warnings];
}
