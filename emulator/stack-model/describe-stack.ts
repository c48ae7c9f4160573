import { UserError } from '../../common/errors.ts';
import type { StackConfig } from '../config.ts';
import { DEFAULT_PUSH_FANOUT, NO_AUTHORIZER } from '../../reference-stack/functions/manifest.ts';
import { ASSEMBLY_STACK, referenceAssembly } from './reference-assembly.ts';
import { DEFAULT_STACK_NAME } from '../../reference-stack/functions/stack-names.ts';
import type { StackDescription } from './stack-description.ts';
import { ownedTempDir } from '../owned-temp-dirs.ts';
import { readTemplateStack, type ReadTemplateOptions } from './template-reader.ts';

/**
 * The stack a config asks for: its template's when it names one, else the reference stack's,
 * read from its CDK app's cloud assembly with the shape the config asks for as the template's
 * parameters (reference-stack/infra/stack-shape.ts), as `cdk deploy` would deploy it. A stack's
 * unpacked code and inline functions go to a work directory of its own (owned-temp-dirs.ts),
 * removed by `dispose` when the stack stops.
 */

export interface DescribedStack {
  stack: StackDescription;
  dispose(): Promise<void>;
}

/**
 * The reference functions' post timeout here (their template's PostTimeoutMs; 2000 as deployed).
 * On AWS a post answers in milliseconds and the 2 s bound only cuts off stuck ones, but here the
 * functions share a few cores with the gateway and the harness, and an oversubscribed host can
 * hold a healthy post for seconds: cutting it off would report the host's overload as lost
 * deliveries. A config's `functions.<name>.environment.POST_TIMEOUT_MS` still wins.
 */
export const LOCAL_POST_TIMEOUT_MS = '20000';

/** The template to read and its parameters: the config's own template, or the reference stack's in the shape the config asks for. */
async function templateOf(config: StackConfig, log: (line: string) => void): Promise<Pick<ReadTemplateOptions, 'path' | 'parameters' | 'assemblyStack' | 'stackName' | 'layers' | 'secrets' | 'ssmParameters' | 'conditionSettings'>> {
  const template = config.template;
  if (template === undefined) {
    return {
      path: await referenceAssembly({ log }),
      assemblyStack: ASSEMBLY_STACK,
      stackName: config.stackName ?? DEFAULT_STACK_NAME,
      parameters: {
        AuthIdentity: config.auth.enabled ? config.auth.identitySource : NO_AUTHORIZER,
        AuthParameter: config.auth.parameterName ?? '',
        PushFanout: config.pushFanout ?? DEFAULT_PUSH_FANOUT,
        // the naive broadcast route too: offline nothing but the load host reaches it
        Broadcast: 'true',
        ApiStage: config.stage,
        NodeRuntime: config.lambda.runtime,
        PostTimeoutMs: LOCAL_POST_TIMEOUT_MS,
        ConnectProvisioned: String(config.provisionedConnect ?? 0),
        SendProvisioned: String(config.provisionedSend ?? 0),
      },
      // the config's settings behind the conditions that leave a function out
      conditionSettings: { AuthOn: 'auth.enabled, --auth', PushDirect: 'pushFanout: direct', PushQueued: 'pushFanout: queued' },
    };
  }
  if (config.auth.enabled) throw new UserError("auth.enabled: is the reference stack's authorizer; a template's own authorizer runs as written");
  if (config.pushFanout) throw new UserError("pushFanout: is the reference stack's server push; a template's own paths run as written");
  for (const key of ['provisionedConnect', 'provisionedSend'] as const) {
    if (config[key] !== undefined) throw new UserError(`${key}: is the reference stack's provisioned concurrency; a template's own runs as written (its ProvisionedConcurrencyConfig)`);
  }
  return {
    path: template.path,
    parameters: template.parameters,
    ...(template.layers ? { layers: template.layers } : {}),
    ...(template.secrets ? { secrets: template.secrets } : {}),
    ...(template.ssmParameters ? { ssmParameters: template.ssmParameters } : {}),
    ...(config.stackName !== undefined ? { stackName: config.stackName } : {}),
  };
}

export async function describeStack(config: StackConfig, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<DescribedStack> {
  const template = await templateOf(config, log);
  // made only if the reader writes into it (a template with zips, inline code, builds, layers): the reference stack's assembly needs none
  const dir = ownedTempDir('fanout-bench-stack-', { made: false });
  const workDir = dir.path;
  const dispose = async () => dir.remove();
  try {
    const stack = await readTemplateStack({
      ...template,
      region: config.region,
      accountId: config.accountId,
      apiId: config.apiId,
      workDir,
    });
    return { stack: config.template === undefined ? withPushUnprepared(stack) : stack, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/**
 * The reference stack's functions that only an event invokes (the server push's: a rule's target,
 * a queue's workers) get no environment INIT'd ahead: only a run that publishes invokes them, so a
 * run's first push is a cold start, as on AWS, and every other stack start skips their INITs.
 */
function withPushUnprepared(stack: StackDescription): StackDescription {
  const byClients = new Set([...stack.routes.map((r) => r.functionId), ...(stack.authorizer ? [stack.authorizer.functionId] : [])]);
  return { ...stack, functions: stack.functions.map((f) => (byClients.has(f.logicalId) ? f : { ...f, preparedEnvironments: 0 })) };
}
