import type { StepRole } from './search-schema.ts';

/**
 * The step plan of a capacity search, pure: given what was measured so far, the next load to
 * measure, or none. Loads are whole numbers from `from` to `to`, never beyond `to`.
 *
 * 1. Grow: from, then ×growth each step (the last one exactly `to`), until a step fails.
 * 2. Bisect between the highest passing and the lowest failing load, at their midpoint, until
 *    the gap is at most `resolution` of the passing load (or no whole number lies between).
 * 3. Confirm: the two boundary loads are measured again, so one noisy step does not set the
 *    answer. A load whose two measurements disagree is measured a third time, and the majority
 *    decides; a boundary that turns out not met moves the boundary down, and the plan goes on
 *    from there (bisecting again where the gap has opened). No load is measured more than three
 *    times.
 *
 * Nothing follows a first step that failed (nothing passed to search from) or a `to` that passed.
 */
export interface PlanSettings {
  from: number;
  to: number;
  /** bisection stops when (first failing − max passing) ≤ resolution × max passing */
  resolution: number;
  /** growth factor of the first phase (default 2) */
  growth?: number;
}

export interface MeasuredStep {
  load: number;
  passed: boolean;
}

export interface PlannedStep {
  load: number;
  role: StepRole;
}

/** Each boundary load is measured this often; a tie gets one more. */
const CONFIRMED_TIMES = 2;

export interface LoadOutcome {
  /** the majority of its measurements passed */
  passed: boolean;
  passes: number;
  times: number;
  /** as many passes as failures: one more measurement decides */
  tied: boolean;
}

/** Each load measured: how often, how often it passed, and what the majority says. */
export function loadOutcomes(history: readonly MeasuredStep[]): Map<number, LoadOutcome> {
  const out = new Map<number, LoadOutcome>();
  for (const s of history) {
    const o = out.get(s.load);
    const passes = (o?.passes ?? 0) + (s.passed ? 1 : 0);
    const times = (o?.times ?? 0) + 1;
    out.set(s.load, { passes, times, passed: passes * 2 > times, tied: passes * 2 === times });
  }
  return out;
}

/** The boundary: the highest load the majority passed below the lowest load it did not. */
export function boundary(history: readonly MeasuredStep[]): { maxPassing: number | null; firstFailing: number | null } {
  const outcomes = loadOutcomes(history);
  const failing = [...outcomes].filter(([, o]) => !o.passed).map(([l]) => l);
  const firstFailing = failing.length > 0 ? Math.min(...failing) : null;
  const passing = [...outcomes].filter(([l, o]) => o.passed && (firstFailing === null || l < firstFailing)).map(([l]) => l);
  return { maxPassing: passing.length > 0 ? Math.max(...passing) : null, firstFailing };
}

/** Whether the gap between two loads is within the resolution (or no whole load lies between them). */
export function withinResolution(maxPassing: number, firstFailing: number, resolution: number): boolean {
  return firstFailing - maxPassing <= Math.max(1, resolution * maxPassing);
}

export function nextStep(history: readonly MeasuredStep[], s: PlanSettings): PlannedStep | undefined {
  const growth = s.growth ?? 2;
  if (history.length === 0) return { load: Math.min(s.from, s.to), role: 'grow' };
  const outcomes = loadOutcomes(history);
  // measurements that disagree: one more decides, before anything else is planned
  for (const [load, o] of outcomes) if (o.tied) return { load, role: 'confirm' };
  const { maxPassing, firstFailing } = boundary(history);
  if (firstFailing === null) {
    // still growing: every load so far passed
    const last = Math.max(...history.map((h) => h.load));
    if (last >= s.to) return undefined;
    return { load: Math.min(s.to, Math.max(last + 1, Math.round(last * growth))), role: 'grow' };
  }
  if (maxPassing === null) return undefined; // the lowest load measured failed: nothing to search from
  if (!withinResolution(maxPassing, firstFailing, s.resolution)) {
    const mid = Math.round((maxPassing + firstFailing) / 2);
    if (mid > maxPassing && mid < firstFailing) return { load: mid, role: 'bisect' };
  }
  for (const load of [maxPassing, firstFailing]) {
    if (outcomes.get(load)!.times < CONFIRMED_TIMES) return { load, role: 'confirm' };
  }
  return undefined;
}
