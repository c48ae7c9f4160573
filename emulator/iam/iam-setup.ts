import { UserError } from '../../common/errors.ts';
import type { ExecutionRole, IamMode } from './execution-role.ts';
import { roleSessions, type IamGrants } from './role-sessions.ts';

/**
 * IAM for one stack at start, before anything listens: the functions' sessions and their roles'
 * statements, and what the emulator says once about them. A role the template does not hold
 * (a literal ARN) cannot be evaluated: under `enforce` that is refused in one line naming the
 * resource; under `report` it is said and the function is not checked. A function without a role
 * (a description written without one) is said once, unchecked.
 */
export function setUpIam(
  functions: ReadonlyArray<{ name: string; logicalId: string; role?: ExecutionRole }>,
  mode: IamMode,
  log: (line: string) => void,
): IamGrants | undefined {
  if (mode === 'off') return undefined;
  const checked = functions.filter((f) => f.role && !f.role.external);
  for (const f of functions) {
    if (f.role?.external) {
      const where = `resource ${f.logicalId} property Role`;
      if (mode === 'enforce') throw new UserError(`iam: ${where}: ${f.role.arn} is no AWS::IAM::Role of the template, so its policies cannot be evaluated: add the role to the template, or run with iam: report`);
      log(`iam: ${where}: ${f.role.arn} is no role of the template: ${f.name}'s calls are not checked`);
    }
    for (const note of f.role?.notes ?? []) log(`iam: ${note}`);
  }
  const unchecked = functions.filter((f) => !f.role).map((f) => f.name);
  if (unchecked.length > 0) {
    log(`iam: ${unchecked.join(', ')}: not checked (no execution role was read for them); their calls are allowed`);
  }
  return roleSessions(checked);
}
