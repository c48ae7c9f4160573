import type { DiffRow, Explanation, ThresholdOutcome, Verdict } from '../../contracts/verdict-schema.ts';
import { fmtNum, fmtValue } from '../../number-format.ts';

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

/** A change in percent, signed: "+12.3%", "−4.1%", "0%", "–" when unknown. */
export function fmtChange(pct: number | null): string {
  if (pct === null || !Number.isFinite(pct)) return '–';
  if (pct === 0) return '0%';
  return `${pct > 0 ? '+' : '−'}${fmtNum(Math.abs(pct))}%`;
}

/** One diff row as text cells: metric, baseline, this run, change, verdict. */
export function diffCells(row: DiffRow): [metric: string, baseline: string, current: string, change: string, outcome: string] {
  return [row.metric, fmtValue(row.baseline, row.unit), fmtValue(row.current, row.unit), fmtChange(row.changePct), row.outcome ? OUTCOME_TEXT[row.outcome] : '–'];
}

/**
 * A failed check's explanation as lines of text: each piece of evidence with what would move it,
 * the functions' own errors, where lost deliveries went missing, or that nothing explains it.
 */
export function explanationLines(e: Explanation): string[] {
  return [
    ...e.evidence.map((x) => `why: ${x.line} (what would move it: ${x.remedy})`),
    ...(e.functionErrors ?? []).map((x) => `function errors: ${x}`),
    ...(e.where ?? []).map((x) => `where: ${x}`),
    ...(e.unexplained ? [`why: ${e.unexplained}`] : []),
  ];
}

/** The explanation of the failed check `name`, if the verdict has one. */
export function explanationOf(verdict: Verdict, name: string): Explanation | undefined {
  return verdict.explanations?.find((e) => e.check === name);
}

/**
 * The verdict for a terminal (the run's console summary): the headline and summary, then every
 * check that failed with its explanation, and every threshold that did not simply pass, one line
 * each.
 */
export function verdictLines(verdict: Verdict): string[] {
  const lines = [`verdict: ${VERDICT_HEADLINE[verdict.outcome]}: ${verdict.summary}`];
  for (const c of verdict.checks) {
    if (c.passed) continue;
    lines.push(`  check failed: ${c.name}: ${c.detail}`);
    const e = explanationOf(verdict, c.name);
    if (e) lines.push(...explanationLines(e).map((l) => `    ${l}`));
  }
  for (const t of verdict.thresholds) {
    if (t.outcome !== 'pass') lines.push(`  ${OUTCOME_TEXT[t.outcome]}: ${t.expression}: ${t.detail} [${t.source}]`);
  }
  return lines;
}
