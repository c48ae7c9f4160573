import { z } from 'zod';
import { isProvidedRuntime, runtimeRefusal, RUNTIMES_RUN, type LambdaRuntimeId } from '../../common/lambda-runtimes.ts';
import { readExecutionRole } from '../iam/execution-role-reader.ts';
import type { FunctionCodeReader } from './function-code.ts';
import { cfnInteger, cfnString, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { FunctionDescription } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * AWS::Lambda::Function as the emulator runs it: name, code, Handler, Runtime, MemorySize
 * (default 128), Timeout (default 3), Environment, ReservedConcurrentExecutions. What would run
 * differently is refused, naming the property: a container image, layers (their code is not
 * here), a runtime the emulator does not run (retired ones named as retired).
 */
const functionSchema = z
  .object({
    Handler: z.string().optional(),
    Runtime: z.string().optional(),
    MemorySize: cfnInteger.pipe(z.number().min(128).max(10_240)).optional(),
    Timeout: cfnInteger.pipe(z.number().min(1).max(900)).optional(),
    Environment: z.object({ Variables: z.record(z.string(), cfnString).optional() }).loose().optional(),
    ReservedConcurrentExecutions: cfnInteger.pipe(z.number().min(0)).optional(),
    PackageType: z.enum(['Zip', 'Image']).optional(),
    Layers: z.array(z.unknown()).optional(),
    Code: z.unknown(),
  })
  .loose();

/** AWS's Lambda Insights extension layer: `arn:aws:lambda:<region>:<account>:layer:LambdaInsightsExtension[-Arm64]:<version>`. */
const INSIGHTS_LAYER = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:layer:LambdaInsightsExtension(-Arm64)?:\d+$/;

export async function readLambdaFunction(t: StackTemplate, logicalId: string, code: FunctionCodeReader): Promise<FunctionDescription> {
  const p = parseProperties(t.file, logicalId, functionSchema, t.properties(logicalId));
  const at = (prop: string) => ['Resources', logicalId, 'Properties', prop];
  if (p.PackageType === 'Image') throw templateError(t.file, at('PackageType'), 'a container image function is not run offline: the emulator runs zip functions');
  // The Lambda Insights extension's layer is emulated (its record per invocation); any other layer's code is not here.
  const layers = (p.Layers ?? []).filter((l) => !(typeof l === 'string' && INSIGHTS_LAYER.test(l)));
  if (layers.length > 0) throw templateError(t.file, at('Layers'), "layers are not loaded offline (their code is not in the template): bundle what the function imports into its code (the Lambda Insights extension's layer is the one the emulator stands in for)");
  if (p.Runtime === undefined) throw templateError(t.file, at('Runtime'), `missing (the emulator runs ${RUNTIMES_RUN})`);
  const refusal = runtimeRefusal(p.Runtime);
  if (refusal !== undefined) throw templateError(t.file, at('Runtime'), refusal);
  const runtime = p.Runtime as LambdaRuntimeId;
  const role = readExecutionRole(t, logicalId);
  // A custom runtime's bootstrap reads _HANDLER if it wants one: Lambda requires none of it.
  const handler = p.Handler ?? (isProvidedRuntime(runtime) ? 'bootstrap' : undefined);
  if (handler === undefined) throw templateError(t.file, at('Handler'), `missing (${runtime.startsWith('python') ? '[package/]module.function' : 'path/file.export'})`);
  return {
    logicalId,
    name: t.name(logicalId),
    code: await code.read(logicalId, p.Code, handler, runtime),
    runtime,
    memoryMB: p.MemorySize ?? 128,
    timeoutSeconds: p.Timeout ?? 3,
    environment: { ...(p.Environment?.Variables ?? {}) },
    ...(p.ReservedConcurrentExecutions !== undefined ? { reservedConcurrency: p.ReservedConcurrentExecutions } : {}),
    ...(role ? { role } : {}),
    ...(layers.length < (p.Layers ?? []).length ? { lambdaInsights: true } : {}),
  };
}
