import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  type IAMClient,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
} from '@aws-sdk/client-iam';
import { parsePolicyDocument, type PolicyStatement } from '../../../common/iam/policy-document.ts';

/**
 * What a role grants, as IAM's API gives it: its inline policies (ListRolePolicies, GetRolePolicy)
 * and its attached managed policies at their default version (ListAttachedRolePolicies, GetPolicy,
 * GetPolicyVersion). IAM returns documents URL-encoded. Each statement keeps the policy it came
 * from. A document the harness cannot read is an error naming the policy.
 */
export async function roleGrants(iam: IAMClient, roleName: string): Promise<PolicyStatement[]> {
  const statements: PolicyStatement[] = [];
  const add = (encoded: string | undefined, source: string) => {
    const document = JSON.parse(decodeURIComponent(encoded ?? '{}')) as unknown;
    statements.push(
      ...parsePolicyDocument(document, source, (path, message) => {
        throw new Error(`${source}: ${path.join('.')}: ${message}`);
      }),
    );
  };
  for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: roleName })) {
    for (const name of page.PolicyNames ?? []) {
      const policy = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
      add(policy.PolicyDocument, `inline policy ${name}`);
    }
  }
  for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName })) {
    for (const attached of page.AttachedPolicies ?? []) {
      const arn = attached.PolicyArn!;
      const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy?.DefaultVersionId }));
      const owner = arn.startsWith('arn:aws:iam::aws:') ? 'AWS managed policy' : 'managed policy';
      add(PolicyVersion?.Document, `${owner} ${attached.PolicyName ?? arn} (${Policy?.DefaultVersionId ?? '?'})`);
    }
  }
  return statements;
}
