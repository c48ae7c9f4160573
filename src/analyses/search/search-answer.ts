import { fmtNum, fmtValue } from '../../number-format.ts';
import { NO_EVIDENCE_LINE } from '../../diagnosis/limit-evidence.ts';
import type { Evidence } from '../../contracts/limit-factors.ts';
import type { SearchAnswer, SearchStep } from './search-schema.ts';
import { boundary, loadOutcomes, withinResolution } from './step-plan.ts';

/**
 * The answer of a search from its steps, pure: the highest load that met every SLO every time it
 * was measured, the lowest that did not (step-plan.ts's boundary), the limiting factor named from
 * the evidence of the first failing load, and what the boundary's second measurements said about
 * noise: a load whose measurements disagreed (the majority counts), and SLO values of the two boundary loads whose
 * ranges overlap (one inside the noise of its neighbour).
 */
export interface AnswerInput {
  steps: readonly SearchStep[];
  from: number;
  to: number;
  resolution: number;
  unit: string;
  /** the search ended early (mass errors, an interruption): why */
  stopped?: string;
}

export function searchAnswer(a: AnswerInput): SearchAnswer {
  const { steps, unit } = a;
  const load = (n: number) => `${fmtNum(n)} ${unit}`;
  const { maxPassing, firstFailing } = boundary(steps);
  const failingSteps = firstFailing === null ? [] : steps.filter((s) => s.load === firstFailing && !s.passed);
  // the failing load's evidence: every line any of its failing measurements had, the latest's first
  const evidence = dedupe(failingSteps.toReversed().flatMap((s) => s.evidence));
  const limitingFactor = firstFailing === null ? null : (evidence[0]?.factor ?? 'none');
  if (firstFailing !== null && evidence.length === 0) evidence.push({ factor: 'none', line: NO_EVIDENCE_LINE });
  const within = maxPassing !== null && firstFailing !== null && withinResolution(maxPassing, firstFailing, a.resolution);
  const noise = noiseLines(steps, maxPassing, firstFailing, load);

  let kind: SearchAnswer['kind'];
  let summary: string;
  const named = evidence[0] ? `; limited by ${evidence[0].line}` : '';
  if (steps.length === 0) {
    kind = 'stopped';
    summary = `no step was measured${a.stopped ? `: ${a.stopped}` : ''}`;
  } else if (maxPassing === null && firstFailing !== null) {
    kind = 'first-step-failed';
    summary = `the first load, ${load(firstFailing)}, already did not meet the SLOs${named}`;
  } else if (firstFailing === null) {
    const top = maxPassing!;
    kind = top >= a.to ? 'to-passed' : 'stopped';
    summary = top >= a.to
      ? `every load up to --to ${load(a.to)} met the SLOs: the limit is above it`
      : `${load(top)} met the SLOs; the search stopped before it found a load that did not${a.stopped ? ` (${a.stopped})` : ''}`;
  } else {
    kind = a.stopped && !within ? 'stopped' : 'limit-found';
    summary = `${load(maxPassing!)} met every SLO, ${load(firstFailing)} did not${within ? '' : ` (not yet within the resolution of ${fmtNum(a.resolution * 100)} %${a.stopped ? `: ${a.stopped}` : ''})`}${named}`;
  }
  return { kind, maxPassing, firstFailing, withinResolution: within, limitingFactor, evidence, noise, summary };
}

function dedupe(lines: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return lines.filter((e) => (seen.has(e.factor) ? false : (seen.add(e.factor), true)));
}

/** What measuring the boundary loads twice said: loads that passed and failed, SLO values inside each other's spread. */
function noiseLines(steps: readonly SearchStep[], maxPassing: number | null, firstFailing: number | null, load: (n: number) => string): string[] {
  const out: string[] = [];
  const outcomes = loadOutcomes(steps);
  for (const [l, o] of [...outcomes].sort((x, y) => x[0] - y[0])) {
    if (o.times < 2) continue;
    const at = steps.filter((s) => s.load === l);
    const passes = at.filter((s) => s.passed).length;
    if (passes > 0 && passes < at.length) out.push(`${load(l)} met the SLOs ${passes} of ${at.length} times: inside the noise, counted as ${o.passed ? 'met' : 'not met'} by the majority`);
  }
  if (maxPassing === null || firstFailing === null) return out;
  const lo = steps.filter((s) => s.load === maxPassing);
  const hi = steps.filter((s) => s.load === firstFailing);
  if (lo.length < 2 && hi.length < 2) return out;
  for (const slo of lo[0]?.slos ?? []) {
    const values = (ss: SearchStep[]) => ss.map((s) => s.slos.find((x) => x.expression === slo.expression)?.observed).filter((v): v is number => typeof v === 'number');
    const a = values(lo);
    const b = values(hi);
    if (a.length === 0 || b.length === 0) continue;
    const [aMin, aMax, bMin, bMax] = [Math.min(...a), Math.max(...a), Math.min(...b), Math.max(...b)];
    const range = (min: number, max: number) => (min === max ? fmtValue(min, slo.unit) : `${fmtValue(min, slo.unit)} to ${fmtValue(max, slo.unit)}`);
    if (bMin <= aMax && aMin <= bMax) {
      out.push(`${slo.metric} at ${load(firstFailing)} (${range(bMin, bMax)}) is inside the noise of ${load(maxPassing)} (${range(aMin, aMax)}): the two loads are not told apart by it`);
    }
  }
  return out;
}
