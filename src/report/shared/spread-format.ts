import type { MedianRange } from '../../analyses/compare/compare-schema.ts';
import { fmtMs, fmtNum, fmtUsd } from '../../number-format.ts';

/**
 * A figure measured over repeats (a comparison's memory size, a sweep's point) as text, and the
 * cell formats both comparison pages use, so their HTML, Markdown and console say the same thing
 * the same way.
 */

/** "757 ms" for one repeat or equal ones; with `range`, the min–max over the repeats as well. */
export function spreadText(s: MedianRange | null | undefined, fmt: (n: number) => string): { median: string; range: string } {
  if (!s) return { median: '–', range: '' };
  return { median: fmt(s.median), range: s.n > 1 && s.min !== s.max ? `${fmt(s.min)}–${fmt(s.max)}` : '' };
}

export const fmtMsCell = (n: number) => fmtMs(n);
export const fmtUsdCell = (n: number) => fmtUsd(n);
export const fmtCount = (n: number) => fmtNum(n);
