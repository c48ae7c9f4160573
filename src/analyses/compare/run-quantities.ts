import type { CostSource } from '../../contracts/cost-schema.ts';
import { estimateCost } from '../../metrics/cost/cost-model.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import type { BenchFunction } from '../../contracts/reference-functions.ts';
import type { Results } from '../../contracts/results-schema.ts';
import { lambdaWork } from '../../metrics/cost/work-per-message.ts';
import { LatencyMetric } from './compare-schema.ts';
import { lookupMetric, readFigure, type LatencyFigure, type Metric } from '../../contracts/metric-catalogue.ts';
import { hostWaitMs } from './host-waits.ts';

/**
 * What one run at one memory size says about the compared functions and the end-to-end
 * latencies: the raw material the comparison takes medians of. Pure. Duration comes from the
 * REPORT lines when there are any (every invocation), else from CloudWatch's AWS/Lambda
 * statistics; cold starts and INIT only from REPORT lines (nothing else tells them apart).
 */
export interface FunctionQuantities {
  invocations: number | null;
  durationP50Ms: number | null;
  durationP99Ms: number | null;
  durationMeanMs: number | null;
  initP50Ms: number | null;
  initP99Ms: number | null;
  coldStartShare: number | null;
  durationSource: 'report-lines' | 'cloudwatch' | null;
  /** REPORT lines' Memory Size (what the function really ran with); null without them */
  reportedMemoryMB: number | null;
}

export interface RunQuantities {
  broadcastP50Ms: number | null;
  broadcastP99Ms: number | null;
  connectP50Ms: number | null;
  connectP99Ms: number | null;
  fanoutP50Ms: number | null;
  fanoutP99Ms: number | null;
  durationMeanMs: number | null;
  coldStartShare: number | null;
  initMeanMs: number | null;
  gbSeconds: number | null;
  gbSecondsPer1000Deliveries: number | null;
  lambdaCostPerMillionDeliveries: number | null;
  totalCostPerMillionDeliveries: number | null;
  deliveriesReceived: number;
  deliveriesLost: number;
  sendsFailed: number;
  latencyMs: number | null;
  /** the local host's wait in each latency figure (host-waits.ts); null: nothing tells */
  hostWaitMs: Record<LatencyMetric, number | null>;
  functions: Record<string, FunctionQuantities>;
  costSource: CostSource | null;
}

export interface QuantityOptions {
  /** names of the functions whose memory the comparison sets */
  compared: readonly string[];
  /** the size they were set to; absent (a sweep): the size each ran at, as the run recorded it */
  memoryMB?: number;
  /** the stack's functions (for each compared one's route); unknown names get no route */
  stackFunctions: readonly BenchFunction[];
  prices: PriceTable;
  architecture: 'x86_64' | 'arm64';
  latencyMetric: LatencyMetric;
  /**
   * whose latency figures to read (the metric catalogue's): the stack's where every run compared
   * has them, so that the sizes compare like with like; default each run's own (the catalogue's choice)
   */
  latencyFigure?: LatencyFigure;
}

/** The catalogue's latency metrics the comparison reads: one place decides which figure each means. */
const LATENCY: Record<Exclude<LatencyMetric, 'duration'>, Metric> = {
  'broadcast-p50': lookupMetric('broadcast.p50') as Metric,
  'broadcast-p99': lookupMetric('broadcast.p99') as Metric,
  'connect-p50': lookupMetric('connect.p50') as Metric,
  'connect-p99': lookupMetric('connect.p99') as Metric,
  'fanout-p50': lookupMetric('fanoutCompletion.p50') as Metric,
  'fanout-p99': lookupMetric('fanoutCompletion.p99') as Metric,
};

function latency(r: Results, metric: Exclude<LatencyMetric, 'duration'>, figure: LatencyFigure | undefined): number | null {
  const x = readFigure(LATENCY[metric], r, figure);
  return 'value' in x ? x.value : null;
}

export function runQuantities(results: Results, o: QuantityOptions): RunQuantities {
  const cw = results.cloudwatch && results.cloudwatch.status !== 'unavailable' ? results.cloudwatch : undefined;
  const functions: Record<string, FunctionQuantities> = {};
  let invocations = 0;
  let durationTotal = 0;
  let reportInvocations = 0;
  let coldStarts = 0;
  let initTotal = 0;
  for (const name of o.compared) {
    const report = cw?.reports[name];
    const metrics = cw?.lambda[name];
    const q: FunctionQuantities = {
      invocations: null,
      durationP50Ms: null,
      durationP99Ms: null,
      durationMeanMs: null,
      initP50Ms: null,
      initP99Ms: null,
      coldStartShare: null,
      durationSource: null,
      reportedMemoryMB: null,
    };
    if (report && report.invocations > 0 && report.duration) {
      q.invocations = report.invocations;
      q.durationP50Ms = report.duration.p50;
      q.durationP99Ms = report.duration.p99;
      q.durationMeanMs = report.durationMsTotal / report.invocations;
      q.initP50Ms = report.initDuration?.p50 ?? null;
      q.initP99Ms = report.initDuration?.p99 ?? null;
      q.coldStartShare = report.coldStarts / report.invocations;
      q.durationSource = 'report-lines';
      q.reportedMemoryMB = report.memorySizeMB;
      invocations += report.invocations;
      durationTotal += report.durationMsTotal;
      reportInvocations += report.invocations;
      coldStarts += report.coldStarts;
      initTotal += report.initDurationMsTotal;
    } else if (metrics && metrics.invocations > 0 && metrics.durationAvgMs !== null) {
      q.invocations = metrics.invocations;
      q.durationP50Ms = metrics.durationP50Ms;
      q.durationP99Ms = metrics.durationP99Ms;
      q.durationMeanMs = metrics.durationAvgMs;
      q.durationSource = 'cloudwatch';
      invocations += metrics.invocations;
      durationTotal += metrics.invocations * metrics.durationAvgMs;
    }
    functions[name] = q;
  }

  // The compared functions alone, each at the size (REPORT lines' Memory Size wins where present).
  const priced: BenchFunction[] = o.compared.map((name) => ({
    name,
    route: o.stackFunctions.find((f) => f.name === name)?.route ?? '',
    memoryMB: o.memoryMB ?? recordedMemoryMB(results, name) ?? o.stackFunctions.find((f) => f.name === name)?.memoryMB ?? 128,
  }));
  const deliveries = results.deliveries.received;
  const estimate = estimateCost(results, { prices: o.prices, architecture: o.architecture, functions: priced });
  const lambdaInvoked = estimate.lines.some((l) => l.service === 'Lambda' && l.item === 'requests' && l.quantity > 0);
  const work = lambdaWork(results, priced);

  const q: RunQuantities = {
    broadcastP50Ms: latency(results, 'broadcast-p50', o.latencyFigure),
    broadcastP99Ms: latency(results, 'broadcast-p99', o.latencyFigure),
    connectP50Ms: latency(results, 'connect-p50', o.latencyFigure),
    connectP99Ms: latency(results, 'connect-p99', o.latencyFigure),
    fanoutP50Ms: latency(results, 'fanout-p50', o.latencyFigure),
    fanoutP99Ms: latency(results, 'fanout-p99', o.latencyFigure),
    durationMeanMs: invocations > 0 ? durationTotal / invocations : null,
    coldStartShare: reportInvocations > 0 ? coldStarts / reportInvocations : null,
    initMeanMs: coldStarts > 0 ? initTotal / coldStarts : null,
    gbSeconds: work?.gbSeconds ?? null,
    gbSecondsPer1000Deliveries: work?.gbSecondsPer1000Deliveries ?? null,
    lambdaCostPerMillionDeliveries: lambdaInvoked && deliveries > 0 ? (estimate.totals.lambda / deliveries) * 1e6 : null,
    totalCostPerMillionDeliveries: results.cost?.perMillionDeliveries ?? null,
    deliveriesReceived: deliveries,
    deliveriesLost: results.deliveries.lost,
    sendsFailed: results.sends.failed,
    latencyMs: null,
    hostWaitMs: Object.fromEntries(LatencyMetric.options.map((m) => [m, hostWaitMs(results, m)])) as Record<LatencyMetric, number | null>,
    functions,
    costSource: lambdaInvoked ? estimate.sources.lambda : null,
  };
  q.latencyMs = latencyOf(q, o.latencyMetric);
  return q;
}

function latencyOf(q: RunQuantities, metric: LatencyMetric): number | null {
  switch (metric) {
    case 'duration':
      return q.durationMeanMs;
    case 'broadcast-p50':
      return q.broadcastP50Ms;
    case 'broadcast-p99':
      return q.broadcastP99Ms;
    case 'connect-p50':
      return q.connectP50Ms;
    case 'connect-p99':
      return q.connectP99Ms;
    case 'fanout-p50':
      return q.fanoutP50Ms;
    case 'fanout-p99':
      return q.fanoutP99Ms;
  }
}

/** The memory a function ran with: its REPORT lines' Memory Size, else the target's configuration recorded with the run. */
export function recordedMemoryMB(results: Results, name: string): number | undefined {
  const cw = results.cloudwatch && results.cloudwatch.status !== 'unavailable' ? results.cloudwatch : undefined;
  return cw?.reports[name]?.memorySizeMB ?? results.config.target.functions?.functions.find((f) => f.name === name)?.memoryMB ?? undefined;
}
