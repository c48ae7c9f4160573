import type { Verdict } from '../contracts/verdict-schema.ts';

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
