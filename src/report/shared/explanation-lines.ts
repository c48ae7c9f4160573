import type { Explanation, RunExplanation } from '../../contracts/verdict-schema.ts';

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
export function runExplanationLines(w: Partial<RunExplanation>): string[] {
  return (w.failed ?? []).flatMap((f) => {
    const e = w.explanations?.find((x) => x.check === f.check);
    return [`check failed: ${f.check}: ${f.detail}`, ...(e ? explanationLines(e).map((l) => `  ${l}`) : [])];
  });
}
