import { fmtInt } from './number-format.ts';

/**
 * A count that cannot exceed its whole (invocations held back of the invocations, deliveries lost
 * of those expected), checked where it is computed. Inputs that disagree (the part over its whole)
 * are not clamped into a plausible figure: the pair is kept as read and the disagreement is said,
 * so no page prints "352 of 200" and none hides that the two counts came from different windows.
 */
export interface PartOfWhole {
  part: number;
  whole: number;
  /** the part exceeds its whole: why no share is given, in words a page can print */
  disagree?: string;
}

export function partOfWhole(part: number, whole: number, what: { part: string; whole: string }): PartOfWhole {
  if (!(part > whole)) return { part, whole };
  return { part, whole, disagree: `${fmtInt(part)} ${what.part} counted against ${fmtInt(whole)} ${what.whole}: the two counts disagree, so no share is given` };
}

/** "120 of 1,000", or the disagreement where the part exceeds its whole. */
export function partOfWholeText(p: PartOfWhole): string {
  return p.disagree ?? `${fmtInt(p.part)} of ${fmtInt(p.whole)}`;
}
