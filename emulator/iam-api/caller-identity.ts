import type { RoleSession } from '../iam/role-sessions.ts';

/**
 * STS GetCallerIdentity as the emulator knows its callers: a request whose session token
 * (`X-Amz-Security-Token`) is a function's session is that function's assumed role,
 * `arn:aws:sts::<account>:assumed-role/<role>/<function>` (the ARN AWS's denials name, as
 * iam-authorizer.ts writes it); any other caller (the harness's local credentials, a token the
 * stack did not give) is what the services take it to be: no principal of the stack, never
 * checked, so an account admin, answered as the IAM user `fanout-bench-local` of the emulator's
 * account, whose simulation (policy-simulation.ts) allows everything.
 */

/** The user every caller without a function's session is. */
export const LOCAL_CALLER_USER = 'fanout-bench-local';

export interface CallerIdentity {
  Arn: string;
  UserId: string;
  Account: string;
}

export function callerIdentity(token: string | undefined, sessions: ReadonlyMap<string, RoleSession>, accountId: string): CallerIdentity {
  const session = token === undefined ? undefined : sessions.get(token);
  if (session) {
    // a role session's UserId is the role's unique id and the session's name (IAM's aws:userid for an assumed role)
    return { Arn: `arn:aws:sts::${accountId}:assumed-role/${session.role}/${session.function}`, UserId: `${uniqueId('AROA', session.roleArn)}:${session.function}`, Account: accountId };
  }
  const arn = localCallerArn(accountId);
  return { Arn: arn, UserId: uniqueId('AIDA', arn), Account: accountId };
}

export function localCallerArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:user/${LOCAL_CALLER_USER}`;
}

/** IAM's unique ids: a type prefix (AROA a role, AIDA a user, ANPA a policy) and 17 characters; here derived from the ARN so they stay the same. */
export function uniqueId(prefix: 'AROA' | 'AIDA' | 'ANPA', arn: string): string {
  let h = 0;
  for (const c of arn) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `${prefix}${h.toString(36).toUpperCase().padStart(17, '0').slice(0, 17)}`;
}
