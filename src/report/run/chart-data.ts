import type { CloudWatchSeries } from '../../contracts/cloudwatch-schema.ts';
import { LOCAL_HOST_METRIC, LOCAL_HOST_NAMESPACE } from '../../../common/local-host-metrics.ts';
import type { IntervalRecord, Results } from '../../contracts/results-schema.ts';
import { PALETTE } from '../shared/palette.ts';
import { percentileCurves } from './percentile-curve.ts';
import { emptyChart } from '../shared/empty-chart.ts';

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
  /** no values to draw: which data the chart lacks and why (the page says it under the title) */
  empty?: string;
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

/**
 * Charts by id, every chart the run page shows; one with no data at all carries `empty`, which
 * data it lacks and why, for the page to say under its title.
 */
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
  // the stack's own EMF metrics, in whichever namespace its functions publish them (a sum)
  const findEmf = (metric: string, match: (d: Record<string, string>) => boolean) =>
    cw?.series.filter((s) => !s.namespace.startsWith('AWS/') && s.namespace !== LOCAL_HOST_NAMESPACE && s.metric === metric && s.stat === 'Sum' && match(s.dimensions)) ?? [];
  const fnColor = (fn: string) => PALETTE[Math.max(0, cw?.functions.indexOf(fn) ?? 0) % PALETTE.length];

  // Errors: the client's view and, on the same axis, what Lambda and API Gateway counted. Each
  // CloudWatch series keeps its own periods' x (the page joins them with the client's), so its
  // points are a line of their own, not single points between the client's intervals.
  const errorSeries: ChartSpec['series'] = [];
  errorSeries.push({ label: 'client errors/s', values: perSecond(iv, (i) => i.errors), color: PALETTE[1] });
  if (grid) {
    const lambdaErrors = sumSeries(find('AWS/Lambda', 'Errors', 'Sum', (d) => 'FunctionName' in d), grid);
    if (lambdaErrors) errorSeries.push({ label: 'Lambda Errors', x: grid.x, values: lambdaErrors, color: PALETTE[3] });
    const throttles = sumSeries(find('AWS/Lambda', 'Throttles', 'Sum', (d) => 'FunctionName' in d), grid);
    if (throttles) errorSeries.push({ label: 'Lambda Throttles', x: grid.x, values: throttles, color: PALETTE[4] });
    for (const metric of ['ClientError', 'ExecutionError', 'IntegrationError']) {
      const s = sumSeries(find('AWS/ApiGateway', metric, 'Sum', () => true), grid);
      if (s) errorSeries.push({ label: `API ${metric}`, x: grid.x, values: s, color: PALETTE[5 + ['ClientError', 'ExecutionError', 'IntegrationError'].indexOf(metric)] });
    }
  }
  charts.push({ id: 'errors', title: 'Errors over time', unit: grid && grid.periodSec !== 1 ? `per second (client) · per ${grid.periodSec} s (CloudWatch)` : 'per second', xKind: 'elapsed', x: timeline, series: errorSeries });

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

    // Cold starts (INITs and SnapStart restores): REPORT lines per function; the EMF ColdStart metric when there are none.
    const cold: ChartSeries[] = Object.entries(cw.reports)
      .filter(([, r]) => r.coldStarts + (r.restores ?? 0) > 0)
      .map(([fn, r]) => ({
        label: fn,
        values: align({ timestamps: r.coldStartsOverTime.timestamps, values: r.coldStartsOverTime.values }, grid, true),
        color: fnColor(fn),
      }));
    if (cold.length === 0) {
      const emfCold = sumSeries(findEmf('ColdStart', () => true), grid);
      if (emfCold) cold.push({ label: 'ColdStart (EMF)', values: emfCold, color: PALETTE[0] });
    }
    charts.push({ id: 'cold-starts', title: 'Cold starts over time', unit: period, xKind: 'elapsed', x: grid.x, series: cold, bars: true });

    const stale: ChartSeries[] = [];
    const removed = sumSeries(findEmf('StaleConnectionsRemoved', onlyService), grid);
    if (removed) stale.push({ label: 'stale connections removed', values: removed, color: PALETTE[3] });
    const postErrors = sumSeries(findEmf('FanoutPostErrors', onlyService), grid);
    if (postErrors) stale.push({ label: 'fan-out post errors', values: postErrors, color: PALETTE[1] });
    const postTimeouts = sumSeries(findEmf('FanoutPostTimeouts', onlyService), grid);
    if (postTimeouts) stale.push({ label: 'fan-out post timeouts', values: postTimeouts, color: PALETTE[2] });
    const cleanupFailures = sumSeries(findEmf('StaleCleanupFailures', onlyService), grid);
    if (cleanupFailures) stale.push({ label: 'stale cleanup failures', values: cleanupFailures, color: PALETTE[4] });
    charts.push({ id: 'stale', title: 'Stale-connection cleanup (410 Gone)', unit: period, xKind: 'elapsed', x: grid.x, series: stale, bars: true });

    if (cw.localHost) charts.push(localHostChart(find, grid, results.environment.cpus, period));
  }

  const present = charts.filter((c) => c.series.some((s) => s.values.some((v) => v !== null)));
  for (const c of present.filter((c) => c.xKind === 'elapsed')) c.xRange = timeRange(c, results.durationMs / 1000);
  const byId = Object.fromEntries(present.map((c) => [c.id, c]));
  for (const { id, title } of CHART_TITLES) if (!byId[id]) byId[id] = emptyChartSpec(id, charts.find((c) => c.id === id)?.title ?? title, whyEmpty(id, results));
  return byId;
}

/** Every chart of the run page, and its title where the run has no data to build it from. */
const CHART_TITLES: ReadonlyArray<{ id: string; title: string }> = [
  ...LATENCY_METRICS.map(([key, title]) => ({ id: `latency-${key}`, title: `${title} over time` })),
  { id: 'distribution', title: 'Latency distribution (HDR, whole run)' },
  { id: 'throughput', title: 'Throughput and open connections' },
  { id: 'harness', title: 'Harness health' },
  { id: 'errors', title: 'Errors over time' },
  { id: 'lambda-duration', title: 'Lambda Duration p99 (CloudWatch)' },
  { id: 'lambda-concurrency', title: 'Lambda ConcurrentExecutions (max)' },
  { id: 'lambda-invocations', title: 'Lambda Invocations' },
  { id: 'lambda-throttles', title: 'Lambda Throttles' },
  { id: 'cold-starts', title: 'Cold starts over time' },
  { id: 'stale', title: 'Stale-connection cleanup (410 Gone)' },
  { id: 'local-host', title: 'Local host: CPU and invocations held back' },
];

function emptyChartSpec(id: string, title: string, why: string): ChartSpec {
  return { id, unit: '', xKind: 'elapsed', x: [], series: [], ...emptyChart(title, why) };
}

/** Which data an empty chart lacks, and why, in the run's terms. */
function whyEmpty(id: string, r: Results): string {
  const artillery = r.config.artillery !== undefined;
  const cw = r.cloudwatch;
  const noCloudWatch = artillery
    ? "No CloudWatch figures: an Artillery run's output knows nothing of the stack."
    : 'No CloudWatch figures: this run read none from the stack (its results have no cloudwatch section).';
  switch (id) {
    case 'latency-connect':
      return 'No connect was timed in this run: its scenario opened no connection, or none opened.';
    case 'latency-broadcast':
      return 'No delivery was timed in this run: no message reached a member of its room.';
    case 'latency-fanoutCompletion':
      return 'No fan-out was timed in this run: no message reached every member of its room.';
    case 'distribution':
      return artillery ? "No latency histograms: Artillery's output carries percentile summaries, not HDR histograms." : 'No latency histograms in these results: nothing was timed.';
    case 'lambda-duration':
    case 'lambda-concurrency':
    case 'lambda-invocations':
    case 'lambda-throttles':
      return cw ? `CloudWatch returned no ${CHART_TITLES.find((c) => c.id === id)!.title.replace(/^Lambda /, '').replace(/ \(.*\)$/, '')} datapoints for the stack's functions in the run's window.` : noCloudWatch;
    case 'cold-starts':
      return cw ? 'No cold start in the run: no REPORT line had an Init Duration, and the stack emitted no ColdStart metric.' : noCloudWatch;
    case 'stale':
      return cw ? 'No stale connection met: the stack counted no 410 Gone, no failed or timed-out post and no cleanup failure.' : noCloudWatch;
    case 'local-host':
      return cw ? "No local host figures: the stack ran elsewhere than this host's emulator." : noCloudWatch;
    default:
      return 'No values in the run for this chart.';
  }
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

/**
 * A time chart's x range: from 0:00, the run's start, which every time chart of the page shares
 * (a CloudWatch period that began before the run lies left of it, out of view), to the last of its
 * own values, so a phase of a few seconds is not squeezed into a corner of the run's whole length.
 */
function timeRange(c: ChartSpec, runSec: number): [number, number] {
  let hi = 0;
  c.series.forEach((s) =>
    s.values.forEach((v, k) => {
      if (v === null || v === 0) return;
      hi = Math.max(hi, (s.x ?? c.x)[k] ?? 0);
    }),
  );
  // a chart of counts that are all zero still spans the run
  return [0, Math.max(1, Math.ceil(hi > 0 ? hi + 0.5 : runSec))];
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
