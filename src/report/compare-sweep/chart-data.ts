import { LATENCY_METRIC_SHORT, type MedianRange, type SweepComparison, type SweptParameter } from '../../analyses/compare/compare-schema.ts';
import { PALETTE } from '../shared/palette.ts';

/**
 * A sweep's charts as plain data (pure); the page's script hands them to uPlot. Both have the
 * swept parameter on the x axis, one tick per point (named as the page names it), and the points
 * that did not meet the SLO shaded:
 * - `sweep-latency`: fan-out completion p50/p99, broadcast p99 and sendMessage Duration p99 (ms);
 * - `sweep-cost`: the whole estimate per million deliveries and its Lambda and API Gateway parts,
 *   and data transfer out when the prices priced it (USD).
 * Excluded points are left off (the page names them).
 */
export interface SweepChart {
  id: 'sweep-latency' | 'sweep-cost';
  title: string;
  xLabel: string;
  yLabel: string;
  /** 'ms' or 'usd': how the values read */
  unit: 'ms' | 'usd';
  /** the swept values, in the comparison's order */
  x: number[];
  /** each x as the page names it */
  xLabels: string[];
  /** per x: met the SLO (true), did not (false), not judged (null) */
  met: Array<boolean | null>;
  series: Array<{ label: string; color: string; values: Array<number | null> }>;
}

export type SweepCharts = Partial<Record<SweepChart['id'], SweepChart>>;

export const X_AXIS_LABEL: Record<SweptParameter, string> = { 'room-size': 'members per room', payload: 'payload (bytes)', targets: 'variant' };

export function buildSweepCharts(c: SweepComparison): SweepCharts {
  const points = c.points.filter((p) => p.status !== 'excluded');
  if (points.length === 0) return {};
  // targets: the variants' places (1, 2 …) are their x; the others their own values
  const x = points.map((p) => p.x);
  const xLabels = points.map((p) => (c.parameter === 'targets' ? p.label : p.label.replace(/ members$/, '')));
  const met = points.map((p) => p.slo?.met ?? null);
  const med = (pick: (p: (typeof points)[number]) => MedianRange | null | undefined) => points.map((p) => pick(p)?.median ?? null);
  const base = { xLabel: X_AXIS_LABEL[c.parameter], x, xLabels, met };
  const duration = c.functions[0]!;
  const latency: SweepChart = {
    id: 'sweep-latency',
    title: `Latency by ${X_AXIS_LABEL[c.parameter]}`,
    yLabel: 'ms',
    unit: 'ms',
    ...base,
    series: [
      { label: 'fan-out completion p50', color: PALETTE[0], values: med((p) => p.metrics.fanoutP50Ms) },
      { label: 'fan-out completion p99', color: PALETTE[4], values: med((p) => p.metrics.fanoutP99Ms) },
      { label: 'broadcast p99', color: PALETTE[3], values: med((p) => p.metrics.broadcastP99Ms) },
      { label: `${duration} Duration p99`, color: PALETTE[5], values: med((p) => p.functions[duration]?.durationP99Ms) },
    ].filter((s) => s.values.some((v) => v !== null)),
  };
  const cost: SweepChart = {
    id: 'sweep-cost',
    title: `Cost per million deliveries by ${X_AXIS_LABEL[c.parameter]}`,
    yLabel: 'USD per million deliveries',
    unit: 'usd',
    ...base,
    series: [
      { label: 'whole estimate', color: PALETTE[8], values: med((p) => p.metrics.totalCostPerMillionDeliveries) },
      { label: 'Lambda', color: PALETTE[3], values: med((p) => p.costs.lambda) },
      { label: 'API Gateway', color: PALETTE[0], values: med((p) => p.costs.apiGateway) },
      { label: 'data transfer out', color: PALETTE[2], values: med((p) => p.costs.dataTransfer) },
    ].filter((s) => s.values.some((v) => v !== null)),
  };
  const out: SweepCharts = {};
  if (latency.series.length > 0) out['sweep-latency'] = latency;
  if (cost.series.length > 0) out['sweep-cost'] = cost;
  return out;
}

/** The latency the sweep ranks on, for sentences. */
export const sweepLatencyName = (c: SweepComparison) => LATENCY_METRIC_SHORT[c.latencyMetric];
