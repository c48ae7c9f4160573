import { z } from 'zod';
import { isProvidedRuntime, runtimeRefusal, RUNTIMES_RUN, snapStartSupported, type LambdaRuntimeId } from '../../common/lambda-runtimes.ts';
import { readExecutionRole } from '../iam/execution-role-reader.ts';
import type { FunctionCodeReader } from './function-code.ts';
import { readFunctionLayers } from './lambda-layers.ts';
import { cfnInteger, cfnString, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { FunctionDescription, FunctionLogging } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * AWS::Lambda::Function as the emulator runs it: name, code, Handler, Runtime, MemorySize
 * (default 128), Timeout (default 3), Environment, ReservedConcurrentExecutions, LoggingConfig
 * (LogFormat, ApplicationLogLevel, SystemLogLevel, LogGroup; SAM's and Serverless's land here). What would run
 * differently is refused, naming the property: a container image, a layer whose content is not
 * here (lambda-layers.ts), a runtime the emulator does not run (retired ones named as retired).
 * Layers are merged into the folder standing in for its /opt. SnapStart (ApplyOn PublishedVersions)
 * is kept where Lambda takes it and refused in CreateFunction's words where it does not; it applies
 * to published versions only (their environments restored from a snapshot: python-snapshot.ts),
 * $LATEST INITs on demand, as an unqualified invocation runs on AWS.
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
    LoggingConfig: z
      .object({
        LogFormat: z.enum(['Text', 'JSON']).optional(),
        ApplicationLogLevel: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL']).optional(),
        SystemLogLevel: z.enum(['DEBUG', 'INFO', 'WARN']).optional(),
        LogGroup: z.string().regex(/^[.\-_/#A-Za-z0-9]{1,512}$/, 'must be 1-512 letters, digits or . - _ / #').optional(),
      })
      .loose()
      .optional(),
    SnapStart: z.object({ ApplyOn: z.enum(['PublishedVersions', 'None']) }).loose().optional(),
    Code: z.unknown(),
  })
  .loose();

export async function readLambdaFunction(t: StackTemplate, logicalId: string, code: FunctionCodeReader): Promise<FunctionDescription> {
  const p = parseProperties(t.file, logicalId, functionSchema, t.properties(logicalId));
  const at = (prop: string) => ['Resources', logicalId, 'Properties', prop];
  if (p.PackageType === 'Image') throw templateError(t.file, at('PackageType'), 'a container image function is not run offline: the emulator runs zip functions');
  if (p.Runtime === undefined) throw templateError(t.file, at('Runtime'), `missing (the emulator runs ${RUNTIMES_RUN})`);
  const refusal = runtimeRefusal(p.Runtime);
  if (refusal !== undefined) throw templateError(t.file, at('Runtime'), refusal);
  const runtime = p.Runtime as LambdaRuntimeId;
  const snapStart = p.SnapStart?.ApplyOn === 'PublishedVersions';
  // CreateFunction's own refusal (InvalidParameterValueException), in its words
  if (snapStart && !snapStartSupported(runtime)) throw templateError(t.file, at('SnapStart'), `${runtime} is not supported for SnapStart enabled functions.`);
  const role = readExecutionRole(t, logicalId);
  // A custom runtime's bootstrap reads _HANDLER if it wants one: Lambda requires none of it.
  const handler = p.Handler ?? (isProvidedRuntime(runtime) ? 'bootstrap' : undefined);
  if (handler === undefined) throw templateError(t.file, at('Handler'), `missing (${runtime.startsWith('python') ? '[package/]module.function' : 'path/file.export'})`);
  // the template's layers and mapped ones, merged into its /opt; the Lambda Insights extension's is emulated (its record per invocation)
  const layers = await readFunctionLayers(t, logicalId, p.Layers ?? [], code);
  return {
    logicalId,
    name: t.name(logicalId),
    code: await code.read(logicalId, p.Code, handler, runtime, t.resources[logicalId]?.Metadata),
    runtime,
    memoryMB: p.MemorySize ?? 128,
    timeoutSeconds: p.Timeout ?? 3,
    environment: { ...(p.Environment?.Variables ?? {}) },
    ...(p.ReservedConcurrentExecutions !== undefined ? { reservedConcurrency: p.ReservedConcurrentExecutions } : {}),
    ...(role ? { role } : {}),
    ...(layers.insights ? { lambdaInsights: true } : {}),
    ...(layers.opt ? { layers: layers.layers, opt: layers.opt } : {}),
    ...(p.LoggingConfig ? { logging: loggingOf(p.LoggingConfig) } : {}),
    ...(snapStart ? { snapStart: 'PublishedVersions' as const } : {}),
  };
}

/** LoggingConfig as the runtime takes it. The levels apply to the JSON format only (Lambda filters nothing in Text). */
function loggingOf(c: { LogFormat?: 'Text' | 'JSON'; ApplicationLogLevel?: FunctionLogging['applicationLogLevel']; SystemLogLevel?: FunctionLogging['systemLogLevel']; LogGroup?: string }): FunctionLogging {
  const format = c.LogFormat ?? 'Text';
  return {
    format,
    ...(format === 'JSON' && c.ApplicationLogLevel ? { applicationLogLevel: c.ApplicationLogLevel } : {}),
    ...(format === 'JSON' && c.SystemLogLevel ? { systemLogLevel: c.SystemLogLevel } : {}),
    ...(c.LogGroup ? { logGroup: c.LogGroup } : {}),
  };
}
