import { PolicyGenerations } from '../iam-api/policy-generation.ts';
import { rolePolicies } from '../iam-api/role-policies.ts';
import { startIamApiServer } from '../iam-api/server.ts';
import type { Provider } from './provider.ts';

/**
 * IAM's read API over the roles read, STS's GetCallerIdentity beside it (both know the stack's
 * role sessions), and Access Analyzer's policy generation over the access ledger.
 */
export const iamProvider: Provider<'iam'> = {
  name: 'iam',
  what: 'iam and access analyzer apis',
  after: ['dynamodb'],
  start: ({ config, stack, iam, iamAccess }) => {
    const roles = stack.functions.filter((f) => f.role && !f.role.external).map((f) => rolePolicies(f.role!, f.logicalId, config.accountId));
    return startIamApiServer({
      roles,
      generations: new PolicyGenerations(iamAccess, new Map(roles.map((r) => [r.arn, r.name])), config.iam),
      created: new Date(),
      accountId: config.accountId,
      sessions: iam?.sessions ?? [],
      // the statements the services evaluate (under iam: off, the functions' roles as read: what AWS would decide)
      statements: new Map(iam?.roles ?? stack.functions.flatMap((f) => (f.role && !f.role.external ? [[f.role.arn, f.role.statements] as const] : []))),
    });
  },
  edge: (iamApi) => ({ iam: iamApi.handle, sts: iamApi.handle, 'access-analyzer': iamApi.handle }),
  endpoints: () => ({}),
};
