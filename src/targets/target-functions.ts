import { z } from 'zod';
import { REFERENCE_EMF, REFERENCE_FUNCTIONS } from '../contracts/reference-functions.ts';
import type { StackReady } from '../../common/stack-ready.ts';
import { TargetFunction, type TargetFunctions } from '../contracts/target-schema.ts';
import { readFunctionConfigs, type LambdaFunctionConfig } from '../aws/function-configuration.ts';
import { createLambdaClient } from '../aws/lambda-client.ts';
import { emulatorSettings } from '../aws/sdk-settings.ts';

/**
 * Where a target's function list comes from. A local stack lists its functions and their routes
 * in its ready line; their current configuration (memory, timeout, architecture) is asked of its
 * Lambda API, as it would be of AWS, so a size changed since the stack started (compare) is the
 * one recorded. A stack without that API (an older one) is taken at its ready line's word. The
 * list is the stack's whole (a queue's consumer too, under PATH_ROUTE); none is none, never
 * another stack's.
 */
export async function localStackFunctions(ready: StackReady): Promise<TargetFunctions> {
  const listed = z.array(TargetFunction).safeParse(ready.functions);
  if (!listed.success) return unknownFunctions(`the local stack lists its functions in a form this harness does not read (${listed.error.issues[0]!.path.join('.')})`);
  if (listed.data.length === 0) return { source: 'stack', note: 'the local stack runs no Lambda function', functions: [] };
  if (typeof ready.lambdaEndpoint !== 'string') return { source: 'stack', functions: listed.data };
  const client = createLambdaClient(emulatorSettings(ready.lambdaEndpoint, ready.region));
  try {
    const configs = await readFunctionConfigs(client, listed.data.map((f) => f.name));
    return { source: 'lambda-api', functions: listed.data.map((f, i) => configuredFunction(f, configs[i]!)) };
  } finally {
    client.destroy();
  }
}

/** A function the target lists (name, route), as Lambda's GetFunctionConfiguration says it is configured now. */
export function configuredFunction(f: Pick<TargetFunction, 'name' | 'logicalId' | 'route' | 'qualifier' | 'authorizer' | 'reservedConcurrency' | 'provisioned' | 'autoScaling'>, c: LambdaFunctionConfig): TargetFunction {
  const architecture = c.architectures[0];
  return {
    ...f,
    memoryMB: c.memoryMB,
    timeoutSeconds: c.timeoutSeconds,
    ...(architecture === 'x86_64' || architecture === 'arm64' ? { architecture } : {}),
    ...(c.runtime ? { runtime: c.runtime } : {}),
    // a LoggingConfig.LogGroup of its own: where its logs are read
    ...(c.logGroup ? { logGroup: c.logGroup } : {}),
    ...(c.emf ? { emf: c.emf } : {}),
    ...(c.snapStart ? { snapStart: true as const } : {}),
  };
}

/**
 * Nobody could be asked, and the target is the reference stack (its $connect selected the
 * reference stack's own cold/warm subprotocol: `connectColdFlag`): its names, routes and default
 * memory sizes, marked as assumed. REPORT lines still carry the memory each invocation really had.
 */
export function referenceFunctions(why: string): TargetFunctions {
  return {
    source: 'assumed',
    note: `${why}: assumed the reference stack's functions and default memory sizes`,
    functions: REFERENCE_FUNCTIONS.map((f) => ({ name: f.name, route: f.route, memoryMB: f.memoryMB, emf: REFERENCE_EMF })),
  };
}

/**
 * Nobody could be asked, and the stack is not known to be ours: no function is assumed (another
 * stack's names would pull, judge and price functions it does not have), and the note says so.
 */
export function unknownFunctions(why: string): TargetFunctions {
  return { source: 'assumed', note: `${why}: no function's metrics, logs or permissions are read`, functions: [] };
}

/** What a target that cannot list its functions is taken to run: the reference stack's where it answered as the reference stack, else none. */
export function functionsNotListed(target: { connectColdFlag?: boolean }, why: string): TargetFunctions {
  return target.connectColdFlag === true ? referenceFunctions(why) : unknownFunctions(why);
}

/**
 * The Lambda function a user names: by its name, or by its logical id in the local template's stack
 * (what the template calls it; Lambda's API knows only the name). A name the target does not list
 * is left as given, for Lambda's API to answer (a function behind no route).
 */
export function functionNamed(listed: readonly TargetFunction[], id: string): string {
  return listed.find((f) => f.name === id)?.name ?? listed.find((f) => f.logicalId === id)?.name ?? id;
}
