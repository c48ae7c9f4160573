import { describe, expect, it } from 'vitest';
import { boundary, nextStep, type MeasuredStep, type PlanSettings } from '../../src/analyses/search/step-plan.ts';

/** Runs the plan against a judge to its end: the loads measured, in order, with their roles. */
function search(settings: PlanSettings, passes: (load: number, nth: number) => boolean): Array<MeasuredStep & { role: string }> {
  const history: Array<MeasuredStep & { role: string }> = [];
  for (let guard = 0; guard < 100; guard++) {
    const step = nextStep(history, settings);
    if (!step) return history;
    const nth = history.filter((h) => h.load === step.load).length + 1;
    history.push({ load: step.load, role: step.role, passed: passes(step.load, nth) });
  }
  throw new Error('the plan did not end');
}

describe('the step plan', () => {
  it('grows geometrically, bisects to the resolution, then measures both boundary loads again', () => {
    const steps = search({ from: 10, to: 1000, resolution: 0.1 }, (load) => load <= 137);
    expect(steps.map((s) => `${s.role}:${s.load}`)).toEqual([
      'grow:10', 'grow:20', 'grow:40', 'grow:80', 'grow:160',
      'bisect:120', 'bisect:140', 'bisect:130',
      'confirm:130', 'confirm:140',
    ]);
    const { maxPassing, firstFailing } = boundary(steps);
    expect([maxPassing, firstFailing]).toEqual([130, 140]);
    expect(firstFailing! - maxPassing!).toBeLessThanOrEqual(0.1 * maxPassing!);
    // the knee (137) lies between them, so the answer is within the resolution of it
    expect(Math.abs(maxPassing! - 137)).toBeLessThanOrEqual(0.1 * 137);
  });

  it('never exceeds --to, and ends when --to passes', () => {
    const steps = search({ from: 5, to: 30, resolution: 0.1 }, () => true);
    expect(steps.map((s) => s.load)).toEqual([5, 10, 20, 30]);
    expect(Math.max(...steps.map((s) => s.load))).toBe(30);
  });

  it('ends at once when the first step fails', () => {
    expect(search({ from: 50, to: 500, resolution: 0.1 }, () => false).map((s) => s.load)).toEqual([50]);
  });

  it('a boundary load whose measurements disagree is measured a third time; the majority moves the boundary down', () => {
    // 130 passes once, then fails twice: a noisy edge
    const steps = search({ from: 10, to: 1000, resolution: 0.1 }, (load, nth) => load < 130 || (load === 130 && nth === 1));
    const { maxPassing, firstFailing } = boundary(steps);
    expect([maxPassing, firstFailing]).toEqual([120, 130]);
    const times = new Map<number, number>();
    for (const s of steps) times.set(s.load, (times.get(s.load) ?? 0) + 1);
    expect(Math.max(...times.values())).toBe(3);
    expect(steps.filter((s) => s.load === 130).map((s) => s.role)).toEqual(['bisect', 'confirm', 'confirm']);
    expect(steps.at(-1)).toEqual({ load: 120, role: 'confirm', passed: true });
  });

  it('one noisy failure does not set the answer: the third measurement of a boundary load outvotes it', () => {
    // 130 fails once (its second measurement) but passes the first and third
    const steps = search({ from: 10, to: 1000, resolution: 0.1 }, (load, nth) => load <= 137 && !(load === 130 && nth === 2));
    expect(boundary(steps)).toEqual({ maxPassing: 130, firstFailing: 140 });
  });

  it('whole-number loads: stops when no whole number lies between the boundary loads', () => {
    const steps = search({ from: 1, to: 100, resolution: 0.01 }, (load) => load <= 3);
    expect(boundary(steps)).toEqual({ maxPassing: 3, firstFailing: 4 });
    expect(steps.every((s) => Number.isInteger(s.load))).toBe(true);
  });
});
