import type { Trend } from '../../analyses/trend/trend-schema.ts';
import type { MetricUnit } from '../../contracts/verdict-schema.ts';
import { changePctText, runDate } from './format.ts';

/** What the trend page's script draws for one metric: uPlot columns and the change points to mark. */
export interface TrendChart {
  title: string;
  name: string;
  unit: MetricUnit;
  /** run start times, epoch seconds */
  x: number[];
  values: Array<number | null>;
  /** the repeats' band (null where a run had one measurement) */
  low: Array<number | null>;
  high: Array<number | null>;
  baseline: number | null;
  /** a latency: the values of runs that had no stack figure (the client's, host waits included), null elsewhere; absent when every point is of one kind */
  clientPoints?: Array<number | null>;
  thresholds: Array<{ label: string; values: Array<number | null> }>;
  /** change points: x of the first run at the new level, and a short label */
  changes: Array<{ x: number; label: string }>;
  runIds: string[];
  dates: string[];
}

/** One chart per metric some run had, keyed by its data-chart id. Pure. */
export function buildTrendCharts(t: Trend): Record<string, TrendChart> {
  const x = t.runs.map((r) => Math.round(Date.parse(r.startedAt) / 1000));
  const charts: Record<string, TrendChart> = {};
  t.metrics.forEach((m, i) => {
    if (m.missing) return;
    charts[chartId(i)] = {
      title: m.label,
      name: m.name,
      unit: m.unit,
      x,
      values: m.values,
      low: m.spread.map((s) => s?.[0] ?? null),
      high: m.spread.map((s) => s?.[1] ?? null),
      baseline: m.baseline ?? null,
      ...(m.figures && m.figures.includes('stack') && m.figures.includes('client')
        ? { clientPoints: m.values.map((v, k) => (m.figures![k] === 'client' ? v : null)) }
        : {}),
      thresholds: m.thresholds.map((th) => ({ label: th.expression, values: th.limits })),
      changes: t.changePoints.filter((c) => c.metric === m.name).map((c) => ({ x: x[c.index], label: changePctText(c) })),
      runIds: t.runs.map((r) => r.runId),
      dates: t.runs.map(runDate),
    };
  });
  return charts;
}

export const chartId = (metricIndex: number) => `m${metricIndex}`;
