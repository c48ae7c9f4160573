import { UserError } from '../../common/errors.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';

/** What `run` flags may change in a scenario. */
export interface ScenarioOverrides {
  clients?: number;
  rooms?: number;
  /** every send phase's duration */
  durationMs?: number;
  /** every send phase's rate */
  rate?: number;
  seed?: number;
}

export function applyOverrides(s: Scenario, o: ScenarioOverrides): Scenario {
  const out: Scenario = {
    ...s,
    clients: o.clients ?? s.clients,
    rooms: o.rooms ?? s.rooms,
    seed: o.seed ?? s.seed,
    phases: s.phases.map((p) =>
      p.kind === 'send' ? { ...p, durationMs: o.durationMs ?? p.durationMs, rate: o.rate ?? p.rate } : p,
    ),
  };
  out.definition = patchDefinition(s.definition, o);
  if (out.rooms > out.clients) {
    const flag = o.rooms !== undefined ? '--rooms' : '--clients';
    throw new UserError(`${flag}: rooms (${out.rooms}) must not exceed clients (${out.clients})`);
  }
  return out;
}

/** The definition recorded in results.json is the scenario as it ran: flags applied. */
function patchDefinition(def: Record<string, unknown>, o: ScenarioOverrides): Record<string, unknown> {
  const d = structuredClone(def) as Record<string, unknown> & { phases?: Record<string, Record<string, unknown>>[] };
  if (o.clients !== undefined) d.clients = o.clients;
  if (o.rooms !== undefined) d.rooms = o.rooms;
  if (o.seed !== undefined) d.seed = o.seed;
  for (const p of d.phases ?? []) {
    if (!p.send) continue;
    if (o.durationMs !== undefined) p.send.duration = `${o.durationMs}ms`;
    if (o.rate !== undefined) p.send.rate = o.rate;
  }
  return d;
}
