import { z } from 'zod';
import { isNodeRuntime, NODE_RUNTIMES } from '../../common/node-runtimes.ts';
import type { FunctionCodeReader } from './function-code.ts';
import { cfnInteger, cfnString, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { FunctionDescription } from './stack-description.ts';
import { templateError } from './template-errors.ts';

/**
 * AWS::Lambda::Function as the emulator runs it: name, code, Handler, Runtime, MemorySize
 * (default 128), Timeout (default 3), Environment, ReservedConcurrentExecutions. What would run
 * differently is refused, naming the property: a container image, layers (their code is not
 * here), a runtime the emulator does not run.
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

export async function readLambdaFunction(t: StackTemplate, logicalId: string, code: FunctionCodeReader): Promise<FunctionDescription> {
  const p = parseProperties(t.file, logicalId, functionSchema, t.properties(logicalId));
  const at = (prop: string) => ['Resources', logicalId, 'Properties', prop];
  if (p.PackageType === 'Image') throw templateError(t.file, at('PackageType'), 'a container image function is not run offline: the emulator runs Node.js zip functions');
  if (p.Layers && p.Layers.length > 0) throw templateError(t.file, at('Layers'), "layers are not loaded offline (their code is not in the template): bundle what the function imports into its code");
  if (p.Runtime === undefined) throw templateError(t.file, at('Runtime'), `missing (the emulator runs ${NODE_RUNTIMES.join(', ')})`);
  if (p.Runtime === 'nodejs18.x') {
    throw templateError(t.file, at('Runtime'), `nodejs18.x is deprecated by Lambda (no new functions since 2025-10-01, docs/aws-facts.md): the emulator runs ${NODE_RUNTIMES.join(', ')}`);
  }
  if (!isNodeRuntime(p.Runtime)) throw templateError(t.file, at('Runtime'), `${p.Runtime} is not a runtime the emulator runs (it runs ${NODE_RUNTIMES.join(', ')})`);
  if (p.Handler === undefined) throw templateError(t.file, at('Handler'), 'missing (path/file.export)');
  return {
    logicalId,
    name: t.name(logicalId),
    code: await code.read(logicalId, p.Code, p.Handler),
    runtime: p.Runtime,
    memoryMB: p.MemorySize ?? 128,
    timeoutSeconds: p.Timeout ?? 3,
    environment: { ...(p.Environment?.Variables ?? {}) },
    ...(p.ReservedConcurrentExecutions !== undefined ? { reservedConcurrency: p.ReservedConcurrentExecutions } : {}),
  };
}
