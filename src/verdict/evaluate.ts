import type { Results } from '../contracts/results-schema.ts';
import { fmtNum, fmtValue } from '../number-format.ts';
import { runChecks } from './checks.ts';
import { explainChecks } from '../diagnosis/explanations.ts';
import { firstExplanations, explainRun } from './explain-run.ts';
import { catalogueMetrics, figureLabel, figureOf, HEADLINE_METRICS, lookupMetric, namedFigure, readFigure, sharedFigure, type LatencyFigure, type Metric } from '../contracts/metric-catalogue.ts';
import { median } from '../median.ts';
import { rangeWidth, repeatRange } from './repeat-range.ts';
import { holds, limitOf, type Threshold } from '../contracts/threshold.ts';
import { checkFailed, checkJudged, failsVerdict, type Check, type DiffRow, type RepeatRange, type ThresholdOutcome, type ThresholdResult, type Verdict } from '../contracts/verdict-schema.ts';

/**
 * The verdict stage: the built-in checks, the thresholds and the comparison with a baseline,
 * evaluated into one Verdict (stored in results.json; the exit code follows it).
 *
 * Repeats: with N results of the same scenario, each metric's value is their median. A noisy
 * metric (a latency; Duration, GB-seconds, cost) whose median crosses a baseline threshold by no
 * more than the spread of the repeats (max − min of this run's repeats, or of the baseline's own
 * repeats when it recorded them: the wider) is `within-noise`, not a regression, and does not
 * fail. Work counts (DynamoDB units, invocations, posts per message) and counts (lost deliveries,
 * errors) are compared exactly. With a single run there is no spread, so a crossing fails.
 *
 * Latencies are judged on the figure the metric catalogue gives (the stack's, the local host's
 * waits taken out, where every run judged together has it; else the client's), the same figure on
 * both sides of a baseline comparison: where the baseline has no stack figure, both are the
 * client's, and the notes say so.
 *
 * No data: a threshold whose metric is not in the results (CloudWatch not pulled, no cold start
 * in the run, a baseline without it) is `no-data` and fails the verdict: a check that could not be
 * made must not pass unnoticed. (k6 evaluates a metric with no samples as if it were 0.)
 */
export interface EvaluateOptions {
  thresholds?: readonly Threshold[];
  /** the run compared against (`--baseline`); its repeats' values when it recorded them */
  baseline?: Results;
  /** every result of the repeated scenario (`--repeat N`), this one among them or not */
  repeats?: readonly Results[];
  /** added to the verdict's notes */
  notes?: readonly string[];
}

interface Observed {
  value: number | null;
  spread?: RepeatRange;
  /** why there is no value */
  missing?: string;
  /** a latency: whose figure the value is */
  figure?: LatencyFigure;
  /** a stack figure: the client's value beside it (host waits included) */
  client?: number | null;
}

const OUTCOME_RANK: Record<ThresholdOutcome, number> = { fail: 3, 'no-data': 2, 'within-noise': 1, pass: 0 };

export function evaluate(results: Results, options: EvaluateOptions = {}): Verdict {
  const runs = repeatedRuns(results, options.repeats);
  const thresholds = options.thresholds ?? [];
  const baseline = options.baseline;
  const notes = [...(options.notes ?? [])];
  if (runs.length > 1) notes.push(`values are medians of ${runs.length} runs (${runs.map((r) => r.runId).join(', ')})`);
  if (baseline) notes.push(...baselineNotes(results, baseline));

  // one figure per metric for every run judged here, the baseline too: like with like
  const figureFor = (m: Metric) => sharedFigure(m, baseline ? [...runs, baseline] : runs);
  const judgedRuns = baseline ? [...runs, baseline] : runs;
  const observe = (m: Metric): Observed => named(observeRuns(runs, m, figureFor(m)), m, judgedRuns);
  const fromBaseline = (m: Metric): Observed => (baseline ? named(observeBaseline(baseline, m, figureFor(m)), m, judgedRuns) : { value: null, missing: 'no baseline' });
  if (baseline) notes.push(...figureNotes(runs, baseline));

  const judged = thresholds.map((t) => judge(t, observe(t.metric), fromBaseline(t.metric), baseline !== undefined));
  const checks = combinedChecks(runs);
  const outcome = overallOutcome(runs, checks, judged);
  // several runs: each told with its own evidence, and a combined check explained by the first run
  // it failed in; a threshold (judged on the runs' median) by this run's evidence
  const explained = runs.length > 1 ? runs.map(explainRun) : [];
  const failedNames = checks.filter(checkFailed).map((c) => c.name);
  const explanations =
    runs.length > 1 ? [...firstExplanations(failedNames, explained), ...explainChecks(results, [], judged)] : explainChecks(results, checks, judged);

  return {
    outcome,
    summary: summaryLine(outcome, results, checks, judged),
    checks,
    ...(explanations.length > 0 ? { explanations } : {}),
    thresholds: judged,
    ...(baseline
      ? {
          baseline: {
            runId: baseline.runId,
            scenario: baseline.scenario.name,
            startedAt: baseline.startedAt,
            runs: baseline.verdict?.repeats?.runIds.length ?? 1,
          },
          diff: diffRows(thresholds, judged, observe, fromBaseline),
        }
      : {}),
    ...(runs.length > 1 ? { repeats: { ...repeatValues(runs, thresholds), runs: runs.map((r, k) => ({ status: r.status, ...explained[k] })) } } : {}),
    notes,
  };
}

/** This run and its repeats, each once. */
function repeatedRuns(results: Results, repeats: readonly Results[] | undefined): Results[] {
  if (!repeats || repeats.length === 0) return [results];
  return repeats.some((r) => r === results || r.runId === results.runId) ? [...repeats] : [results, ...repeats];
}

function observeRuns(runs: readonly Results[], m: Metric, figure: LatencyFigure | undefined): Observed {
  const valuesOf = (f: LatencyFigure | undefined) => runs.map((r) => readFigure(m, r, f));
  const readings = valuesOf(figure);
  const values = readings.flatMap((x) => ('value' in x ? [x.value] : []));
  const withFigure = figure ? { figure } : {};
  if (values.length === 0) {
    const first = readings[0];
    return { value: null, missing: 'missing' in first ? first.missing : 'no value', ...withFigure };
  }
  const client = figure === 'stack' ? valuesOf('client').flatMap((x) => ('value' in x ? [x.value] : [])) : [];
  return { value: median(values), spread: repeatRange(values), ...withFigure, ...(figure === 'stack' ? { client: client.length > 0 ? median(client) : null } : {}) };
}

function observeBaseline(baseline: Results, m: Metric, figure: LatencyFigure | undefined): Observed {
  // its repeats recorded each latency in the figure it had, and the client's under client.<name>
  const key = m.figures && figure === 'client' && figureOf(m, baseline) === 'stack' ? `client.${m.name}` : m.name;
  const recorded = baseline.verdict?.repeats?.values[key]?.filter((v): v is number => v !== null);
  const withFigure = figure ? { figure } : {};
  if (recorded && recorded.length > 0) return { value: median(recorded), spread: repeatRange(recorded), ...withFigure };
  const x = readFigure(m, baseline, figure);
  return 'value' in x ? { value: x.value, ...withFigure } : { value: null, missing: `the baseline has no value: ${x.missing}`, ...withFigure };
}

/** A figure is named where any run judged had a stack figure; against AWS alone there is nothing to tell apart. */
function named(obs: Observed, m: Metric, runs: readonly Results[]): Observed {
  if (namedFigure(m, runs) !== undefined) return obs;
  const { figure: _figure, client: _client, ...rest } = obs;
  return rest;
}

/** Where this run has the stack's figures and the baseline does not: both sides are judged on the client's. */
function figureNotes(runs: readonly Results[], baseline: Results): string[] {
  const probe = lookupMetric('broadcast.p99');
  if ('problem' in probe) return [];
  const here = sharedFigure(probe, runs);
  const there = figureOf(probe, baseline);
  if (here === 'stack' && there === 'client') {
    return ["the baseline has no stack figures (the host's waits taken out): its latencies and this run's are compared on the client's figures, host waits included"];
  }
  if (here === 'client' && there === 'stack') {
    return ["this run has no stack figures (the host's waits taken out): its latencies and the baseline's are compared on the client's figures, host waits included"];
  }
  return [];
}

/** "(stack; client 310 ms)": whose figure a latency's value is, and the client's beside a stack figure. */
function figureText(obs: Observed, v: (x: number | null | undefined) => string): string {
  if (!obs.figure) return '';
  if (obs.figure === 'client') return ' (client)';
  return ` (stack: host waits taken out${obs.client !== undefined && obs.client !== null ? `; client ${v(obs.client)}` : ''})`;
}

/** The larger of the two spreads, when either run had repeats. */
function noiseOf(a: RepeatRange | undefined, b: RepeatRange | undefined): number | undefined {
  const wa = rangeWidth(a);
  const wb = rangeWidth(b);
  return wa === undefined ? wb : wb === undefined ? wa : Math.max(wa, wb);
}

function judge(t: Threshold, obs: Observed, base: Observed, hasBaseline: boolean): ThresholdResult {
  const m = t.metric;
  const v = (x: number | null | undefined) => fmtValue(x, m.unit);
  const limit = limitOf(t.bound, base.value ?? undefined) ?? null;
  const common = {
    expression: t.expression,
    source: t.source,
    metric: m.name,
    unit: m.unit,
    noisy: m.noisy,
    op: t.op,
    limit,
    observed: obs.value,
    baseline: hasBaseline ? base.value : null,
    ...(obs.spread ? { spread: obs.spread } : {}),
    ...(base.spread ? { baselineSpread: base.spread } : {}),
  };
  if (obs.value === null) return { ...common, outcome: 'no-data', detail: `no data: ${obs.missing}; counts as failed` };
  if (limit === null) return { ...common, outcome: 'no-data', detail: `no data: ${base.missing}; counts as failed` };

  const observedText = obs.spread
    ? `${v(obs.value)} (median of ${obs.spread.runs} runs, ${v(obs.spread.min)} to ${v(obs.spread.max)})`
    : v(obs.value);
  const bound = t.bound;
  const baseText = bound.baseline
    ? ` (baseline ${v(base.value)}${bound.factor !== 1 ? ` × ${fmtNum(bound.factor)}` : ''}${bound.offset !== 0 ? ` ${bound.offset < 0 ? '−' : '+'} ${v(Math.abs(bound.offset))}` : ''}${base.spread ? `; the baseline's median of ${base.spread.runs} runs` : ''})`
    : '';
  const text = `${observedText}${figureText(obs, v)}; limit ${t.op} ${v(limit)}${baseText}`;
  if (holds(obs.value, t.op, limit)) return { ...common, outcome: 'pass', detail: text };

  const noise = m.noisy && bound.baseline ? noiseOf(obs.spread, base.spread) : undefined;
  const diff = Math.abs(obs.value - base.value!);
  if (noise !== undefined && diff <= noise) {
    return {
      ...common,
      outcome: 'within-noise',
      detail: `${text}: crossed, but the difference from the baseline (${v(diff)}) is within the spread of the repeats (${v(noise)}): not a regression`,
    };
  }
  const why = bound.baseline
    ? noise === undefined
      ? m.noisy
        ? ' (one run each: no spread to allow for; --repeat gives one)'
        : ' (a work count: compared exactly)'
      : ` (the difference from the baseline, ${v(diff)}, exceeds the spread of the repeats, ${v(noise)})`
    : '';
  return { ...common, outcome: 'fail', detail: `${text}: crossed${why}` };
}

/**
 * The built-in checks over every run: one that fails in any run fails, naming the run; one judged
 * in no run is not judged; one judged in some passes where they all passed, saying in how many.
 */
function combinedChecks(runs: readonly Results[]): Check[] {
  const perRun = runs.map((r) => runChecks(r));
  return perRun[0].map((only, i) => {
    if (runs.length === 1) return only;
    const each = perRun.map((checks, k) => ({ c: checks[i], k }));
    const judgedIn = each.filter(({ c }) => checkJudged(c));
    if (judgedIn.length === 0) return only;
    const first = judgedIn[0].c;
    const failed = judgedIn.filter(({ c }) => !c.passed);
    if (failed.length === 0) return { ...first, detail: `${first.detail} (${judgedIn.length === runs.length ? `all ${runs.length} runs` : `judged in ${judgedIn.length} of ${runs.length} runs`})` };
    const { c, k } = failed[0];
    return { name: first.name, passed: false, detail: `run ${k + 1} of ${runs.length} (${runs[k].runId}): ${c.detail}${failed.length > 1 ? `; failed in ${failed.length} runs` : ''}` };
  });
}

function overallOutcome(runs: readonly Results[], checks: readonly Check[], thresholds: readonly ThresholdResult[]): Verdict['outcome'] {
  if (runs.some((r) => r.status === 'interrupted')) return 'interrupted';
  if (runs.some((r) => r.status === 'failed')) return 'run-failed';
  const failing = checks.some(checkFailed) || thresholds.some((t) => failsVerdict(t.outcome));
  return failing ? 'fail' : 'pass';
}

function summaryLine(outcome: Verdict['outcome'], results: Results, checks: readonly Check[], thresholds: readonly ThresholdResult[]): string {
  const count = (o: ThresholdOutcome) => thresholds.filter((t) => t.outcome === o).length;
  const failedChecks = checks.filter(checkFailed);
  const unjudged = checks.filter((c) => !checkJudged(c));
  const judgedCount = checks.length - unjudged.length;
  const parts: string[] = [];
  if (failedChecks.length > 0) parts.push(`${failedChecks.length} of ${judgedCount} checks failed (${failedChecks.map((c) => c.name).join(', ')})`);
  else parts.push(`all ${judgedCount} checks passed`);
  if (unjudged.length > 0) parts.push(`not judged: ${unjudged.map((c) => c.name).join(', ')} (nothing to judge)`);
  if (thresholds.length > 0) {
    const crossed = count('fail');
    const noData = count('no-data');
    const noise = count('within-noise');
    const bad = [crossed ? `${crossed} of ${thresholds.length} thresholds crossed` : '', noData ? `${noData} of ${thresholds.length} without data` : '']
      .filter(Boolean)
      .join(', ');
    parts.push(bad || `${thresholds.length === 1 ? 'the threshold' : `all ${thresholds.length} thresholds`} passed${noise ? ` (${noise} within noise)` : ''}`);
  }
  const reason = results.statusReason ? `: ${results.statusReason}` : '';
  if (outcome === 'interrupted') return `interrupted${reason}; ${parts.join('; ')}`;
  if (outcome === 'run-failed') return `the run failed${reason}; ${parts.join('; ')}`;
  return parts.join('; ');
}

function baselineNotes(results: Results, baseline: Results): string[] {
  const notes: string[] = [];
  if (baseline.scenario.name !== results.scenario.name) {
    notes.push(`the baseline ran scenario ${baseline.scenario.name}, this run ${results.scenario.name}: the comparison may not be like for like`);
  }
  const b = baseline.config;
  const c = results.config;
  const differs = [
    b.clients !== c.clients ? `${b.clients} clients, this run ${c.clients}` : '',
    b.rooms !== c.rooms ? `${b.rooms} rooms, this run ${c.rooms}` : '',
    b.target.kind !== c.target.kind ? `a ${b.target.kind} target, this run a ${c.target.kind} one` : '',
  ].filter(Boolean);
  if (differs.length > 0) notes.push(`the baseline had ${differs.join('; ')}`);
  return notes;
}

function diffRows(
  thresholds: readonly Threshold[],
  judged: readonly ThresholdResult[],
  observe: (m: Metric) => Observed,
  fromBaseline: (m: Metric) => Observed,
): DiffRow[] {
  const metrics = new Map<string, Metric>();
  for (const t of thresholds) metrics.set(t.metric.name, t.metric);
  for (const name of HEADLINE_METRICS) {
    const m = lookupMetric(name);
    if (!('problem' in m) && !metrics.has(m.name)) metrics.set(m.name, m);
  }
  const rows: DiffRow[] = [];
  for (const m of metrics.values()) {
    const cur = observe(m);
    const base = fromBaseline(m);
    if (cur.value === null && base.value === null) continue;
    const outcomes = judged.filter((t) => t.metric === m.name).map((t) => t.outcome);
    let outcome: ThresholdOutcome | null = outcomes.length ? outcomes.reduce((a, b) => (OUTCOME_RANK[b] > OUTCOME_RANK[a] ? b : a)) : null;
    if (outcome === null && m.noisy && cur.value !== null && base.value !== null) {
      const noise = noiseOf(cur.spread, base.spread);
      if (noise !== undefined && Math.abs(cur.value - base.value) <= noise) outcome = 'within-noise';
    }
    rows.push({
      metric: m.name,
      label: figureLabel(m, cur.figure ?? base.figure),
      unit: m.unit,
      noisy: m.noisy,
      baseline: base.value,
      current: cur.value,
      changePct: cur.value !== null && base.value !== null && base.value !== 0 ? ((cur.value - base.value) / Math.abs(base.value)) * 100 : null,
      outcome,
    });
  }
  return rows;
}

/** Each run's value of every metric the catalogue knows for these runs (and the thresholds'). */
function repeatValues(runs: readonly Results[], thresholds: readonly Threshold[]): NonNullable<Verdict['repeats']> {
  const metrics = new Map<string, Metric>();
  for (const r of runs) for (const m of catalogueMetrics(r)) if (!metrics.has(m.name)) metrics.set(m.name, m);
  for (const t of thresholds) if (!metrics.has(t.metric.name)) metrics.set(t.metric.name, t.metric);
  const values: Record<string, Array<number | null>> = {};
  for (const [name, m] of metrics) {
    // one figure for all the repeats (the stack's where every one has it): their median is like with like
    const figure = sharedFigure(m, runs);
    const row = runs.map((r) => {
      const x = readFigure(m, r, figure);
      return 'value' in x ? x.value : null;
    });
    if (row.some((x) => x !== null)) values[name] = row;
  }
  return { runIds: runs.map((r) => r.runId), values };
}
