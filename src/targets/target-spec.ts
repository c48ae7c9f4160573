import { awsStackName } from './aws-stack.ts';
import { checkTargetUrl } from './remote.ts';
import type { StackKnobs } from '../contracts/scenario-schema.ts';
import { accountQuotas, emulatorQuotas, urlQuotas, type TargetQuotas } from './target-quotas.ts';
import type { Target } from './target.ts';

/**
 * What a `--target` names, known before anything starts: "local" (the emulator, started by the
 * harness on this host), aws:<stackName> (a deployed stack found by its CloudFormation name) or a
 * ws:// / wss:// URL. The run's input checks, its host limits and its run directory ask these
 * properties, never the spec's text. A malformed spec is a UserError naming it.
 */
export interface TargetSpec {
  /** as given */
  spec: string;
  /** what results.json records for it when it never started (config.target.kind and url) */
  recorded: { kind: Target['kind']; url: string };
  /**
   * The harness starts this stack itself, on this host: the scenario's `target:` knobs and
   * `--memory` / `--runtime` configure it, its log goes into the run directory, a token reaches
   * its authorizer, and its memory and open files count against this host's limits.
   */
  startsLocalStack: boolean;
  /** `--region` and `--profile` choose where it is looked up (a stack found through AWS's APIs) */
  usesAwsAccount: boolean;
  /** aws:<stackName>: the stack's name */
  stackName?: string;
  /**
   * The quotas this target holds a scenario to, known before it starts (target-quotas.ts): an
   * aws: stack's read from its account, a local stack's from its config, an execute-api URL's as
   * AWS documents them; null for a stack of your own. Starts nothing, opens no WebSocket.
   */
  quotas(o: { knobs: StackKnobs; aws?: { region?: string; profile?: string } }): Promise<TargetQuotas | null>;
}

export const LOCAL_TARGET = 'local';

export function parseTargetSpec(spec: string): TargetSpec {
  if (spec === LOCAL_TARGET) {
    return { spec, recorded: { kind: 'local', url: spec }, startsLocalStack: true, usesAwsAccount: false, quotas: async (o) => emulatorQuotas(o.knobs) };
  }
  const stackName = awsStackName(spec);
  if (stackName !== undefined) {
    return { spec, recorded: { kind: 'remote', url: spec }, startsLocalStack: false, usesAwsAccount: true, stackName, quotas: (o) => accountQuotas(stackName, o.aws) };
  }
  const url = checkTargetUrl(spec).toString();
  return { spec, recorded: { kind: 'remote', url: spec }, startsLocalStack: false, usesAwsAccount: false, quotas: async () => urlQuotas(url) };
}
