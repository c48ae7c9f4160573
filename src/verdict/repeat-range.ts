import type { RepeatRange } from '../contracts/verdict-schema.ts';

/** Lowest and highest of two or more runs' values; undefined for fewer (one run has no spread). */
export function repeatRange(values: readonly number[]): RepeatRange | undefined {
  if (values.length < 2) return undefined;
  return { min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

export const rangeWidth = (s: RepeatRange | undefined): number | undefined => (s ? s.max - s.min : undefined);
