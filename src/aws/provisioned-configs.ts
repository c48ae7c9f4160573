import { GetAliasCommand, ListProvisionedConcurrencyConfigsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { TargetFunction } from '../contracts/target-schema.ts';

/**
 * A deployed function's provisioned concurrency, as Lambda reports it: each configuration's alias
 * or version (the end of its FunctionArn), the version that holds it (an alias's FunctionVersion,
 * from GetAlias) and the environments allocated (RequestedProvisionedConcurrentExecutions: what
 * is paid for, allocated or not yet). Read-only: nothing on AWS is changed. A role that may not
 * list them (AccessDenied), or a Lambda that does not answer, leaves the function described
 * without it: the run then calls none of its requests provisioned, never wrongly so.
 */
export async function readProvisioned(client: LambdaClient, functionName: string): Promise<TargetFunction['provisioned']> {
  try {
    const configs = (await client.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: functionName }))).ProvisionedConcurrencyConfigs ?? [];
    const out: NonNullable<TargetFunction['provisioned']> = [];
    for (const c of configs) {
      const qualifier = c.FunctionArn?.split(':')[7];
      const environments = c.RequestedProvisionedConcurrentExecutions ?? 0;
      if (qualifier === undefined || environments < 1) continue;
      const version = /^\d+$/.test(qualifier) ? qualifier : (await client.send(new GetAliasCommand({ FunctionName: functionName, Name: qualifier }))).FunctionVersion;
      if (version !== undefined) out.push({ qualifier, version, environments });
    }
    return out.length > 0 ? out : undefined;
  } catch {
    return undefined;
  }
}
