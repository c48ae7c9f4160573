import { headroomKey, type FunctionWork, type Growth, type GrowthAxis, type Plan } from '../../analyses/plan/plan-schema.ts';
import { fmtInt, fmtNum } from '../../number-format.ts';
import { emptyChart, type EmptyChart } from '../shared/empty-chart.ts';
import { PALETTE } from '../shared/palette.ts';
import { AXIS_NAME, axisValue, factorText } from './limits-text.ts';

/**
 * The plan page's charts as plain data (pure); its script (../shared/assets/plan-client.js)
 * hands them to uPlot. For each axis grown (Plan.growth, the one grown first first):
 * - `cost-<axis>`: the monthly cost against the factor of the planned peak (log x);
 * - `headroom-<axis>`: each limit's share of itself against the factor (log x, log y), the limit
 *   drawn at 100 %;
 * both with the axis's first break, where there is one, as a vertical marker.
 * For each function with a room-size fit: `fit-<i>`, its measured points and the fitted line.
 * A chart with nothing to draw is there too, as an empty chart saying why.
 */
export interface PlanSeries {
  label: string;
  color: string;
  values: Array<number | null>;
  dashed?: boolean;
}

/** A vertical marker: where the axis's first limit is passed (the limit is named above the chart and in its legend). */
export interface BreakMark {
  x: number;
  label: string;
}

export interface ScaleChart {
  kind: 'cost' | 'headroom';
  title: string;
  xLabel: string;
  yLabel: string;
  /** factors of the planned peak, ascending */
  x: number[];
  /** the axis's traffic at each factor ("160,000 connections"), for the legend */
  xText: string[];
  series: PlanSeries[];
  /** headroom: the limit, in % of itself */
  limit?: number;
  mark: BreakMark | null;
}

export interface FitChart {
  kind: 'fit';
  title: string;
  xLabel: string;
  yLabel: string;
  /** recipients per message, ascending */
  x: number[];
  /** the measured billed ms per invocation at each x */
  points: Array<number | null>;
  /** the fitted line at each x */
  line: number[];
}

export type PlanChart = ScaleChart | FitChart;
/** Every chart the page shows, by id: one with nothing to draw says which data it lacks and why (../shared/empty-chart.ts). */
export type PlanCharts = Record<string, PlanChart | EmptyChart>;

export const scaleChartId = (kind: ScaleChart['kind'], axis: GrowthAxis) => `${kind}-${axis}`;
export const fitChartId = (functionIndex: number) => `fit-${functionIndex}`;

/** The break marker's colour, kept out of the limits' series so the marker reads as the one red line. */
export const BREAK_COLOR = '#dc2626';
const SERIES_COLORS = PALETTE.filter((c) => c !== BREAK_COLOR);
const COST_COLOR = PALETTE[0]!;

export function buildPlanCharts(p: Plan): PlanCharts {
  const charts: PlanCharts = {};
  for (const g of p.growth) {
    const cost = costChart(p, g);
    const headroom = headroomChart(p, g);
    const notGrown = `The planned peak was grown by ${AXIS_NAME[g.axis]} to no point: there is nothing to draw.`;
    charts[scaleChartId('cost', g.axis)] = g.points.length > 0 ? cost : emptyChart(cost.title, notGrown);
    charts[scaleChartId('headroom', g.axis)] =
      g.points.length === 0 ? emptyChart(headroom.title, notGrown) : headroom.series.length > 0 ? headroom : emptyChart(headroom.title, 'No limit applies to this traffic: the plan holds no share of any limit to draw.');
  }
  p.workModel.functions.forEach((f, i) => {
    if (!f.fit) return;
    const fit = fitChart(f);
    charts[fitChartId(i)] = fit.x.length > 0 ? fit : emptyChart(fit.title, `No room size measured for ${f.name}: the fit has no point to draw.`);
  });
  return charts;
}

/** "× connections (1× = 50,000)" */
function xLabel(p: Plan, axis: GrowthAxis): string {
  const base = p.traffic[axis];
  return `× ${AXIS_NAME[axis]} (1× = ${axis === 'connections' ? fmtInt(Math.round(base)) : fmtNum(base)})`;
}

function sorted(g: Growth) {
  return [...g.points].sort((a, b) => a.factor - b.factor);
}

function mark(g: Growth): BreakMark | null {
  const b = g.firstBreak;
  return b ? { x: b.factor, label: `first break ${factorText(b.factor)}` } : null;
}

function costChart(p: Plan, g: Growth): ScaleChart {
  const points = sorted(g);
  return {
    kind: 'cost',
    title: `Monthly cost against ${AXIS_NAME[g.axis]}`,
    xLabel: xLabel(p, g.axis),
    yLabel: 'USD per month',
    x: points.map((pt) => pt.factor),
    xText: points.map((pt) => axisValue(g.axis, pt.traffic)),
    series: [{ label: 'monthly cost', color: COST_COLOR, values: points.map((pt) => pt.monthlyCost) }],
    mark: mark(g),
  };
}

/**
 * One series per limit the points carry a share of, named by the plan's headroom entry of the
 * same key (else the key), the nearest to its limit first; shares in % of the limit.
 */
function headroomChart(p: Plan, g: Growth): ScaleChart {
  const points = sorted(g);
  const labels = new Map(p.headroom.map((h) => [headroomKey(h), h.label]));
  const keys = [...new Set(points.flatMap((pt) => Object.keys(pt.shares)))];
  const peak = (k: string) => Math.max(...points.map((pt) => pt.shares[k] ?? 0));
  keys.sort((a, b) => peak(b) - peak(a));
  return {
    kind: 'headroom',
    title: `Each limit's share against ${AXIS_NAME[g.axis]}`,
    xLabel: xLabel(p, g.axis),
    yLabel: '% of the limit',
    x: points.map((pt) => pt.factor),
    xText: points.map((pt) => axisValue(g.axis, pt.traffic)),
    series: keys.map((k, i) => ({
      label: labels.get(k) ?? k,
      color: SERIES_COLORS[i % SERIES_COLORS.length]!,
      values: points.map((pt) => (pt.shares[k] === undefined ? null : pt.shares[k] * 100)),
      // past the palette, the colours come round again dashed
      ...(i >= SERIES_COLORS.length ? { dashed: true } : {}),
    })),
    limit: 100,
    mark: mark(g),
  };
}

function fitChart(f: FunctionWork): FitChart {
  const fit = f.fit!;
  const byX = new Map<number, number>();
  for (const pt of fit.points) byX.set(pt.recipients, pt.billedMsPerInvocation);
  const x = [...byX.keys()].sort((a, b) => a - b);
  return {
    kind: 'fit',
    title: `${f.name}: billed ms per invocation against recipients`,
    xLabel: 'recipients per message',
    yLabel: 'billed ms per invocation',
    x,
    points: x.map((r) => byX.get(r) ?? null),
    line: x.map((r) => fit.interceptMs + fit.perRecipientMs * r),
  };
}
