import type { Search, SearchStep } from '../../analyses/search/search-schema.ts';
import { fmtNum, fmtValue } from '../../number-format.ts';

/** Wording a search's pages share: the outcome's title, a load with its unit, a step's outcome. */

export const loadText = (s: Pick<Search, 'unit'>, load: number | null): string => (load === null ? '–' : `${fmtNum(load)} ${s.unit}`);

export function outcomeTitle(s: Search): string {
  switch (s.answer.kind) {
    case 'limit-found':
      return `limit found: ${loadText(s, s.answer.maxPassing)}`;
    case 'to-passed':
      return `no limit up to ${loadText(s, s.to)}`;
    case 'first-step-failed':
      return `the first step already failed (${loadText(s, s.from)})`;
    case 'stopped':
      return s.status === 'interrupted' ? 'interrupted' : 'stopped';
  }
}

export function stepOutcome(step: SearchStep): string {
  if (step.status !== 'completed') return step.status;
  return step.passed ? 'met' : 'not met';
}

/** The SLO values of a step, e.g. "broadcast.p99 412 ms", "broadcast.p99 38 ms (stack)". */
export function sloValues(step: SearchStep): string {
  return step.slos.map((t) => `${t.metric} ${fmtValue(t.observed, t.unit)}${t.figure ? ` (${t.figure})` : ''}`).join(', ');
}

/** " (stack)" where the search's latencies are the stack's (the local host's waits taken out), " (stack where marked)" where only some steps' are. */
export function figureMark(s: Pick<Search, 'steps'>): string {
  const figures = new Set(s.steps.map((st) => st.figures.latencyFigure ?? 'client'));
  if (!figures.has('stack')) return '';
  return figures.size === 1 ? ' (stack)' : ' (stack where the step had it)';
}

/** Why a step did not meet the SLOs: its crossed SLOs and failed checks. */
export function whyNotMet(step: SearchStep): string[] {
  return [
    ...step.slos.filter((t) => t.outcome === 'fail' || t.outcome === 'no-data').map((t) => `${t.expression}: ${t.outcome === 'fail' ? `observed ${fmtValue(t.observed, t.unit)}` : 'no data'}`),
    ...step.failedChecks,
    ...(step.massErrors ? [`mass errors: ${step.massErrors}`] : []),
  ];
}
