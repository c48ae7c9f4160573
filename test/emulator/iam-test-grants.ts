import { UserError } from '../../common/errors.ts';
import { parsePolicyDocument } from '../../common/iam/policy-document.ts';
import { roleSessions, type IamGrants } from '../../emulator/iam/role-sessions.ts';

/**
 * One function whose execution role allows `action` on `resource` and nothing else (an inline
 * policy, read as IAM reads it), as the session the tests' SDK clients carry
 * (`grants.sessions[0].token`) to ask the services' IAM gates: the setup every service's IAM
 * test shares.
 */
export function grantsOne(fn: string, roleName: string, action: string | string[], resource: string, account = '123456789012'): IamGrants {
  const statements = parsePolicyDocument({ Statement: { Effect: 'Allow', Action: action, Resource: resource } }, 'inline policy', (path, message) => {
    throw new UserError(`${path.join('.')}: ${message}`);
  });
  return roleSessions([{ name: fn, role: { name: roleName, arn: `arn:aws:iam::${account}:role/${roleName}`, notes: [], statements } }]);
}
