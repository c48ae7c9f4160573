import type { Comparison, Recommendation, MedianRange } from '../../analyses/compare/compare-schema.ts';
import { fmtMs, fmtNum, fmtUsd } from '../../number-format.ts';

/**
 * Wording and number formats the comparison's renderers (HTML, Markdown, console) share, so the
 * three say the same thing the same way.
 */

/** "757 ms" for one repeat or equal ones; with `range`, the min–max over the repeats as well. */
export function spreadText(s: MedianRange | null | undefined, fmt: (n: number) => string): { median: string; range: string } {
  if (!s) return { median: '–', range: '' };
  return { median: fmt(s.median), range: s.n > 1 && s.min !== s.max ? `${fmt(s.min)}–${fmt(s.max)}` : '' };
}

export const fmtMsCell = (n: number) => fmtMs(n);
export const fmtUsdCell = (n: number) => fmtUsd(n);
export const fmtShare = (n: number) => `${n === 0 ? '0' : fmtNum(n * 100)}%`;
export const fmtCount = (n: number) => fmtNum(n);

export function strategyTitle(r: Recommendation): string {
  if (r.strategy === 'cost') return 'cheapest';
  if (r.strategy === 'speed') return 'fastest';
  return `balanced (weight ${r.weight})`;
}

/** "1,769 MB" or "none". */
export function pickText(r: Recommendation): string {
  return r.pick ? `${fmtNum(r.pick.memoryMB)} MB` : 'none';
}

/** The size list for headers: "256, 512 and 1,769 MB". */
export function sizesText(c: Comparison): string {
  const mbs = c.sizes.map((s) => fmtNum(s.memoryMB));
  return `${mbs.length > 1 ? `${mbs.slice(0, -1).join(', ')} and ${mbs[mbs.length - 1]}` : mbs[0]} MB`;
}
