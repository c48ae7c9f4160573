import { LATENCY_METRIC_SHORT, type Comparison } from '../../analyses/compare/compare-schema.ts';
import { emptyChart, type EmptyChart } from '../shared/empty-chart.ts';
import { PALETTE } from '../shared/palette.ts';
import { fmtNum } from '../../number-format.ts';

/**
 * The comparison page's charts as plain data (pure); its script hands them to uPlot.
 * - `cost-latency`: one point per memory size at (Lambda cost per million deliveries, latency),
 *   medians over the repeats, with whiskers over their min–max; one uPlot series per size.
 * - `by-memory`: Power Tuning's view — latency (left axis) and cost (right axis) against memory.
 * Sizes without both a cost and a latency are left off (the page names them); a chart no size
 * has data for is an empty chart saying why (../shared/empty-chart.ts).
 */
export interface SizePoint {
  label: string;
  memoryMB: number;
  color: string;
  /** on the chart's shared x: the size's value at its own x, null elsewhere */
  values: Array<number | null>;
  /** whiskers: [min, max] over the repeats */
  xSpread: [number, number];
  ySpread: [number, number];
}

export interface CostLatencyChart {
  id: 'cost-latency';
  title: string;
  xLabel: string;
  yLabel: string;
  /** distinct cost medians, ascending */
  x: number[];
  series: SizePoint[];
  /** the x range the whiskers need */
  xRange: [number, number];
}

export interface ByMemoryChart {
  id: 'by-memory';
  title: string;
  yLabel: string;
  y2Label: string;
  /** memory sizes, ascending */
  x: number[];
  series: Array<{ label: string; color: string; values: Array<number | null>; right?: boolean }>;
}

/** Both charts, always: one with nothing to draw says which data it lacks and why. */
export interface CompareCharts {
  'cost-latency': CostLatencyChart | EmptyChart;
  'by-memory': ByMemoryChart | EmptyChart;
}

export const sizeLabel = (memoryMB: number) => `${fmtNum(memoryMB)} MB`;

/** A size's colour: its place among the comparison's sizes (stable across the page's charts and tables). */
export function sizeColor(comparison: Comparison, memoryMB: number): string {
  return PALETTE[Math.max(0, comparison.sizes.findIndex((s) => s.memoryMB === memoryMB)) % PALETTE.length];
}

export function buildCompareCharts(c: Comparison): CompareCharts {
  const latencyLabel = LATENCY_METRIC_SHORT[c.latencyMetric];
  const charted = c.sizes.filter((s) => s.metrics.lambdaCostPerMillionDeliveries && s.metrics.latencyMs);
  const measured = c.sizes.filter((s) => s.status !== 'excluded');
  const noneCounted = 'No size counted a run: each was excluded (the banner above says why).';
  const out: CompareCharts = {
    'cost-latency': emptyChart(
      `Cost versus ${latencyLabel}`,
      measured.length === 0 ? noneCounted : `No size has both a Lambda cost per million deliveries and a ${latencyLabel}: its counted runs delivered nothing to price, or measured no ${latencyLabel}.`,
    ),
    'by-memory': emptyChart(`${latencyLabel} and cost by memory size`, noneCounted),
  };
  if (charted.length > 0) {
    const x = [...new Set(charted.map((s) => s.metrics.lambdaCostPerMillionDeliveries!.median))].sort((a, b) => a - b);
    const series = charted.map((s) => {
      const cost = s.metrics.lambdaCostPerMillionDeliveries!;
      const latency = s.metrics.latencyMs!;
      return {
        label: sizeLabel(s.memoryMB),
        memoryMB: s.memoryMB,
        color: sizeColor(c, s.memoryMB),
        values: x.map((v) => (v === cost.median ? latency.median : null)),
        xSpread: [cost.min, cost.max] as [number, number],
        ySpread: [latency.min, latency.max] as [number, number],
      };
    });
    out['cost-latency'] = {
      id: 'cost-latency',
      title: `Cost versus ${latencyLabel}`,
      xLabel: 'Lambda cost per million deliveries (USD)',
      yLabel: `${latencyLabel} (ms)`,
      x,
      series,
      xRange: [Math.min(...series.map((s) => s.xSpread[0])), Math.max(...series.map((s) => s.xSpread[1]))],
    };
  }
  if (measured.length > 0) {
    out['by-memory'] = {
      id: 'by-memory',
      title: `${latencyLabel} and cost by memory size`,
      yLabel: `${latencyLabel} (ms)`,
      y2Label: 'Lambda cost per million deliveries (USD)',
      x: measured.map((s) => s.memoryMB),
      series: [
        { label: latencyLabel, color: PALETTE[0], values: measured.map((s) => s.metrics.latencyMs?.median ?? null) },
        { label: 'Lambda cost per million deliveries', color: PALETTE[3], values: measured.map((s) => s.metrics.lambdaCostPerMillionDeliveries?.median ?? null), right: true },
      ],
    };
  }
  return out;
}
