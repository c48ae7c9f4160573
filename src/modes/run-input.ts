import { randomInt } from 'node:crypto';
import { fieldPath, UserError } from '../../common/errors.ts';
import { fleetLimitIssue } from '../fleet/fleet-limits.ts';
import { hostFacts, type HostFacts } from '../fleet/host-facts.ts';
import { plannedLoad } from '../scenarios/planned-load.ts';
import { chooseShards } from '../fleet/shard-count.ts';
import { applyOverrides } from '../scenarios/apply-overrides.ts';
import { phaseLengthIssue } from '../scenarios/phase-length.ts';
import { loadScenario } from '../scenarios/load-scenario.ts';
import type { Scenario } from '../contracts/scenario-schema.ts';
import type { ConnectToken } from '../fleet/protocols/connect-token.ts';
import { DEFAULT_TOKEN_PLACEMENT, type TokenPlacement } from '../contracts/token-placement.ts';

/** What a run is asked for, before it is checked: the scenario, the flags applied to it, the target and its token. */
export interface RunRequest {
  /** built-in scenario name or a YAML/JSON file (default: "default") */
  scenario?: string;
  /** "local" (default), a ws:// / wss:// URL or aws:<stackName> */
  target?: string;
  /** aws:<stackName>: region and profile (default: the SDK's standard chain) */
  aws?: { region?: string; profile?: string };
  clients?: number;
  rooms?: number;
  /** every send phase's duration */
  durationMs?: number;
  /** every send phase's rate, messages/s */
  rate?: number;
  seed?: number;
  shards?: number;
  /**
   * The token for a $connect authorizer (FANOUT_BENCH_TOKEN or --token-file). Sent with every
   * handshake, handed to a local stack with auth; never printed or stored.
   */
  token?: string;
  /** where the token goes: the x-api-key header or the token query parameter (default: the scenario's auth.identitySource, else header) */
  tokenIn?: TokenPlacement;
  /** run even if the fleet looks bigger than this host can hold (fleet-limits.ts) */
  ignoreHostLimits?: boolean;
}
import { LOCAL_TARGET, parseTargetSpec, type TargetSpec } from '../targets/target-spec.ts';

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
  /** what that names: whether the harness starts it, where it is looked up */
  target: TargetSpec;
  /** the token every handshake carries, and where */
  token?: ConnectToken;
}

export function checkRunInput(o: RunRequest, host: HostFacts = hostFacts()): RunInput {
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

  const targetSpec = o.target ?? LOCAL_TARGET;
  const target = parseTargetSpec(targetSpec);
  if (o.aws && !target.usesAwsAccount) {
    const flag = o.aws.region !== undefined ? '--region' : '--profile';
    throw new UserError(`${flag}: applies to --target aws:<stackName> only (a URL names its region; the local stack needs none)`);
  }

  const shards = chooseShards(scenario.clients, o.shards, host.openFilesPerProcess, plannedLoad(scenario));
  if (!o.ignoreHostLimits) {
    const issue = fleetLimitIssue(
      {
        clients: scenario.clients,
        shards,
        target: targetSpec,
        localStack: target.startsLocalStack,
        hostMaxEnvironments: scenario.target.hostMaxEnvironments,
        clientsField: o.clients !== undefined ? '--clients' : `${scenario.source}: clients`,
        scenarioSource: scenario.source,
        shardsRequested: o.shards,
      },
      host,
    );
    if (issue) throw new UserError(`${issue} (--ignore-host-limits runs it anyway)`);
  }
  const token = connectToken(o, scenario, target);
  return { scenario, seed: scenario.seed ?? randomInt(2 ** 31 - 1), shards, targetSpec, target, ...(token ? { token } : {}) };
}

/**
 * The run's token and where it goes: --token-in, else the local stack's identity source
 * (`target.auth.identitySource`), else the header. A local stack with auth needs a token to
 * expect: the run's own, unless the scenario names a token file for it.
 */
function connectToken(o: RunRequest, scenario: Scenario, target: TargetSpec): ConnectToken | undefined {
  const auth = target.startsLocalStack ? scenario.target.auth : undefined;
  const knobs = typeof auth === 'object' ? auth : {};
  if (o.token === undefined) {
    if (o.tokenIn !== undefined) throw new UserError('--token-in: there is no token to send (set FANOUT_BENCH_TOKEN or --token-file)');
    if (auth && knobs.tokenFile === undefined) {
      throw new UserError(`${scenario.source}: target.auth: the local stack's authorizer needs the token it expects: set FANOUT_BENCH_TOKEN or --token-file (or target.auth.tokenFile)`);
    }
    return undefined;
  }
  const placement = o.tokenIn ?? knobs.identitySource ?? DEFAULT_TOKEN_PLACEMENT;
  // A header value is bytes Node sends as they are: only printable ASCII is sure to arrive intact.
  if (placement === 'header' && !/^[\x21-\x7e]+$/.test(o.token)) {
    throw new UserError('--token-in header: the token has characters a header cannot carry intact (only printable ASCII, no spaces); use --token-in query');
  }
  return { token: o.token, in: placement };
}
