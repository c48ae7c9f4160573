import type { LatencyFigure } from '../../contracts/metric-catalogue.ts';
import type { PriceTable } from '../../contracts/prices.ts';
import { choosePrices } from '../../metrics/cost/price-choice.ts';
import type { Results } from '../../contracts/results-schema.ts';
import { REFERENCE_SEND_FUNCTION, type BenchFunction } from '../../contracts/reference-functions.ts';
import { runFunctions } from '../../metrics/cost/run-functions.ts';
import { measuredOnNotes } from '../../targets/recorded-target.ts';
import { comparedFigure, comparisonPricing, countRuns, figureNotes, functionsOver, metricsOver, runStatus, weakestSource, type SizeRun } from './build-comparison.ts';
import {
  COMPARE_SCHEMA_VERSION,
  LATENCY_METRIC_LABELS,
  SweepComparison,
  type HoldConstant,
  type LatencyMetric,
  type PointCosts,
  type PointResult,
  type PointSetting,
  type PointSlo,
  type SweptParameter,
} from './compare-schema.ts';
import { medianRange } from './median-range.ts';
import { recommendGrid } from './grid-recommend.ts';
import { recommendSweep } from './sweep-recommend.ts';

/**
 * Per-point Results of a sweep (room size, payload or deployed variants) → one comparison
 * (compare.json). Pure: no I/O, no clock unless `createdAt` is left out. Runs count as in a
 * memory comparison (completed ones; no memory is checked, none was set); whether a point met the
 * SLO is judged by the caller (the verdict over its counted repeats) and given here.
 */
export interface PointInput {
  x: number;
  label: string;
  setting: PointSetting;
  /** the repeats at this point, in the order they ran */
  runs: SizeRun[];
  /** null or absent: not judged (no counted repeat) */
  slo?: PointSlo | null;
  /** a grid's cell: the variant measured (its room size is setting.membersPerRoom) */
  variant?: string;
}

export interface SweepInput {
  parameter: SweptParameter;
  holdConstant?: HoldConstant;
  /** the threshold expressions each point was judged by */
  slo: readonly string[];
  points: readonly PointInput[];
  /** targets at several room sizes: the variants' names in the order given (the points are the cells, each with its variant) */
  grid?: { variants: readonly string[] };
  /** functions whose Duration is shown (default: sweptFunctions of the stack's) */
  functions?: readonly string[];
  repeat?: number;
  /** default: room-size fan-out completion p99, otherwise broadcast p99 */
  latencyMetric?: LatencyMetric;
  stackFunctions?: readonly BenchFunction[];
  prices?: PriceTable;
  architecture?: 'x86_64' | 'arm64';
  scenario?: { name: string; description?: string };
  createdAt?: string;
}

export const DEFAULT_SWEEP_LATENCY: Record<SweptParameter, LatencyMetric> = { 'room-size': 'fanout-p99', payload: 'broadcast-p99', targets: 'broadcast-p99', provisioned: 'connect-p99', snapstart: 'connect-p99' };

/**
 * The functions whose Duration a sweep shows when none is named: the reference stack's send
 * function where the stack has it, else every function of the stack a message invokes (not
 * $connect's, $disconnect's, nor an authorizer): a stack's own, never one it does not have.
 */
export function sweptFunctions(stack: readonly BenchFunction[]): string[] {
  if (stack.some((f) => f.name === REFERENCE_SEND_FUNCTION)) return [REFERENCE_SEND_FUNCTION];
  return stack.filter((f) => !f.authorizer && f.route !== '$connect' && f.route !== '$disconnect').map((f) => f.name);
}

export function buildSweep(input: SweepInput): SweepComparison {
  if (input.points.length === 0) throw new Error('buildSweep: no point');
  const latencyMetric = input.latencyMetric ?? DEFAULT_SWEEP_LATENCY[input.parameter];
  const allResults = input.points.flatMap((p) => p.runs.flatMap((r) => (r.results ? [r.results] : [])));
  const first = allResults[0];
  const priced = allResults.find((r) => r.cost)?.cost;
  const prices = input.prices ?? priced?.prices ?? choosePrices(first?.config.target.endpoints?.region).prices;
  const architecture = input.architecture ?? priced?.architecture ?? 'x86_64';
  const stackFunctions = input.stackFunctions ?? (first ? runFunctions(first) : []);
  const functions = input.functions && input.functions.length > 0 ? [...input.functions] : sweptFunctions(stackFunctions);
  const latencyFigure = comparedFigure(allResults);

  const ordered = input.parameter === 'targets' ? [...input.points] : [...input.points].sort((a, b) => a.x - b.x);
  const points: PointResult[] = ordered.map((p) => {
    // each run priced at the memory it ran with, at its own architecture (a variant may differ)
    const { runs, counted, results } = countRuns(p.runs, { compared: functions, stackFunctions, prices, architecture: p.setting.architecture, latencyMetric, latencyFigure });
    return {
      x: p.x,
      label: p.label,
      ...(p.variant !== undefined ? { variant: p.variant } : {}),
      setting: p.setting,
      status: runStatus(counted, p.runs),
      runs,
      metrics: metricsOver(counted),
      functions: functionsOver(counted, functions),
      costSource: weakestSource(counted),
      slo: counted.length === 0 ? null : (p.slo ?? null),
      costs: costsOver(results),
      ...coldStartsOver(results, p.setting.provisioned?.function ?? p.setting.snapStart?.function, stackFunctions, latencyFigure),
    };
  });
  const excluded = points
    .filter((p) => p.status === 'excluded')
    .map((p) => ({ label: p.label, reason: p.runs.map((r) => `repeat ${r.repeat}: ${r.excludedBecause}`).join('; ') || 'no runs' }));
  const target = input.parameter === 'targets' ? null : (first?.config.target ?? null);
  const grid = input.grid ? recommendGrid(points, input.grid.variants, latencyMetric) : undefined;

  return SweepComparison.parse({
    schemaVersion: COMPARE_SCHEMA_VERSION,
    kind: 'fanout-bench/compare',
    parameter: input.parameter,
    ...(input.holdConstant ? { holdConstant: input.holdConstant } : {}),
    tool: first?.tool ?? { name: 'fanout-bench', version: 'unknown' },
    createdAt: input.createdAt ?? new Date().toISOString(),
    scenario: input.scenario ?? (first ? { name: first.scenario.name, description: first.scenario.description } : { name: 'unknown' }),
    target: target ? { kind: target.kind, url: target.url } : null,
    functions,
    repeat: input.repeat ?? Math.max(...input.points.map((p) => p.runs.length)),
    latencyMetric,
    ...(latencyFigure ? { latencyFigure } : {}),
    pricing: comparisonPricing(prices, architecture),
    slo: [...input.slo],
    points,
    excluded,
    recommendation: grid ? grid.recommendation : recommendSweep(input.parameter, points, latencyMetric),
    ...(grid ? { grid: grid.grid } : {}),
    notes: [...notes(input, latencyMetric, allResults), ...figureNotes(latencyFigure, false)],
  });
}

/**
 * provisioned, snapstart: the requests of the route the function serves, over the counted repeats (cold ones
 * and the route's p99, the median of the repeats'): the same figure as the sweep's latencies, the
 * stack's where they are the stack's (the local host's waits taken out). A function behind several
 * routes (`$connect` and `$default`) is counted on the one the stack lists it for where the runs
 * traced requests there, else on the route of its that served the most.
 */
function coldStartsOver(results: readonly Results[], fn: string | undefined, stack: readonly BenchFunction[], figure: LatencyFigure | undefined): Pick<PointResult, 'coldStarts'> {
  if (fn === undefined) return {};
  const listed = stack.find((f) => f.name === fn)?.route;
  const its = results.flatMap((r) => r.attribution?.routes.filter((x) => x.functionName === fn || (x.functionName === undefined && x.route === listed)) ?? []);
  const served = new Map<string, number>();
  for (const x of its) served.set(x.route, (served.get(x.route) ?? 0) + x.attributed);
  const route = listed !== undefined && served.has(listed) ? listed : [...served].sort((a, b) => b[1] - a[1])[0]?.[0];
  const rows = its.filter((x) => x.route === route);
  if (route === undefined || rows.length === 0) return {};
  return { coldStarts: { route, attributed: rows.reduce((n, x) => n + x.attributed, 0), cold: rows.reduce((n, x) => n + x.cold, 0), p99Ms: medianRange(rows.map((x) => (figure === 'stack' ? x.stack?.p99Ms : x.p99Ms)))?.median ?? null } };
}

/**
 * Each service's share of the runs' own cost estimates, per million deliveries received. A part
 * the estimates have no line for (data transfer, unless a price file priced it) is null, not $0.
 */
function costsOver(results: readonly Results[]): PointCosts {
  const per = (pick: (t: NonNullable<Results['cost']>['totals']) => number | undefined) =>
    medianRange(
      results.map((r) => {
        const part = r.cost ? pick(r.cost.totals) : undefined;
        return part !== undefined && r.deliveries.received > 0 ? (part / r.deliveries.received) * 1e6 : null;
      }),
    );
  return { lambda: per((t) => t.lambda), apiGateway: per((t) => t.apiGateway), dataTransfer: per((t) => t.dataTransfer), dynamodb: per((t) => t.dynamodb) };
}

function notes(input: SweepInput, metric: LatencyMetric, results: readonly Results[]): string[] {
  const out: string[] = [];
  if (input.parameter === 'room-size' || input.grid) {
    out.push(
      input.holdConstant === 'clients'
        ? "Same clients and send rate at every room size (rooms = clients ÷ members): deliveries per second grow with the rooms, so a larger room is more fan-out per message and more load."
        : "Same deliveries per second at every room size (rooms = clients ÷ members, messages per second = the scenario's deliveries per second ÷ members): a larger room is more fan-out per message, not more load.",
    );
  }
  if (input.parameter === 'room-size') {
    out.push(
      'Each message is fanned out by one sendMessage invocation (the reference stack posts to every member from one invocation): fan-out completion is a send to its last delivery.',
    );
  }
  const transferPriced = results.some((r) => r.cost?.totals.dataTransfer !== undefined);
  if (input.parameter === 'payload') {
    out.push(
      transferPriced
        ? 'API Gateway bills WebSocket messages in 32 KB units (a message of 32 KB and 1 byte is two): that is in the cost per million deliveries, and so is the data transfer out the prices add (AWS charges none on WebSocket APIs).'
        : 'API Gateway bills WebSocket messages in 32 KB units (a message of 32 KB and 1 byte is two): that is in the cost per million deliveries. AWS charges no data transfer out on WebSocket APIs.',
    );
  }
  if (input.parameter === 'provisioned') {
    out.push(
      "Each point set the function's provisioned concurrency through Lambda's API and waited until it was READY, then measured with no warm-up: requests past the provisioned environments spill over to on-demand ones, with their cold starts. Against the local emulator each point ran on a stack of its own, so every point started cold; a deployed target keeps the on-demand environments an earlier point left warm. The pick is the fewest that met the SLO: a provisioned environment is paid for while allocated, busy or not (each point's month at list prices is in its setting); give the SLO the route's tail or cold starts (e.g. --threshold \"connect.p99 < 100ms\").",
    );
  }
  if (input.parameter === 'snapstart') {
    out.push(
      "Each point set the function's SnapStart through Lambda's API (UpdateFunctionConfiguration, PublishVersion, waiting until the version was Active: a SnapStart version takes its snapshot first), moved the alias its route invokes to that version, and measured with no warm-up: each new environment of a SnapStart version is restored from the snapshot, a cold start counted with its Restore Duration; with SnapStart off each runs its INIT. Against the local emulator each point ran on a stack of its own; on a deployed target the alias and the function's SnapStart are put back as they were found after the last point (the versions published stay). The pick is off where it met the SLO, else on: SnapStart bills its snapshot's cache while the version exists (each point's month at list prices is in its setting) and each restore by memory (in the run's estimate).",
    );
  }
  if (input.parameter === 'targets') {
    out.push(
      input.grid
        ? 'At each room size the variants were measured round-robin, each local one on a stack of its own for that size, one repeat of each in turn, the order rotating each round, so none owns a quieter or busier stretch of time; each size recommends as a targets comparison does (the cheapest that met the SLO, a tie within 1 % to the faster).'
        : 'The variants were measured round-robin, one repeat of each in turn, the order rotating each round, so none owns a quieter or busier stretch of time.',
    );
  }
  out.push(
    input.slo.length > 0
      ? `A point meets the SLO when its verdict over its counted repeats holds: ${input.slo.map((t) => `\`${t}\``).join(', ')} and the built-in checks (a saturated harness only adds its own delay to the latencies: SLOs met despite it were met, and the point says so).`
      : 'No threshold was given (the scenario has none and no --threshold): a point meets the SLO when its built-in checks pass (completed, sends went out, nothing lost, no unexpected errors; a saturated harness is noted, not a miss).',
    `Latency on the charts and for ties: ${LATENCY_METRIC_LABELS[metric]}. Cost is each run's whole estimate (Lambda, API Gateway messages and connection-minutes, ${transferPriced ? 'data transfer out at the prices given, ' : ''}DynamoDB) per million deliveries received, at list prices; every figure is the median over a point's counted repeats, a range their min–max.`,
    'A run that failed, was interrupted or produced no results is left out and named; a point with no run left is excluded from the recommendation.',
  );
  const kinds = new Set(results.map((r) => r.config.target.kind));
  if (kinds.has('local')) out.push(...measuredOnNotes('local'));
  return out;
}
