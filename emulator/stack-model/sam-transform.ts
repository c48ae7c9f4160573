import type { TemplateResource } from './resource-dependencies.ts';
import { expandSamEvents } from './sam-event-sources.ts';
import { expandSamHttpApis } from './sam-http-api.ts';
import { expandSamRestApis } from './sam-rest-api.ts';
import type { NotEmulated } from './stack-description.ts';
import type { Template } from './stack-template.ts';
import { templateError } from './template-errors.ts';

/**
 * The part of the SAM transform (`Transform: AWS::Serverless-2016-10-31`) a WebSocket stack
 * (and the HTTP APIs beside it) needs, done as SAM does it, logical ids kept:
 * - AWS::Serverless::Function → AWS::Lambda::Function of the same logical id, Globals.Function
 *   merged in (mappings merged key by key, lists appended, the function's own value winning),
 *   CodeUri kept as a local path (what `sam package` would upload), InlineCode as ZipFile, and the
 *   execution role SAM creates (`{Id}Role`) when the function names none, its `Policies` kept
 *   unexpanded in the role's Metadata (SAM_POLICIES), with the managed policy SAM attaches for each
 *   SQS or DynamoDB event (the pollers' reads). Its SQS, SNS, DynamoDB, EventBridgeRule and
 *   CloudWatchEvent events, EventInvokeConfig and DeadLetterQueue become the resources SAM makes of
 *   them (sam-event-sources.ts), its HttpApi events routes of their HTTP API and permissions
 *   (sam-http-api.ts), its Api events methods of their REST API and permissions (sam-rest-api.ts);
 *   other events are listed as not emulated, one line each (a schedule, a Kinesis stream... never
 *   invokes it offline), and so is a function URL.
 *   AutoPublishAlias becomes the version and the alias SAM makes (`{Id}Version`, `{Id}Alias{Name}`,
 *   the function's ProvisionedConcurrencyConfig on the alias), its events invoke the alias, and
 *   `{Id}.Alias` / `{Id}.Version` in a Ref or a Sub name them, as SAM resolves them.
 * - AWS::Serverless::LayerVersion → AWS::Lambda::LayerVersion of the same logical id, ContentUri
 *   as Content (a local folder or zip, as `sam build` leaves it), Globals.LayerVersion merged in.
 * - AWS::Serverless::SimpleTable → AWS::DynamoDB::Table: PrimaryKey (default `id` String),
 *   ProvisionedThroughput (on-demand without it), TableName.
 * - AWS::Serverless::HttpApi (and the implicit `ServerlessHttpApi` of HttpApi events without
 *   ApiId) → AWS::ApiGatewayV2::Api of the same logical id with its OpenAPI Body, its Stage, its
 *   authorizers' permissions and custom domain, Globals.HttpApi merged in (sam-http-api.ts);
 *   `{Id}.Stage` and `{Id}.DomainName` name what SAM made.
 * - AWS::Serverless::Api (and the implicit `ServerlessRestApi` of Api events without RestApiId)
 *   → AWS::ApiGateway::RestApi of the same logical id with its Swagger Body, its Deployment and
 *   Stage, its authorizers' permissions, usage plan and custom domain, Globals.Api merged in
 *   (sam-rest-api.ts); `{Id}.Stage`, `.Deployment`, `.UsagePlan`, `.ApiKey`… name what SAM made.
 * Other AWS::Serverless types stay as they are and are listed as not emulated.
 */
export const SAM_TRANSFORM = 'AWS::Serverless-2016-10-31';
/** The implicit role's Metadata key holding its function's SAM `Policies`, unexpanded: `{ function, policies }`. */
export const SAM_POLICIES = 'SamPolicies';

export interface SamExpansion {
  template: Template;
  /** SAM's events, as the resources SAM would make of them: not emulated */
  notEmulated: NotEmulated[];
}

/** The properties of a Serverless::Function that are AWS::Lambda::Function's under the same name. */
const LAMBDA_PROPERTIES = [
  'FunctionName', 'Handler', 'Runtime', 'MemorySize', 'Timeout', 'Environment', 'ReservedConcurrentExecutions',
  'Layers', 'PackageType', 'Architectures', 'Description', 'Role', 'VpcConfig', 'KmsKeyArn', 'EphemeralStorage', 'LoggingConfig', 'SnapStart',
];

export function isSamTemplate(template: Template): boolean {
  const t = template.Transform;
  return t === SAM_TRANSFORM || (Array.isArray(t) && t.includes(SAM_TRANSFORM));
}

export function expandSam(file: string, template: Template): SamExpansion {
  const globals = (template.Globals ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(globals)) {
    if (!['Function', 'Api', 'HttpApi', 'SimpleTable', 'StateMachine', 'LayerVersion'].includes(key)) throw templateError(file, ['Globals', key], 'not a section SAM knows in Globals');
  }
  const functionGlobals = (globals.Function ?? {}) as Record<string, unknown>;
  const resources: Record<string, TemplateResource> = {};
  const notEmulated: NotEmulated[] = [];
  /** `Fn.Alias` / `Fn.Version` → the logical ids SAM gives them */
  const samReferences = new Map<string, string>();
  /** the functions as merged with Globals.Function, for their HttpApi events */
  const samFunctions: Array<{ id: string; props: Record<string, unknown>; resource: TemplateResource }> = [];
  for (const [id, resource] of Object.entries(template.Resources) as Array<[string, TemplateResource]>) {
    if (resource.Type === 'AWS::Serverless::Function') {
      const props = merge(functionGlobals, resource.Properties ?? {}) as Record<string, unknown>;
      samFunctions.push({ id, props, resource });
      const lambda: Record<string, unknown> = {};
      for (const key of LAMBDA_PROPERTIES) if (props[key] !== undefined) lambda[key] = props[key];
      if (props.InlineCode !== undefined) lambda.Code = { ZipFile: props.InlineCode };
      else if (typeof props.CodeUri === 'object' && props.CodeUri !== null && 'Bucket' in props.CodeUri) {
        const uri = props.CodeUri as { Bucket: unknown; Key: unknown };
        lambda.Code = { S3Bucket: uri.Bucket, S3Key: uri.Key };
      } else if (props.CodeUri !== undefined) lambda.Code = props.CodeUri;
      else if (props.PackageType !== 'Image') throw templateError(file, ['Resources', id, 'Properties', 'CodeUri'], 'missing: SAM needs CodeUri or InlineCode');
      if (lambda.Role === undefined) {
        // SAM writes Policies into the role it makes; kept as written, for the role reader (emulator/iam/) to expand
        const samPolicies = { [SAM_POLICIES]: { function: id, policies: props.Policies ?? [] } };
        const pollerPolicies = pullEventPolicies(props.Events);
        const roleProps = pollerPolicies.length > 0 ? { ManagedPolicyArns: pollerPolicies } : {};
        resources[`${id}Role`] = { Type: 'AWS::IAM::Role', Properties: roleProps, Metadata: samPolicies, ...(resource.Condition ? { Condition: resource.Condition } : {}) };
        lambda.Role = { 'Fn::GetAtt': [`${id}Role`, 'Arn'] };
      }
      resources[id] = { ...resource, Type: 'AWS::Lambda::Function', Properties: lambda };
      const alias = autoPublishAlias(file, id, props, resource.Condition);
      if (alias) {
        Object.assign(resources, alias.resources);
        samReferences.set(`${id}.Alias`, alias.aliasId).set(`${id}.Version`, alias.versionId);
      }
      // what SAM makes beside the function that would change how it is reached
      if (props.FunctionUrlConfig !== undefined) notEmulated.push({ logicalId: `${id}Url`, type: 'AWS::Lambda::Url' });
      const events = expandSamEvents(file, id, props, resource.Condition, template.Resources as Record<string, TemplateResource>);
      for (const [eventId, made] of Object.entries(events.resources)) {
        if (Object.hasOwn(template.Resources, eventId) || Object.hasOwn(resources, eventId)) throw templateError(file, ['Resources', eventId], `SAM makes a resource of this logical id for ${id}'s events: rename one`);
        resources[eventId] = made;
      }
      if (events.deadLetterConfig) lambda.DeadLetterConfig = events.deadLetterConfig;
      notEmulated.push(...events.notEmulated);
    } else if (resource.Type === 'AWS::Serverless::HttpApi' || resource.Type === 'AWS::Serverless::Api') {
      // made below, once every function's HttpApi or Api events are in its body
      continue;
    } else if (resource.Type === 'AWS::Serverless::LayerVersion') {
      resources[id] = { ...resource, Type: 'AWS::Lambda::LayerVersion', Properties: samLayer(file, id, merge(globals.LayerVersion ?? {}, resource.Properties ?? {}) as Record<string, unknown>) };
    } else if (resource.Type === 'AWS::Serverless::SimpleTable') {
      const p = (resource.Properties ?? {}) as { PrimaryKey?: { Name?: unknown; Type?: unknown }; ProvisionedThroughput?: unknown; TableName?: unknown };
      const name = p.PrimaryKey?.Name ?? 'id';
      const type = p.PrimaryKey?.Type ?? 'String';
      const attributeType = ({ String: 'S', Number: 'N', Binary: 'B' } as Record<string, string>)[String(type)];
      if (!attributeType) throw templateError(file, ['Resources', id, 'Properties', 'PrimaryKey', 'Type'], `${String(type)}: must be String, Number or Binary`);
      resources[id] = {
        ...resource,
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          ...(p.TableName !== undefined ? { TableName: p.TableName } : {}),
          AttributeDefinitions: [{ AttributeName: name, AttributeType: attributeType }],
          KeySchema: [{ AttributeName: name, KeyType: 'HASH' }],
          ...(p.ProvisionedThroughput !== undefined ? { BillingMode: 'PROVISIONED', ProvisionedThroughput: p.ProvisionedThroughput } : { BillingMode: 'PAY_PER_REQUEST' }),
        },
      };
    } else {
      resources[id] = resource;
    }
  }
  const http = expandSamHttpApis({ file, resources: template.Resources as Record<string, TemplateResource>, globals: globals.HttpApi, functions: samFunctions, merge });
  for (const [madeId, made] of Object.entries(http.resources)) {
    const own = template.Resources[madeId] as TemplateResource | undefined;
    const fromItself = own?.Type === 'AWS::Serverless::HttpApi' && made.Type === 'AWS::ApiGatewayV2::Api';
    if ((own !== undefined && !fromItself) || Object.hasOwn(resources, madeId)) throw templateError(file, ['Resources', madeId], `SAM makes a resource of this logical id (${made.Type}) for an HTTP API: rename one`);
    resources[madeId] = made;
  }
  for (const name of Object.keys(http.conditions)) {
    if (Object.hasOwn(template.Conditions ?? {}, name)) throw templateError(file, ['Conditions', name], 'SAM makes a condition of this name for an HTTP API: rename this one');
  }
  for (const [name, id] of http.references) samReferences.set(name, id);
  notEmulated.push(...http.notEmulated);
  const rest = expandSamRestApis({ file, resources: template.Resources as Record<string, TemplateResource>, globals: globals.Api, functions: samFunctions, merge });
  for (const [madeId, made] of Object.entries(rest.resources)) {
    const own = template.Resources[madeId] as TemplateResource | undefined;
    const fromItself = own?.Type === 'AWS::Serverless::Api' && made.Type === 'AWS::ApiGateway::RestApi';
    if ((own !== undefined && !fromItself) || Object.hasOwn(resources, madeId)) throw templateError(file, ['Resources', madeId], `SAM makes a resource of this logical id (${made.Type}) for a REST API: rename one`);
    resources[madeId] = made;
  }
  for (const name of Object.keys(rest.conditions)) {
    if (Object.hasOwn(template.Conditions ?? {}, name) || Object.hasOwn(http.conditions, name)) throw templateError(file, ['Conditions', name], 'SAM makes a condition of this name for a REST API: rename this one');
  }
  for (const [name, id] of rest.references) samReferences.set(name, id);
  notEmulated.push(...rest.notEmulated);
  const transforms = (Array.isArray(template.Transform) ? template.Transform : [template.Transform]).filter((t) => t !== SAM_TRANSFORM);
  const { Globals: _globals, ...others } = template;
  const conditions = Object.keys(http.conditions).length + Object.keys(rest.conditions).length ? { Conditions: { ...(others.Conditions ?? {}), ...http.conditions, ...rest.conditions } } : {};
  const expanded = { ...others, ...conditions, Transform: transforms.length ? transforms : undefined, Resources: resources } as Template;
  return { template: samReferences.size ? (renameSamReferences(expanded, samReferences) as Template) : expanded, notEmulated };
}

/**
 * AutoPublishAlias as SAM expands it (samtranslator's `_construct_version` and `_construct_alias`):
 * an AWS::Lambda::Version of the function and an AWS::Lambda::Alias of that name on it, carrying
 * the function's ProvisionedConcurrencyConfig, which SAM refuses without AutoPublishAlias. SAM's
 * version id ends with a hash of the code; the emulator's is `{Id}Version`.
 */
function autoPublishAlias(file: string, id: string, props: Record<string, unknown>, condition: string | undefined): { aliasId: string; versionId: string; resources: Record<string, TemplateResource> } | undefined {
  if (typeof props.AutoPublishAlias !== 'string') {
    if (props.ProvisionedConcurrencyConfig !== undefined) throw templateError(file, ['Resources', id, 'Properties', 'ProvisionedConcurrencyConfig'], 'To set ProvisionedConcurrencyConfig AutoPublishALias must be defined on the function');
    return undefined;
  }
  const name = props.AutoPublishAlias;
  const versionId = `${id}Version`;
  const aliasId = `${id}Alias${name}`;
  const when = condition ? { Condition: condition } : {};
  return {
    versionId,
    aliasId,
    resources: {
      [versionId]: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: id } }, ...when },
      [aliasId]: {
        Type: 'AWS::Lambda::Alias',
        Properties: {
          Name: name,
          FunctionName: { Ref: id },
          FunctionVersion: { 'Fn::GetAtt': [versionId, 'Version'] },
          ...(props.ProvisionedConcurrencyConfig !== undefined ? { ProvisionedConcurrencyConfig: props.ProvisionedConcurrencyConfig } : {}),
        },
        ...when,
      },
    },
  };
}

/** `{ Ref: 'Fn.Alias' }` and `${Fn.Alias}` in a Sub name the alias SAM made (and `.Version` its version). */
function renameSamReferences(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => renameSamReferences(v, names));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'Ref' && typeof v === 'string' && names.has(v)) out[k] = names.get(v);
    else if (k === 'Fn::Sub') out[k] = Array.isArray(v) ? [renameInSub(v[0], names), renameSamReferences(v[1], names)] : renameInSub(v, names);
    else out[k] = renameSamReferences(v, names);
  }
  return out;
}

function renameInSub(text: unknown, names: ReadonlyMap<string, string>): unknown {
  return typeof text === 'string' ? text.replace(/\$\{([^}!]+)\}/g, (whole, ref: string) => (names.has(ref) ? `\${${names.get(ref)}}` : whole)) : text;
}

/**
 * The AWS managed policy SAM adds to the role it makes for each pull event (samtranslator's
 * PullEventSource._link_policy): what lets Lambda's pollers read the queue or the stream.
 */
const PULL_EVENT_POLICIES: Record<string, string> = {
  SQS: 'service-role/AWSLambdaSQSQueueExecutionRole',
  DynamoDB: 'service-role/AWSLambdaDynamoDBExecutionRole',
};

function pullEventPolicies(events: unknown): unknown[] {
  if (events === null || typeof events !== 'object') return [];
  const names = new Set<string>();
  for (const e of Object.values(events as Record<string, unknown>)) {
    const event = (e ?? {}) as { Type?: unknown; Properties?: { SqsSubscription?: unknown } };
    // an SNS event with SqsSubscription is consumed through a queue SAM makes, and an SQS mapping
    const type = event.Type === 'SNS' && event.Properties?.SqsSubscription ? 'SQS' : String(event.Type);
    const policy = PULL_EVENT_POLICIES[type];
    if (policy) names.add(policy);
  }
  return [...names].map((name) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/${name}` }));
}

/** AWS::Serverless::LayerVersion's properties as AWS::Lambda::LayerVersion's: ContentUri (a local folder or zip, or S3) → Content. */
function samLayer(file: string, id: string, p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['LayerName', 'Description', 'CompatibleRuntimes', 'CompatibleArchitectures', 'LicenseInfo']) if (p[key] !== undefined) out[key] = p[key];
  const uri = p.ContentUri;
  if (uri === undefined) throw templateError(file, ['Resources', id, 'Properties', 'ContentUri'], 'missing: a SAM layer needs ContentUri');
  out.Content = typeof uri === 'object' && uri !== null && 'Bucket' in uri ? { S3Bucket: (uri as { Bucket: unknown }).Bucket, S3Key: (uri as { Key?: unknown }).Key } : uri;
  return out;
}

/** SAM's Globals rule: mappings merged key by key, lists appended (globals first), otherwise the function's value. */
function merge(global: unknown, own: unknown): unknown {
  if (own === undefined) return global;
  if (global === undefined) return own;
  if (Array.isArray(global) && Array.isArray(own)) return [...global, ...own];
  const isMap = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  // an intrinsic (`{Ref: …}`, `{Fn::If: …}`) is a value, not a mapping to merge into
  const intrinsic = (v: unknown) => isMap(v) && Object.keys(v as object).some((k) => k === 'Ref' || k.startsWith('Fn::'));
  if (isMap(global) && isMap(own) && !intrinsic(global) && !intrinsic(own)) {
    const out: Record<string, unknown> = { ...(global as Record<string, unknown>) };
    for (const [k, v] of Object.entries(own as Record<string, unknown>)) out[k] = merge(out[k], v);
    return out;
  }
  return own;
}
