import type { Results } from './results-schema.ts';

/**
 * Error kinds the run expected (e.g. a stale-connection scenario's own drops): the strings in
 * `config.expectedErrors`, each an exact kind or a prefix ending in ':' ("close:").
 */
function expectedErrorKinds(results: Results): string[] {
  const raw = results.config.expectedErrors;
  return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
}

/** The run's error kinds it did not expect, most frequent first: a check (src/verdict) and a metric (errors.unexpected) both read it. */
export function unexpectedErrors(results: Results): Array<[kind: string, count: number]> {
  const expected = expectedErrorKinds(results);
  const isExpected = (kind: string) => expected.some((e) => (e.endsWith(':') ? kind.startsWith(e) : kind === e));
  return Object.entries(results.errors)
    .filter(([kind, count]) => count > 0 && !isExpected(kind))
    .sort((a, b) => b[1] - a[1]);
}

