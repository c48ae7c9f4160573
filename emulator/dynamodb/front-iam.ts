import { errorAnswer, type CallAnswer, type CallHeaders } from './call-answer.ts';
import { dynamoDbAccess } from './dynamodb-access.ts';
import type { IamAuthorizer, RolePrincipal } from '../iam/iam-authorizer.ts';

/**
 * IAM at the DynamoDB endpoint (target.iam enforce or report): the front asks it of every call
 * before anything else, so a denied call is neither metered nor served, as in AWS.
 */

export interface FrontIam {
  authorizer: IamAuthorizer;
  /** session token (X-Amz-Security-Token) → the function and its role */
  principals: ReadonlyMap<string, RolePrincipal>;
  region: string;
  /** a function's first denial of an action on a resource: one line for the stack's log */
  onFirstDenial(line: string): void;
}

/**
 * A call from a function's session is asked of IAM for each action and resource it needs (every
 * table of a batch); the first denied is DynamoDB's 400 AccessDeniedException in AWS's words. In
 * `report` mode the call goes on, recorded. A call with no function's session is not checked.
 */
export function authorizeCall(iam: FrontIam, headers: CallHeaders, operation: string, body: string): CallAnswer | undefined {
  const token = headers['x-amz-security-token'];
  const principal = typeof token === 'string' ? iam.principals.get(token) : undefined;
  if (!principal || operation === '') return undefined;
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined; // dynalite answers the SerializationException
  }
  const account = iam.authorizer.accountId;
  let refusal: CallAnswer | undefined;
  for (const { action, resource } of dynamoDbAccess(operation, request ?? {}, (t) => `arn:aws:dynamodb:${iam.region}:${account}:table/${t}`)) {
    const decision = iam.authorizer.authorize(principal, action, resource);
    if (decision.allowed) continue;
    const message = iam.authorizer.denialMessage(principal, action, resource, decision.reason);
    if (decision.first) iam.onFirstDenial(`iam: ${decision.enforced ? 'denied' : 'would deny (report)'}: ${message}`);
    if (decision.enforced && !refusal) refusal = errorAnswer(400, 'AccessDeniedException', message);
  }
  return refusal;
}
