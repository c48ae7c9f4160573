import { SAM_POLICIES } from '../stack-model/sam-transform.ts';
import type { StackTemplate } from '../stack-model/stack-template.ts';
import { describePath, templateError, type TemplatePath } from '../stack-model/template-errors.ts';
import { AWS_MANAGED_POLICIES, isAwsManagedArn, managedPolicyKey } from './aws-managed-policies.ts';
import type { ExecutionRole } from './execution-role.ts';
import { parsePolicyDocument, type PolicyStatement } from '../../common/iam/policy-document.ts';
import { SAM_POLICY_TEMPLATES } from './sam-policy-templates.ts';

/**
 * A function's execution role, read from its template every way a template gives one:
 * - its `Role` names an AWS::IAM::Role of the template (by Fn::GetAtt Arn, or the ARN it resolves
 *   to): the role's inline `Policies`, its `ManagedPolicyArns` (AWS managed ones from
 *   aws-managed-policies.ts, customer managed ones from the template's AWS::IAM::ManagedPolicy),
 *   and every AWS::IAM::Policy or AWS::IAM::ManagedPolicy whose `Roles` name it (what the CDK's
 *   `grant*` and a Serverless package's `iamRoleStatements` become);
 * - the role SAM made for an AWS::Serverless::Function: AWSLambdaBasicExecutionRole, as SAM attaches
 *   it, and the function's SAM `Policies` (statements, managed policy names and ARNs, SAM's policy
 *   templates);
 * - a `Role` that is an ARN of no role in the template: `external`, with no statements (the stack
 *   decides what that means for its mode).
 * Every value is resolved through the template's intrinsics (Fn::Sub, Fn::GetAtt … Arn, Fn::Join,
 * Ref), so the ARNs are the emulator's. A document IAM would refuse is one line naming the
 * resource and the field.
 */
export function readExecutionRole(t: StackTemplate, functionId: string): ExecutionRole | undefined {
  const roleValue = t.property(functionId, 'Role');
  if (roleValue === undefined) return undefined;
  if (typeof roleValue !== 'string') throw templateError(t.file, ['Resources', functionId, 'Properties', 'Role'], 'must resolve to a role ARN');
  return readTemplateRole(t, roleValue);
}

/** A role by its ARN (a function's Role, an integration's CredentialsArn): the template's, read whole, or `external`. */
export function readTemplateRole(t: StackTemplate, roleValue: string): ExecutionRole {
  const roleId = t.ofType('AWS::IAM::Role').find((id) => t.attribute(id, 'Arn') === roleValue);
  if (roleId === undefined) {
    return { name: roleValue.slice(roleValue.lastIndexOf('/') + 1), arn: roleValue, statements: [], notes: [], external: true };
  }
  const reader = new RoleReader(t, roleId);
  reader.read();
  return { name: t.ref(roleId), arn: roleValue, statements: reader.statements, notes: reader.notes, resources: [...reader.resources] };
}

class RoleReader {
  readonly statements: PolicyStatement[] = [];
  readonly notes: string[] = [];
  /** the logical ids read: the role, and the policies it holds from elsewhere in the template */
  readonly resources = new Set<string>();
  private readonly roleName: string;

  constructor(
    private readonly t: StackTemplate,
    private readonly roleId: string,
  ) {
    this.roleName = t.ref(roleId);
    this.resources.add(roleId);
  }

  read(): void {
    const t = this.t;
    const id = this.roleId;
    const inline = t.property(id, 'Policies');
    if (inline !== undefined) {
      if (!Array.isArray(inline)) throw this.error(['Resources', id, 'Properties', 'Policies'], 'must be a list of {PolicyName, PolicyDocument}');
      inline.forEach((p, i) => {
        const at = ['Resources', id, 'Properties', 'Policies', i];
        const policy = (p ?? {}) as { PolicyName?: unknown; PolicyDocument?: unknown };
        if (policy.PolicyDocument === undefined) throw this.error([...at, 'PolicyDocument'], 'missing');
        this.add(policy.PolicyDocument, `inline policy ${String(policy.PolicyName ?? i)} of role ${id}`, [...at, 'PolicyDocument']);
      });
    }
    const managed = t.property(id, 'ManagedPolicyArns');
    if (Array.isArray(managed)) managed.forEach((arn, i) => this.managed(String(arn), ['Resources', id, 'Properties', 'ManagedPolicyArns', i]));

    // policies that attach themselves to the role by name
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const policyId of t.ofType(type)) {
        const roles = t.property(policyId, 'Roles');
        if (!Array.isArray(roles) || !roles.includes(this.roleName)) continue;
        this.resources.add(policyId);
        this.add(t.property(policyId, 'PolicyDocument'), `${type === 'AWS::IAM::Policy' ? 'policy' : 'managed policy'} ${policyId}`, ['Resources', policyId, 'Properties', 'PolicyDocument']);
      }
    }

    const sam = t.resources[id]?.Metadata?.[SAM_POLICIES] as { function: string; policies: unknown } | undefined;
    if (sam) this.sam(sam.function, sam.policies);
  }

  /** SAM's Policies: what SAM's translator writes into the role it makes for the function. */
  private sam(functionId: string, raw: unknown): void {
    const at: TemplatePath = ['Resources', functionId, 'Properties', 'Policies'];
    this.managed(`arn:${this.t.partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`, at);
    const resolved = this.t.resolve(raw, at);
    const list = Array.isArray(resolved) ? resolved : [resolved];
    list.forEach((p, i) => {
      const here = Array.isArray(resolved) ? [...at, i] : at;
      if (typeof p === 'string') return this.managed(p, here);
      if (p === null || typeof p !== 'object') throw this.error(here, 'a policy is a managed policy name or ARN, a policy document, or a SAM policy template');
      const entry = p as Record<string, unknown>;
      if ('Statement' in entry) return this.add(entry, `inline policy ${functionId}RolePolicy${i} (SAM Policies[${i}])`, here);
      const [name, params] = Object.entries(entry)[0] ?? [];
      if (name === undefined || Object.keys(entry).length !== 1) throw this.error(here, 'a SAM policy template is one key, its name, with its parameters');
      const template = SAM_POLICY_TEMPLATES[name];
      if (!template) {
        this.notes.push(`resource ${functionId} property Policies[${i}]: SAM policy template ${name} is not one the emulator knows: it grants nothing here`);
        return;
      }
      const given = (params ?? {}) as Record<string, unknown>;
      for (const k of template.parameters) {
        if (typeof given[k] !== 'string' || given[k] === '') throw this.error([...here, name, k], `missing: ${name} needs ${template.parameters.join(', ')}`);
      }
      const statements = template.statements(given as Record<string, string>, { partition: this.t.partition, region: this.region(), accountId: this.account() });
      this.add({ Version: '2012-10-17', Statement: statements }, `SAM policy template ${name} (Policies[${i}])`, here);
    });
  }

  private managed(arn: string, at: TemplatePath): void {
    if (isAwsManagedArn(arn) || !arn.startsWith('arn:')) {
      const key = managedPolicyKey(arn);
      const policy = AWS_MANAGED_POLICIES[key];
      if (!policy) {
        this.notes.push(`${describePath(at)}: AWS managed policy ${key} is not one the emulator knows: it grants nothing here`);
        return;
      }
      this.add(policy.document, `AWS managed policy ${key} (${policy.version})`, at);
      return;
    }
    const own = this.t.ofType('AWS::IAM::ManagedPolicy').find((id) => this.t.ref(id) === arn);
    if (own === undefined) {
      this.notes.push(`${describePath(at)}: managed policy ${arn} is not in the template: it grants nothing here`);
      return;
    }
    this.resources.add(own);
    this.add(this.t.property(own, 'PolicyDocument'), `managed policy ${own}`, ['Resources', own, 'Properties', 'PolicyDocument']);
  }

  private add(document: unknown, source: string, at: TemplatePath): void {
    const statements = parsePolicyDocument(document, source, (path, message) => {
      throw this.error([...at, ...path], message);
    });
    for (const s of statements) {
      if (s.condition) this.notes.push(`${describePath(at)}: ${source} has a statement with a Condition (${Object.keys(s.condition).join(', ')}), not evaluated offline: ${s.effect === 'Allow' ? 'it grants nothing here' : 'it denies here'}`);
      this.statements.push(s);
    }
  }

  private region(): string {
    return String(this.t.resolve({ Ref: 'AWS::Region' }, ['Resources', this.roleId]));
  }

  private account(): string {
    return String(this.t.resolve({ Ref: 'AWS::AccountId' }, ['Resources', this.roleId]));
  }

  private error(at: TemplatePath, message: string): Error {
    return templateError(this.t.file, at, message);
  }
}
