import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS } from '../../src/contracts/scenario-limits.ts';
import { rampBudget } from '../../src/fleet/shard-fleet.ts';

// How long the shard fleet lets a ramp (connect, create, join) run before it calls the step stuck
// and fails the run: the longer of its pacing and every item timing out in turn at its in-flight
// bound, plus one timeout and 30 s of slack; never past the longest timer Node sets.

describe('a ramp step\'s budget', () => {
  it('is its pacing when the rate is what holds it back', () => {
    // 1,000 connects at 100/s take 10 s; 1,000 at 1,000 in flight timing out after 5 s take 5 s
    expect(rampBudget(1_000, { rate: 100, maxInFlight: 1_000 }, 5_000)).toBe(10_000 + 5_000 + 30_000);
  });

  it('is every item timing out in turn when the in-flight bound is what holds it back', () => {
    // 10 in flight, each running into its 5 s timeout: 100 rounds of 5 s
    expect(rampBudget(1_000, { rate: 1_000, maxInFlight: 10 }, 5_000)).toBe(500_000 + 5_000 + 30_000);
  });

  it("is bounded by the longest timer Node can set", () => {
    expect(rampBudget(10_000_000, { rate: 0.001, maxInFlight: 1 }, 60_000)).toBe(MAX_TIMER_MS);
  });
});
