import { TOKEN_ENV } from '../../common/auth-token.ts';
import { notEmulatedPathText, notEmulatedResourcesLine } from '../../common/not-emulated-paths.ts';
import type { StackKnobs } from '../contracts/scenario-schema.ts';
import type { ConnectToken } from '../fleet/protocols/connect-token.ts';
import { openAwsApiTarget } from './aws-api.ts';
import { openAwsStackTarget } from './aws-stack.ts';
import { startLocalStack } from './local.ts';
import { openRemoteTarget, type ProbeHandshake } from './remote.ts';
import type { TargetSpec } from '../contracts/target-spec.ts';
import type { Target } from './target.ts';
import { stackLaunchOf, withKnobs } from '../local-stack/stack-knobs.ts';

export interface ResolveTargetOptions {
  /** what --target named, parsed once (checkRunInput) */
  spec: TargetSpec;
  /** aws:<stackName>: `--region` and `--profile` (default: the SDK's standard chain) */
  aws?: { region?: string; profile?: string; tables?: string[] };
  /** the scenario's local-stack knobs (`target:` in the scenario) */
  knobs: StackKnobs;
  /** a local target: knobs set by the run's flags (--memory, --runtime), over the scenario's */
  stackKnobs?: StackKnobs;
  /** a local target: where the stack's output goes */
  logFile?: string;
  /** the run's token: the URL probe sends it; a local stack with auth expects it (unless its knobs name a token file) */
  token?: ConnectToken;
  /** a protocol other than chat-v1: how its clients shake hands, for the probe of a deployed target */
  probeHandshake?: ProbeHandshake;
  onWarning?: (message: string) => void;
}

/**
 * Resolving a target: "local" starts the emulator with the scenario's knobs and the run's;
 * aws:<stackName> reads the stack's outputs and its functions' configurations from AWS, then
 * probes its URL; a URL is probed with one WebSocket handshake. Either way the caller gets a Target that is up,
 * describes itself (endpoints, functions) and is stopped with stop(). A stack that does not
 * start, or a URL that does not answer, is a UserError naming why; nothing is measured yet.
 */
export async function resolveTarget(o: ResolveTargetOptions): Promise<Target> {
  const spec = o.spec;
  if (spec.kind === 'aws-stack') return openAwsStackTarget({ stackName: spec.stackName, region: o.aws?.region, profile: o.aws?.profile, token: o.token, probeHandshake: o.probeHandshake });
  if (spec.kind === 'aws-api') {
    return openAwsApiTarget({ apiId: spec.apiId, stage: spec.stage, region: o.aws?.region, profile: o.aws?.profile, tables: o.aws?.tables, token: o.token, probeHandshake: o.probeHandshake });
  }
  if (spec.kind === 'url') return openRemoteTarget(spec, { token: o.token, probeHandshake: o.probeHandshake });
  // The token reaches the stack through its environment, never its arguments (which results.json records).
  const env = o.token ? { ...process.env, [TOKEN_ENV]: o.token.token } : undefined;
  const target = await startLocalStack({ launch: stackLaunchOf(withKnobs(o.knobs, o.stackKnobs)), logFile: o.logFile, env });
  // Said once, here; results.json keeps it under environment.lambdaRuntime.
  const runtime = target.local?.lambdaRuntime;
  // not where every Node.js runtime the functions name ran on its own Node (a template of nodejs20.x on Node 20)
  const nodeMismatch = runtime?.runtimes?.some((x) => x.runtime.startsWith('nodejs') && !x.matches) ?? true;
  if (runtime && nodeMismatch && !runtime.matches && runtime.nodeFunctions !== false) o.onWarning?.(runtime.note ?? `${runtime.runtime}'s functions ran on Node ${runtime.node}`);
  // Each path the emulator does not run, before any load: what AWS would invoke that this run cannot show.
  for (const p of target.notEmulated ?? []) o.onWarning?.(`not emulated: ${notEmulatedPathText(p)}`);
  // And the resources it read but does not run, in one line: most are inert here (log groups,
  // metadata), and one that is not breaks what calls it, named then as the run's cause.
  const resources = target.notEmulatedResources ?? [];
  if (resources.length > 0) o.onWarning?.(`not emulated: ${notEmulatedResourcesLine(resources)}`);
  return target;
}
