import type { Trend } from '../../analyses/trend/trend-schema.ts';
import { buildTrendCharts, chartId, type TrendChart } from './chart-data.ts';
import { changePctText, commitRange, configChangeLines, methodText, noChangeText, runDate, shortCommit, stepText } from './format.ts';

/**
 * A trend's page facts, computed once from trend.json: summary.md (which is also what `trend`
 * prints) and index.html render this model, so a change point, a configuration change or a run
 * set apart cannot read one way on one and another way on the other. It words what the trend
 * found; it decides nothing. Plain text, each renderer escapes.
 */

export interface TrendChangeRow {
  metric: string;
  label: string;
  /** when the first run after it started: "2026-11-25 02:25 UTC" */
  started: string;
  runId: string;
  /** "412 ms (398–430) → 520 ms (505–540)" */
  step: string;
  /** "+26 %" */
  change: string;
  up: boolean;
  /** "abc..def", "commits not recorded" */
  commits: string;
  /** "E-Divisive, p = 0.01", "exact (work count)" */
  method: string;
}

export interface TrendRunRow {
  started: string;
  runId: string;
  commit: string;
  dirty: boolean;
  ref: string;
  toolVersion: string;
  node: string;
  repeats: number;
  file: string;
}

export interface TrendMetricBox {
  /** the chart's id in the page's data */
  id: string;
  name: string;
  label: string;
  exact: boolean;
  /** which data it lacks and why, where it has none */
  missing?: string;
}

export interface TrendPageModel {
  toolVersion: string;
  createdAt: string;
  scenario: string;
  /** "6 runs" */
  runCount: string;
  /** "2 change points" */
  changePointCount: string;
  load: string;
  target: string;
  machine: string;
  from?: string;
  to?: string;
  baseline?: string;
  /** each change of the functions' configuration between runs, one sentence */
  configChanges: string[];
  /** what the trend says where it found no change point */
  noChange?: string;
  changePoints: TrendChangeRow[];
  runs: TrendRunRow[];
  setApart: Array<{ started: string; runId: string; reason: string; file: string }>;
  skipped: Array<{ file: string; reason: string }>;
  metrics: TrendMetricBox[];
  notes: string[];
  charts: Record<string, TrendChart>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function trendPageModel(t: Trend): TrendPageModel {
  const first = t.runs[0];
  const last = t.runs.at(-1);
  return {
    toolVersion: t.tool.version,
    createdAt: t.createdAt,
    scenario: t.group.scenario,
    runCount: plural(t.runs.length, 'run'),
    changePointCount: plural(t.changePoints.length, 'change point'),
    load: t.group.load,
    target: t.group.target,
    machine: t.group.machine,
    ...(first && last ? { from: runDate(first), to: runDate(last) } : {}),
    ...(t.baseline ? { baseline: t.baseline.runId } : {}),
    configChanges: configChangeLines(t),
    ...(t.changePoints.length === 0 ? { noChange: noChangeText(t) } : {}),
    changePoints: t.changePoints.map((c) => {
      const run = t.runs[c.index];
      return {
        metric: c.metric,
        label: c.label,
        started: run ? runDate(run) : '',
        runId: c.runId,
        step: stepText(c),
        change: changePctText(c),
        up: c.after.median > c.before.median,
        commits: commitRange(c),
        method: methodText(c),
      };
    }),
    runs: t.runs.map((r) => ({
      started: runDate(r),
      runId: r.runId,
      commit: shortCommit(r.commit),
      dirty: r.dirty === true,
      ref: r.ref ?? '–',
      toolVersion: r.toolVersion,
      node: r.node,
      repeats: r.repeats,
      file: r.file,
    })),
    setApart: t.setApart.map((a) => ({ started: runDate(a), runId: a.runId, reason: a.reason, file: a.file })),
    skipped: t.skipped,
    metrics: t.metrics.map((m, i) => ({ id: chartId(i), name: m.name, label: m.label, exact: m.exact, ...(m.missing ? { missing: m.missing } : {}) })),
    notes: t.notes,
    charts: buildTrendCharts(t),
  };
}
