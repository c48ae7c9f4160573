import { LATENCY_METRIC_SHORT, type Grid, type MedianRange, type PointResult, type SweepComparison } from '../../analyses/compare/compare-schema.ts';
import { fmtNum, fmtUsd } from '../../number-format.ts';
import { comparisonRunRow, countedOf, hostWarningRows, leftOutRepeats, spreadFigure, type ComparisonRunRow, type SpreadFigure } from '../shared/comparison-model.ts';
import { fmtCount, fmtMsCell, fmtUsdCell } from '../shared/spread-format.ts';
import { buildSweepCharts, type SweepCharts } from './chart-data.ts';
import { parameterTitle, pickLine, settingText, sloText, transferPriced } from './format.ts';

/**
 * A sweep's page facts (room size, payload, deployed variants), computed once from compare.json:
 * the console, summary.md and index.html render this model, so the pick, a point's SLO outcome,
 * a warning or a figure cannot read one way on one and another way on the next. It words the
 * SLO outcome the comparison recorded; it decides nothing. Plain text, each renderer escapes.
 */

export interface SweepPointRow {
  label: string;
  /** what the point ran: "20 rooms × 10 members, …" */
  setting: string;
  counted: number;
  runs: number;
  /** "2 of 3": the runs counted, in the words every rendering gives them */
  countedOf: string;
  excluded: boolean;
  /** met, missed or not judged; null where not judged */
  met: boolean | null;
  slo: { verdict: string; why: string; note: string };
  fanoutP50: SpreadFigure;
  fanoutP99: SpreadFigure;
  broadcastP99: SpreadFigure;
  /** the swept function's Duration */
  durationP50: SpreadFigure;
  durationP99: SpreadFigure;
  totalCost: SpreadFigure;
  deliveriesLost: SpreadFigure;
  sendsFailed: SpreadFigure;
  lambdaCost: SpreadFigure;
  apiGatewayCost: SpreadFigure;
  /** only where some point priced data transfer out */
  dataTransferCost?: SpreadFigure;
  dynamodbCost: SpreadFigure;
  architecture: string;
  /** provisioned, snapstart: the route's cold requests ("0 of 6") and the setting's month ("$2.70": the allocation's, the snapshot cache's) */
  coldSetting?: { cold: string; monthly: string };
}

/** A grid's cell: one variant (the column's) at one room size. */
export interface GridCellModel {
  /** the whole estimate per million deliveries */
  cost: string;
  /** the comparison's latency figure */
  latency: string;
  /** met, missed, not judged (or not measured: no point there) */
  verdict: string;
  met: boolean | null;
  /** the size's recommendation picked it */
  recommended: boolean;
}

/**
 * `--targets` with `--room-size`: a row per room size, a cell per variant. The sentence over the
 * grid (which variant up to which size) is the recommendation's reason.
 */
export interface GridModel {
  variants: string[];
  /** the latency the cells give, as the page names it: "broadcast p99" */
  latencyName: string;
  rows: Array<{ roomSize: string; pick: string; cells: GridCellModel[] }>;
}

export interface SweepPageModel {
  toolVersion: string;
  createdAt: string;
  scenario: string;
  description?: string;
  /** "room size", "payload", "variant" */
  parameter: string;
  /** the points' labels, in order */
  points: string[];
  /** provisioned, snapstart: the headers of the rows' `coldSetting` columns (the route's cold requests, the setting's month) */
  coldHead?: [string, string];
  /** the threshold expressions every point was judged by (empty: the built-in checks only) */
  slo: string[];
  /** how the SLO reads where it has no expressions */
  sloNone: string;
  repeat: number;
  holdConstant?: string;
  target?: { kind: string; url: string };
  /** the function whose Duration the rows give */
  function: string;
  /** said where that function ran in none of the runs (a push scenario's runs post from other functions): why its Duration reads "–" */
  durationNote?: string;
  /** " (stack)" after a latency's name where the figures are the stack's */
  figureSuffix: string;
  /** what the latency figures are, where they are the stack's */
  figureNote?: string;
  recommendation: { title: string; pick: string; picked: boolean; reason: string };
  /** `title`: what it is (the first larger to miss; provisioned: the largest fewer) */
  firstFailing?: { label: string; why: string; title: string };
  excluded: Array<{ label: string; reason: string }>;
  leftOut: Array<{ where: string; repeats: Array<{ repeat: number; reason: string }> }>;
  /** points whose SLO outcome carries a note (the harness was saturated there) */
  noted: Array<{ label: string; note: string }>;
  /** points that missed the SLO, and what did not pass */
  missed: Array<{ label: string; why: string }>;
  /** each counted run's local-host warnings: "10 members repeat 1", the line */
  hostWarnings: Array<{ where: string; line: string }>;
  /** the prices the costs are at */
  pricing: string;
  transferPriced: boolean;
  rows: SweepPointRow[];
  runs: ComparisonRunRow[];
  notes: string[];
  charts: SweepCharts;
  /** targets at several room sizes (absent from every other sweep) */
  grid?: GridModel;
}

export const STACK_FIGURES = "latencies are the stack's: each request's latency with the local host's wait for a slot taken out";

function pointRow(c: SweepComparison, p: PointResult, transfer: boolean): SweepPointRow {
  const fn = c.functions[0]!;
  const m = p.metrics;
  const f = (s: MedianRange | null | undefined, fmt: (n: number) => string) => spreadFigure(s, fmt);
  return {
    label: p.label,
    setting: settingText(c, p),
    counted: p.runs.filter((r) => r.included).length,
    runs: p.runs.length,
    countedOf: countedOf(p.runs),
    excluded: p.status === 'excluded',
    met: p.slo ? p.slo.met : null,
    slo: sloText(p),
    fanoutP50: f(m.fanoutP50Ms, fmtMsCell),
    fanoutP99: f(m.fanoutP99Ms, fmtMsCell),
    broadcastP99: f(m.broadcastP99Ms, fmtMsCell),
    durationP50: f(p.functions[fn]?.durationP50Ms, fmtMsCell),
    durationP99: f(p.functions[fn]?.durationP99Ms, fmtMsCell),
    totalCost: f(m.totalCostPerMillionDeliveries, fmtUsdCell),
    deliveriesLost: f(m.deliveriesLost, fmtCount),
    sendsFailed: f(m.sendsFailed, fmtCount),
    lambdaCost: f(p.costs.lambda, fmtUsdCell),
    apiGatewayCost: f(p.costs.apiGateway, fmtUsdCell),
    ...(transfer ? { dataTransferCost: f(p.costs.dataTransfer, fmtUsdCell) } : {}),
    dynamodbCost: f(p.costs.dynamodb, fmtUsdCell),
    architecture: p.setting.architecture,
    ...(p.setting.provisioned || p.setting.snapStart
      ? { coldSetting: { cold: p.coldStarts ? `${fmtCount(p.coldStarts.cold)} of ${fmtCount(p.coldStarts.attributed)}` : '–', monthly: fmtUsd((p.setting.provisioned ?? p.setting.snapStart)!.monthlyUsd) } }
      : {}),
  };
}

export function sweepPageModel(c: SweepComparison): SweepPageModel {
  const r = c.recommendation;
  const transfer = transferPriced(c);
  const stack = c.latencyFigure === 'stack';
  return {
    toolVersion: c.tool.version,
    createdAt: c.createdAt,
    scenario: c.scenario.name,
    ...(c.scenario.description ? { description: c.scenario.description } : {}),
    parameter: parameterTitle(c.parameter),
    points: c.points.map((p) => p.label),
    ...(c.parameter === 'provisioned' || c.parameter === 'snapstart' ? { coldHead: ['cold', c.parameter === 'snapstart' ? '$/month cache' : '$/month alloc'] as [string, string] } : {}),
    slo: c.slo,
    sloNone: 'the built-in checks',
    repeat: c.repeat,
    ...(c.holdConstant ? { holdConstant: c.holdConstant === 'deliveries' ? 'deliveries per second' : 'clients and send rate' } : {}),
    ...(c.target ? { target: { kind: c.target.kind, url: c.target.url } } : {}),
    function: c.functions[0]!,
    ...(c.points.every((p) => (p.functions[c.functions[0]!]?.invocations?.median ?? 0) === 0)
      ? { durationNote: `${c.functions[0]!} ran in none of the runs, so its Duration reads "–": the runs' deliveries were posted by other functions (each run's report gives every function's Duration)` }
      : {}),
    figureSuffix: stack ? ' (stack)' : '',
    ...(stack ? { figureNote: STACK_FIGURES } : {}),
    recommendation: { title: pickLine(c), pick: r.pick?.label ?? 'none', picked: r.pick !== null, reason: r.reason },
    ...(r.firstFailing
      ? { firstFailing: { label: r.firstFailing.label, why: r.firstFailing.failed.join('; ') || 'its verdict failed', title: r.rule === 'fewest-within-slo' ? 'most that missed the SLO, below the pick' : 'first to miss the SLO' } }
      : {}),
    excluded: c.excluded,
    leftOut: c.points.filter((p) => p.status === 'partial').map((p) => leftOutRepeats(p.label, p.runs)),
    noted: c.points.filter((p) => p.slo?.note).map((p) => ({ label: p.label, note: p.slo!.note! })),
    missed: c.points.filter((p) => p.slo && !p.slo.met).map((p) => ({ label: p.label, why: sloText(p).why })),
    hostWarnings: hostWarningRows(c.points.map((p) => ({ where: p.label, runs: p.runs }))),
    pricing: `The runs' own estimates per million deliveries received, at ${c.pricing.region} list prices of ${c.pricing.asOf}.`,
    transferPriced: transfer,
    rows: c.points.map((p) => pointRow(c, p, transfer)),
    runs: c.points.flatMap((p) => p.runs.map((x) => comparisonRunRow(p.label, x))),
    notes: c.notes,
    charts: buildSweepCharts(c),
    ...(c.grid ? { grid: gridModel(c, c.grid) } : {}),
  };
}

function gridModel(c: SweepComparison, g: Grid): GridModel {
  const fig = c.latencyFigure === 'stack' ? ' (stack)' : '';
  return {
    variants: g.variants,
    latencyName: `${LATENCY_METRIC_SHORT[c.latencyMetric]}${fig}`,
    rows: g.bySize.map(({ roomSize, recommendation }) => ({
      roomSize: `${fmtNum(roomSize)} members`,
      pick: recommendation.pick ? (c.points.find((p) => p.label === recommendation.pick!.label)?.variant ?? recommendation.pick.label) : 'none',
      cells: g.variants.map((variant) => {
        const p = c.points.find((x) => x.variant === variant && x.setting.membersPerRoom === roomSize);
        if (!p) return { cost: '–', latency: '–', verdict: 'not measured', met: null, recommended: false };
        return {
          cost: spreadFigure(p.metrics.totalCostPerMillionDeliveries, fmtUsdCell).median,
          latency: spreadFigure(p.metrics.latencyMs, fmtMsCell).median,
          verdict: sloText(p).verdict,
          met: p.slo ? p.slo.met : null,
          recommended: recommendation.pick?.label === p.label,
        };
      }),
    })),
  };
}
