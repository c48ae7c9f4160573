import type { Scenario } from '../contracts/scenario-schema.ts';

/** The scenario's expected length in ms, for the progress line's remaining time and --dry-run's plan. */
export function plannedMs(s: Scenario): number {
  let ms = 0;
  for (const p of s.phases) {
    if (p.kind === 'connect') ms += (s.clients / p.rate) * 1000;
    else if (p.kind === 'join') ms += ((s.clients + s.rooms) / p.rate) * 1000;
    else if (p.kind === 'send' || p.kind === 'publish' || p.kind === 'idle') ms += p.durationMs;
  }
  return ms + s.timeouts.graceMs + 1000;
}
