import { statementJson, type PolicyStatement } from '../../common/iam/policy-document.ts';
import type { ExecutionRole } from '../iam/execution-role.ts';

/**
 * A function's execution role as IAM's API shows it: the policies it was read from, each a
 * document, split as IAM splits them. AWS managed policies (arn:aws:iam::aws:policy/…) and the
 * template's AWS::IAM::ManagedPolicy resources are attached policies, with a default version;
 * everything else is an inline policy of the role (a Role's Policies, an AWS::IAM::Policy, and
 * what SAM's translator writes for a function's Policies: `<Function>RolePolicy<i>`).
 */
export interface RolePolicies {
  name: string;
  arn: string;
  inline: Array<{ name: string; document: PolicyDocumentJson }>;
  attached: Array<{ name: string; arn: string; versionId: string; document: PolicyDocumentJson }>;
}

export interface PolicyDocumentJson {
  Version: '2012-10-17';
  Statement: Record<string, unknown>[];
}

const AWS_MANAGED = /^AWS managed policy (\S+) \((v\d+)\)$/;
const OWN_MANAGED = /^managed policy (\S+)$/;
const SAM_TEMPLATE = /^SAM policy template \S+ \(Policies\[(\d+)\]\)$/;
const INLINE = /^inline policy (\S+)/;
const POLICY = /^policy (\S+)$/;

export function rolePolicies(role: ExecutionRole, functionLogicalId: string, accountId: string): RolePolicies {
  const bySource = new Map<string, PolicyStatement[]>();
  for (const s of role.statements) bySource.set(s.source, [...(bySource.get(s.source) ?? []), s]);
  const out: RolePolicies = { name: role.name, arn: role.arn, inline: [], attached: [] };
  for (const [source, statements] of bySource) {
    const document: PolicyDocumentJson = { Version: '2012-10-17', Statement: statements.map(({ source: _source, ...s }) => statementJson(s)) };
    const aws = AWS_MANAGED.exec(source);
    const own = OWN_MANAGED.exec(source);
    if (aws) {
      const key = aws[1]!;
      out.attached.push({ name: key.slice(key.lastIndexOf('/') + 1), arn: `arn:aws:iam::aws:policy/${key}`, versionId: aws[2]!, document });
    } else if (own) {
      out.attached.push({ name: own[1]!, arn: `arn:aws:iam::${accountId}:policy/${own[1]!}`, versionId: 'v1', document });
    } else {
      const sam = SAM_TEMPLATE.exec(source);
      const name = sam ? `${functionLogicalId}RolePolicy${sam[1]}` : (INLINE.exec(source)?.[1] ?? POLICY.exec(source)?.[1] ?? source.replace(/\W+/g, '-'));
      out.inline.push({ name, document });
    }
  }
  return out;
}
