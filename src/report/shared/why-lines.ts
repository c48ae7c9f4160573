import type { Explanation, RunWhy, Verdict } from '../../contracts/verdict-schema.ts';

/**
 * Why a check failed, as lines of plain text, for every renderer: the run's (console, summary.md,
 * index.html) and the comparison's, where each run is told beside its figures. Each escapes.
 */

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

/** A run's failed checks, each followed by its explanation's lines (indented two spaces). */
export function runWhyLines(w: Partial<RunWhy>): string[] {
  return (w.failed ?? []).flatMap((f) => {
    const e = w.explanations?.find((x) => x.check === f.check);
    return [`check failed: ${f.check}: ${f.detail}`, ...(e ? explanationLines(e).map((l) => `  ${l}`) : [])];
  });
}

/**
 * The first cause of a failed run, as its headline names it: of every failed check's and crossed
 * threshold's evidence, the line accounting for the largest share of its symptom (the verdict
 * ranks each explanation's lines so), the first check's first line where none says a share; with
 * what would move it. None when no evidence explains a failure.
 */
export function firstCause(v: Pick<Verdict, 'explanations'>): { check: string; line: string; remedy: string } | undefined {
  let best: { check: string; line: string; remedy: string; share: number } | undefined;
  for (const e of v.explanations ?? []) {
    const first = e.evidence[0];
    if (first && (best === undefined || (first.share ?? -1) > best.share)) best = { check: e.check, line: first.line, remedy: first.remedy, share: first.share ?? -1 };
  }
  return best && { check: best.check, line: best.line, remedy: best.remedy };
}
