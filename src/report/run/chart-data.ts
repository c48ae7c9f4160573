import type { CloudWatchSeries } from '../../contracts/cloudwatch-schema.ts';
import { LOCAL_HOST_METRIC, LOCAL_HOST_NAMESPACE } from '../../../common/local-host-metrics.ts';
import type { IntervalRecord, Results } from '../../contracts/results-schema.ts';
import { PALETTE } from '../shared/palette.ts';
import { percentileCurves } from './percentile-curve.ts';

/**
 * The report's charts as plain data (pure): the page's script only hands each spec to uPlot.
 * Every time chart uses the same x axis — seconds since the run started, each value placed at
 * the middle of its interval or CloudWatch period — so client-side and CloudWatch series line up.
 */
export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color: string;
  dash?: boolean;
  /** right-hand axis (second unit) */
  right?: boolean;
  /** x positions of its own (seconds since the start, ascending), where they are not the chart's: the page joins them with the chart's */
  x?: number[];
  /** drawn as points only, no line (the cold requests marked on a latency chart) */
  points?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  unit: string;
  unit2?: string;
  xKind: 'elapsed' | 'nines';
  x: number[];
  xRange?: [number, number];
  series: ChartSeries[];
  /** draw counts as bars */
  bars?: boolean;
}

const PCT_COLORS = { p50: '#2563eb', p90: '#16a34a', p99: '#d97706', max: '#dc2626' } as const;

export const HISTOGRAM_LABELS: Record<string, string> = {
  connect: 'connect',
  broadcast: 'broadcast',
  fanoutCompletion: 'fan-out completion',
  connectCold: 'connect (cold)',
  connectWarm: 'connect (warm)',
  broadcastCold: 'broadcast (cold)',
  broadcastWarm: 'broadcast (warm)',
  join: 'join',
  ack: 'send ack',
};

const LATENCY_METRICS = [
  ['connect', 'Connect latency'],
  ['broadcast', 'Broadcast latency'],
  ['fanoutCompletion', 'Fan-out completion'],
] as const;

/** The cold requests' colour on a latency chart: apart from the percentiles' blue, green, amber and red. */
export const COLD_POINT_COLOR = '#7c3aed';
export const COLD_POINT_LABEL = 'cold start';
/** Which latency chart marks which kind of cold request (answers have no latency-over-time chart). */
const COLD_POINT_KIND = { connect: 'connect', broadcast: 'broadcast' } as const;

/** Charts by id; a chart with no data at all is absent (the page says so instead). */
export function buildCharts(results: Results): Record<string, ChartSpec> {
  const runStart = Date.parse(results.startedAt);
  const timeline = clientTimeline(results.intervals, runStart);
  const charts: ChartSpec[] = [];

  for (const [key, title] of LATENCY_METRICS) {
    // where the run has the stack's own latency over time (host waits taken out), it is drawn first
    // and solid, the client's beside it dashed, each labelled
    const stack = key === 'fanoutCompletion' ? [] : stackSeries(results, key, runStart);
    const series: ChartSeries[] = [
      ...stack,
      ...(['p50', 'p90', 'p99', 'max'] as const).map((p) => ({
        label: stack.length > 0 ? `client ${p}` : p,
        values: results.intervals.map((i) => i[key]?.[p] ?? null),
        color: PCT_COLORS[p],
        ...(p === 'max' || stack.length > 0 ? { dash: true } : {}),
      })),
    ];
    const cold = key === 'fanoutCompletion' ? undefined : coldPoints(results, COLD_POINT_KIND[key], runStart);
    if (cold) series.push(cold);
    charts.push({ id: `latency-${key}`, title: `${title} over time`, unit: 'ms', xKind: 'elapsed', x: timeline, series });
  }

  charts.push(distributionChart(results.histograms));

  const iv = results.intervals;
  charts.push({
    id: 'throughput',
    title: 'Throughput and open connections',
    unit: 'per second',
    unit2: 'open connections',
    xKind: 'elapsed',
    x: timeline,
    series: [
      { label: 'sent/s', values: perSecond(iv, (i) => i.sent), color: PALETTE[0] },
      { label: 'delivered/s', values: perSecond(iv, (i) => i.delivered), color: PALETTE[2] },
      { label: 'connects/s', values: perSecond(iv, (i) => i.connects), color: PALETTE[4] },
      { label: 'open connections', values: iv.map((i) => i.openClients), color: PALETTE[8], right: true, dash: true },
      // the reconnect waves, in runs whose clients reconnect
      ...(results.reconnects
        ? [
            { label: 'closed by the server/s', values: perSecond(iv, (i) => i.wentAway ?? 0), color: PALETTE[1] },
            { label: 'reconnected/s', values: perSecond(iv, (i) => i.reconnects ?? 0), color: PALETTE[6] },
          ]
        : []),
    ],
  });
  charts.push({
    id: 'harness',
    title: 'Harness health',
    unit: 'ms',
    unit2: 'CPU cores',
    xKind: 'elapsed',
    x: timeline,
    series: [
      { label: 'event-loop lag (max)', values: iv.map((i) => i.eventLoopLagMs), color: PALETTE[1] },
      { label: 'CPU (cores)', values: iv.map((i) => i.cpuCores), color: PALETTE[0], right: true },
    ],
  });

  const cw = results.cloudwatch;
  const grid = cw ? cloudWatchGrid(cw.window, runStart) : null;
  const find = (namespace: string, metric: string, stat: string, match: (d: Record<string, string>) => boolean) =>
    cw?.series.filter((s) => s.namespace === namespace && s.metric === metric && s.stat === stat && match(s.dimensions)) ?? [];
  const fnColor = (fn: string) => PALETTE[Math.max(0, cw?.functions.indexOf(fn) ?? 0) % PALETTE.length];

  // Errors: the client's view and, on the same axis, what Lambda and API Gateway counted.
  const errorSeries: ChartSpec['series'] = [];
  const errorX = grid ? unionX(timeline, grid.x) : timeline;
  errorSeries.push({ label: 'client errors/s', values: resample(timeline, perSecond(iv, (i) => i.errors), errorX), color: PALETTE[1] });
  if (grid) {
    const lambdaErrors = sumSeries(find('AWS/Lambda', 'Errors', 'Sum', (d) => 'FunctionName' in d), grid);
    if (lambdaErrors) errorSeries.push({ label: 'Lambda Errors', values: resample(grid.x, lambdaErrors, errorX), color: PALETTE[3] });
    const throttles = sumSeries(find('AWS/Lambda', 'Throttles', 'Sum', (d) => 'FunctionName' in d), grid);
    if (throttles) errorSeries.push({ label: 'Lambda Throttles', values: resample(grid.x, throttles, errorX), color: PALETTE[4] });
    for (const metric of ['ClientError', 'ExecutionError', 'IntegrationError']) {
      const s = sumSeries(find('AWS/ApiGateway', metric, 'Sum', () => true), grid);
      if (s) errorSeries.push({ label: `API ${metric}`, values: resample(grid.x, s, errorX), color: PALETTE[5 + ['ClientError', 'ExecutionError', 'IntegrationError'].indexOf(metric)] });
    }
  }
  charts.push({ id: 'errors', title: 'Errors over time', unit: grid && grid.periodSec !== 1 ? `per second (client) · per ${grid.periodSec} s (CloudWatch)` : 'per second', xKind: 'elapsed', x: errorX, series: errorSeries });

  if (cw && grid) {
    const perFunction = (metric: string, stat: string, id: string, title: string, unit: string, fill: boolean, bars = false) => {
      const series: ChartSeries[] = [];
      for (const s of find('AWS/Lambda', metric, stat, (d) => 'FunctionName' in d)) {
        series.push({ label: s.dimensions.FunctionName, values: align(s, grid, fill), color: fnColor(s.dimensions.FunctionName) });
      }
      return { id, title, unit, xKind: 'elapsed' as const, x: grid.x, series, bars };
    };
    const period = grid.periodSec === 1 ? 'per second' : `per ${grid.periodSec} s`;
    charts.push(perFunction('Duration', 'p99', 'lambda-duration', 'Lambda Duration p99 (CloudWatch)', 'ms', false));
    const concurrency = perFunction('ConcurrentExecutions', 'Maximum', 'lambda-concurrency', 'Lambda ConcurrentExecutions (max)', 'environments', false);
    for (const s of find('AWS/Lambda', 'ConcurrentExecutions', 'Maximum', (d) => Object.keys(d).length === 0)) {
      concurrency.series.push({ label: 'account (all functions)', values: align(s, grid, false), color: '#94a3b8', dash: true });
    }
    charts.push(concurrency);
    charts.push(perFunction('Invocations', 'Sum', 'lambda-invocations', 'Lambda Invocations', period, true));
    charts.push(perFunction('Throttles', 'Sum', 'lambda-throttles', 'Lambda Throttles', period, true, true));

    // Cold starts: REPORT lines per function; the EMF ColdStart metric when there are none.
    const cold: ChartSeries[] = Object.entries(cw.reports)
      .filter(([, r]) => r.coldStarts > 0)
      .map(([fn, r]) => ({
        label: fn,
        values: align({ timestamps: r.coldStartsOverTime.timestamps, values: r.coldStartsOverTime.values }, grid, true),
        color: fnColor(fn),
      }));
    if (cold.length === 0) {
      const emfCold = sumSeries(find('FanoutBench', 'ColdStart', 'Sum', () => true), grid);
      if (emfCold) cold.push({ label: 'ColdStart (EMF)', values: emfCold, color: PALETTE[0] });
    }
    charts.push({ id: 'cold-starts', title: 'Cold starts over time', unit: period, xKind: 'elapsed', x: grid.x, series: cold, bars: true });

    const stale: ChartSeries[] = [];
    const removed = sumSeries(find(cwEmfNamespace(cw.series), 'StaleConnectionsRemoved', 'Sum', onlyService), grid);
    if (removed) stale.push({ label: 'stale connections removed', values: removed, color: PALETTE[3] });
    const postErrors = sumSeries(find(cwEmfNamespace(cw.series), 'FanoutPostErrors', 'Sum', onlyService), grid);
    if (postErrors) stale.push({ label: 'fan-out post errors', values: postErrors, color: PALETTE[1] });
    const postTimeouts = sumSeries(find(cwEmfNamespace(cw.series), 'FanoutPostTimeouts', 'Sum', onlyService), grid);
    if (postTimeouts) stale.push({ label: 'fan-out post timeouts', values: postTimeouts, color: PALETTE[2] });
    const cleanupFailures = sumSeries(find(cwEmfNamespace(cw.series), 'StaleCleanupFailures', 'Sum', onlyService), grid);
    if (cleanupFailures) stale.push({ label: 'stale cleanup failures', values: cleanupFailures, color: PALETTE[4] });
    charts.push({ id: 'stale', title: 'Stale-connection cleanup (410 Gone)', unit: period, xKind: 'elapsed', x: grid.x, series: stale, bars: true });

    if (cw.localHost) charts.push(localHostChart(find, grid, results.environment.cpus, period));
  }

  const present = charts.filter((c) => c.series.some((s) => s.values.some((v) => v !== null)));
  const timeCharts = present.filter((c) => c.xKind === 'elapsed');
  const range = sharedRange(timeCharts, results.durationMs / 1000);
  for (const c of timeCharts) c.xRange = range;
  return Object.fromEntries(present.map((c) => [c.id, c]));
}

/**
 * The cold requests of one kind (results.attribution.coldPoints) as a points-only series on their
 * latency chart, at their intended time; none without attribution or cold requests of that kind.
 */
/** The stack's p50 and p99 of `kind` per step of the run, on x positions of their own (each step's middle). */
function stackSeries(results: Results, kind: 'connect' | 'broadcast', runStart: number): ChartSeries[] {
  const t = results.attribution?.stack?.overTime;
  const steps = t?.[kind];
  if (!t || !steps || steps.every((s) => s === null)) return [];
  const x = steps.map((_, k) => round3((t.startMs - runStart + (k + 0.5) * t.stepMs) / 1000));
  return (['p50', 'p99'] as const).map((p) => ({ label: `stack ${p}`, x, values: steps.map((s) => s?.[p] ?? null), color: PCT_COLORS[p] }));
}

function coldPoints(results: Results, kind: 'connect' | 'broadcast', runStart: number): ChartSeries | undefined {
  const points = (results.attribution?.coldPoints ?? []).filter((p) => p.kind === kind).map((p) => ({ x: round3((p.at - runStart) / 1000), ms: p.ms }));
  if (points.length === 0) return undefined;
  points.sort((a, b) => a.x - b.x);
  // two points on one x would be joined into one: the later moves a millisecond on
  for (let k = 1; k < points.length; k++) if (points[k].x <= points[k - 1].x) points[k].x = round3(points[k - 1].x + 0.001);
  return { label: COLD_POINT_LABEL, x: points.map((p) => p.x), values: points.map((p) => p.ms), color: COLD_POINT_COLOR, points: true };
}

/**
 * The whole-run distributions. Where the run has the stack's own (the attribution's `stack.<name>`,
 * host waits taken out), each latency is drawn twice in one colour, the stack's solid and first,
 * the client's dashed; the cold/warm curves are left to the Cold vs warm section there.
 */
function distributionChart(histograms: Record<string, string>): ChartSpec {
  const stackOf = (key: string) => /^stack\.(.+)$/.exec(key)?.[1];
  const splitCurve = (key: string) => /(Cold|Warm)$/.test(key);
  // the join's own split (`attribution.<kind>[.cold|.warm]`) is the Cold vs warm section's, and the host's waits are not a latency
  const drawn = Object.entries(histograms).filter(([k]) => !k.startsWith('attribution.') && k !== 'stack.wait');
  const withStack = drawn.some(([k]) => stackOf(k) !== undefined && !splitCurve(k));
  const shown = Object.fromEntries(withStack ? drawn.filter(([k]) => !splitCurve(k)) : drawn);
  const { x, curves } = percentileCurves(shown);
  const metricOf = (key: string) => stackOf(key) ?? key;
  const order = [...new Set(curves.map((c) => metricOf(c.key)))];
  const ordered = withStack ? [...curves.filter((c) => stackOf(c.key)), ...curves.filter((c) => !stackOf(c.key))] : curves;
  const series = ordered.map(({ key, values }, k): ChartSeries => {
    const metric = metricOf(key);
    const label = HISTOGRAM_LABELS[metric] ?? metric;
    if (!withStack) return { label, values, color: PALETTE[k % PALETTE.length] };
    const stack = stackOf(key) !== undefined;
    return { label: `${label} (${stack ? 'stack' : 'client'})`, values, color: PALETTE[order.indexOf(metric) % PALETTE.length], ...(stack ? {} : { dash: true }) };
  });
  return { id: 'distribution', title: 'Latency distribution (HDR, whole run)', unit: 'ms', xKind: 'nines', x, series };
}

/** Mid-interval x positions of the client intervals, seconds since the run started. */
function clientTimeline(intervals: IntervalRecord[], runStart: number): number[] {
  return intervals.map((i, k) => {
    const len = i.periodMs !== undefined ? i.periodMs / 1000 : k + 1 < intervals.length ? (intervals[k + 1].t - i.t) / 1000 : k > 0 ? (i.t - intervals[k - 1].t) / 1000 : 1;
    return round3((i.t - runStart) / 1000 + len / 2);
  });
}

function perSecond(intervals: IntervalRecord[], pick: (i: IntervalRecord) => number): number[] {
  return intervals.map((i, k) => {
    const len = i.periodMs !== undefined ? i.periodMs / 1000 : k + 1 < intervals.length ? (intervals[k + 1].t - i.t) / 1000 : 1;
    return round3(pick(i) / (len > 0 ? len : 1));
  });
}

interface Grid {
  startMs: number;
  periodSec: number;
  x: number[];
}

/** One x per CloudWatch period of the window (bounded), mid-period, seconds since the run start. */
function cloudWatchGrid(window: { startMs: number; endMs: number; periodSec: number }, runStart: number): Grid {
  const stepMs = window.periodSec * 1000;
  const n = Math.min(20_000, Math.max(0, Math.ceil((window.endMs - window.startMs) / stepMs)));
  const x = Array.from({ length: n }, (_, k) => round3((window.startMs + k * stepMs - runStart) / 1000 + window.periodSec / 2));
  return { startMs: window.startMs, periodSec: window.periodSec, x };
}

/** A series on the grid; counts are 0 where CloudWatch has no datapoint, other statistics a gap. */
function align(s: Pick<CloudWatchSeries, 'timestamps' | 'values'>, grid: Grid, fillZero: boolean): Array<number | null> {
  const out: Array<number | null> = grid.x.map(() => (fillZero ? 0 : null));
  const stepMs = grid.periodSec * 1000;
  s.timestamps.forEach((t, k) => {
    const idx = Math.floor((t - grid.startMs) / stepMs);
    if (idx >= 0 && idx < out.length) out[idx] = (fillZero ? (out[idx] ?? 0) : 0) + s.values[k];
  });
  return out;
}

/** The local emulator's host: its cores' busy share, the stack's share of them, and held-back invocations. */
function localHostChart(
  find: (namespace: string, metric: string, stat: string, match: (d: Record<string, string>) => boolean) => CloudWatchSeries[],
  grid: Grid,
  cores: number,
  period: string,
): ChartSpec {
  const series: ChartSeries[] = [];
  const only = (metric: string, stat: string) => find(LOCAL_HOST_NAMESPACE, metric, stat, (d) => Object.keys(d).length === 0)[0];
  const busy = only(LOCAL_HOST_METRIC.hostBusyPercent, 'Average');
  if (busy) series.push({ label: 'host busy (all processes)', values: align(busy, grid, false), color: PALETTE[1] });
  const stack = only(LOCAL_HOST_METRIC.stackCpuMs, 'Sum');
  if (stack && cores > 0) {
    const toPercent = (ms: number | null) => (ms === null ? null : round3(ms / (10 * grid.periodSec * cores)));
    series.push({ label: 'stack process', values: align(stack, grid, false).map(toPercent), color: PALETTE[0] });
  }
  const held = sumSeries(find(LOCAL_HOST_NAMESPACE, LOCAL_HOST_METRIC.heldBackMs, 'SampleCount', (d) => 'FunctionName' in d), grid);
  if (held) series.push({ label: 'invocations held back', values: held, color: PALETTE[3], right: true, dash: true });
  return { id: 'local-host', title: 'Local host: CPU and invocations held back', unit: '% of all cores', unit2: period, xKind: 'elapsed', x: grid.x, series };
}

function sumSeries(list: CloudWatchSeries[], grid: Grid): Array<number | null> | null {
  if (list.length === 0) return null;
  const out = grid.x.map(() => 0);
  for (const s of list) align(s, grid, true).forEach((v, k) => (out[k] += v ?? 0));
  return out;
}

const onlyService = (d: Record<string, string>) => 'service' in d;
function cwEmfNamespace(series: CloudWatchSeries[]): string {
  return series.find((s) => !s.namespace.startsWith('AWS/') && s.namespace !== LOCAL_HOST_NAMESPACE)?.namespace ?? 'FanoutBench';
}

function unionX(a: number[], b: number[]): number[] {
  return [...new Set([...a, ...b])].sort((p, q) => p - q);
}

/** Values at `from` placed on the (super)set `to`; gaps elsewhere. */
function resample(from: number[], values: Array<number | null>, to: number[]): Array<number | null> {
  const at = new Map(from.map((x, k) => [x, values[k]]));
  return to.map((x) => at.get(x) ?? null);
}

/** The x range every time chart shares: the run, widened to any data before or after it. */
function sharedRange(charts: ChartSpec[], runSec: number): [number, number] {
  let lo = 0;
  let hi = runSec;
  for (const c of charts) {
    c.series.forEach((s) =>
      s.values.forEach((v, k) => {
        if (v === null || v === 0) return;
        const x = (s.x ?? c.x)[k];
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }),
    );
  }
  return [Math.floor(lo), Math.ceil(hi)];
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
