import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { stackScopedName } from './stack-scoped-name.ts';
import type { StackShape } from './stack-shape.ts';

const functionsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../functions');

/** What a reference-stack function is in the manifest: its name, entry file, memory and timeout. */
export interface NodeFunctionSpec {
  name: string;
  entry: string;
  memoryMB: number;
  timeoutSeconds: number;
}

export interface NodeFunctionOptions {
  architecture?: 'x86_64' | 'arm64';
  /** every function's memory (-c memory), over the manifest's */
  memoryMB?: number;
  /** one function's, over both */
  memoryByFunction?: Record<string, number>;
  role: IRole;
  logGroup: ILogGroup;
  environment: Record<string, string>;
  bundling: BundlingOptions;
  /** the template's parameters: its NodeRuntime is every function's */
  shape: StackShape;
}

/**
 * One of the reference stack's functions as the CDK app deploys it, routes' and push path's alike:
 * bundled from its TypeScript entry, on the NodeRuntime parameter's runtime (nodejs22.x by default),
 * named after the stack as the emulator names it (the FunctionName dimension the puller reads).
 */
export function createNodeFunction(scope: Construct, spec: NodeFunctionSpec, o: NodeFunctionOptions): NodejsFunction {
  const fn = new NodejsFunction(scope, spec.name, {
    entry: path.join(functionsDir, spec.entry),
    handler: 'handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: o.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
    memorySize: o.memoryByFunction?.[spec.name] ?? o.memoryMB ?? spec.memoryMB,
    timeout: Duration.seconds(spec.timeoutSeconds),
    role: o.role,
    logGroup: o.logGroup,
    functionName: stackScopedName(scope, spec.name),
    environment: o.environment,
    bundling: o.bundling,
  });
  o.shape.runsOnNodeRuntime(fn);
  return fn;
}
