import type { CostSource } from '../../contracts/cost-schema.ts';
import { gbSecondRate } from '../../metrics/cost/lambda-rates.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import type { BenchFunction } from '../../contracts/reference-functions.ts';
import { runFunctions } from '../../metrics/cost/run-functions.ts';
import type { Results } from '../../contracts/results-schema.ts';
import { choosePrices } from '../../metrics/cost/price-choice.ts';
import {
  COMPARE_SCHEMA_VERSION,
  Comparison,
  LATENCY_METRIC_LABELS,
  LatencyMetric,
  type MedianRange,
  type FunctionAtSize,
  type RunRef,
  type SizeMetrics,
  type SizeResult,
} from './compare-schema.ts';
import { recommend, TIE_TOLERANCE } from './recommend.ts';
import { runQuantities, type RunQuantities } from './run-quantities.ts';
import { medianRange } from './median-range.ts';
import { explainRun } from '../../verdict/explain-run.ts';
import { FIGURE_MEANING, lookupMetric, sharedFigure, type LatencyFigure, type Metric } from '../../contracts/metric-catalogue.ts';
import { hostWarnings } from './host-waits.ts';
import { hostInLatencies } from '../../metrics/cloudwatch/local-host.ts';
import { hostDecided } from './host-decided.ts';
import { measuredOnNotes } from '../../targets/recorded-target.ts';

/**
 * Per-size Results → one comparison (compare.json). Pure: no I/O, no clock unless `createdAt`
 * is left out.
 *
 * A run counts towards its size's medians when it completed and, where its REPORT lines say
 * what memory the compared functions ran with, that is the size asked for. A run that failed,
 * was interrupted, produced no results, or ran at another size is left out and named; a size with
 * no run left is excluded from the recommendations and named in `excluded`. Saturated harness,
 * lost deliveries and failed sends do not exclude a run (they are what the size did, or what the
 * host did): they are warnings on the run.
 */
export interface SizeRun {
  /** the run's results; absent when the run failed before it produced any */
  results?: Results;
  /**
   * the run's directory: absolute (writeComparison stores it relative to the comparison's own
   * directory) or already relative to that; the page links to its index.html
   */
  dir?: string;
  /** why the run produced no results (e.g. the memory update did not reach Successful) */
  error?: string;
}

export interface SizeInput {
  memoryMB: number;
  /** the repeats at this size, in the order they ran */
  runs: SizeRun[];
}

export interface ComparisonInput {
  /** the functions whose memory was set to each size */
  functions: readonly string[];
  sizes: readonly SizeInput[];
  /** repeats asked for per size (default: the most any size has) */
  repeat?: number;
  /** the latency the speed strategy and the chart use (default `duration`) */
  latencyMetric?: LatencyMetric;
  /** balanced strategy weights, 0 (speed only) … 1 (cost only); default [0.5] */
  balancedWeights?: readonly number[];
  /** the stack's functions (the compared ones' routes); default the first run's (runFunctions) */
  stackFunctions?: readonly BenchFunction[];
  /** default: the runs' own price table (`--prices`), else the built-in one */
  prices?: PriceTable;
  architecture?: 'x86_64' | 'arm64';
  /** default: the first run's */
  scenario?: { name: string; description?: string };
  createdAt?: string;
}

const SOURCE_RANK: Record<CostSource, number> = { 'report-lines': 0, cloudwatch: 1, client: 2, assumption: 3 };

export function buildComparison(input: ComparisonInput): Comparison {
  if (input.functions.length === 0) throw new Error('buildComparison: no compared function');
  if (input.sizes.length === 0) throw new Error('buildComparison: no memory size');
  const twice = input.sizes.find((s, k) => input.sizes.findIndex((t) => t.memoryMB === s.memoryMB) !== k);
  if (twice) throw new Error(`buildComparison: ${twice.memoryMB} MB given twice (one entry per size, its repeats in runs)`);
  const latencyMetric = input.latencyMetric ?? 'duration';
  const allResults = input.sizes.flatMap((s) => s.runs.flatMap((r) => (r.results ? [r.results] : [])));
  const first = allResults[0];
  // the runs' own prices (their region's); none priced: the region's (choosePrices refuses an unknown one)
  const priced = allResults.find((r) => r.cost)?.cost;
  const prices = input.prices ?? priced?.prices ?? choosePrices(first?.config.target.endpoints?.region).prices;
  const architecture = input.architecture ?? priced?.architecture ?? 'x86_64';
  const stackFunctions = input.stackFunctions ?? (first ? runFunctions(first) : []);
  const latencyFigure = comparedFigure(allResults);

  const sizes = [...input.sizes]
    .sort((a, b) => a.memoryMB - b.memoryMB)
    .map((s) => sizeResult(s, { compared: input.functions, memoryMB: s.memoryMB, stackFunctions, prices, architecture, latencyMetric, latencyFigure }));
  const excluded = sizes
    .filter((s) => s.status === 'excluded')
    .map((s) => ({ memoryMB: s.memoryMB, reason: s.runs.map((r) => `repeat ${r.repeat}: ${r.excludedBecause}`).join('; ') || 'no runs' }));

  const weights = input.balancedWeights ?? [0.5];
  const decided = hostDecided(sizes, LatencyMetric.options);
  const onLatency = decided.find((d) => d.metric === latencyMetric);
  const recommendations = [
    recommend(sizes, 'cost', latencyMetric, undefined, onLatency),
    recommend(sizes, 'speed', latencyMetric, undefined, onLatency),
    ...weights.map((w) => recommend(sizes, 'balanced', latencyMetric, w, onLatency)),
  ];
  const target = first?.config.target ?? null;

  return Comparison.parse({
    schemaVersion: COMPARE_SCHEMA_VERSION,
    kind: 'fanout-bench/compare',
    parameter: 'memory',
    tool: first?.tool ?? { name: 'fanout-bench', version: 'unknown' },
    createdAt: input.createdAt ?? new Date().toISOString(),
    scenario: input.scenario ?? (first ? { name: first.scenario.name, description: first.scenario.description } : { name: 'unknown' }),
    target: target ? { kind: target.kind, url: target.url } : null,
    functions: [...input.functions],
    repeat: input.repeat ?? Math.max(...input.sizes.map((s) => s.runs.length)),
    latencyMetric,
    ...(latencyFigure ? { latencyFigure } : {}),
    ...(decided.length > 0 ? { hostDecided: decided } : {}),
    pricing: comparisonPricing(prices, architecture),
    sizes,
    excluded,
    recommendations,
    notes: [...notes(latencyMetric, prices, target?.kind ?? null), ...figureNotes(latencyFigure)],
  });
}

export type Options = Parameters<typeof runQuantities>[1];

/** The Lambda prices a comparison was priced at, for its architecture. */
export function comparisonPricing(prices: PriceTable, architecture: 'x86_64' | 'arm64'): Comparison['pricing'] {
  return {
    asOf: prices.asOf,
    region: prices.region,
    architecture,
    requestsPerMillion: prices.lambda.requestsPerMillion,
    gbSecond: gbSecondRate(prices, architecture),
    initBilled: prices.lambda.initBilled,
  };
}

function sizeResult(input: SizeInput, o: Options): SizeResult {
  const { runs, counted } = countRuns(input.runs, o);
  return {
    memoryMB: input.memoryMB,
    status: runStatus(counted, input.runs),
    runs,
    metrics: metricsOver(counted),
    functions: functionsOver(counted, o.compared),
    costSource: weakestSource(counted),
  };
}

/** ok: every repeat counted; partial: some were left out; excluded: none counted. */
export function runStatus(counted: readonly unknown[], runs: readonly unknown[]): SizeResult['status'] {
  return counted.length === 0 ? 'excluded' : counted.length < runs.length ? 'partial' : 'ok';
}

/** The weakest cost source over the counted repeats. */
export function weakestSource(counted: readonly RunQuantities[]): CostSource | null {
  const costSources = counted.map((q) => q.costSource).filter((s): s is CostSource => s !== null);
  return costSources.length === 0 ? null : costSources.reduce((w, s) => (SOURCE_RANK[s] > SOURCE_RANK[w] ? s : w));
}

/**
 * Each repeat's reference, and the quantities of those that count: completed and, where the
 * comparison set a memory size (`o.memoryMB`) and REPORT lines say what the function ran with,
 * run at that size. `also(results)` may give a further reason to leave a run out.
 */
export function countRuns(input: readonly SizeRun[], o: Options): { runs: RunRef[]; counted: RunQuantities[]; results: Results[] } {
  const runs: RunRef[] = [];
  const counted: RunQuantities[] = [];
  const results: Results[] = [];
  input.forEach((run, k) => {
    const ref: RunRef = {
      repeat: k + 1,
      runId: run.results?.runId ?? null,
      dir: run.dir ?? null,
      status: run.results?.status ?? 'no-results',
      included: false,
      warnings: [],
    };
    runs.push(ref);
    const r = run.results;
    if (!r) {
      ref.excludedBecause = run.error ?? 'the run produced no results';
      return;
    }
    const why = explainRun(r);
    if (why) ref.why = why;
    if (r.status !== 'completed') {
      ref.excludedBecause = `run ${r.status}${r.statusReason ? `: ${r.statusReason}` : ''}`;
      return;
    }
    const q = runQuantities(r, o);
    const wrong = o.memoryMB === undefined ? [] : Object.entries(q.functions).filter(([, f]) => f.reportedMemoryMB !== null && f.reportedMemoryMB !== o.memoryMB);
    if (wrong.length > 0) {
      ref.excludedBecause = wrong.map(([name, f]) => `${name} ran with ${f.reportedMemoryMB} MB, not ${o.memoryMB} MB (REPORT Memory Size)`).join('; ');
      return;
    }
    ref.included = true;
    const host = hostWarnings(r);
    ref.warnings = runWarnings(r, q, o, host);
    if (host.length > 0) ref.hostWarnings = host;
    counted.push(q);
    results.push(r);
  });
  return { runs, counted, results };
}

/** Every quantity's median and range over the counted repeats. */
export function metricsOver(counted: readonly RunQuantities[]): SizeMetrics {
  const over = (pick: (q: RunQuantities) => number | null) => medianRange(counted.map(pick));
  return {
    broadcastP50Ms: over((q) => q.broadcastP50Ms),
    broadcastP99Ms: over((q) => q.broadcastP99Ms),
    connectP50Ms: over((q) => q.connectP50Ms),
    connectP99Ms: over((q) => q.connectP99Ms),
    fanoutP50Ms: over((q) => q.fanoutP50Ms),
    fanoutP99Ms: over((q) => q.fanoutP99Ms),
    durationMeanMs: over((q) => q.durationMeanMs),
    coldStartShare: over((q) => q.coldStartShare),
    initMeanMs: over((q) => q.initMeanMs),
    gbSeconds: over((q) => q.gbSeconds),
    gbSecondsPer1000Deliveries: over((q) => q.gbSecondsPer1000Deliveries),
    lambdaCostPerMillionDeliveries: over((q) => q.lambdaCostPerMillionDeliveries),
    totalCostPerMillionDeliveries: over((q) => q.totalCostPerMillionDeliveries),
    deliveriesReceived: over((q) => q.deliveriesReceived),
    deliveriesLost: over((q) => q.deliveriesLost),
    sendsFailed: over((q) => q.sendsFailed),
    latencyMs: over((q) => q.latencyMs),
    ...hostWaitsOver(counted),
  };
}

/** The host's wait in each latency figure over the counted repeats; absent where no run says (AWS). */
function hostWaitsOver(counted: readonly RunQuantities[]): Pick<SizeMetrics, 'hostWaitMs'> {
  const out: Record<string, MedianRange> = {};
  for (const m of LatencyMetric.options) {
    const range = medianRange(counted.map((q) => q.hostWaitMs[m]));
    if (range && m !== 'duration') out[m] = range;
  }
  return Object.keys(out).length > 0 ? { hostWaitMs: out } : {};
}

const PROBE = lookupMetric('connect.p99') as Metric;

/**
 * Whose latency figures the runs compared give (the metric catalogue decides): the stack's where
 * every completed run has them (the local host's waits taken out), so sizes compare like with
 * like; else the client's. Undefined without runs.
 */
export function comparedFigure(results: readonly Results[]): LatencyFigure | undefined {
  const completed = results.filter((r) => r.status === 'completed');
  return sharedFigure(PROBE, completed.length > 0 ? completed : results);
}

/** What the latency figures are, where a run had the stack's. */
export function figureNotes(figure: LatencyFigure | undefined, judgesHost = true): string[] {
  if (figure !== 'stack') return [];
  const decided = judgesHost ? "; where the host's waits still differ between two sizes by more than a latency does, the host decided it and nothing is recommended on it" : '';
  return [`Latencies are ${FIGURE_MEANING.stack}${decided}.`];
}

/** Each compared function's quantities over the counted repeats. */
export function functionsOver(counted: readonly RunQuantities[], compared: readonly string[]): Record<string, FunctionAtSize> {
  const functions: Record<string, FunctionAtSize> = {};
  for (const name of compared) {
    const f = (pick: (q: RunQuantities['functions'][string]) => number | null) => medianRange(counted.map((q) => pick(q.functions[name])));
    const sources = new Set(counted.map((q) => q.functions[name].durationSource).filter((s) => s !== null));
    functions[name] = {
      invocations: f((q) => q.invocations),
      durationP50Ms: f((q) => q.durationP50Ms),
      durationP99Ms: f((q) => q.durationP99Ms),
      durationMeanMs: f((q) => q.durationMeanMs),
      initP50Ms: f((q) => q.initP50Ms),
      initP99Ms: f((q) => q.initP99Ms),
      coldStartShare: f((q) => q.coldStartShare),
      durationSource: sources.size === 0 ? 'none' : sources.size > 1 ? 'mixed' : [...sources][0]!,
    };
  }
  return functions;
}

function runWarnings(r: Results, q: RunQuantities, o: Options, host: readonly string[]): string[] {
  const out: string[] = [];
  if (r.harness.saturated) out.push('harness saturated: latencies include its own delay');
  // the client's figures carry the host's queueing; the stack's have it taken out (the lines after say how much)
  if (o.latencyFigure !== 'stack' && hostInLatencies(r)) out.push("local host held the stack back: latencies include the host's queueing");
  out.push(...host);
  if (!r.cloudwatch || r.cloudwatch.status === 'unavailable') out.push('no CloudWatch data: Duration and cost estimated from client latencies');
  for (const name of o.compared) if (q.functions[name].durationSource === null) out.push(`${name}: no Duration (not invoked, or not in CloudWatch)`);
  if (q.deliveriesLost > 0) out.push(`${q.deliveriesLost} deliveries lost`);
  if (q.sendsFailed > 0) out.push(`${q.sendsFailed} sends failed`);
  return out;
}

function notes(metric: LatencyMetric, prices: PriceTable, targetKind: 'local' | 'remote' | null): string[] {
  const out = [
    `Cost is the compared functions' Lambda bill per million deliveries received: requests, billed Duration × memory, and ${
      prices.lambda.initBilled ? 'INIT (billed for on-demand functions since 2025-08-01)' : 'no INIT (not billed under these prices)'
    }, at list prices of ${prices.asOf} (${prices.region}). AWS Lambda Power Tuning prices Duration × memory alone: no request charge, no INIT.`,
    `Speed ranks ${LATENCY_METRIC_LABELS[metric]}. Balanced (as in Power Tuning) ranks weight × cost ÷ highest cost + (1 − weight) × latency ÷ highest latency over the ranked sizes: weight 1 is cost alone, 0 speed alone.`,
    `Every figure is the median over a size's counted repeats; a range is their min–max. Values within ${TIE_TOLERANCE * 100} % tie: cost then prefers the faster size, speed the cheaper one, balanced the cheaper at weight ≤ 0.5 and the faster above; then the smaller size. "Within the noise" means the two sizes' repeats overlap.`,
    'A run that failed, was interrupted, produced no results, or ran the compared functions at another memory size (REPORT Memory Size) is left out and named; a size with no run left is excluded from the recommendations.',
    'The whole estimate per million deliveries (Lambda, API Gateway messages and connection-minutes, DynamoDB) is shown for context: most of it does not change with memory.',
  ];
  out.push(...measuredOnNotes(targetKind));
  return out;
}
