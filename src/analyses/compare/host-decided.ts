import { LATENCY_METRIC_SHORT, type HostDecided, type LatencyMetric, type SizeMetrics, type SizeResult } from './compare-schema.ts';
import { TIE_TOLERANCE } from './recommend.ts';
import { fmtInt, fmtMs } from '../../number-format.ts';

/**
 * The latency figures the local host decided: where, between two sizes, the host's waits in a
 * figure (host-waits.ts) differ by more than the figure itself does, the order of the two on that
 * figure is the host's doing, not the size's (256 MB's connect p99 467 ms against 512 MB's 29 ms,
 * its connects having waited ~440 ms more for a slot). Waits within the tie tolerance of the
 * figure decide nothing. Nothing is recommended on such a figure.
 */

/** Each latency figure's medians in a size's metrics. */
export const LATENCY_FIELD: Record<LatencyMetric, keyof SizeMetrics> = {
  duration: 'durationMeanMs',
  'broadcast-p50': 'broadcastP50Ms',
  'broadcast-p99': 'broadcastP99Ms',
  'connect-p50': 'connectP50Ms',
  'connect-p99': 'connectP99Ms',
  'fanout-p50': 'fanoutP50Ms',
  'fanout-p99': 'fanoutP99Ms',
};

/** Per latency figure the host decided, the pair of sizes where its waits differ most against the figure. */
export function hostDecided(sizes: readonly SizeResult[], metrics: readonly LatencyMetric[]): HostDecided[] {
  const ranked = sizes.filter((s) => s.status !== 'excluded');
  const out: HostDecided[] = [];
  for (const metric of metrics) {
    let found: HostDecided | undefined;
    for (let i = 0; i < ranked.length; i++) {
      for (let j = i + 1; j < ranked.length; j++) {
        const a = ranked[i];
        const b = ranked[j];
        const fa = a.metrics[LATENCY_FIELD[metric]] as SizeMetrics['latencyMs'] | undefined;
        const fb = b.metrics[LATENCY_FIELD[metric]] as SizeMetrics['latencyMs'] | undefined;
        const wa = a.metrics.hostWaitMs?.[metric];
        const wb = b.metrics.hostWaitMs?.[metric];
        if (!fa || !fb || !wa || !wb) continue;
        const difference = Math.abs(fa.median - fb.median);
        const waits = Math.abs(wa.median - wb.median);
        // waits within the tie tolerance of the figure could not change its order
        const decides = waits > difference && waits > TIE_TOLERANCE * Math.max(fa.median, fb.median);
        if (!decides || (found && waits - difference <= found.hostWaitDifferenceMs - found.differenceMs)) continue;
        const mb = (s: SizeResult) => `${fmtInt(s.memoryMB)} MB`;
        found = {
          metric,
          between: [a.memoryMB, b.memoryMB],
          differenceMs: difference,
          hostWaitDifferenceMs: waits,
          line: `the local host decided ${LATENCY_METRIC_SHORT[metric]}: ${mb(a)} ${fmtMs(fa.median)} against ${mb(b)} ${fmtMs(fb.median)} (${fmtMs(difference)} apart), while the host's waits in it differ by ${fmtMs(waits)} (${fmtMs(wa.median)} against ${fmtMs(wb.median)}): nothing is recommended on it`,
        };
      }
    }
    if (found) out.push(found);
  }
  return out;
}
