import { AUTHORIZER_ACTIONS, LOG_ACTIONS, PUSH_ACCESS, PUSH_QUEUE_ACTIONS, ROUTE_ACCESS, type RouteAccess } from '../../reference-stack/functions/route-access.ts';
import type { StackTableNames } from '../../reference-stack/functions/stack-names.ts';
import type { ExecutionRole } from '../iam/execution-role.ts';
import { parsePolicyDocument } from '../../common/iam/policy-document.ts';

/**
 * The reference stack's execution roles, from the grants its CDK app deploys
 * (reference-stack/functions/route-access.ts): per function, its DynamoDB actions on its tables and
 * index, `execute-api:ManageConnections` on this stage's `POST/@connections/*` for the functions
 * that post, the push queue's actions for the queued push's functions, its own log group; the authorizer's `ssm:GetParameter` on its token parameter. Named
 * as the role the app gives the function.
 */
export interface ReferenceRoleContext {
  region: string;
  accountId: string;
  apiId: string;
  stage: string;
  tables: StackTableNames;
  /** the push queue's ARN, when the stack has the queued push */
  pushQueueArn?: string;
}

export function referenceRouteRole(route: string, functionName: string, at: ReferenceRoleContext): ExecutionRole | undefined {
  const access: RouteAccess | undefined = ROUTE_ACCESS[route];
  return access && accessRole(access, functionName, at);
}

/** A push function's role (route-access.ts PUSH_ACCESS, by its manifest name), named as `functionName` deploys. */
export function referencePushRole(manifestName: string, functionName: string, at: ReferenceRoleContext): ExecutionRole | undefined {
  const access = PUSH_ACCESS[manifestName];
  return access && accessRole(access, functionName, at);
}

function accessRole(access: RouteAccess, functionName: string, at: ReferenceRoleContext): ExecutionRole {
  const statements: Array<{ Effect: 'Allow'; Action: string[]; Resource: string }> = access.dynamodb.map((g) => {
    const table = `arn:aws:dynamodb:${at.region}:${at.accountId}:table/${at.tables[g.table]}`;
    return { Effect: 'Allow', Action: g.actions.map((a) => `dynamodb:${a}`), Resource: g.index ? `${table}/index/${g.index}` : table };
  });
  if (access.postsToConnections) {
    statements.push({ Effect: 'Allow', Action: ['execute-api:ManageConnections'], Resource: `arn:aws:execute-api:${at.region}:${at.accountId}:${at.apiId}/${at.stage}/POST/@connections/*` });
  }
  if (access.pushQueue) {
    if (!at.pushQueueArn) throw new Error(`unreachable: ${functionName} uses the push queue and the stack has none`);
    statements.push({ Effect: 'Allow', Action: [...PUSH_QUEUE_ACTIONS[access.pushQueue]], Resource: at.pushQueueArn });
  }
  return role(functionName, statements, at);
}

export function referenceAuthorizerRole(functionName: string, parameterName: string, at: ReferenceRoleContext): ExecutionRole {
  const parameter = `arn:aws:ssm:${at.region}:${at.accountId}:parameter${parameterName.startsWith('/') ? parameterName : `/${parameterName}`}`;
  return role(functionName, [{ Effect: 'Allow', Action: [...AUTHORIZER_ACTIONS], Resource: parameter }], at);
}

function role(functionName: string, statements: Array<{ Effect: 'Allow'; Action: string[]; Resource: string }>, at: ReferenceRoleContext): ExecutionRole {
  const name = `${functionName}-role`;
  const logs = { Effect: 'Allow' as const, Action: [...LOG_ACTIONS], Resource: `arn:aws:logs:${at.region}:${at.accountId}:log-group:/aws/lambda/${functionName}:*` };
  const parsed = parsePolicyDocument({ Version: '2012-10-17', Statement: [...statements, logs] }, `the reference stack's grants for ${functionName}`, (path, message) => {
    throw new Error(`unreachable: reference-stack/functions/route-access.ts makes an invalid policy (${path.join('.')}: ${message})`);
  });
  return { name, arn: `arn:aws:iam::${at.accountId}:role/${name}`, statements: parsed, notes: [] };
}
