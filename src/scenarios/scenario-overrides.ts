import { formatDuration } from '../contracts/duration.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';
import { validateScenario, type Blame } from './load-scenario.ts';

/**
 * A scenario changed after it was loaded: by `run`'s flags (--clients, --rooms, --duration,
 * --rate, --seed), by a search step's load, by a sweep's point. Every change is made to the
 * scenario's definition and the result validated again through the one schema, so a flag is held
 * to exactly the limits a scenario file is, and a mistake names the flag that made it.
 */
export interface ScenarioOverrides {
  clients?: number;
  rooms?: number;
  /** every send phase's duration, ms */
  durationMs?: number;
  /** every send phase's rate, messages/s */
  rate?: number;
  seed?: number;
}

/** Where each override came from, as messages name it: a flag (`--clients`), a step's load (`--to 4000`). */
export type OverrideNames = Partial<Record<keyof ScenarioOverrides, string>>;

export const FLAG_NAMES: Required<OverrideNames> = { clients: '--clients', rooms: '--rooms', durationMs: '--duration', rate: '--rate', seed: '--seed' };

/** The definition as a scenario file writes it, to patch. */
export type Definition = Record<string, unknown> & { phases?: Array<Record<string, Record<string, unknown> | undefined>> };

export function withOverrides(s: Scenario, o: ScenarioOverrides, names: OverrideNames = FLAG_NAMES): Scenario {
  const set = (Object.keys(o) as Array<keyof ScenarioOverrides>).filter((k) => o[k] !== undefined);
  if (set.length === 0) return s;
  return revised(
    s,
    (d) => {
      if (o.clients !== undefined) d.clients = o.clients;
      if (o.rooms !== undefined) d.rooms = o.rooms;
      if (o.seed !== undefined) d.seed = o.seed;
      for (const p of d.phases ?? []) {
        if (!p.send) continue;
        if (o.durationMs !== undefined) p.send.duration = `${o.durationMs}ms`;
        if (o.rate !== undefined) p.send.rate = o.rate;
      }
    },
    (path) => {
      const field = path[0] === 'phases' && path[2] === 'send' ? ({ duration: 'durationMs', rate: 'rate' } as const)[String(path[3])] : ({ clients: 'clients', rooms: 'rooms', seed: 'seed' } as const)[String(path[0])];
      if (field && o[field] !== undefined) {
        const given = field === 'durationMs' ? formatDuration(o[field]) : String(o[field]);
        return { by: names[field] ?? FLAG_NAMES[field], own: true, given };
      }
      // rooms against clients: whichever of the two was set names it
      if (path[0] === 'rooms') {
        const by = o.rooms !== undefined ? 'rooms' : o.clients !== undefined ? 'clients' : undefined;
        if (by) return { by: names[by] ?? FLAG_NAMES[by], own: by === 'rooms' };
      }
      return undefined;
    },
  );
}

/**
 * The scenario with `patch` made to its definition, validated again. `blame` names the change
 * behind a field the schema refuses (a flag, a sweep's point); other fields are named in the
 * scenario's source as when it was loaded.
 */
export function revised(s: Scenario, patch: (d: Definition) => void, blame: Blame): Scenario {
  const d = structuredClone(s.definition) as Definition;
  patch(d);
  // the thresholds are not patched: they stay as parsed when the scenario was loaded
  return validateScenario(d, s.source, blame, { thresholds: s.thresholds });
}
