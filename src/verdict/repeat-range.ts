import type { RepeatRange } from '../contracts/verdict-schema.ts';

/** The median of repeated runs' values (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Lowest and highest of two or more runs' values; undefined for fewer (one run has no spread). */
export function repeatRange(values: readonly number[]): RepeatRange | undefined {
  if (values.length < 2) return undefined;
  return { min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

export const rangeWidth = (s: RepeatRange | undefined): number | undefined => (s ? s.max - s.min : undefined);
