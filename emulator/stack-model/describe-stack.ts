import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../common/errors.ts';
import type { StackConfig } from '../config.ts';
import { readManifestStack, type ManifestStackOptions } from './manifest-reader.ts';
import type { StackDescription } from './stack-description.ts';
import { readTemplateStack } from './template-reader.ts';

/**
 * The stack a config asks for: its template's when it names one, else the reference stack's
 * manifest. A template's unpacked code and inline functions go to a directory of their own,
 * removed by `dispose` when the stack stops, or at the latest when the process exits.
 */

/** Work directories of stacks not yet disposed: a process that ends without disposing (a second signal, its owner gone) leaves none behind. */
const undisposed = new Set<string>();
export function removeWorkDirsNow(): void {
  for (const dir of undisposed) rmSync(dir, { recursive: true, force: true });
  undisposed.clear();
}
process.on('exit', removeWorkDirsNow);
export interface DescribedStack {
  stack: StackDescription;
  dispose(): Promise<void>;
}

/** The reference stack as `config` asks for it (its name, stage, region, auth); `test` replaces its functions. */
export function referenceStack(config: StackConfig, test: Pick<ManifestStackOptions, 'functions' | 'authorizer'> = {}): StackDescription {
  return readManifestStack({
    stackName: config.stackName,
    region: config.region,
    accountId: config.accountId,
    apiId: config.apiId,
    stage: config.stage,
    runtime: config.lambda.runtime,
    ...(config.pushFanout ? { pushFanout: config.pushFanout } : {}),
    ...(config.auth.enabled ? { auth: { identitySource: config.auth.identitySource, parameterName: config.auth.parameterName } } : {}),
    ...(test.functions ? { functions: test.functions } : {}),
    ...(test.authorizer ? { authorizer: test.authorizer } : {}),
  });
}

export async function describeStack(config: StackConfig): Promise<DescribedStack> {
  if (config.template === undefined) return { stack: referenceStack(config), dispose: async () => {} };
  if (config.auth.enabled) throw new UserError("auth.enabled: is the reference stack's authorizer; a template's own authorizer runs as written");
  if (config.pushFanout) throw new UserError("pushFanout: is the reference stack's server push; a template's own paths run as written");
  const workDir = await mkdtemp(join(tmpdir(), 'fanout-bench-stack-'));
  undisposed.add(workDir);
  const dispose = async () => {
    undisposed.delete(workDir);
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const stack = await readTemplateStack({
      path: config.template.path,
      parameters: config.template.parameters,
      ...(config.template.layers ? { layers: config.template.layers } : {}),
      ...(config.template.secrets ? { secrets: config.template.secrets } : {}),
      ...(config.template.ssmParameters ? { ssmParameters: config.template.ssmParameters } : {}),
      ...(config.stackName !== undefined ? { stackName: config.stackName } : {}),
      region: config.region,
      accountId: config.accountId,
      apiId: config.apiId,
      workDir,
    });
    // The stage the template deploys is the one the emulator serves (its name in every URL).
    return { stack, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
