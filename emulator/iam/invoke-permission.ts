import type { AuthorizerDescription, FunctionDescription, InvokePermission, RestAuthorizerDescription, RouteDescription } from '../stack-model/stack-description.ts';
import { evaluate } from '../../common/iam/policy-evaluation.ts';
import { actionMatches, resourceMatches } from '../../common/iam/policy-patterns.ts';

/**
 * API Gateway's right to invoke a route's function, as Lambda decides it: the function's
 * resource-based policy (an AWS::Lambda::Permission) names `apigateway.amazonaws.com` for
 * `lambda:InvokeFunction`, with a `SourceArn` (when it has one) matching the route's
 * `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<route key>`; or the integration's
 * `CredentialsArn` is a role of the template allowed `lambda:InvokeFunction` on the function.
 * The $connect authorizer's function the same, its source ARN `…:<api>/authorizers/<authorizer id>`
 * and its role the authorizer's `AuthorizerCredentialsArn`.
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
  const why = refusal(`${at.apiId}/${at.stage}/${route.routeKey}`, route.credentials, fn, permissions, at);
  return why && `route ${route.routeKey}: ${why}`;
}

/**
 * Undefined when API Gateway may invoke an HTTP API route's function; else why not, in one line.
 * Its source ARN is `…:<api>/<stage>/<METHOD>/<path>` (`*` for ANY), `…:<api>/<stage>/$default`
 * for the `$default` route.
 */
export function httpRouteInvokeRefusal(routeKey: string, fn: FunctionDescription, permissions: readonly InvokePermission[] | undefined, at: RouteArnContext): string | undefined {
  const [method, path] = routeKey.split(' ', 2) as [string, string | undefined];
  const source = path === undefined ? `${at.apiId}/${at.stage}/${routeKey}` : `${at.apiId}/${at.stage}/${method === 'ANY' ? '*' : method}${path}`;
  return refusal(source, undefined, fn, permissions, at);
}

/**
 * Undefined when API Gateway may invoke an HTTP API's Lambda authorizer's function; else why not,
 * in one line. Its source ARN is `…:<api>/authorizers/<authorizer id>` (SAM's HttpApi grants
 * `…/authorizers/*`), its role the authorizer's AuthorizerCredentialsArn.
 */
export function httpAuthorizerInvokeRefusal(
  authorizer: { id: string; name: string; credentials?: RouteDescription['credentials'] },
  fn: FunctionDescription,
  permissions: readonly InvokePermission[] | undefined,
  at: Omit<RouteArnContext, 'stage'>,
): string | undefined {
  const why = refusal(`${at.apiId}/authorizers/${authorizer.id}`, authorizer.credentials, fn, permissions, { ...at, stage: '' });
  return why && `authorizer ${authorizer.name}: ${why}`;
}

/**
 * Undefined when API Gateway may invoke a REST API method's function on a stage; else why not, in
 * one line. Its source ARN is `…:<api>/<stage>/<METHOD>/<path>` (`*` for ANY), the path as the
 * resource writes it less its leading slash (`items/{id}`; the root's is empty), as the API
 * Gateway console writes a method's permission and SAM writes it (`…/GET/items/*` matches).
 */
export function restMethodInvokeRefusal(
  method: { httpMethod: string; path: string; credentials?: RouteDescription['credentials'] },
  fn: FunctionDescription,
  permissions: readonly InvokePermission[] | undefined,
  at: RouteArnContext,
): string | undefined {
  const verb = method.httpMethod === 'ANY' ? '*' : method.httpMethod;
  const why = refusal(`${at.apiId}/${at.stage}/${verb}/${method.path.replace(/^\//, '')}`, method.credentials, fn, permissions, at);
  return why && `method ${method.httpMethod} ${method.path} on stage ${at.stage}: ${why}`;
}

/** Undefined when API Gateway may invoke a REST API's Lambda authorizer's function; else why not: the same source ARN (`…:<api>/authorizers/<id>`) and role as an HTTP API's. */
export const restAuthorizerInvokeRefusal: (authorizer: RestAuthorizerDescription, fn: FunctionDescription, permissions: readonly InvokePermission[] | undefined, at: Omit<RouteArnContext, 'stage'>) => string | undefined =
  httpAuthorizerInvokeRefusal;

/** Undefined when API Gateway may invoke the $connect authorizer's function; else why not, in one line. */
export function authorizerInvokeRefusal(authorizer: AuthorizerDescription, fn: FunctionDescription, permissions: readonly InvokePermission[] | undefined, at: RouteArnContext): string | undefined {
  // the authorizer's id is its physical id, as a template's Ref gives it (the manifest's: its logical id)
  const why = refusal(`${at.apiId}/authorizers/${authorizer.id ?? authorizer.logicalId}`, authorizer.credentials, fn, permissions, at);
  return why && `authorizer ${authorizer.name}: ${why}`;
}

/**
 * Whether one of the function's AWS::Lambda::Permission resources lets `principal` (a service, or
 * any principal through `*`) do lambda:InvokeFunction from `sourceArn`: its SourceArn, where it
 * has one, matched as Lambda's ArnLike condition is; its SourceAccount, where it has one, the account.
 */
export function invokePermitted(permissions: readonly InvokePermission[], fn: FunctionDescription, principal: string, sourceArn: string, accountId: string): boolean {
  return permissions.some(
    (p) =>
      p.functionId === fn.logicalId &&
      (p.principal === principal || p.principal === '*') &&
      actionMatches(p.action, 'lambda:InvokeFunction') &&
      (p.sourceArn === undefined || resourceMatches(p.sourceArn, sourceArn)) &&
      (p.sourceAccount === undefined || p.sourceAccount === accountId),
  );
}

function refusal(source: string, credentials: RouteDescription['credentials'], fn: FunctionDescription, permissions: readonly InvokePermission[] | undefined, at: RouteArnContext): string | undefined {
  if (permissions === undefined) return undefined;
  const sourceArn = `arn:aws:execute-api:${at.region}:${at.accountId}:${source}`;
  if (invokePermitted(permissions, fn, PRINCIPAL, sourceArn, at.accountId)) return undefined;
  const functionArn = `arn:aws:lambda:${at.region}:${at.accountId}:function:${fn.name}`;
  // a role outside the template: its policies are not here to read, so it is taken as allowing
  if (credentials?.external) return undefined;
  if (credentials && evaluate(credentials.statements, 'lambda:InvokeFunction', functionArn).allowed) return undefined;
  const role = credentials ? `, and its role ${credentials.arn} is not allowed lambda:InvokeFunction on it` : '';
  return `API Gateway may not invoke ${fn.name}: no AWS::Lambda::Permission lets ${PRINCIPAL} do lambda:InvokeFunction from ${sourceArn}${role}`;
}
