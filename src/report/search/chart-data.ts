import type { Search, SearchStep } from '../../analyses/search/search-schema.ts';
import { loadOutcomes } from '../../analyses/search/step-plan.ts';
import { emptyChart, type EmptyChart } from '../shared/empty-chart.ts';
import { figureMark } from './text.ts';
import { median } from '../../median.ts';

/**
 * The knee charts of a search, as data the page's script draws (../shared/assets/search-client.js): one
 * point per load measured (the median of its measurements), x the varied load.
 *
 * - latency: broadcast p50 and p99 against load, each SLO on a latency drawn as a level line;
 * - throughput: deliveries offered against delivered per second of hold.
 */
export interface SearchSeries {
  label: string;
  color: string;
  values: Array<number | null>;
  /** a level line (an SLO's limit), dashed */
  dashed?: boolean;
}

export interface SearchChart {
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  series: SearchSeries[];
  /** loads that did not meet the SLOs by the majority of their measurements (as the answer counts them), marked on the chart */
  failing: number[];
}

/** Both charts, always: with no load measured they say so (../shared/empty-chart.ts). */
export interface SearchCharts {
  latency: SearchChart | EmptyChart;
  throughput: SearchChart | EmptyChart;
}

const TITLES = { latency: 'Broadcast latency against load', throughput: 'Deliveries offered against delivered' };

const COLORS = { p50: '#0ea5e9', p99: '#7c3aed', offered: '#64748b', delivered: '#16a34a', slo: '#dc2626' };

export function buildSearchCharts(search: Search): SearchCharts {
  const byLoad = new Map<number, SearchStep[]>();
  for (const s of search.steps) if (s.status !== 'interrupted') byLoad.set(s.load, [...(byLoad.get(s.load) ?? []), s]);
  const x = [...byLoad.keys()].sort((a, b) => a - b);
  if (x.length === 0) {
    const n = search.steps.length;
    const why = `No load was measured to the end${search.statusReason ? ` (${search.statusReason})` : ''}: ${n === 0 ? 'the search ran no step' : n === 1 ? 'its only step was cut short' : `its ${n} steps were cut short`}.`;
    return { latency: emptyChart(TITLES.latency, why), throughput: emptyChart(TITLES.throughput, why) };
  }
  const per = (read: (s: SearchStep) => number | null) =>
    x.map((l) => median(byLoad.get(l)!.map(read).filter((v): v is number => v !== null)));
  const outcomes = loadOutcomes([...byLoad.values()].flat());
  const failing = x.filter((l) => !outcomes.get(l)!.passed);
  const xLabel = `${search.vary} (${search.unit})`;
  const slos = search.steps[0]?.slos.filter((t) => t.unit === 'ms' && t.limit !== null) ?? [];
  return {
    latency: {
      title: TITLES.latency,
      xLabel,
      yLabel: 'ms',
      x,
      series: [
        { label: `broadcast p50${figureMark(search)}`, color: COLORS.p50, values: per((s) => s.figures.broadcastP50Ms) },
        { label: `broadcast p99${figureMark(search)}`, color: COLORS.p99, values: per((s) => s.figures.broadcastP99Ms) },
        ...slos.map((t) => ({ label: `SLO ${t.expression}`, color: COLORS.slo, values: x.map(() => t.limit), dashed: true })),
      ],
      failing,
    },
    throughput: {
      title: TITLES.throughput,
      xLabel,
      yLabel: 'deliveries/s',
      x,
      series: [
        { label: 'offered', color: COLORS.offered, values: per((s) => s.figures.offeredDeliveriesPerSec), dashed: true },
        { label: 'delivered', color: COLORS.delivered, values: per((s) => s.figures.deliveredPerSec) },
      ],
      failing,
    },
  };
}
