import { randomInt } from 'node:crypto';
import { UserError } from '../../common/errors.ts';
import { DEFAULT_TOKEN_PLACEMENT, type TokenPlacement } from '../contracts/token-placement.ts';
import type { CostOptions } from '../metrics/cost/cost-model.ts';
import type { StackKnobs, Scenario } from '../contracts/scenario-schema.ts';
import { LOCAL_TARGET, parseTargetSpec, type TargetSpec } from '../contracts/target-spec.ts';
import { fleetLimitIssue } from '../fleet/fleet-limits.ts';
import { hostFacts, type HostFacts } from '../fleet/host-facts.ts';
import { chooseShards } from '../fleet/shard-count.ts';
import type { ConnectToken } from '../fleet/protocols/connect-token.ts';
import { checkStackKnobs } from '../local-stack/stack-knobs-check.ts';
import { loadScenario } from '../scenarios/load-scenario.ts';
import { localHttpPublishIssue } from './publish-preflight.ts';
import { plannedLoad } from '../scenarios/planned-load.ts';
import { defaultAccessLogMode, type AccessLogMode } from '../targets/access-logging.ts';
import { FLAG_NAMES, withOverrides, type OverrideNames, type ScenarioOverrides } from '../scenarios/scenario-overrides.ts';

/**
 * What a session is asked for, before it is checked: the scenario and the changes made to it, the
 * target and its token, the local stack's knobs and the cost's prices. Flags arrive here read
 * for their form only (a number, a duration); what they may be is the scenario schema's to say.
 */
export interface RunRequest extends ScenarioOverrides {
  /** built-in scenario name or a YAML/JSON file (default: "default") */
  scenario?: string;
  /** "local" (default), a ws:// / wss:// URL or aws:<stackName>: parsed here, once */
  target?: string;
  /** where `target` was written, for messages (default `--target`) */
  targetField?: string;
  /** who set the overrides, for messages (default: run's flags) */
  overrideNames?: OverrideNames;
  /** aws:<stackName>: region and profile (default: the SDK's standard chain) */
  aws?: { region?: string; profile?: string; tables?: string[] };
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
  /** the local target's knobs set by flags (--memory, --runtime, --template, --parameter): over the scenario's `target:` */
  stackKnobs?: StackKnobs;
  /** prices and architecture for the cost estimate */
  cost?: CostOptions;
  /** `--access-log`: how the run gets the stage's access log (default: enable locally, use on aws:, off for a URL) */
  accessLog?: AccessLogMode;
}

/**
 * A run's input, checked before anything starts: the scenario (file and fields) with the changes
 * asked for validated again through its schema, the target spec parsed, the fleet against what
 * this host can hold, the token. Any mistake is a UserError: one line naming the file and field
 * or the flag, exit 2. Nothing here opens a socket, spawns a process or writes a file.
 */
export interface RunInput {
  scenario: Scenario;
  seed: number;
  shards: number;
  /** what --target names: whether the harness starts it, where it is looked up */
  target: TargetSpec;
  /** the token every handshake carries, and where */
  token?: ConnectToken;
  /** how the run gets the stage's access log (`--access-log`, else the target kind's default) */
  accessLog: AccessLogMode;
  /**
   * `--access-log` was given: a stage whose log cannot serve is then a refusal (exit 2); taken by
   * default, it is one line and the run goes on without tracing requests to invocations
   */
  accessLogChosen?: boolean;
}

export function checkRunInput(o: RunRequest, host: HostFacts = hostFacts()): RunInput {
  const scenario = withOverrides(loadScenario(o.scenario), { clients: o.clients, rooms: o.rooms, durationMs: o.durationMs, rate: o.rate, seed: o.seed }, o.overrideNames ?? FLAG_NAMES);

  // which stack the knobs name functions of: the scenario's and the flags' together
  checkStackKnobs([{ knobs: scenario.target, field: `${scenario.source}: target` }, { knobs: o.stackKnobs }]);

  const field = o.targetField ?? '--target';
  const target = parseTargetSpec(o.target ?? LOCAL_TARGET, field);
  if (o.aws && (o.aws.region !== undefined || o.aws.profile !== undefined) && !target.usesAwsAccount) {
    const flag = o.aws.region !== undefined ? '--region' : '--profile';
    throw new UserError(`${flag}: applies to --target aws:<stackName> only (a URL names its region; the local stack needs none)`);
  }
  if (o.aws?.tables !== undefined && target.kind !== 'aws-api') {
    throw new UserError(`--table: names the tables of an API found by id (--target aws-api:<apiId>/<stage>) only; ${field} ${target.spec} names its own`);
  }
  if (o.stackKnobs?.memory !== undefined && !target.startsLocalStack) {
    throw new UserError(`--memory: sets a Lambda's memory in the local emulator (--target local) only; a deployed stack's is set when it is deployed (cdk deploy -c memory=MB)`);
  }
  if (o.stackKnobs?.preparedPerFunction !== undefined && !target.startsLocalStack) {
    throw new UserError(`--prepared: sets how many environments the local emulator (--target local) initialises ahead; ${field} ${target.spec} is not one`);
  }
  if (o.stackKnobs?.stackName !== undefined && !target.startsLocalStack) {
    throw new UserError(`--stack-name: names the stack the local emulator (--target local) stands in for; ${field} ${target.spec} names its own`);
  }
  const iamAt = o.stackKnobs?.iam !== undefined ? '--iam' : scenario.target.iam !== undefined ? `${scenario.source}: target.iam` : undefined;
  if (iamAt && !target.startsLocalStack) {
    throw new UserError(`${iamAt}: sets IAM in the local emulator (--target local) only; ${field} ${target.spec} enforces its own (AWS always enforces IAM)`);
  }
  if (o.cost?.priceList && !target.usesAwsAccount) {
    throw new UserError(`--prices aws: asks the AWS Price List API for the region of an aws:<stackName> target while it runs; for ${field} ${target.spec}, give a price file (--prices <file>)`);
  }

  const publishIssue = target.startsLocalStack ? localHttpPublishIssue(scenario) : undefined;
  if (publishIssue) throw new UserError(publishIssue);

  const accessLog = o.accessLog ?? defaultAccessLogMode(target);
  if (accessLog !== 'off' && target.kind === 'url') {
    throw new UserError(`--access-log ${accessLog}: ${field} ${target.spec} is a URL: the run reaches no AWS API of it to read a stage's access log; give --access-log off, or the stack as aws:<stackName> or aws-api:<apiId>/<stage>`);
  }

  const shards = chooseShards(scenario.clients, o.shards, host.openFilesPerProcess, plannedLoad(scenario));
  if (!o.ignoreHostLimits) {
    const issue = fleetLimitIssue(
      {
        clients: scenario.clients,
        shards,
        target,
        hostMaxEnvironments: scenario.target.hostMaxEnvironments,
        clientsField: o.clients !== undefined ? (o.overrideNames?.clients ?? FLAG_NAMES.clients) : `${scenario.source}: clients`,
        scenarioSource: scenario.source,
        shardsRequested: o.shards,
      },
      host,
    );
    if (issue) throw new UserError(`${issue} (--ignore-host-limits runs it anyway)`);
  }
  const token = connectToken(o, scenario, target);
  return { scenario, seed: scenario.seed ?? randomInt(2 ** 31 - 1), shards, target, ...(token ? { token } : {}), accessLog, accessLogChosen: o.accessLog !== undefined };
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
