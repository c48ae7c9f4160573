import { LATENCY_METRIC_SHORT, type Grid, type LatencyMetric, type MedianRange, type PointResult, type SweepComparison, type SweptParameter } from '../../analyses/compare/compare-schema.ts';
import { fmtNum } from '../../number-format.ts';
import { emptyChart, type EmptyChart } from '../shared/empty-chart.ts';
import { PALETTE } from '../shared/palette.ts';

/**
 * A sweep's charts as plain data (pure); the page's script hands them to uPlot. Both have the
 * swept parameter on the x axis, one tick per point (named as the page names it), and the points
 * that did not meet the SLO shaded:
 * - `sweep-latency`: fan-out completion p50/p99, broadcast p99 and sendMessage Duration p99 (ms),
 *   and the latency the sweep ranks on where it is none of those (connect p99);
 * - `sweep-cost`: the whole estimate per million deliveries and its Lambda and API Gateway parts,
 *   and data transfer out when the prices priced it (USD).
 * Excluded points are left off (the page names them); a chart no point has data for is an empty
 * chart saying why (../shared/empty-chart.ts).
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

/** Both charts, always: one with nothing to draw says which data it lacks and why. */
export type SweepCharts = Record<SweepChart['id'], SweepChart | EmptyChart>;

/** The latencies the sweep's latency chart always draws (fan-out p50/p99, broadcast p99, the function's Duration p99). */
const DRAWN_LATENCIES = new Set<LatencyMetric>(['fanout-p50', 'fanout-p99', 'broadcast-p99', 'duration']);

export const X_AXIS_LABEL: Record<SweptParameter, string> = { 'room-size': 'members per room', payload: 'payload (bytes)', targets: 'variant', provisioned: 'provisioned environments', snapstart: 'SnapStart' };

export function buildSweepCharts(c: SweepComparison): SweepCharts {
  if (c.grid) return gridCharts(c, c.grid);
  const points = c.points.filter((p) => p.status !== 'excluded');
  const titles = { latency: `Latency by ${X_AXIS_LABEL[c.parameter]}`, cost: `Cost per million deliveries by ${X_AXIS_LABEL[c.parameter]}` };
  if (points.length === 0) {
    const why = 'No point counted a run: each was excluded (the banner above says why).';
    return { 'sweep-latency': emptyChart(titles.latency, why), 'sweep-cost': emptyChart(titles.cost, why) };
  }
  // targets: the variants' places (1, 2 …) are their x; the others their own values
  const x = points.map((p) => p.x);
  const xLabels = points.map((p) => (c.parameter === 'targets' ? p.label : p.label.replace(/ (members|provisioned)$/, '').replace(/^SnapStart /, '')));
  const met = points.map((p) => p.slo?.met ?? null);
  const med = (pick: (p: (typeof points)[number]) => MedianRange | null | undefined) => points.map((p) => pick(p)?.median ?? null);
  const base = { xLabel: X_AXIS_LABEL[c.parameter], x, xLabels, met };
  const duration = c.functions[0]!;
  const latency: SweepChart = {
    id: 'sweep-latency',
    title: titles.latency,
    yLabel: 'ms',
    unit: 'ms',
    ...base,
    series: [
      // the latency the sweep ranks on where none of the others is it (a provisioned or SnapStart sweep's connect p99)
      ...(DRAWN_LATENCIES.has(c.latencyMetric) ? [] : [{ label: LATENCY_METRIC_SHORT[c.latencyMetric], color: PALETTE[1], values: med((p) => p.metrics.latencyMs) }]),
      { label: 'fan-out completion p50', color: PALETTE[0], values: med((p) => p.metrics.fanoutP50Ms) },
      { label: 'fan-out completion p99', color: PALETTE[4], values: med((p) => p.metrics.fanoutP99Ms) },
      { label: 'broadcast p99', color: PALETTE[3], values: med((p) => p.metrics.broadcastP99Ms) },
      { label: `${duration} Duration p99`, color: PALETTE[5], values: med((p) => p.functions[duration]?.durationP99Ms) },
    ].filter((s) => s.values.some((v) => v !== null)),
  };
  const cost: SweepChart = {
    id: 'sweep-cost',
    title: titles.cost,
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
  return {
    'sweep-latency': latency.series.length > 0 ? latency : emptyChart(latency.title, `No point timed ${DRAWN_LATENCIES.has(c.latencyMetric) ? '' : `a ${LATENCY_METRIC_SHORT[c.latencyMetric]}, `}a fan-out, a broadcast or ${duration}'s Duration: its counted runs delivered nothing, or recorded no latency.`),
    'sweep-cost': cost.series.length > 0 ? cost : emptyChart(cost.title, 'No point has a cost per million deliveries: its counted runs delivered nothing to price, or had no prices.'),
  };
}

/** The latency the sweep ranks on, for sentences. */
export const sweepLatencyName = (c: SweepComparison) => LATENCY_METRIC_SHORT[c.latencyMetric];

/**
 * A grid's charts: the room sizes on x, one line per variant — its latency (the comparison's
 * figure) and its whole estimate per million deliveries; a size where no variant met the SLO shaded.
 */
function gridCharts(c: SweepComparison, g: Grid): SweepCharts {
  const titles = { latency: `${LATENCY_METRIC_SHORT[c.latencyMetric]} by members per room`, cost: 'Cost per million deliveries by members per room' };
  const cell = (variant: string, size: number) => c.points.find((p) => p.variant === variant && p.setting.membersPerRoom === size && p.status !== 'excluded');
  const base = {
    xLabel: X_AXIS_LABEL['room-size'],
    x: g.roomSizes,
    xLabels: g.roomSizes.map((n) => fmtNum(n)),
    met: g.bySize.map((s) => (s.recommendation.pick !== null ? true : g.variants.some((v) => cell(v, s.roomSize)?.slo) ? false : null)),
  };
  const series = (pick: (p: PointResult) => MedianRange | null | undefined) =>
    g.variants
      .map((v, k) => ({ label: v, color: PALETTE[k % PALETTE.length]!, values: g.roomSizes.map((n) => { const p = cell(v, n); return p ? (pick(p)?.median ?? null) : null; }) }))
      .filter((x) => x.values.some((v) => v !== null));
  const latency: SweepChart = { id: 'sweep-latency', title: titles.latency, yLabel: 'ms', unit: 'ms', ...base, series: series((p) => p.metrics.latencyMs) };
  const cost: SweepChart = { id: 'sweep-cost', title: titles.cost, yLabel: 'USD per million deliveries', unit: 'usd', ...base, series: series((p) => p.metrics.totalCostPerMillionDeliveries) };
  return {
    'sweep-latency': latency.series.length > 0 ? latency : emptyChart(latency.title, 'No variant has this latency at any room size: its counted runs delivered nothing, or recorded none.'),
    'sweep-cost': cost.series.length > 0 ? cost : emptyChart(cost.title, 'No variant has a cost per million deliveries at any room size: its counted runs delivered nothing to price, or had no prices.'),
  };
}
