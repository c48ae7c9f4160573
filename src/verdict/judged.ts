import type { Results } from '../contracts/results-schema.ts';
import { evaluate } from './evaluate.ts';
import type { Verdict } from '../contracts/verdict-schema.ts';

/** Results with their verdict: what the renderers take. */
export type JudgedResults = Results & { verdict: Verdict };

/**
 * The results with a verdict: the stored one, or, for results that have none (a version 1 file, a
 * run that ended before it was judged), the built-in checks evaluated now, with a note saying so.
 */
export function judged(results: Results, note = 'judged when read: these results stored no verdict, so it is their built-in checks'): JudgedResults {
  if (results.verdict) return results as JudgedResults;
  return { ...results, verdict: evaluate(results, { notes: [note] }) };
}
