import { randomBytes } from 'node:crypto';
import type { ExecutionRole } from './execution-role.ts';
import type { PolicyStatement } from '../../common/iam/policy-document.ts';
import type { RolePrincipal } from './iam-authorizer.ts';

/**
 * Which function a call comes from, as AWS knows it: Lambda hands each function its role's
 * temporary credentials, and the session token travels with every signed request
 * (`X-Amz-Security-Token`). Here each function with a role gets a token of its own in
 * AWS_SESSION_TOKEN, and the services look the caller up by it. A caller with no such token (the
 * harness, a function whose role was not read) is no principal of the stack and is not checked.
 */
export interface RoleSession extends RolePrincipal {
  token: string;
}

/** What a service needs to answer the one question, as plain data (it crosses to worker threads). */
export interface IamGrants {
  sessions: RoleSession[];
  /** role ARN → its statements */
  roles: Array<[string, PolicyStatement[]]>;
}

export function roleSessions(functions: ReadonlyArray<{ name: string; role?: ExecutionRole }>): IamGrants {
  const sessions: RoleSession[] = [];
  const roles = new Map<string, PolicyStatement[]>();
  for (const f of functions) {
    if (!f.role) continue;
    sessions.push({ token: `FanoutBenchLocalSession/${randomBytes(24).toString('base64url')}`, function: f.name, role: f.role.name, roleArn: f.role.arn });
    roles.set(f.role.arn, f.role.statements);
  }
  return { sessions, roles: [...roles] };
}
