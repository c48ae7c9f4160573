import { z } from 'zod';
import { resolveDynamicReferences, type DynamicReferenceHost } from './dynamic-references.ts';
import { IntrinsicResolver, NO_VALUE } from './intrinsics.ts';
import { lambdaNameOf, physicalAttribute, physicalName, physicalRef, type PhysicalIdContext } from './physical-ids.ts';
import { stackUuid } from './physical-names.ts';
import { refuseResourceCycles, type TemplateResource } from './resource-dependencies.ts';
import { readSecretsManagerSecret } from './secretsmanager-secret-reader.ts';
import type { SecretDescription } from './stack-description.ts';
import { templateError, type TemplatePath } from './template-errors.ts';
import { resolveParameters } from './template-parameters.ts';

/**
 * One CloudFormation template (SAM already expanded) with its parameters, conditions and
 * pseudo parameters bound: the resources CloudFormation would create (Condition true), each
 * property resolved on demand, every resource's physical id and attributes. The readers of the
 * resource types ask it for values; they never see an intrinsic.
 */
const resourceSchema = z
  .object({
    Type: z.string().min(1),
    Properties: z.record(z.string(), z.unknown()).optional(),
    Condition: z.string().optional(),
    DependsOn: z.union([z.string(), z.array(z.string())]).optional(),
    Metadata: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

/** CloudFormation's limit on resources in one template */
export const MAX_RESOURCES = 500;
/** How many resources one value may reach through the names of others (a chain longer than this is refused, not followed). */
const MAX_REFERENCE_CHAIN = 100;

export const templateSchema = z
  .object({
    AWSTemplateFormatVersion: z.union([z.string(), z.date().transform((d) => d.toISOString().slice(0, 10))]).optional(),
    Description: z.string().optional(),
    Transform: z.union([z.string(), z.array(z.string())]).optional(),
    Parameters: z.record(z.string(), z.unknown()).optional(),
    Mappings: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))).optional(),
    Conditions: z.record(z.string(), z.unknown()).optional(),
    Resources: z.record(z.string(), resourceSchema),
    Outputs: z.record(z.string(), z.unknown()).optional(),
    Globals: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();
export type Template = z.infer<typeof templateSchema>;

/** A template as read, checked for its top-level shape; one line naming the section otherwise. */
export function parseTemplate(file: string, raw: unknown): Template {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw templateError(file, [], 'not a CloudFormation template (expected a mapping with Resources)');
  for (const id of Object.keys((raw as { Resources?: object }).Resources ?? {})) {
    if (id.startsWith('Fn::ForEach')) throw templateError(file, ['Resources', id], 'Fn::ForEach (AWS::LanguageExtensions) is not expanded offline: expand the loop in the template');
    // CloudFormation's rule; a logical id also names a directory in the work directory
    if (!/^[A-Za-z0-9]{1,255}$/.test(id)) throw templateError(file, ['Resources'], `${JSON.stringify(id.slice(0, 80))} is not a logical id (letters and digits, at most 255)`);
  }
  const count = Object.keys((raw as { Resources?: object }).Resources ?? {}).length;
  if (count > MAX_RESOURCES) throw templateError(file, ['Resources'], `${count} resources, more than CloudFormation's limit of ${MAX_RESOURCES} per template`);
  const parsed = templateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw templateError(file, issue.path as (string | number)[], issue.message);
  }
  return parsed.data;
}

export interface StackTemplateOptions {
  file: string;
  template: Template;
  parameters: Record<string, string>;
  stackName: string;
  region: string;
  accountId: string;
  apiId: string;
  /** secrets the account already has, outside the stack: what dynamic references may name besides the stack's */
  outsideSecrets?: SecretDescription[];
  /** Parameter Store parameters the account already has (name → value) */
  outsideParameters?: Record<string, string>;
}

export class StackTemplate implements DynamicReferenceHost {
  readonly file: string;
  readonly stackName: string;
  readonly stackId: string;
  /** the resources CloudFormation would create: those without a Condition or whose Condition is true */
  readonly resources: Record<string, TemplateResource> = {};
  readonly resolver: IntrinsicResolver;
  readonly partition: string;
  readonly urlSuffix: string;
  readonly region: string;
  readonly accountId: string;
  private readonly all: Record<string, TemplateResource>;
  private readonly propertyCache = new Map<string, unknown>();
  private readonly inProgress: string[] = [];
  private readonly secretCache = new Map<string, SecretDescription>();
  private apiLogicalId: string | undefined;

  constructor(private readonly o: StackTemplateOptions) {
    this.file = o.file;
    this.stackName = o.stackName;
    this.region = o.region;
    this.accountId = o.accountId;
    this.all = o.template.Resources as Record<string, TemplateResource>;
    this.partition = o.region.startsWith('cn-') ? 'aws-cn' : o.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
    this.urlSuffix = o.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    this.stackId = `arn:${this.partition}:cloudformation:${o.region}:${o.accountId}:stack/${o.stackName}/${stackUuid(o.stackName, o.region, o.accountId)}`;
    const parameters = resolveParameters(o.file, o.template.Parameters, o.parameters);
    refuseResourceCycles(o.file, this.all);
    this.resolver = new IntrinsicResolver({
      file: o.file,
      region: o.region,
      parameters,
      pseudo: {
        'AWS::Region': o.region,
        'AWS::AccountId': o.accountId,
        'AWS::StackName': o.stackName,
        'AWS::StackId': this.stackId,
        'AWS::Partition': this.partition,
        'AWS::URLSuffix': this.urlSuffix,
        'AWS::NotificationARNs': [],
      },
      mappings: o.template.Mappings ?? {},
      conditions: o.template.Conditions ?? {},
      resourceState: (id) => (!Object.hasOwn(this.all, id) ? 'absent' : Object.hasOwn(this.resources, id) ? 'present' : 'excluded'),
      resourceRef: (id) => physicalRef(this.all[id]!.Type, id, this.idContext(id)),
      resourceAttribute: (id, attribute, at) => {
        const value = physicalAttribute(this.all[id]!.Type, id, attribute, this.idContext(id));
        if (value === undefined) throw templateError(o.file, at, `Fn::GetAtt ${id}.${attribute}: ${this.all[id]!.Type} has no attribute ${attribute} the emulator knows`);
        return value;
      },
    });
    for (const [id, resource] of Object.entries(this.all)) {
      if (resource.Condition === undefined || this.resolver.condition(resource.Condition, ['Resources', id, 'Condition'])) this.resources[id] = resource;
    }
  }

  /** Sets which AWS::ApiGatewayV2::Api gets the emulator's API id (before any value is resolved). */
  setWebSocketApi(logicalId: string): void {
    this.apiLogicalId = logicalId;
  }

  /** One property of a resource, intrinsics resolved; undefined when absent (or AWS::NoValue). */
  property(logicalId: string, name: string): unknown {
    const key = `${logicalId}\u0000${name}`;
    if (this.propertyCache.has(key)) return this.propertyCache.get(key);
    if (this.inProgress.includes(key)) {
      const loop = [...this.inProgress.slice(this.inProgress.indexOf(key)), key].map((k) => k.replace('\u0000', '.'));
      throw templateError(this.file, ['Resources', logicalId, 'Properties', name], `values refer to each other in a loop: ${loop.join(' → ')}`);
    }
    if (this.inProgress.length >= MAX_REFERENCE_CHAIN) {
      throw templateError(this.file, ['Resources', logicalId, 'Properties', name], `a value that refers through more than ${MAX_REFERENCE_CHAIN} resources' properties`);
    }
    this.inProgress.push(key);
    try {
      const raw = this.all[logicalId]?.Properties?.[name];
      const at = ['Resources', logicalId, 'Properties', name];
      // intrinsics first, then the dynamic references their strings now hold, as CloudFormation does
      const value = raw === undefined ? undefined : resolveDynamicReferences(this.resolver.resolve(raw, at), at, this);
      const out = value === NO_VALUE ? undefined : value;
      this.propertyCache.set(key, out);
      return out;
    } finally {
      this.inProgress.pop();
    }
  }

  /** A secret of the stack (AWS::SecretsManager::Secret), its value made once: the same in the description and in every reference to it. */
  stackSecret(logicalId: string): SecretDescription {
    let s = this.secretCache.get(logicalId);
    if (!s) this.secretCache.set(logicalId, (s = readSecretsManagerSecret(this, logicalId)));
    return s;
  }

  /** DynamicReferenceHost: a secret of the stack, else of the account, by name, ARN or partial ARN (the ARN without its 6-character suffix). */
  secret(id: string): SecretDescription | undefined {
    const matches = (name: string, arn: string) => id === name || id === arn || (id.startsWith('arn:') && arn.length === id.length + 7 && arn.startsWith(`${id}-`));
    const own = this.ofType('AWS::SecretsManager::Secret').find((sid) => matches(this.name(sid), this.ref(sid)));
    if (own !== undefined) return this.stackSecret(own);
    return this.o.outsideSecrets?.find((s) => matches(s.name, s.arn));
  }

  /** DynamicReferenceHost: a parameter of the stack (version 1: the stack's create made it), else of the account. */
  parameter(name: string): { value: string; version: number } | undefined {
    const own = this.ofType('AWS::SSM::Parameter').find((id) => this.name(id) === name);
    if (own !== undefined) return { value: String(this.property(own, 'Value')), version: 1 };
    const outside = this.o.outsideParameters?.[name];
    return outside === undefined ? undefined : { value: outside, version: 1 };
  }

  /** Every property of a resource, resolved. */
  properties(logicalId: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(this.all[logicalId]?.Properties ?? {})) {
      const v = this.property(logicalId, name);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  /** Any value of the template (an output, say), resolved. */
  resolve(value: unknown, at: TemplatePath): unknown {
    return this.resolver.resolve(value, at);
  }

  ref(logicalId: string): string {
    return physicalRef(this.all[logicalId]!.Type, logicalId, this.idContext(logicalId));
  }

  name(logicalId: string): string {
    return physicalName(this.all[logicalId]!.Type, logicalId, this.idContext(logicalId));
  }

  attribute(logicalId: string, attribute: string): unknown {
    return physicalAttribute(this.all[logicalId]!.Type, logicalId, attribute, this.idContext(logicalId));
  }

  /** The present resources of a type, in template order. */
  ofType(type: string): string[] {
    return Object.keys(this.resources).filter((id) => this.resources[id]!.Type === type);
  }

  /** The resources of a type CloudFormation would not create (their Condition false), each with its condition. */
  excludedOfType(type: string): Array<{ logicalId: string; condition: string }> {
    return Object.entries(this.all).flatMap(([id, r]) => (r.Type === type && !Object.hasOwn(this.resources, id) ? [{ logicalId: id, condition: r.Condition! }] : []));
  }

  private idContext(logicalId: string): PhysicalIdContext {
    return {
      stackName: this.o.stackName,
      region: this.o.region,
      accountId: this.o.accountId,
      partition: this.partition,
      urlSuffix: this.urlSuffix,
      apiId: this.o.apiId,
      apiLogicalId: this.apiLogicalId,
      property: (name) => this.property(logicalId, name),
      versionNumber: () => this.versionNumber(logicalId),
    };
  }

  /**
   * An AWS::Lambda::Version's number: CloudFormation publishes a function's versions one after
   * another, here in template order, from 1.
   */
  private versionNumber(logicalId: string): number {
    const fn = lambdaNameOf(this.property(logicalId, 'FunctionName'));
    const same = this.ofType('AWS::Lambda::Version').filter((id) => lambdaNameOf(this.property(id, 'FunctionName')) === fn);
    return same.indexOf(logicalId) + 1;
  }
}
