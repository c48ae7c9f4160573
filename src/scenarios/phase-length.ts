import { formatDuration } from '../contracts/duration.ts';
import { MAX_PHASE_MS } from '../contracts/scenario-limits.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';

export interface LimitIssue {
  /** the scenario field at fault, e.g. ["phases", 0, "connect", "rate"] */
  path: (string | number)[];
  message: string;
}

/**
 * A connect or join ramp paces `clients` (joins: every room's create plus every client's join)
 * at its rate: it must fit in MAX_PHASE_MS. Checked after flags are applied (`--clients` moves it).
 */
export function phaseLengthIssue(s: Scenario): LimitIssue | undefined {
  for (const [i, p] of s.phases.entries()) {
    if (p.kind !== 'connect' && p.kind !== 'join') continue;
    const items = p.kind === 'connect' ? s.clients : s.clients + s.rooms;
    const ms = (items / p.rate) * 1000;
    if (ms > MAX_PHASE_MS) {
      const what = p.kind === 'connect' ? `${items} connects` : `${items} createRoom and joinRoom requests`;
      return {
        path: ['phases', i, p.kind, 'rate'],
        message: `${what} at ${p.rate}/s take ${formatDuration(Math.round(ms))}; a phase may take at most ${formatDuration(MAX_PHASE_MS)}`,
      };
    }
  }
  return undefined;
}
