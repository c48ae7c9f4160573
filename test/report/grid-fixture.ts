import { SweepComparison as SweepFile, type MedianRange, type PointResult, type SweepComparison } from '../../src/analyses/compare/compare-schema.ts';
import { recommendGrid } from '../../src/analyses/compare/grid-recommend.ts';

/**
 * The recorded room-size sweep as a grid of two variants: `direct` as measured, `queued` 30 %
 * dearer and 40 % faster, and direct missing the SLO at its largest size. Valid compare.json.
 */
export function gridOf(sweep: SweepComparison): SweepComparison {
  const scale = (r: MedianRange | null, f: number): MedianRange | null => (r ? { ...r, median: r.median * f, min: r.min * f, max: r.max * f } : r);
  const points: PointResult[] = sweep.points.flatMap((p, k): PointResult[] => {
    const direct = { ...structuredClone(p), variant: 'direct', label: `direct · ${p.label}`, ...(k === sweep.points.length - 1 ? { slo: { met: false, failed: ['broadcast.p99 < 1s: 2.4 s; limit < 1 s: crossed'], missedBy: 'stack' as const } } : {}) };
    const q = structuredClone(p);
    const queued = { ...q, variant: 'queued', label: `queued · ${p.label}`, metrics: { ...q.metrics, totalCostPerMillionDeliveries: scale(q.metrics.totalCostPerMillionDeliveries, 1.3), latencyMs: scale(q.metrics.latencyMs, 0.6) }, slo: { met: true, failed: [] } };
    return [direct, queued];
  });
  const { grid, recommendation } = recommendGrid(points, ['direct', 'queued'], sweep.latencyMetric);
  return SweepFile.parse({ ...sweep, parameter: 'targets', points, grid, recommendation });
}
