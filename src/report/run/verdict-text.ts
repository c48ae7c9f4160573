import { checkJudged, type DiffRow, type Explanation, type ThresholdOutcome, type Verdict } from '../../contracts/verdict-schema.ts';
import { fmtChangePercent } from '../shared/percent-change.ts';
import { explanationLines, runExplanationLines } from '../shared/explanation-lines.ts';
import { firstCause } from '../../diagnosis/first-cause.ts';
import { fmtInt, fmtMs, fmtNum, fmtValue } from '../../number-format.ts';

/**
 * The words and numbers every renderer uses to show a verdict (plain text; each renderer
 * escapes). Nothing here decides anything: the verdict stage already did.
 */
export const VERDICT_HEADLINE: Record<Verdict['outcome'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  'run-failed': 'RUN FAILED',
  interrupted: 'INTERRUPTED',
};

export const OUTCOME_TEXT: Record<ThresholdOutcome, string> = {
  pass: 'pass',
  fail: 'crossed',
  'no-data': 'no data',
  'within-noise': 'within noise',
};


/** One diff row as text cells: metric, baseline, this run, change, verdict. */
export function diffCells(row: DiffRow): [metric: string, baseline: string, current: string, change: string, outcome: string] {
  return [row.metric, fmtValue(row.baseline, row.unit), fmtValue(row.current, row.unit), fmtChangePercent(row.changePct), row.outcome ? OUTCOME_TEXT[row.outcome] : '–'];
}

/** The explanation of the failed check `name` (or, `threshold`, of the crossed threshold of that expression), if the verdict has one. */
export function explanationOf(verdict: Verdict, name: string, threshold = false): Explanation | undefined {
  return verdict.explanations?.find((e) => e.check === name && (e.kind === 'threshold') === threshold);
}

/** The headline figures each repeat is shown with (verdict.repeats.values), as [label, metric]. */
const REPEAT_FIGURES: Array<[string, string, (v: number) => string]> = [
  ['broadcast p99', 'broadcast.p99', fmtMs],
  ['connect p99', 'connect.p99', fmtMs],
  ['lost', 'deliveries.lost', fmtInt],
  ['unexpected errors', 'errors.unexpected', fmtInt],
];
export const REPEAT_FIGURE_LABELS = REPEAT_FIGURES.map(([label]) => label);

/** Each repeat of a `--repeat` run: its id, status, headline figures and why its checks failed. */
export function repeatRows(v: Verdict): Array<{ runId: string; status: string; figures: string[]; why: string[] }> {
  const rep = v.repeats;
  if (!rep) return [];
  return rep.runIds.map((runId, k) => ({
    runId,
    status: rep.runs?.[k]?.status ?? '–',
    figures: REPEAT_FIGURES.map(([, metric, fmt]) => {
      const x = rep.values[metric]?.[k];
      return x === null || x === undefined ? '–' : fmt(x);
    }),
    why: rep.runs?.[k] ? runExplanationLines(rep.runs[k]) : [],
  }));
}

/**
 * The verdict for a terminal (the run's console summary): the headline and summary, the first
 * cause (as summary.md's and the report's headline name it), then every check that failed with its explanation (and every check not judged), and every threshold that did not simply pass, one line
 * each.
 */
export function verdictLines(verdict: Verdict): string[] {
  const lines = [`verdict: ${VERDICT_HEADLINE[verdict.outcome]}: ${verdict.summary}`];
  const cause = firstCause(verdict);
  if (cause) lines.push(`  first cause (${cause.check}): ${cause.line}`);
  for (const c of verdict.checks) {
    if (c.passed) continue;
    // a check not judged says so at the head of its detail
    lines.push(checkJudged(c) ? `  check failed: ${c.name}: ${c.detail}` : `  check ${c.name}: ${c.detail}`);
    const e = explanationOf(verdict, c.name);
    if (e) lines.push(...explanationLines(e).map((l) => `    ${l}`));
  }
  for (const t of verdict.thresholds) {
    if (t.outcome === 'pass') continue;
    lines.push(`  ${OUTCOME_TEXT[t.outcome]}: ${t.expression}: ${t.detail} [${t.source}]`);
    const e = explanationOf(verdict, t.expression, true);
    if (e) lines.push(...explanationLines(e).map((l) => `    ${l}`));
  }
  const repeats = repeatRows(verdict);
  if (repeats.length > 0) lines.push('  repeats:');
  repeats.forEach((r, k) => {
    lines.push(`    ${k + 1}. ${r.runId}: ${r.status}, ${REPEAT_FIGURE_LABELS.map((l, i) => `${l} ${r.figures[i]}`).join(', ')}`);
    lines.push(...r.why.map((l) => `       ${l}`));
  });
  return lines;
}
