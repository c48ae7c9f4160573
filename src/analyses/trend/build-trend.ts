import type { Results } from '../../contracts/results-schema.ts';
import { figureLabel, figureOf } from '../../contracts/metric-catalogue.ts';
import { exactChanges, statisticalChanges, STEP_OVER_NOISE, type SeriesChange } from './change-points.ts';
import { E_DIVISIVE_DEFAULTS, type EDivisiveOptions } from './e-divisive.ts';
import { differsBy, identityOf, mainGroup } from './run-groups.ts';
import { configChanges, type ConfigChange } from './config-changes.ts';
import { defaultMetricNames, runValue, trendMetric, type TrendMetricDef } from './trend-metrics.ts';
import { TREND_SCHEMA_VERSION, type ChangePoint, type Trend, type TrendMetric, type TrendRun } from './trend-schema.ts';

export interface ReadRun {
  /** the results.json it came from */
  file: string;
  results: Results;
}

export interface TrendInput {
  runs: readonly ReadRun[];
  /** files that could not be read, with why */
  skipped?: ReadonlyArray<{ file: string; reason: string }>;
  /** metric names (`--metric`); default: defaultMetricNames of the trend's runs */
  metrics?: readonly string[];
  baseline?: ReadRun;
  toolVersion: string;
  /** when the trend was made (ISO) */
  createdAt: string;
  method?: EDivisiveOptions & { stepOverNoise?: number };
}

/**
 * Many runs → one trend: the comparable runs (the largest group of one scenario, target and
 * machine; only completed runs) in the order they started, each metric's value per run, and the
 * change points: work counts wherever they differ from the previous run, noisy metrics where
 * E-Divisive means finds a significant step wider than the noise (change-points.ts). Pure: the
 * command reads the files and writes the reports. Throws on a metric name that does not exist
 * (the command checks them first).
 */
export function buildTrend(input: TrendInput): Trend {
  const method = { ...E_DIVISIVE_DEFAULTS, stepOverNoise: STEP_OVER_NOISE, ...input.method };
  const seen = new Map<string, string>();
  const skipped = [...(input.skipped ?? [])];
  const unique: ReadRun[] = [];
  for (const run of input.runs) {
    const key = `${run.results.runId} ${run.results.startedAt}`;
    const first = seen.get(key);
    if (first !== undefined) {
      skipped.push({ file: run.file, reason: `the same run as ${first}` });
      continue;
    }
    seen.set(key, run.file);
    unique.push(run);
  }
  const ordered = unique
    .map((run) => ({ ...run, identity: identityOf(run.results), startedAt: run.results.startedAt }))
    .sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : a.results.runId < b.results.runId ? -1 : 1));
  const setApart: Trend['setApart'] = [];
  const completed = ordered.filter((run) => {
    if (run.results.status === 'completed') return true;
    setApart.push(apart(run, `${run.results.status}${run.results.statusReason ? `: ${run.results.statusReason}` : ''}`));
    return false;
  });
  const group = mainGroup(completed);
  const members = completed.filter((run) => {
    const why = group && differsBy(run.identity, group);
    if (why) setApart.push(apart(run, why));
    return !why;
  });

  const results = members.map((m) => m.results);
  const names = input.metrics && input.metrics.length > 0 ? input.metrics : defaultMetricNames(results);
  const defs = names.map((name) => {
    const def = trendMetric(name);
    if ('problem' in def) throw new Error(`buildTrend: ${def.problem}`);
    return def;
  });
  const runs: TrendRun[] = members.map((m) => trendRun(m.file, m.results));
  const metrics = defs.map((def) => trendMetricOf(def, results, input.baseline?.results));
  // a change of configuration is a step the noise rule must not judge: each stretch is judged on its own
  const configs = configChanges(results);
  const changePoints = metrics
    .flatMap((m) => changesOf(m, method, configs).map((c) => changePoint(m, c, runs)))
    .sort((a, b) => b.index - a.index || a.metric.localeCompare(b.metric));

  const notes = [
    `Noisy metrics (latencies, Duration, cost, CPU): a change point is where E-Divisive means (Matteson & James) splits the runs with a permutation test p-value ≤ ${method.significance} (${method.permutations} seeded permutations, at least ${method.minSegment} runs on either side), and only when the step between the medians is more than ${method.stepOverNoise} times the night-to-night noise (1.4826 × the median absolute deviation of the runs from the level of their stretch).`,
    'Work counts (DynamoDB units, invocations and posts per message, lost deliveries): any difference from the previous run is a change point.',
    'A value is the median of a run’s repeats where it had them (the band spans their min–max).',
  ];
  if (metrics.some((m) => m.figures?.includes('stack'))) {
    notes.push(
      "Latencies are the stack's figures where a run has them (each request's latency with the local host's wait for a slot taken out); a run without one shows the client's, host waits included, marked as the client's: a step between the two kinds may be the host's.",
    );
  }
  return {
    trendSchemaVersion: TREND_SCHEMA_VERSION,
    createdAt: input.createdAt,
    tool: { name: 'fanout-bench', version: input.toolVersion },
    group: group
      ? { scenario: group.scenario, load: group.load, target: group.target, machine: group.machine }
      : { scenario: '–', load: '–', target: '–', machine: '–' },
    runs,
    metrics,
    changePoints,
    ...(configs.length > 0 ? { configChanges: configs.map((c) => ({ index: c.index, runId: runs[c.index]!.runId, lastBeforeRunId: runs[c.lastBefore]!.runId, what: c.what })) } : {}),
    ...(input.baseline
      ? { baseline: { runId: input.baseline.results.runId, file: input.baseline.file, startedAt: input.baseline.results.startedAt } }
      : {}),
    setApart,
    skipped,
    method,
    notes,
  };
}

function apart(run: ReadRun & { startedAt: string }, reason: string): Trend['setApart'][number] {
  return { runId: run.results.runId, file: run.file, startedAt: run.startedAt, reason };
}

function trendRun(file: string, r: Results): TrendRun {
  const repeats = Math.max(1, r.verdict?.repeats?.runIds.length ?? 1);
  return {
    runId: r.runId,
    file,
    startedAt: r.startedAt,
    toolVersion: r.tool.version,
    ...(r.provenance ? { commit: r.provenance.commit } : {}),
    ...(r.provenance?.ref ? { ref: r.provenance.ref } : {}),
    ...(r.provenance?.dirty ? { dirty: true } : {}),
    node: r.environment.node,
    repeats,
  };
}

function trendMetricOf(def: TrendMetricDef, runs: readonly Results[], baseline: Results | undefined): TrendMetric {
  const m = def.metric;
  const read = runs.map((r) => runValue(r, m));
  const expressions = new Map<string, { op: string; limits: Array<number | null> }>();
  runs.forEach((r, i) => {
    for (const t of r.verdict?.thresholds ?? []) {
      if (t.metric !== m.name) continue;
      const line = expressions.get(t.expression) ?? { op: t.op, limits: runs.map(() => null) };
      line.limits[i] = t.limit;
      expressions.set(t.expression, line);
    }
  });
  const missing = read.every((v) => v.value === null) ? read.find((v) => v.missing)?.missing ?? 'no run has it' : undefined;
  // each run's value is the catalogue's figure for it: the stack's where it has one, else the client's, marked
  const figures = runs.map((r, k) => (read[k].value === null ? null : (figureOf(m, r) ?? null)));
  const anyStack = figures.includes('stack');
  const label = !anyStack ? m.label : figures.includes('client') ? `${m.label} (stack; client where marked)` : figureLabel(m, 'stack');
  return {
    name: m.name,
    label,
    ...(anyStack ? { figures } : {}),
    unit: m.unit,
    exact: def.exact,
    values: read.map((v) => v.value),
    spread: read.map((v) => v.spread),
    ...(baseline ? { baseline: runValue(baseline, m).value } : {}),
    thresholds: [...expressions].map(([expression, t]) => ({ expression, op: t.op, limits: t.limits })),
    ...(missing ? { missing } : {}),
  };
}

function changesOf(m: TrendMetric, method: Required<EDivisiveOptions> & { stepOverNoise: number }, configs: readonly ConfigChange[]): SeriesChange[] {
  if (m.exact) return exactChanges(m.values);
  // each stretch of one configuration on its own: the others' values hidden (null), so no split, level or noise mixes two configurations
  const bounds = [0, ...configs.map((c) => c.index), m.values.length];
  return bounds.slice(1).flatMap((end, i) => statisticalChanges(m.values.map((v, k) => (k >= bounds[i]! && k < end ? v : null)), method));
}

function changePoint(m: TrendMetric, c: SeriesChange, runs: readonly TrendRun[]): ChangePoint {
  const run = runs[c.index];
  const before = runs[c.lastBefore];
  return {
    metric: m.name,
    label: m.label,
    unit: m.unit,
    method: c.method,
    index: c.index,
    runId: run.runId,
    lastBeforeRunId: before.runId,
    ...(before.commit ? { lastBeforeCommit: before.commit } : {}),
    ...(run.commit ? { commit: run.commit } : {}),
    before: c.before,
    after: c.after,
    changePct: c.before.median !== 0 ? ((c.after.median - c.before.median) / Math.abs(c.before.median)) * 100 : null,
    ...(c.pValue !== undefined ? { pValue: c.pValue } : {}),
  };
}
