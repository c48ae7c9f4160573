import { randomInt } from 'node:crypto';
import { fieldPath, UserError } from './errors.ts';
import { fleetLimitIssue } from './fleet/fleet-limits.ts';
import { hostFacts, type HostFacts } from './fleet/host-facts.ts';
import { chooseShards } from './fleet/shard-count.ts';
import type { RunOptions } from './run/run.ts';
import { applyOverrides } from './scenarios/apply-overrides.ts';
import { phaseLengthIssue } from './scenarios/limits.ts';
import { loadScenario } from './scenarios/load-scenario.ts';
import type { Scenario } from './scenarios/schema.ts';
import { awsStackName } from './targets/aws-stack.ts';
import { checkTargetUrl } from './targets/remote.ts';

/**
 * A run's input, checked before anything starts: the scenario (file and fields), the flags
 * applied to it, every phase within its time bound, the target's URL, and the fleet against what
 * this host can hold. Any mistake is a UserError: one line naming the file and field or the
 * flag, exit 2. Nothing here opens a socket, spawns a process or writes a file.
 */
export interface RunInput {
  scenario: Scenario;
  seed: number;
  shards: number;
  /** "local", a ws(s):// URL or aws:<stackName> */
  targetSpec: string;
}

export function checkRunInput(o: RunOptions, host: HostFacts = hostFacts()): RunInput {
  const base = loadScenario(o.scenario);
  const scenario = applyOverrides(base, {
    clients: o.clients,
    rooms: o.rooms,
    durationMs: o.durationMs,
    rate: o.rate,
    seed: o.seed,
  });
  const long = phaseLengthIssue(scenario);
  if (long) throw new UserError(`${scenario.source}: ${fieldPath(long.path)}: ${long.message}`);

  const targetSpec = o.target ?? 'local';
  if (targetSpec !== 'local' && awsStackName(targetSpec) === undefined) checkTargetUrl(targetSpec);
  if (o.aws && awsStackName(targetSpec) === undefined) {
    const flag = o.aws.region !== undefined ? '--region' : '--profile';
    throw new UserError(`${flag}: applies to --target aws:<stackName> only (a URL names its region; the local stack needs none)`);
  }

  const shards = chooseShards(scenario.clients, o.shards, host.openFilesPerProcess);
  if (!o.ignoreHostLimits) {
    const issue = fleetLimitIssue(
      {
        clients: scenario.clients,
        shards,
        target: targetSpec,
        hostMaxEnvironments: scenario.target.hostMaxEnvironments,
        clientsField: o.clients !== undefined ? '--clients' : `${scenario.source}: clients`,
        scenarioSource: scenario.source,
        shardsRequested: o.shards,
      },
      host,
    );
    if (issue) throw new UserError(`${issue} (--ignore-host-limits runs it anyway)`);
  }
  return { scenario, seed: scenario.seed ?? randomInt(2 ** 31 - 1), shards, targetSpec };
}
