import type { FunctionDescription, InvokePermission, RouteDescription } from '../stack-model/stack-description.ts';
import { actionMatches, evaluate, resourceMatches } from '../../common/iam/policy-evaluation.ts';

/**
 * API Gateway's right to invoke a route's function, as Lambda decides it: the function's
 * resource-based policy (an AWS::Lambda::Permission) names `apigateway.amazonaws.com` for
 * `lambda:InvokeFunction`, with a `SourceArn` (when it has one) matching the route's
 * `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<route key>`; or the integration's
 * `CredentialsArn` is a role of the template allowed `lambda:InvokeFunction` on the function.
 * `permissions` undefined: the stack's deploy creates them (the reference stack's CDK app).
 * Without the right, AWS's execution log says "Execution failed due to configuration error:
 * Invalid permissions on Lambda function" and the route fails. A CredentialsArn naming a role
 * outside the template cannot be read, and is taken as allowing.
 */
export interface RouteArnContext {
  region: string;
  accountId: string;
  apiId: string;
  stage: string;
}

const PRINCIPAL = 'apigateway.amazonaws.com';

/** Undefined when API Gateway may invoke the route's function; else why not, in one line. */
export function invokeRefusal(route: RouteDescription, fn: FunctionDescription, permissions: readonly InvokePermission[] | undefined, at: RouteArnContext): string | undefined {
  if (permissions === undefined) return undefined;
  const routeArn = `arn:aws:execute-api:${at.region}:${at.accountId}:${at.apiId}/${at.stage}/${route.routeKey}`;
  const permitted = permissions.some(
    (p) => p.functionId === fn.logicalId && p.principal === PRINCIPAL && actionMatches(p.action, 'lambda:InvokeFunction') && (p.sourceArn === undefined || resourceMatches(p.sourceArn, routeArn)),
  );
  if (permitted) return undefined;
  const functionArn = `arn:aws:lambda:${at.region}:${at.accountId}:function:${fn.name}`;
  // a role outside the template: its policies are not here to read, so it is taken as allowing
  if (route.credentials?.external) return undefined;
  if (route.credentials && evaluate(route.credentials.statements, 'lambda:InvokeFunction', functionArn).allowed) return undefined;
  const credentials = route.credentials ? `, and its integration's CredentialsArn ${route.credentials.arn} is not allowed lambda:InvokeFunction on it` : '';
  return `route ${route.routeKey}: API Gateway may not invoke ${fn.name}: no AWS::Lambda::Permission lets ${PRINCIPAL} do lambda:InvokeFunction from ${routeArn}${credentials}`;
}
