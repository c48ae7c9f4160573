import type { ReconnectPolicy } from '../contracts/scenario-schema.ts';

/**
 * The wait before a closed client's reconnect attempt `attempt` (0: the first after the close):
 * exponential from the policy's initial wait by its factor, capped at its max, then shortened by
 * up to `jitter` of itself at random, so that a wave of closes (every connection of a ramp
 * reaching the 2-hour limit together) comes back spread out rather than as a second wave.
 * `random` is in [0, 1).
 */
export function backoffDelay(p: ReconnectPolicy, attempt: number, random: number): number {
  const capped = Math.min(p.maxMs, p.initialMs * p.factor ** Math.min(attempt, 64));
  return capped * (1 - p.jitter * random);
}
