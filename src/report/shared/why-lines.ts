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
 * The first cause of a failed run, as its headline names it: the first failed check's first
 * evidence (the verdict ranks each check's evidence by the share of its symptom), with what would
 * move it; none when no evidence explains a failure.
 */
export function firstCause(v: Pick<Verdict, 'explanations'>): { check: string; line: string; remedy: string } | undefined {
  for (const e of v.explanations ?? []) {
    const first = e.evidence[0];
    if (first) return { check: e.check, line: first.line, remedy: first.remedy };
  }
  return undefined;
}
