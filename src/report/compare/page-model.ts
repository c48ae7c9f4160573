import { LATENCY_METRIC_LABELS, type Comparison, type SizeResult } from '../../analyses/compare/compare-schema.ts';
import { fmtNum, fmtShare } from '../../number-format.ts';
import { comparisonRunRow, countedOf, hostWarningRows, leftOutRepeats, spreadFigure as spread, type ComparisonRunRow, type SpreadFigure } from '../shared/comparison-model.ts';
import { isEmptyChart } from '../shared/empty-chart.ts';
import { fmtCount, fmtMsCell, fmtUsdCell } from '../shared/spread-format.ts';
import { buildCompareCharts, sizeColor, sizeLabel, type CompareCharts } from './chart-data.ts';
import { figureSentence, figureSuffix, pickText, sizesText, strategyTitle } from './format.ts';

/**
 * The memory comparison's page facts, computed once from compare.json: the console, summary.md
 * and index.html render this model, so a recommendation, a count of runs counted, a warning or a
 * figure cannot read one way on one and another way on the next. Figures are already chosen and
 * worded (median, and the min–max over the repeats where they differ); plain text, each renderer
 * escapes.
 */

export type { SpreadFigure };

export interface CompareRecommendation {
  /** "cheapest", "fastest", "balanced (weight 0.5)" */
  title: string;
  /** "1,769 MB" or "none" */
  pick: string;
  picked: boolean;
  /** the pick and the runner-up overlap over their repeats (the console's short form; the reason says it in full) */
  withinNoise?: string;
  reason: string;
}

export interface CompareSizeRow {
  memoryMB: number;
  /** "256 MB" */
  memory: string;
  color: string;
  counted: number;
  runs: number;
  /** "2 of 3": the runs counted, in the words every rendering gives them */
  countedOf: string;
  /** no run counted */
  excluded: boolean;
  broadcastP50: SpreadFigure;
  broadcastP99: SpreadFigure;
  connectP50: SpreadFigure;
  connectP99: SpreadFigure;
  durationMean: SpreadFigure;
  initMean: SpreadFigure;
  coldStarts: SpreadFigure;
  deliveriesLost: SpreadFigure;
  sendsFailed: SpreadFigure;
  gbSeconds: SpreadFigure;
  gbSecondsPer1000: SpreadFigure;
  lambdaCost: SpreadFigure;
  totalCost: SpreadFigure;
  costSource: string;
}

export interface CompareFunctionRow {
  function: string;
  memory: string;
  color: string;
  invocations: SpreadFigure;
  durationP50: SpreadFigure;
  durationP99: SpreadFigure;
  initP50: SpreadFigure;
  initP99: SpreadFigure;
  coldStarts: SpreadFigure;
  source: string;
}

/** A run of a size, with the size's colour. */
export interface CompareRunRow extends ComparisonRunRow {
  color: string;
}

export interface ComparePageModel {
  toolVersion: string;
  createdAt: string;
  scenario: string;
  description?: string;
  /** "256, 512 and 1,769 MB" */
  sizes: string;
  functions: string[];
  repeat: number;
  /** what speed and balanced rank: "broadcast p99 (client)" */
  latencyRanked: string;
  /** the ranking is not the default (Duration): the console says so */
  latencyRankedNotDefault: boolean;
  target?: { kind: string; url: string };
  /** " (stack)" after a latency's name where the figures are the stack's */
  figureSuffix: string;
  /** what the latency figures are, where they are the stack's */
  figureNote?: string;
  /** "request charges and INIT billing": what the cost holds that Power Tuning's leaves out */
  costIncludes: string;
  /** INIT is billed at these prices */
  initBilled: boolean;
  /** the prices the cost is at, one sentence */
  pricing: string;
  recommendations: CompareRecommendation[];
  /** latency figures the local host decided, one sentence each */
  hostDecided: string[];
  /** each counted run's local-host warnings: "256 MB repeat 1", the line */
  hostWarnings: Array<{ where: string; line: string }>;
  /** sizes no repeat of which counted */
  excluded: Array<{ memory: string; reason: string }>;
  /** sizes some repeats of which were left out */
  leftOut: Array<{ where: string; repeats: Array<{ repeat: number; reason: string }> }>;
  rows: CompareSizeRow[];
  functionRows: CompareFunctionRow[];
  runs: CompareRunRow[];
  /** sizes not on the cost-versus-latency chart (no cost or no latency), where it draws any */
  offChart: string[];
  notes: string[];
  /** the charts as data for the page's script */
  charts: CompareCharts;
}

function sizeRow(c: Comparison, s: SizeResult): CompareSizeRow {
  const m = s.metrics;
  return {
    memoryMB: s.memoryMB,
    memory: sizeLabel(s.memoryMB),
    color: sizeColor(c, s.memoryMB),
    counted: s.runs.filter((r) => r.included).length,
    runs: s.runs.length,
    countedOf: countedOf(s.runs),
    excluded: s.status === 'excluded',
    broadcastP50: spread(m.broadcastP50Ms, fmtMsCell),
    broadcastP99: spread(m.broadcastP99Ms, fmtMsCell),
    connectP50: spread(m.connectP50Ms, fmtMsCell),
    connectP99: spread(m.connectP99Ms, fmtMsCell),
    durationMean: spread(m.durationMeanMs, fmtMsCell),
    initMean: spread(m.initMeanMs, fmtMsCell),
    coldStarts: spread(m.coldStartShare, fmtShare),
    deliveriesLost: spread(m.deliveriesLost, fmtCount),
    sendsFailed: spread(m.sendsFailed, fmtCount),
    gbSeconds: spread(m.gbSeconds, fmtCount),
    gbSecondsPer1000: spread(m.gbSecondsPer1000Deliveries, fmtCount),
    lambdaCost: spread(m.lambdaCostPerMillionDeliveries, fmtUsdCell),
    totalCost: spread(m.totalCostPerMillionDeliveries, fmtUsdCell),
    costSource: s.costSource ?? '–',
  };
}

export function comparePageModel(c: Comparison): ComparePageModel {
  const charts = buildCompareCharts(c);
  const costLatency = charts['cost-latency'];
  const onChart = new Set(isEmptyChart(costLatency) ? [] : costLatency.series.map((s) => s.memoryMB));
  const figureNote = figureSentence(c);
  const p = c.pricing;
  return {
    toolVersion: c.tool.version,
    createdAt: c.createdAt,
    scenario: c.scenario.name,
    ...(c.scenario.description ? { description: c.scenario.description } : {}),
    sizes: sizesText(c),
    functions: c.functions,
    repeat: c.repeat,
    latencyRanked: LATENCY_METRIC_LABELS[c.latencyMetric],
    latencyRankedNotDefault: c.latencyMetric !== 'duration',
    ...(c.target ? { target: { kind: c.target.kind, url: c.target.url } } : {}),
    figureSuffix: figureSuffix(c),
    ...(figureNote ? { figureNote } : {}),
    costIncludes: `request charges${p.initBilled ? ' and INIT billing' : ''}`,
    initBilled: p.initBilled,
    pricing: `At ${p.region} list prices of ${p.asOf}, ${p.architecture}: $${fmtNum(p.requestsPerMillion)} per million requests, $${p.gbSecond} per GB-s${p.initBilled ? ', INIT billed' : ''}.`,
    recommendations: c.recommendations.map((r) => ({
      title: strategyTitle(r),
      pick: pickText(r),
      picked: r.pick !== null,
      ...(r.withinSpread ? { withinNoise: 'within the noise of the runner-up' } : {}),
      reason: r.reason,
    })),
    hostDecided: (c.hostDecided ?? []).map((d) => d.line),
    hostWarnings: hostWarningRows(c.sizes.map((s) => ({ where: sizeLabel(s.memoryMB), runs: s.runs }))),
    excluded: c.excluded.map((e) => ({ memory: sizeLabel(e.memoryMB), reason: e.reason })),
    leftOut: c.sizes
      .filter((s) => s.status === 'partial')
      .map((s) => leftOutRepeats(sizeLabel(s.memoryMB), s.runs)),
    rows: c.sizes.map((s) => sizeRow(c, s)),
    functionRows: c.functions.flatMap((name) =>
      c.sizes.map((s) => {
        const f = s.functions[name];
        return {
          function: name,
          memory: sizeLabel(s.memoryMB),
          color: sizeColor(c, s.memoryMB),
          invocations: spread(f?.invocations, fmtCount),
          durationP50: spread(f?.durationP50Ms, fmtMsCell),
          durationP99: spread(f?.durationP99Ms, fmtMsCell),
          initP50: spread(f?.initP50Ms, fmtMsCell),
          initP99: spread(f?.initP99Ms, fmtMsCell),
          coldStarts: spread(f?.coldStartShare, fmtShare),
          source: f?.durationSource ?? 'none',
        };
      }),
    ),
    runs: c.sizes.flatMap((s) => s.runs.map((r) => ({ ...comparisonRunRow(sizeLabel(s.memoryMB), r), color: sizeColor(c, s.memoryMB) }))),
    // an empty chart says itself why no size is on it
    offChart: isEmptyChart(costLatency) ? [] : c.sizes.filter((s) => !onChart.has(s.memoryMB)).map((s) => sizeLabel(s.memoryMB)),
    notes: c.notes,
    charts,
  };
}
