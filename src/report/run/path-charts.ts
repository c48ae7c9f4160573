import type { PathSeries, StackPath } from '../../contracts/path-schema.ts';
import type { Results } from '../../contracts/results-schema.ts';
import { PALETTE } from '../shared/palette.ts';
import type { ChartSeries, ChartSpec } from './chart-data.ts';
import { ASYNC_AGE_CHART_ID, MAPPING_CHART_ID, pathChartIds, queueChartId } from './path-model.ts';

/**
 * The Path section's charts as data, on the run page's one time axis (seconds since the run
 * started, each value at the middle of its CloudWatch period): per queue its age of oldest
 * message (s) and depth (visible messages, right axis); the mappings' batches at once; the
 * asynchronous events' age. Pure.
 */
export function pathCharts(r: Pick<Results, 'path' | 'startedAt' | 'durationMs'>): Record<string, ChartSpec> {
  const path = r.path;
  if (!path) return {};
  const runStart = Date.parse(r.startedAt);
  const wanted = new Set(pathChartIds(path));
  const out: Record<string, ChartSpec> = {};
  const grid = gridOf(path, runStart);
  const period = path.periodSec === 1 ? 'per second' : `per ${path.periodSec} s`;
  for (const h of path.hops) {
    if (h.kind !== 'queue' || !wanted.has(queueChartId(h.name))) continue;
    const series: ChartSeries[] = [];
    if (h.overTime?.oldestAgeSec) series.push({ label: 'age of oldest message (s)', values: align(h.overTime.oldestAgeSec, grid), color: PALETTE[3] });
    if (h.overTime?.visible) series.push({ label: 'depth (visible messages)', values: align(h.overTime.visible, grid), color: PALETTE[0], right: true, dash: true });
    const title = `${(h.deadLetterOf ?? []).length > 0 ? 'Dead-letter queue' : 'Queue'} ${h.name}: age of oldest message and depth (max ${period})`;
    out[queueChartId(h.name)] = chart(queueChartId(h.name), title, 's', series, grid.x, r.durationMs, 'messages');
  }
  if (wanted.has(MAPPING_CHART_ID)) {
    const series = path.hops.flatMap((h, k): ChartSeries[] =>
      h.kind === 'mapping' && h.overTime?.concurrency
        ? [{ label: `${h.name}${h.concurrencySource === 'function' ? ' (its function)' : ''}`, values: align(h.overTime.concurrency, grid), color: PALETTE[k % PALETTE.length] }]
        : [],
    );
    out[MAPPING_CHART_ID] = chart(MAPPING_CHART_ID, `Event source mappings: batches at once (max ${period})`, 'batches', series, grid.x, r.durationMs);
  }
  if (wanted.has(ASYNC_AGE_CHART_ID)) {
    const series = path.hops.flatMap((h, k): ChartSeries[] =>
      h.kind === 'function' && h.overTime?.asyncAgeMs ? [{ label: h.name, values: align(h.overTime.asyncAgeMs, grid), color: PALETTE[k % PALETTE.length] }] : [],
    );
    out[ASYNC_AGE_CHART_ID] = chart(ASYNC_AGE_CHART_ID, `Asynchronous invocation: event age (max ${period})`, 'ms', series, grid.x, r.durationMs);
  }
  return out;
}

interface Grid {
  startMs: number;
  stepMs: number;
  x: number[];
}

/** One x per period from the first to the last timestamp of any of the path's series, mid-period, seconds since the run start. */
function gridOf(path: StackPath, runStart: number): Grid {
  const all = path.hops.flatMap((h) => Object.values(h.kind === 'queue' || h.kind === 'mapping' || h.kind === 'function' ? (h.overTime ?? {}) : {}) as PathSeries[]).flatMap((s) => s.timestamps);
  const stepMs = path.periodSec * 1000;
  if (all.length === 0) return { startMs: runStart, stepMs, x: [] };
  const startMs = Math.min(...all);
  const count = Math.min(20_000, Math.floor((Math.max(...all) - startMs) / stepMs) + 1);
  const x = Array.from({ length: count }, (_, k) => round3((startMs + k * stepMs - runStart) / 1000 + path.periodSec / 2));
  return { startMs, stepMs, x };
}

/** A gauge's series on the grid: a gap where CloudWatch has no datapoint. */
function align(s: PathSeries, grid: Grid): Array<number | null> {
  const out: Array<number | null> = grid.x.map(() => null);
  s.timestamps.forEach((t, k) => {
    const i = Math.floor((t - grid.startMs) / grid.stepMs);
    if (i >= 0 && i < out.length) out[i] = Math.max(out[i] ?? -Infinity, s.values[k]!);
  });
  return out;
}

function chart(id: string, title: string, unit: string, series: ChartSeries[], x: number[], durationMs: number, unit2?: string): ChartSpec {
  // from the run's start, as every time chart of the page, to the last value drawn (or the run's end)
  let hi = 0;
  for (const s of series) s.values.forEach((v, k) => v !== null && v > 0 && (hi = Math.max(hi, x[k] ?? 0)));
  const spec: ChartSpec = { id, title, unit, ...(unit2 ? { unit2 } : {}), xKind: 'elapsed', x, series, xRange: [0, Math.max(1, Math.ceil(hi > 0 ? hi + 0.5 : durationMs / 1000))] };
  if (!series.some((s) => s.values.some((v) => v !== null))) spec.empty = "CloudWatch returned no datapoints for it in the run's window.";
  return spec;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
