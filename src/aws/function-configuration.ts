import { GetFunctionConfigurationCommand, type FunctionConfiguration, type LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaError } from './lambda-errors.ts';
import type { EmfSource } from '../contracts/target-schema.ts';

/** What the harness needs to know about a deployed function (AWS or the emulator alike). */
export interface LambdaFunctionConfig {
  name: string;
  memoryMB: number;
  timeoutSeconds: number;
  /** e.g. ['x86_64'] or ['arm64'] (what the cost model prices) */
  architectures: string[];
  /** e.g. nodejs22.x; absent for container images */
  runtime?: string;
  /** Successful, InProgress or Failed: whether the last configuration change is in effect */
  lastUpdateStatus?: string;
  /** LoggingConfig.LogGroup where it is not Lambda's default `/aws/lambda/<name>`: its logs go there */
  logGroup?: string;
  /** where Powertools publishes its EMF metrics, as its environment says (no secret is read from it) */
  emf?: EmfSource;
  /** SnapStart applies to its published versions (SnapStart.ApplyOn PublishedVersions) */
  snapStart?: true;
}

export function toFunctionConfig(name: string, c: FunctionConfiguration): LambdaFunctionConfig {
  return {
    name: c.FunctionName ?? name,
    // Lambda's documented defaults for fields an answer leaves out
    memoryMB: c.MemorySize ?? 128,
    timeoutSeconds: c.Timeout ?? 3,
    architectures: c.Architectures ?? ['x86_64'],
    ...(c.Runtime ? { runtime: c.Runtime } : {}),
    ...(c.LastUpdateStatus ? { lastUpdateStatus: c.LastUpdateStatus } : {}),
    ...(c.LoggingConfig?.LogGroup && c.LoggingConfig.LogGroup !== `/aws/lambda/${c.FunctionName ?? name}` ? { logGroup: c.LoggingConfig.LogGroup } : {}),
    ...(c.SnapStart?.ApplyOn === 'PublishedVersions' ? { snapStart: true as const } : {}),
    ...emfOf(c.Environment?.Variables ?? {}),
  };
}

/**
 * Powertools (Node's and Python's) publishes under POWERTOOLS_METRICS_NAMESPACE with a `service`
 * dimension from POWERTOOLS_SERVICE_NAME. A namespace given in code instead is not seen here.
 */
function emfOf(variables: Record<string, string>): { emf?: EmfSource } {
  const namespace = variables.POWERTOOLS_METRICS_NAMESPACE;
  if (!namespace) return {};
  const service = variables.POWERTOOLS_SERVICE_NAME;
  return { emf: { namespace, ...(service ? { service } : {}) } };
}

/** GetFunctionConfiguration for one function; a failure is one line naming it. */
export async function readFunctionConfig(client: LambdaClient, functionName: string): Promise<LambdaFunctionConfig> {
  try {
    return toFunctionConfig(functionName, await client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })));
  } catch (err) {
    throw lambdaError(err, functionName, 'lambda:GetFunctionConfiguration');
  }
}

/** Every function's configuration, in the order named; the first failure (in that order) is thrown. */
export async function readFunctionConfigs(client: LambdaClient, functionNames: readonly string[]): Promise<LambdaFunctionConfig[]> {
  const settled = await Promise.allSettled(functionNames.map((name) => readFunctionConfig(client, name)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<LambdaFunctionConfig>).value);
}
