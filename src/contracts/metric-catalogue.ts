import { METRIC_FAMILIES, type CloudWatchResults, type MetricFamily } from './cloudwatch-schema.ts';
import { ApiGatewayTotals } from './cloudwatch-schema.ts';
import { Connections, Deliveries, Sends, Stale, type LatencySummary, type Results } from './results-schema.ts';
import { unexpectedErrors } from './unexpected-errors.ts';
import { checkPath, clip, formatPath, parsePath, readPath, type Reading } from './results-path.ts';
import type { MetricUnit } from './verdict-schema.ts';

/**
 * The metrics a threshold can name: friendly names (`broadcast.p99`, `deliveries.lost`,
 * `lambda.fanout-send-message.durationP99`, `cost.perMillionDeliveries`) mapped to results.json,
 * each with its unit and whether it is noisy. Noisy metrics (latencies, Duration and what follows
 * from it: GB-seconds, cost) vary from run to run with the host's load, so repeats compare them
 * through medians and spreads; work and counts (DynamoDB units, invocations, posts per message,
 * lost deliveries) do not, and are compared exactly. Any other numeric field of results.json is
 * reachable by its path.
 *
 * This is the one place that decides which figure a latency metric means: `connect.p99`,
 * `broadcast.p50`, `join.*`, `fanoutCompletion.*`, `connectCold.*` … read the stack's figure
 * (results.attribution.stack, the host's waits taken out) where the results have it, else the
 * client's (results.metrics); `client.<latency>.<stat>` always reads the client's.
 */
export interface Metric {
  /** canonical name, as results and reports show it */
  name: string;
  label: string;
  unit: MetricUnit;
  noisy: boolean;
  read(results: Results): Reading;
  /**
   * A latency the local emulator also times without the host's waits: which figure `read` gives
   * these results, and either one on demand (runs judged together read the figure all of them have).
   */
  figures?: LatencyFigures;
}

/**
 * Whose latency a figure is. `stack`: each request's latency with the local host's wait for a slot
 * taken out (results.attribution.stack, the local emulator only); `client`: what the clients timed
 * (results.metrics), host waits included. Against AWS the two are the same thing: the client's.
 */
export type LatencyFigure = 'stack' | 'client';

export interface LatencyFigures {
  /** the figure `read` gives these results: the stack's where they have it */
  of(results: Results): LatencyFigure;
  read(results: Results, figure: LatencyFigure): Reading;
}

export const LATENCY_METRICS = {
  connect: 'connect',
  connectCold: 'connect (cold)',
  connectWarm: 'connect (warm)',
  join: 'join',
  ack: 'send ack',
  broadcast: 'broadcast',
  broadcastCold: 'broadcast (cold)',
  broadcastWarm: 'broadcast (warm)',
  fanoutCompletion: 'fan-out completion',
} as const satisfies Record<keyof Results['metrics'], string>;
type LatencyName = keyof typeof LATENCY_METRICS;

export const LATENCY_STATS = ['p50', 'p90', 'p99', 'p999', 'min', 'mean', 'max', 'count'] as const;

/** Per function, `lambda.<function>.<stat>`. */
export const FUNCTION_STATS = [
  'invocations',
  'invocationsPerMessage',
  'errors',
  'throttles',
  'durationP50',
  'durationP99',
  'durationMean',
  'durationMax',
  'initP50',
  'initP99',
  'initMax',
  'coldStarts',
  'coldStartShare',
  'gbSeconds',
  'memoryMB',
  'concurrencyMax',
] as const;
type FunctionStat = (typeof FUNCTION_STATS)[number];

/** The metrics a comparison with a baseline always shows (when either run has them). */
export const HEADLINE_METRICS = [
  'connect.p99',
  'broadcast.p50',
  'broadcast.p99',
  'fanoutCompletion.p99',
  'deliveries.lost',
  'errors.unexpected',
  'dynamodb.readUnitsPerMessage',
  'dynamodb.writeUnitsPerMessage',
  'lambda.invocationsPerMessage',
  'fanout.postsPerMessage',
  'lambda.gbSecondsPerMessage',
  'cost.perMillionDeliveries',
];

const value = (v: number | null | undefined, missing: string): Reading =>
  v === null || v === undefined || !Number.isFinite(v) ? { missing } : { value: v };
const ratio = (n: Reading, d: number, what: string, scale = 1): Reading =>
  'missing' in n ? n : d > 0 ? { value: (n.value / d) * scale } : { missing: `no ${what} to divide by` };

function metric(name: string, label: string, unit: MetricUnit, noisy: boolean, read: (r: Results) => Reading): Metric {
  const families = familiesOf(name);
  if (families.length === 0) return { name, label, unit, noisy, read };
  return { name, label, unit, noisy, read: (r) => unpublished(r, families) ?? read(r) };
}

// ---- completeness -------------------------------------------------------------------------

/** The CloudWatch metric families a metric's value rests on (none: the harness's own counts). */
function familiesOf(name: string): readonly MetricFamily[] {
  const [first, second] = name.split('.');
  if (first === 'lambda') return ['lambda', 'reports'];
  if (first === 'dynamodb') return ['dynamodb'];
  if (first === 'emf' || name === 'fanout.postsPerMessage') return ['emf'];
  if (first === 'apiGateway') return ['apiGateway'];
  if (first === 'cost') return METRIC_FAMILIES;
  if (first === 'cloudwatch') {
    const section: Record<string, MetricFamily> = { lambda: 'lambda', apiGatewayTotals: 'apiGateway', apiGatewayRoutes: 'apiGateway', emf: 'emf', dynamodb: 'dynamodb', reports: 'reports' };
    return section[second] ? [section[second]] : [];
  }
  return [];
}

/**
 * A value read from a family CloudWatch had not published in full is no value: a threshold on it
 * is "no data" (never a pass on a partial count), until `report --repull` finds it complete.
 */
function unpublished(r: Results, families: readonly MetricFamily[]): Reading | undefined {
  const c = r.cloudwatch?.completeness;
  for (const f of families) {
    const x = c?.[f];
    if (x && x.status !== 'complete') {
      return { missing: `CloudWatch's ${f} metrics were ${x.status} when pulled (${x.detail}); \`fanout-bench report --repull <run-dir>\` pulls them again` };
    }
  }
  return undefined;
}

// ---- latency ------------------------------------------------------------------------------

type LatencyStat = (typeof LATENCY_STATS)[number];

/** The stack's summary of a latency where these results have one with samples (the local emulator only). */
function stackSummary(r: Results, l: LatencyName): LatencySummary | undefined {
  const s = r.attribution?.stack?.[l];
  return s && s.count > 0 ? s : undefined;
}

function readSummary(s: LatencySummary | undefined, l: LatencyName, stat: LatencyStat, whose: string): Reading {
  if (!s) return { missing: `${whose}${l} was not recorded in this run` };
  if (stat === 'count') return { value: s.count };
  if (s.count === 0) return { missing: `no ${whose}${LATENCY_METRICS[l]} samples in this run` };
  return { value: s[stat] };
}

/**
 * `broadcast.p99` and the like: the stack's figure where the results have it (the host's waits
 * taken out), else the client's, as before there was a stack figure. Decisions (thresholds, the
 * checks, baselines, compare, search, trend) judge the stack, not the host it shared.
 */
function latencyMetric(l: LatencyName, stat: LatencyStat): Metric {
  const label = `${LATENCY_METRICS[l]} ${stat === 'count' ? 'samples' : stat}`;
  const figures: LatencyFigures = {
    of: (r) => (stackSummary(r, l) ? 'stack' : 'client'),
    read: (r, figure) =>
      figure === 'stack' ? readSummary(stackSummary(r, l), l, stat, "the stack's ") : readSummary(r.metrics[l], l, stat, ''),
  };
  const m = metric(`${l}.${stat}`, label, stat === 'count' ? '' : 'ms', stat !== 'count', (r) => figures.read(r, figures.of(r)));
  return { ...m, figures };
}

/** `client.broadcast.p99` and the like: always what the clients timed, host waits included. */
function clientLatencyMetric(l: LatencyName, stat: LatencyStat): Metric {
  const label = `${LATENCY_METRICS[l]} ${stat === 'count' ? 'samples' : stat} (client)`;
  return metric(`${CLIENT_PREFIX}.${l}.${stat}`, label, stat === 'count' ? '' : 'ms', stat !== 'count', (r) => readSummary(r.metrics[l], l, stat, ''));
}
const CLIENT_PREFIX = 'client';

/** Which figure a metric reads of these results (undefined: not a latency with two figures). */
/** Errors of every kind (the metric errors.total), a run's or a phase's. */
export function errorTotal(errors: Readonly<Record<string, number>>): number {
  return Object.values(errors).reduce((a, b) => a + b, 0);
}

export function figureOf(m: Metric, r: Results): LatencyFigure | undefined {
  return m.figures?.of(r);
}

/** The figure runs judged together all have: the stack's only where every one of them has it (like with like). */
export function sharedFigure(m: Metric, runs: readonly Results[]): LatencyFigure | undefined {
  if (!m.figures || runs.length === 0) return undefined;
  return runs.every((r) => m.figures!.of(r) === 'stack') ? 'stack' : 'client';
}

/** The metric's value in one figure (a metric without figures: its only value). */
export function readFigure(m: Metric, r: Results, figure: LatencyFigure | undefined): Reading {
  return m.figures && figure ? m.figures.read(r, figure) : m.read(r);
}

/**
 * Which figure to name for runs judged together: the shared one where any of them has a stack
 * figure (a client figure is then worth saying), undefined where none has (against AWS every
 * latency is the client's: nothing to tell apart).
 */
export function namedFigure(m: Metric, runs: readonly Results[]): LatencyFigure | undefined {
  if (!m.figures || !runs.some((r) => m.figures!.of(r) === 'stack')) return undefined;
  return sharedFigure(m, runs);
}

/** The metric's label saying which figure it is: "broadcast p99 (stack)", "broadcast p99 (client)"; as it is without a figure. */
export function figureLabel(m: Metric, figure: LatencyFigure | undefined): string {
  return m.figures && figure ? `${m.label} (${figure})` : m.label;
}

/** What a figure is, in words, for notes and details. */
export const FIGURE_MEANING: Record<LatencyFigure, string> = {
  stack: "the stack's figure: each request's latency with the local host's wait for a slot taken out",
  client: "the client's figure: what the clients timed, host waits included",
};

// ---- CloudWatch-based ---------------------------------------------------------------------

function cloudwatch(r: Results): CloudWatchResults | { missing: string } {
  const cw = r.cloudwatch;
  if (!cw) return { missing: 'CloudWatch was not pulled for this run' };
  if (cw.status === 'unavailable') {
    const p = cw.problems[0];
    return { missing: `CloudWatch could not be pulled${p ? ` (${p.step}: ${p.errorName})` : ''}` };
  }
  return cw;
}

function functionInvocations(cw: CloudWatchResults, fn: string): number | undefined {
  const report = cw.reports[fn];
  if (report && report.invocations > 0 && !report.truncated) return report.invocations;
  return cw.lambda[fn]?.invocations ?? report?.invocations;
}

function functionMetric(fn: string, stat: FunctionStat): Metric {
  const name = `lambda.${formatPath([fn])}.${stat}`;
  const ms = stat.startsWith('duration') || stat.startsWith('init');
  const noisy = ms || ['coldStarts', 'coldStartShare', 'gbSeconds', 'concurrencyMax'].includes(stat);
  const unit: MetricUnit = ms ? 'ms' : stat === 'coldStartShare' ? '%' : stat === 'gbSeconds' ? 'GB-s' : stat === 'memoryMB' ? 'MB' : '';
  return metric(name, `${fn} ${stat}`, unit, noisy, (r) => {
    const cw = cloudwatch(r);
    if ('missing' in cw) return cw;
    const report = cw.reports[fn];
    const totals = cw.lambda[fn];
    if (!report && !totals && !cw.functions.includes(fn)) {
      return { missing: `function ${fn} is not in this run's CloudWatch data (functions: ${cw.functions.join(', ') || 'none'})` };
    }
    const noReport = `no REPORT log lines of ${fn}`;
    const invocations = functionInvocations(cw, fn);
    switch (stat) {
      case 'invocations':
        return value(invocations ?? 0, '');
      case 'invocationsPerMessage':
        return ratio({ value: invocations ?? 0 }, r.sends.sent, 'messages sent');
      case 'errors':
        return value(totals?.errors, `no AWS/Lambda Errors of ${fn}`);
      case 'throttles':
        return value(totals?.throttles, `no AWS/Lambda Throttles of ${fn}`);
      case 'durationP50':
        return value(report?.duration?.p50 ?? totals?.durationP50Ms, `no Duration of ${fn}`);
      case 'durationP99':
        return value(report?.duration?.p99 ?? totals?.durationP99Ms, `no Duration of ${fn}`);
      case 'durationMean':
        return value(report?.duration?.mean ?? totals?.durationAvgMs, `no Duration of ${fn}`);
      case 'durationMax':
        return value(report?.duration?.max, noReport);
      case 'initP50':
        return value(report?.initDuration?.p50, report ? `no cold start of ${fn} in this run` : noReport);
      case 'initP99':
        return value(report?.initDuration?.p99, report ? `no cold start of ${fn} in this run` : noReport);
      case 'initMax':
        return value(report?.initDuration?.max, report ? `no cold start of ${fn} in this run` : noReport);
      case 'coldStarts':
        return value(report?.coldStarts, noReport);
      case 'coldStartShare':
        return report ? ratio({ value: report.coldStarts }, report.invocations, `invocations of ${fn}`, 100) : { missing: noReport };
      case 'gbSeconds':
        return value(r.lambda?.functions[fn]?.gbSeconds, `no GB-seconds of ${fn} in these results`);
      case 'memoryMB':
        return value(report?.memorySizeMB ?? r.lambda?.functions[fn]?.memoryMB, `no memory size of ${fn} in these results`);
      case 'concurrencyMax':
        return value(totals?.concurrentExecutionsMax, `no ConcurrentExecutions of ${fn}`);
    }
  });
}

function allInvocations(r: Results): Reading {
  const cw = cloudwatch(r);
  if ('missing' in cw) return cw;
  const names = new Set([...Object.keys(cw.lambda), ...Object.keys(cw.reports)]);
  if (names.size === 0) return { missing: 'no Lambda metrics in this run' };
  let n = 0;
  for (const fn of names) n += functionInvocations(cw, fn) ?? 0;
  return { value: n };
}

const noDynamo = 'no DynamoDB metrics in these results (CloudWatch not pulled, or no AWS/DynamoDB data)';

function dynamoRequests(r: Results, op: string, field: 'requests' | 'throttled' | 'returnedItems'): Reading {
  if (!r.dynamodb) return { missing: noDynamo };
  let n = 0;
  for (const t of Object.values(r.dynamodb.tables)) n += t.operations[op]?.[field] ?? 0;
  return { value: n };
}

function emfMetric(name: string, stat: 'sum' | 'average' | 'p99'): Metric {
  const ms = stat !== 'sum' && /Ms$/.test(name);
  return metric(`emf.${formatPath([name])}${stat === 'sum' ? '' : `.${stat}`}`, `${name} (EMF) ${stat}`, ms ? 'ms' : '', stat !== 'sum', (r) => {
    const cw = cloudwatch(r);
    if ('missing' in cw) return cw;
    const m = cw.emf[name];
    // EMF metrics are tallies: one the functions never emitted counted nothing
    if (!m) return stat === 'sum' ? { value: 0 } : { missing: `no ${name} EMF metric in this run` };
    return value(m[stat], `no ${stat} of ${name} in this run`);
  });
}

// ---- the fixed names ----------------------------------------------------------------------

const FIXED: Metric[] = [
  ...Object.keys(LATENCY_METRICS).flatMap((l) => LATENCY_STATS.map((s) => latencyMetric(l as LatencyName, s))),
  ...Object.keys(LATENCY_METRICS).flatMap((l) => LATENCY_STATS.map((s) => clientLatencyMetric(l as LatencyName, s))),
  metric('deliveries.lostShare', 'lost deliveries share', '%', false, (r) =>
    ratio({ value: r.deliveries.lost }, r.deliveries.expected, 'expected deliveries', 100),
  ),
  metric('sends.failedShare', 'failed sends share', '%', false, (r) => ratio({ value: r.sends.failed }, r.sends.sent, 'sends', 100)),
  metric('sends.unsentShare', 'skipped or failed sends share', '%', false, (r) =>
    ratio({ value: (r.sends.skipped ?? Math.max(0, r.sends.intended - r.sends.sent)) + r.sends.failed }, r.sends.intended, 'intended sends', 100),
  ),
  metric('errors.total', 'errors', '', false, (r) => ({ value: errorTotal(r.errors) })),
  metric('errors.unexpected', 'unexpected errors', '', false, (r) => ({ value: unexpectedErrors(r).reduce((a, [, n]) => a + n, 0) })),
  metric('dynamodb.throttled', 'DynamoDB throttled requests', '', false, (r) => {
    if (!r.dynamodb) return { missing: noDynamo };
    let n = 0;
    for (const t of Object.values(r.dynamodb.tables)) for (const o of Object.values(t.operations)) n += o.throttled;
    return { value: n };
  }),
  metric('dynamodb.throttleEvents', 'DynamoDB read and write throttle events (tables and indexes)', '', false, (r) => {
    if (!r.dynamodb) return { missing: noDynamo };
    let n = 0;
    const add = (u: { readThrottleEvents?: number; writeThrottleEvents?: number }) => (n += (u.readThrottleEvents ?? 0) + (u.writeThrottleEvents ?? 0));
    for (const t of Object.values(r.dynamodb.tables)) {
      add(t);
      for (const i of Object.values(t.indexes)) add(i);
    }
    return { value: n };
  }),
  metric('lambda.invocations', 'Lambda invocations', '', false, allInvocations),
  metric('lambda.invocationsPerMessage', 'Lambda invocations per message', '', false, (r) => ratio(allInvocations(r), r.sends.sent, 'messages sent')),
  metric('fanout.postsPerMessage', '@connections posts per message', '', false, (r) => {
    const cw = cloudwatch(r);
    if ('missing' in cw) return cw;
    const posts = cw.emf.FanoutDeliveries;
    return posts ? ratio({ value: posts.sum }, r.sends.sent, 'messages sent') : { missing: 'no FanoutDeliveries EMF metric in this run' };
  }),
  ...(['total', 'lambda', 'apiGateway', 'dynamodb'] as const).map((k) =>
    metric(`cost.${k}`, k === 'total' ? 'estimated cost' : `estimated ${k} cost`, 'USD', true, (r) =>
      r.cost ? { value: r.cost.totals[k] } : { missing: 'no cost estimate in these results' },
    ),
  ),
  ...Object.keys(ApiGatewayTotals.shape).map((k) =>
    metric(`apiGateway.${k}`, `API Gateway ${k}`, k.endsWith('Ms') ? 'ms' : '', k.endsWith('Ms'), (r) => {
      const cw = cloudwatch(r);
      if ('missing' in cw) return cw;
      if (!cw.apiGatewayTotals) return { missing: 'no AWS/ApiGateway metrics in this run' };
      return value(cw.apiGatewayTotals[k as keyof ApiGatewayTotals], `no ${k} in this run`);
    }),
  ),
];
const BY_NAME = new Map(FIXED.map((m) => [m.name, m]));

/** Units, labels and noise of plain results.json paths the catalogue names as they are. */
const PATH_FACTS: Record<string, { label: string; unit: MetricUnit; noisy: boolean }> = {
  'dynamodb.readUnits': { label: 'DynamoDB read units', unit: '', noisy: false },
  'dynamodb.writeUnits': { label: 'DynamoDB write units', unit: '', noisy: false },
  'dynamodb.readUnitsPerMessage': { label: 'DynamoDB read units per message', unit: '', noisy: false },
  'dynamodb.writeUnitsPerMessage': { label: 'DynamoDB write units per message', unit: '', noisy: false },
  'dynamodb.readUnitsPer1000Deliveries': { label: 'DynamoDB read units per 1,000 deliveries', unit: '', noisy: false },
  'dynamodb.writeUnitsPer1000Deliveries': { label: 'DynamoDB write units per 1,000 deliveries', unit: '', noisy: false },
  // GB-seconds are Duration × memory: they follow the host's speed as Duration does
  'lambda.gbSeconds': { label: 'Lambda GB-seconds', unit: 'GB-s', noisy: true },
  'lambda.gbSecondsPerMessage': { label: 'Lambda GB-seconds per message', unit: 'GB-s', noisy: true },
  'lambda.gbSecondsPer1000Deliveries': { label: 'Lambda GB-seconds per 1,000 deliveries', unit: 'GB-s', noisy: true },
  'cost.perMillionDeliveries': { label: 'cost per 1M deliveries', unit: 'USD', noisy: true },
  'cost.perThousandUsersPerMonth': { label: 'cost per 1,000 users per month', unit: 'USD', noisy: true },
  'stale.timeToCleanMs': { label: 'time to clean stale connections', unit: 'ms', noisy: true },
};

const SUMMARY_FIELDS = new Set(['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max', 'average']);

/**
 * A results.json path as a metric. Its unit and noise follow from the field: a time (…Ms) or a
 * percentile is ms and noisy; GB-seconds and costs follow Duration, so noisy too; anything else
 * is compared exactly.
 */
function pathMetric(segments: string[]): Metric | { problem: string } {
  const shape = checkPath(segments);
  if ('problem' in shape) return shape;
  const name = formatPath(segments);
  const last = segments[segments.length - 1];
  const facts = PATH_FACTS[name] ?? { label: name, ...unitOfField(segments, last) };
  return metric(name, facts.label, facts.unit, facts.noisy, (r) => {
    const section = SECTION_MISSING[segments[0]];
    if (section && r[segments[0] as keyof Results] === undefined) return { missing: section };
    return readPath(r, segments, facts.unit !== 'ms');
  });
}

/** Why an optional part of results.json is absent. */
const SECTION_MISSING: Record<string, string> = {
  dynamodb: noDynamo,
  lambda: 'no Lambda work in these results (CloudWatch not pulled, or no Lambda data)',
  cost: 'no cost estimate in these results',
  cloudwatch: 'CloudWatch was not pulled for this run',
  stale: 'this run dropped no clients',
  connections: 'no connection counts in these results',
  phases: 'no phases in these results',
};

function unitOfField(segments: readonly string[], last: string): { unit: MetricUnit; noisy: boolean } {
  if (/Ms$/.test(last) || (SUMMARY_FIELDS.has(last) && !segments.includes('emf'))) return { unit: 'ms', noisy: true };
  if (/^gbSeconds/.test(last)) return { unit: 'GB-s', noisy: true };
  if (/MB$/.test(last)) return { unit: 'MB', noisy: false };
  if (segments[0] === 'cost' && (segments[1] === 'totals' || last === 'cost' || /^per[A-Z]/.test(last))) return { unit: 'USD', noisy: true };
  return { unit: '', noisy: false };
}

function latencyHint(l: string): string {
  return `${l} has ${LATENCY_STATS.join(', ')}`;
}

/** A metric by the name a threshold uses, or a problem (one line). */
export function lookupMetric(text: string): Metric | { problem: string } {
  const parsed = parsePath(text);
  if ('problem' in parsed) return parsed;
  const seg = parsed.segments;
  const name = formatPath(seg);
  const fixed = BY_NAME.get(name);
  if (fixed) return fixed;
  if (Object.hasOwn(LATENCY_METRICS, seg[0])) {
    return { problem: `unknown metric "${clip(name)}": ${seg.length === 1 ? `name a statistic (${latencyHint(seg[0])})` : latencyHint(seg[0])}` };
  }
  if (seg[0] === CLIENT_PREFIX) {
    const l = seg[1];
    if (l === undefined || !Object.hasOwn(LATENCY_METRICS, l)) {
      return { problem: `unknown metric "${clip(name)}": client.<latency>.<stat> names the client's figure of a latency (${Object.keys(LATENCY_METRICS).join(', ')})` };
    }
    return { problem: `unknown metric "${clip(name)}": ${latencyHint(`client.${l}`)}` };
  }
  if (seg[0] === 'lambda' && seg.length === 3 && seg[1] !== 'functions') {
    if ((FUNCTION_STATS as readonly string[]).includes(seg[2])) return functionMetric(seg[1], seg[2] as FunctionStat);
    return { problem: `unknown metric "${clip(name)}": a function has ${FUNCTION_STATS.join(', ')}` };
  }
  if (seg[0] === 'emf' && (seg.length === 2 || (seg.length === 3 && ['sum', 'average', 'p99'].includes(seg[2])))) {
    return emfMetric(seg[1], (seg[2] ?? 'sum') as 'sum' | 'average' | 'p99');
  }
  if (seg[0] === 'dynamodb' && seg[1] === 'requests' && seg.length === 3) {
    return metric(name, `DynamoDB ${seg[2]} requests`, '', false, (r) => dynamoRequests(r, seg[2], 'requests'));
  }
  if (seg[0] === 'apiGateway') {
    return { problem: `unknown metric "${clip(name)}": apiGateway has ${Object.keys(ApiGatewayTotals.shape).join(', ')}` };
  }
  const asPath = pathMetric(seg);
  if (!('problem' in asPath)) return asPath;
  const named = [...BY_NAME.keys(), ...Object.keys(PATH_FACTS)].filter((k) => k.startsWith(`${seg[0]}.`));
  if (named.length === 0 && asPath.problem.startsWith(`${formatPath(seg.slice(0, 1))} is not in results.json`)) {
    return {
      problem: `unknown metric "${clip(name)}": name one such as broadcast.p99, deliveries.lost, dynamodb.readUnitsPerMessage, lambda.<function>.durationP99 or cost.perMillionDeliveries, or any numeric field of results.json`,
    };
  }
  return { problem: `unknown metric "${clip(name)}": ${asPath.problem}${named.length ? ` (named metrics: ${named.join(', ')})` : ''}` };
}

/**
 * Every named metric that applies to these results (the per-function ones for each function
 * CloudWatch reported): what a run with repeats records per run, so that its results.json can
 * serve as a baseline with a spread.
 */
export function catalogueMetrics(r: Results): Metric[] {
  const paths = [
    ...Object.keys(Deliveries.shape).map((k) => ['deliveries', k]),
    ...Object.keys(Sends.shape).map((k) => ['sends', k]),
    ...Object.keys(Connections.shape).map((k) => ['connections', k]),
    ...Object.keys(Stale.shape).map((k) => ['stale', k]),
    ...Object.keys(PATH_FACTS).map((k) => k.split('.')),
  ];
  const fromPaths = paths.map((p) => pathMetric(p)).filter((m): m is Metric => !('problem' in m));
  const cw = r.cloudwatch;
  const functions = cw ? [...new Set([...Object.keys(cw.lambda), ...Object.keys(cw.reports)])] : [];
  const perFunction = functions.flatMap((fn) => FUNCTION_STATS.map((s) => functionMetric(fn, s)));
  const emf = Object.keys(cw?.emf ?? {}).map((name) => emfMetric(name, 'sum'));
  const seen = new Set<string>();
  // the client's figures apart only where the stack's differ from them (a baseline then has both)
  const fixed = r.attribution?.stack ? FIXED : FIXED.filter((m) => !m.name.startsWith(`${CLIENT_PREFIX}.`));
  return [...fixed, ...fromPaths, ...perFunction, ...emf].filter((m) => !seen.has(m.name) && seen.add(m.name));
}
