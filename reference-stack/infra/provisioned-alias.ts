import { Token } from 'aws-cdk-lib';
import { CfnAlias, CfnVersion, Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { ifThen, type StackShape, type ProvisionedRoute } from './stack-shape.ts';

/** The alias a provisioned function's route invokes. */
export const PROVISIONED_ALIAS = 'live';

/**
 * What a route invokes: where its template parameter asks for provisioned concurrency, a version
 * of the function published at deploy and its alias `live` holding that many environments (only
 * where the parameter is above 0: its condition); else the function itself, unqualified, as
 * without the option, so `compare --memory`'s updates of `$LATEST` are what the route runs. The
 * version is the CDK's current one, named after the function's configuration and code, so a
 * deploy that changes them publishes a new one and moves the alias (and its environments) to it.
 */
export function invokedFunction(scope: Construct, fn: LambdaFunction, route: string, shape: StackShape): IFunction {
  if (!(route in shape.provisioned)) return fn;
  const { environments, on } = shape.provisioned[route as ProvisionedRoute];
  const version = fn.currentVersion;
  (version.node.defaultChild as CfnVersion).cfnOptions.condition = on;
  const alias = new CfnAlias(scope, `${fn.node.id}-${PROVISIONED_ALIAS}`, {
    functionName: fn.functionName,
    functionVersion: version.version,
    name: PROVISIONED_ALIAS,
    provisionedConcurrencyConfig: { provisionedConcurrentExecutions: Token.asNumber(environments.valueAsNumber) },
  });
  alias.cfnOptions.condition = on;
  // an alias's Ref is its ARN
  const arn = ifThen(on, alias.ref, fn.functionArn);
  return LambdaFunction.fromFunctionAttributes(scope, `${fn.node.id}-invoked`, { functionArn: arn, sameEnvironment: true });
}
