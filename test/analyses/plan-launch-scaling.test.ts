import { describe, expect, it } from 'vitest';
import { launchScaling } from '../../src/analyses/plan/launch-scaling.ts';
import { LaunchScaling } from '../../src/analyses/plan/plan-schema.ts';
import { trackingOf } from '../../src/analyses/plan/provisioned-need.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import { launchScalingText } from '../../src/report/plan/provisioned-text.ts';

/**
 * A launch's first minutes at the peak, worked by hand: scheduled scaling to the peak's
 * environments ahead of it, against target tracking, whose utilization tops at 100 % (the
 * spillover is not in it), so each step after its 3-minute alarm grows the allocation at most
 * 1 ÷ target times, a step a minute.
 */
describe('launchScaling', () => {
  // 100 invocations/s of 0.1 s: 10 concurrent; target 50 % from 1 environment, $0.05 an environment-hour
  const l = launchScaling({ perS: 100, concurrency: 10, targetValue: 0.5, minCapacity: 1, hourlyPerEnvironment: 0.05 });

  it('steps the allocation by at most 1 ÷ target a minute after the alarm, until utilization is at the target', () => {
    expect(LaunchScaling.safeParse(l).success).toBe(true);
    // minutes 1-3 at 1 (the alarm's 3 data points); then ×2 a step while all busy; then 10 ÷ 0.5
    expect(l.targetTracking.steps).toEqual([
      { minute: 3, environments: 2 },
      { minute: 4, environments: 4 },
      { minute: 5, environments: 8 },
      { minute: 6, environments: 16 },
      { minute: 7, environments: 20 },
    ]);
    expect(l.targetTracking.caughtUpMinute).toBe(7);
    // what each minute's allocation could not serve: 3 × 5,400 at 1, 4,800 at 2, 3,600 at 4, 1,200 at 8, none from 16
    expect(l.targetTracking.spilloverInvocations).toBeCloseTo(3 * 5_400 + 4_800 + 3_600 + 1_200, 6);
    // the on-demand environments the spillover starts: the peak's 10 less the 1 allocated
    expect(l.targetTracking.coldStarts).toBe(9);
    expect(l.targetTracking.hourlyUsd).toBeCloseTo(20 * 0.05, 9);
    expect(l.scheduled).toEqual({ environments: 10, hourlyUsd: expect.closeTo(10 * 0.05, 9) });
  });

  it("takes a launch to 200 concurrent from 1 environment at 70 % in 16 minutes at best, as docs/plan.md says", () => {
    const t = launchScaling({ perS: 5_000, concurrency: 200, targetValue: 0.7, minCapacity: 1 }).targetTracking;
    expect(t.steps.map((s) => s.environments)).toEqual([2, 3, 5, 8, 12, 18, 26, 38, 55, 79, 113, 162, 232, 286]);
    expect(t.steps[0]!.minute).toBe(3);
    expect(t.caughtUpMinute).toBe(16);
  });

  it('takes no step where the minimum already holds the peak at the target, and says when it never catches up', () => {
    const enough = launchScaling({ perS: 100, concurrency: 10, targetValue: 0.5, minCapacity: 20 });
    expect(enough.targetTracking).toMatchObject({ steps: [], caughtUpMinute: 0, spilloverInvocations: 0, coldStarts: 0, hourlyUsd: null });
    expect(enough.scheduled.hourlyUsd).toBeNull();
    // a target of 100 %: utilization is never above it, so target tracking never scales out; the spillover is the peak's, 2 hours of it
    const flat = launchScaling({ perS: 50_000, concurrency: 5_000, targetValue: 1, minCapacity: 1 });
    expect(flat.targetTracking).toMatchObject({ steps: [], caughtUpMinute: null, coldStarts: 4_999 });
    expect(flat.targetTracking.spilloverInvocations).toBeCloseTo(120 * 60 * 50_000 * (1 - 1 / 5_000), 3);
    // 99 %: a step a minute from minute 3, too small to reach 5,000 concurrent in two hours
    const slow = launchScaling({ perS: 50_000, concurrency: 5_000, targetValue: 0.99, minCapacity: 1 });
    expect(slow.targetTracking.caughtUpMinute).toBeNull();
    expect(slow.targetTracking.steps).toHaveLength(118);
  });

  it('says it in one line: the scheduled allocation, then target tracking\'s minutes, spillover and cold starts', () => {
    expect(launchScalingText('chat-send', l)).toBe(
      'launch at the peak, chat-send: scheduled scaling to 10 environments before it serves the first minutes warm, $0.500 an hour allocated; ' +
        'target tracking at 50 % from 1 environment first scales out 3 minutes in (its alarm: 3 one-minute data points above the target), at most ×2 a step ' +
        '(utilization tops at 100 %: the spillover is not in it), and is back at its target 7 minutes in, at 20 environments, $1.00 an hour allocated; ' +
        "meanwhile 25,800 invocations spill over to on-demand environments, 9 of them cold starts (each allocation's own INIT adds to those minutes)",
    );
    const enough = launchScaling({ perS: 100, concurrency: 10, targetValue: 0.5, minCapacity: 20 });
    expect(launchScalingText('chat-send', enough)).toBe('launch at the peak, chat-send: scheduled scaling to 10 environments before it serves the first minutes warm; target tracking at 50 % from 20 environments already serves it');
  });
});

describe('launchScalingText, where the minimum holds the peak above the target', () => {
  it('says nothing spills over while target tracking still scales out', () => {
    // 11 concurrent on 20 environments: 55 % over a 50 % target, a step at minute 3, no spillover
    const l = launchScaling({ perS: 110, concurrency: 11, targetValue: 0.5, minCapacity: 20 });
    expect(l.targetTracking).toMatchObject({ steps: [{ minute: 3, environments: 22 }], spilloverInvocations: 0, coldStarts: 0 });
    expect(launchScalingText('chat-join', l)).toMatch(/is back at its target 3 minutes in, at 22 environments; meanwhile nothing spills over to on-demand environments \(its minimum holds the peak, above the target\)$/);
  });
});

describe('trackingOf', () => {
  const run = { results: { config: { target: { functions: { source: 'stack', functions: [{ name: 'chat-connect', route: '$connect', memoryMB: 256, autoScaling: [{ qualifier: 'live', min: 0, max: 20, targetValue: 0.6, scheduledActions: 1 }] }] } } } } } as unknown as { results: Pick<Results, 'config'> };

  it("takes a function's target tracking from the runs' template (its minimum at least 1), --target-tracking over it, the default elsewhere", () => {
    expect(trackingOf([run], undefined)('chat-connect')).toEqual({ targetValue: 0.6, minCapacity: 1, basis: 'template' });
    expect(trackingOf([run], undefined)('chat-send')).toEqual({ targetValue: 0.7, minCapacity: 1, basis: 'default' });
    expect(trackingOf([run], { targetValue: 0.5, minCapacity: 3 })('chat-connect')).toEqual({ targetValue: 0.5, minCapacity: 3, basis: 'flag' });
    const l = launchScaling({ perS: 100, concurrency: 10, ...trackingOf([run], undefined)('chat-connect') });
    expect(launchScalingText('chat-connect', l)).toContain("target tracking at 60 % from 1 environment (the template's policy) first scales out");
  });
});
