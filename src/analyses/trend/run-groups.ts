import type { Results } from '../../contracts/results-schema.ts';
import { recordedTargetLabel } from '../../targets/recorded-target.ts';

/**
 * What makes two runs comparable: the same scenario with the same load (clients, rooms, room
 * sizes, phases), the same target and the same machine (platform, cores, CPU model). Whatever
 * else differs between them (the commit, the tool's version, Node, the functions' memory or
 * runtime, the emulator's knobs) is what a trend is there to show, so it does not split them.
 */
export interface RunIdentity {
  scenario: string;
  /** the load as people read it */
  load: string;
  target: string;
  machine: string;
  /** the load exactly, for comparing */
  loadKey: string;
}

export function identityOf(r: Results): RunIdentity {
  const c = r.config;
  const phases = Array.isArray(c.phases) ? (c.phases as Array<{ kind?: unknown; durationMs?: unknown }>) : [];
  const phaseText = phases.map((p) => `${String(p.kind)}${typeof p.durationMs === 'number' ? ` ${p.durationMs / 1000} s` : ''}`).join(', ');
  return {
    scenario: r.scenario.name,
    load: `${c.clients} clients in ${c.rooms} rooms${phaseText ? `; ${phaseText}` : ''}`,
    loadKey: JSON.stringify([c.clients, c.rooms, c.roomSizes ?? null, c.phases ?? null]),
    // as the target named itself (a local stack listens on a new port each run: it is the same target)
    target: recordedTargetLabel(c.target),
    machine: `${r.environment.platform}, ${r.environment.cpus} cores, ${r.environment.cpuModel}`,
  };
}

const sameScenario = (a: RunIdentity, b: RunIdentity) => a.scenario === b.scenario && a.loadKey === b.loadKey;

/** Why a run is not comparable with the trend's runs, or undefined when it is. */
export function differsBy(run: RunIdentity, trend: RunIdentity): string | undefined {
  const why: string[] = [];
  if (!sameScenario(run, trend)) why.push(run.scenario === trend.scenario ? `another load (${run.load})` : `another scenario (${run.scenario})`);
  if (run.target !== trend.target) why.push(`another target (${run.target})`);
  if (run.machine !== trend.machine) why.push(`another machine (${run.machine})`);
  return why.length > 0 ? why.join(', ') : undefined;
}

/**
 * The runs grouped by identity; the trend is the group with the most runs (on a tie, the one
 * with the latest run), the others are set apart.
 */
export function mainGroup(runs: ReadonlyArray<{ identity: RunIdentity; startedAt: string }>): RunIdentity | undefined {
  const groups: Array<{ identity: RunIdentity; count: number; latest: string }> = [];
  for (const run of runs) {
    const g = groups.find((x) => differsBy(run.identity, x.identity) === undefined);
    if (g) {
      g.count++;
      if (run.startedAt > g.latest) g.latest = run.startedAt;
    } else {
      groups.push({ identity: run.identity, count: 1, latest: run.startedAt });
    }
  }
  groups.sort((a, b) => b.count - a.count || (a.latest < b.latest ? 1 : a.latest > b.latest ? -1 : 0));
  return groups[0]?.identity;
}
