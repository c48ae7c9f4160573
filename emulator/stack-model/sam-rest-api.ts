import { createHash } from 'node:crypto';
import type { TemplateResource } from './resource-dependencies.ts';
import { combinedCondition, samHash } from './sam-http-api.ts';
import type { NotEmulated } from './stack-description.ts';
import { templateError, type TemplatePath } from './template-errors.ts';

/**
 * SAM's REST APIs as the SAM transform makes them (samtranslator's DefaultDefinitionBodyPlugin,
 * ImplicitRestApiPlugin, eventsources/push.py `Api`, api/api_generator.py, swagger/swagger.py,
 * model/apigateway.py), logical ids as SAM makes them, so the CloudFormation readers read the
 * result as they read a template written out:
 * - a function's `Api` event without RestApiId goes to the implicit API `ServerlessRestApi`
 *   (StageName Prod); an explicit AWS::Serverless::Api without DefinitionBody or DefinitionUri gets
 *   the same Swagger 2.0 skeleton, SAM-managed: each event puts its method in the body
 *   (`paths[Path][method]`, ANY as `x-amazon-apigateway-any-method`) with an `aws_proxy`
 *   integration to the function (or its AutoPublishAlias alias), its Auth as the method's
 *   `security` (an authorizer, `api_key`), TimeoutInMillis, RequestParameters, RequestModel; an
 *   API with its own DefinitionBody is the author's (MergeDefinitions merges the events' methods
 *   into it; an event's Auth.OverrideApiAuth sets its auth there);
 * - each event makes the AWS::Lambda::Permission `{Function}{Event}Permission{Stage}` (`Prod` for
 *   the implicit API, the explicit one's StageName, `Stage` where that is an intrinsic) for
 *   `…:${RestApiId}/*\/{METHOD}{path}` (`*` for ANY and for each path variable);
 * - each API becomes AWS::ApiGateway::RestApi of its logical id (Body, or BodyS3Location from
 *   DefinitionUri), Globals.Api merged in: Cors as each path's OPTIONS MOCK method, Auth's
 *   Authorizers as `securityDefinitions` (Lambda TOKEN and REQUEST, Cognito, AWS_IAM) with
 *   DefaultAuthorizer and ApiKeyRequired on every method (`NONE` and `ApiKeyRequired: false`
 *   opting a method out), GatewayResponses, BinaryMediaTypes, Models, EndpointConfiguration,
 *   DisableExecuteApiEndpoint, ApiKeySourceType, Name, Description, OpenApiVersion; its
 *   AWS::ApiGateway::Deployment `{Api}Deployment{hash}` (StageName `Stage`, as SAM leaves it,
 *   unless OpenApiVersion) and AWS::ApiGateway::Stage `{Api}{StageName}Stage` with Variables,
 *   MethodSettings, AccessLogSetting, CanarySetting, TracingEnabled, Tags; each Lambda authorizer's
 *   `{Api}{Name}AuthorizerPermission`; Auth.UsagePlan's plan, key and plan key (PER_API
 *   `{Api}UsagePlan`, `{Api}ApiKey`, `{Api}UsagePlanKey`; SHARED `ServerlessUsagePlan`,
 *   `ServerlessApiKey`, `ServerlessUsagePlanKey`); Domain's AWS::ApiGateway::DomainName
 *   `ApiGatewayDomainName{hash}`, its BasePathMappings and Route53 `RecordSetGroup{hash}`.
 * A function's Condition wraps its integrations (and the implicit API's paths and the API itself
 * when all of them have one), as SAM wraps them. `{Api}.Stage`, `.Deployment`, `.UsagePlan`,
 * `.UsagePlanKey`, `.ApiKey` and `.DomainName` name what SAM made (`references`).
 *
 * Where the emulator's output differs from SAM's: the partition is `${AWS::Partition}` where SAM
 * writes the one of the region it runs in; the deployment's hash is of the body's JSON, where
 * SAM's is of Python 2.7's `str()` of it; Auth.ResourcePolicy (the API's resource policy) and a
 * PRIVATE custom domain are not written.
 */
export interface SamRestApiExpansion {
  resources: Record<string, TemplateResource>;
  /** conditions SAM adds to the template (an implicit API or path under several functions' conditions, a shared usage plan) */
  conditions: Record<string, unknown>;
  /** `Api.Stage`, `Api.Deployment`, `Api.UsagePlan`… → the logical ids SAM gave them */
  references: Map<string, string>;
  /** what of SAM's REST APIs is not written (a private custom domain) */
  notEmulated: NotEmulated[];
}

export interface SamRestApiInput {
  file: string;
  /** the template's resources as written */
  resources: Record<string, TemplateResource>;
  /** Globals.Api */
  globals: unknown;
  /** each AWS::Serverless::Function, in template order, its properties with Globals.Function merged in */
  functions: ReadonlyArray<{ id: string; props: Props; resource: TemplateResource }>;
  /** SAM's Globals rule (sam-transform.ts) */
  merge: (global: unknown, own: unknown) => unknown;
}

type Props = Record<string, unknown>;

export const IMPLICIT_REST_API = 'ServerlessRestApi';
/** what Globals.Api may set (samtranslator's Globals.supported_properties) */
export const REST_API_GLOBALS = [
  'Auth', 'Name', 'DefinitionUri', 'CacheClusterEnabled', 'CacheClusterSize', 'MergeDefinitions', 'Variables', 'EndpointConfiguration', 'MethodSettings',
  'BinaryMediaTypes', 'MinimumCompressionSize', 'Cors', 'GatewayResponses', 'AccessLogSetting', 'CanarySetting', 'TracingEnabled', 'OpenApiVersion', 'Domain',
  'AlwaysDeploy', 'PropagateTags', 'SecurityPolicy', 'EndpointAccessMode',
];
/** AWS::Serverless::Api's properties and their types (an intrinsic is left to CloudFormation) */
const REST_API_PROPERTIES: Record<string, Array<'string' | 'map' | 'boolean' | 'list' | 'number'>> = {
  Name: ['string', 'map'], StageName: ['string', 'map'], Tags: ['map'], PropagateTags: ['boolean'], DefinitionBody: ['map'], DefinitionUri: ['string', 'map'],
  MergeDefinitions: ['boolean'], CacheClusterEnabled: ['boolean'], CacheClusterSize: ['string'], Variables: ['map'], EndpointConfiguration: ['string', 'map'],
  MethodSettings: ['list'], BinaryMediaTypes: ['list'], MinimumCompressionSize: ['number'], Cors: ['string', 'map'], Auth: ['map'], GatewayResponses: ['map'],
  AccessLogSetting: ['map'], CanarySetting: ['map'], TracingEnabled: ['boolean'], OpenApiVersion: ['string', 'number'], Models: ['map'], Domain: ['map'],
  FailOnWarnings: ['boolean'], Description: ['string'], Mode: ['string'], DisableExecuteApiEndpoint: ['boolean'], ApiKeySourceType: ['string'],
  AlwaysDeploy: ['boolean'], Policy: ['string', 'map'], SecurityPolicy: ['string'], EndpointAccessMode: ['string'],
};
const EVENT_PROPERTIES = new Set(['Path', 'Method', 'RestApiId', 'Stage', 'Auth', 'RequestModel', 'RequestParameters', 'TimeoutInMillis', 'ResponseTransferMode']);
const AUTH_PROPERTIES = ['Authorizers', 'DefaultAuthorizer', 'InvokeRole', 'AddDefaultAuthorizerToCorsPreflight', 'AddApiKeyRequiredToCorsPreflight', 'ApiKeyRequired', 'ResourcePolicy', 'UsagePlan'];
const USAGE_PLAN_PROPERTIES = ['CreateUsagePlan', 'Description', 'Quota', 'Tags', 'Throttle', 'UsagePlanName'];
const CORS_PROPERTIES = ['AllowMethods', 'AllowHeaders', 'AllowOrigin', 'MaxAge', 'AllowCredentials'];

const X_ANY = 'x-amazon-apigateway-any-method';
const X_INTEGRATION = 'x-amazon-apigateway-integration';
const X_AUTHORIZER = 'x-amazon-apigateway-authorizer';
const ALL_METHODS = ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'];
/** what a path item holds besides its methods */
const NOT_METHODS = new Set(['summary', 'description', 'parameters']);
const NO_VALUE = { Ref: 'AWS::NoValue' };
const PASSTHROUGH = ['Condition', 'DeletionPolicy', 'UpdateReplacePolicy'] as const;
const OPENAPI_3 = /^3(\.\d)(\.\d)?$/;
const SUPPORTED_VERSIONS = /^[2-3](\.\d)(\.\d)?$/;
const SHARED_CONDITION = 'SharedUsagePlanCondition';
/** what SAM makes of an API that takes Tags (PropagateTags) */
const TAGGED_TYPES = new Set(['AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Stage', 'AWS::ApiGateway::DomainName', 'AWS::ApiGateway::UsagePlan', 'AWS::ApiGateway::ApiKey']);

const isMap = (v: unknown): v is Props => v !== null && typeof v === 'object' && !Array.isArray(v);
const isIntrinsic = (v: unknown) => isMap(v) && Object.keys(v).length === 1 && (Object.hasOwn(v, 'Ref') || Object.keys(v)[0]!.startsWith('Fn::') || Object.hasOwn(v, 'Condition'));
const isNoValue = (v: unknown) => isMap(v) && v.Ref === 'AWS::NoValue';
/** Python's truthiness, which SAM's `if self.X:` tests */
const truthy = (v: unknown) => !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0));
const conditional = (condition: string, data: unknown) => ({ 'Fn::If': [condition, data, NO_VALUE] });
/** Python's str.isalnum(): letters and digits only, at least one */
const isAlnum = (s: string) => /^[\p{L}\p{N}]+$/u.test(s);
const versionText = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? `${v}.0` : String(v));

interface RestApi {
  id: string;
  props: Props;
  /** the SAM resource's attributes (Condition, DependsOn, DeletionPolicy…) */
  attributes: Omit<TemplateResource, 'Type' | 'Properties'>;
  /** SAM manages its body (implicit, or explicit without DefinitionBody/DefinitionUri) */
  managed: boolean;
  /** path → method as written → the function's Condition (null: none) */
  conditions: Map<string, Map<string, string | null>>;
  deletionPolicies: unknown[];
  updateReplacePolicies: unknown[];
}

interface ApiEvent {
  fn: string;
  event: string;
  p: Props;
  path: string;
  method: string;
  /** the API's logical id (a string RestApiId or a Ref's) */
  apiId: string;
  condition: string | undefined;
  alias: string | undefined;
  attributes: Partial<TemplateResource>;
}

/** What a usage plan SHARED among the APIs collects (samtranslator's SharedApiUsagePlan). */
interface SharedPlan {
  apiStages: Props[];
  stageKeys: Props[];
  dependsOn: string[];
  conditions: string[];
  anyWithoutCondition: boolean;
  deletionPolicy?: string;
  updateReplacePolicy?: string;
}

export function expandSamRestApis(o: SamRestApiInput): SamRestApiExpansion {
  const { file } = o;
  const out: SamRestApiExpansion = { resources: {}, conditions: {}, references: new Map(), notEmulated: [] };
  const at = (id: string, ...path: (string | number)[]): TemplatePath => ['Resources', id, 'Properties', ...path];

  // DefaultDefinitionBodyPlugin: an explicit API without a definition is SAM's to write
  const apis = new Map<string, RestApi>();
  for (const [id, resource] of Object.entries(o.resources)) {
    if (resource.Type !== 'AWS::Serverless::Api') continue;
    const props = structuredClone(resource.Properties ?? {}) as Props;
    for (const key of Object.keys(props)) if (!Object.hasOwn(REST_API_PROPERTIES, key)) throw templateError(file, at(id, key), 'not a property of AWS::Serverless::Api');
    const managed = !truthy(props.DefinitionBody) && !truthy(props.DefinitionUri);
    if (managed) props.DefinitionBody = skeleton();
    const { Type: _type, Properties: _props, ...attributes } = resource;
    apis.set(id, { id, props, attributes, managed, conditions: new Map(), deletionPolicies: [], updateReplacePolicies: [] });
  }

  // ImplicitRestApiPlugin: events without RestApiId go to ServerlessRestApi; their paths, conditions
  const apiEvents = (props: Props) => (isMap(props.Events) ? Object.entries(props.Events).filter(([, e]) => isMap(e) && e.Type === 'Api') : []);
  const needsImplicit = o.functions.some((f) => apiEvents(f.props).some(([, e]) => !isMap((e as Props).Properties) || !Object.hasOwn((e as Props).Properties as Props, 'RestApiId')));
  if (needsImplicit) {
    if (Object.hasOwn(o.resources, IMPLICIT_REST_API)) throw templateError(file, ['Resources', IMPLICIT_REST_API], 'SAM makes the implicit REST API of this logical id for the Api events without RestApiId: rename this resource');
    apis.set(IMPLICIT_REST_API, { id: IMPLICIT_REST_API, props: { StageName: 'Prod', DefinitionBody: skeleton() }, attributes: {}, managed: true, conditions: new Map(), deletionPolicies: [], updateReplacePolicies: [] });
  }
  const byFunction: ApiEvent[][] = [];
  for (const f of o.functions) {
    const events: ApiEvent[] = [];
    const written = f.resource as unknown as Props;
    const alias = typeof f.props.AutoPublishAlias === 'string' ? `${f.id}Alias${f.props.AutoPublishAlias}` : undefined;
    for (const [event, spec] of apiEvents(f.props)) {
      const base = ['Resources', f.id, 'Properties', 'Events', event];
      const raw = (spec as Props).Properties ?? {};
      if (!isMap(raw)) throw templateError(file, [...base, 'Properties'], 'Properties should be a map');
      for (const key of Object.keys(raw)) if (!EVENT_PROPERTIES.has(key)) throw templateError(file, [...base, 'Properties', key], 'not a property of an Api event');
      const p = structuredClone(raw);
      if (!Object.hasOwn(p, 'RestApiId')) {
        // the function's Tags on the implicit API, when it propagates them
        const implicit = apis.get(IMPLICIT_REST_API)!;
        if (truthy(f.props.PropagateTags) && isMap(f.props.Tags) && truthy(f.props.Tags)) {
          implicit.props.Tags = { ...(isMap(implicit.props.Tags) ? implicit.props.Tags : {}), ...f.props.Tags };
          implicit.props.PropagateTags = true;
        }
        p.RestApiId = { Ref: IMPLICIT_REST_API };
      }
      const apiId = isMap(p.RestApiId) && 'Ref' in p.RestApiId ? p.RestApiId.Ref : p.RestApiId;
      const target = typeof apiId === 'string' ? o.resources[apiId] : undefined;
      if (typeof apiId !== 'string' || (apiId !== IMPLICIT_REST_API && (target === undefined || target.Type === 'AWS::Serverless::HttpApi'))) {
        throw templateError(file, [...base, 'Properties', 'RestApiId'], "RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template");
      }
      if (typeof p.Path !== 'string') throw templateError(file, [...base, 'Properties', 'Path'], p.Path === undefined || p.Path === null ? 'missing: an Api event needs a Path' : 'must be a string');
      if (typeof p.Method !== 'string') throw templateError(file, [...base, 'Properties', 'Method'], p.Method === undefined || p.Method === null ? 'missing: an Api event needs a Method' : 'must be a string');
      const api = apis.get(apiId);
      if (api) {
        if (!api.conditions.has(p.Path)) api.conditions.set(p.Path, new Map());
        api.conditions.get(p.Path)!.set(p.Method, f.resource.Condition ?? null);
        api.deletionPolicies.push(written.DeletionPolicy);
        api.updateReplacePolicies.push(written.UpdateReplacePolicy);
        if (api.managed && isValidSwagger(api.props.DefinitionBody)) addPath(file, at(apiId, 'DefinitionBody'), api.props.DefinitionBody as Props, p.Path, p.Method);
      }
      const attributes: Partial<TemplateResource> = {};
      for (const a of PASSTHROUGH) if (written[a] !== undefined) (attributes as Props)[a] = written[a];
      events.push({ fn: f.id, event, p, path: p.Path, method: p.Method.toLowerCase(), apiId, condition: f.resource.Condition, alias, attributes });
    }
    byFunction.push(events);
  }

  // the implicit API's attributes, and the managed APIs' paths, under their functions' conditions
  const implicit = apis.get(IMPLICIT_REST_API);
  if (implicit && needsImplicit) {
    const all = new Set([...implicit.conditions.values()].flatMap((m) => [...m.values()]));
    if (all.size > 0 && !all.has(null)) {
      const names = [...all] as string[];
      if (names.length === 1) implicit.attributes.Condition = names[0];
      else {
        implicit.attributes.Condition = `${IMPLICIT_REST_API}Condition`;
        Object.assign(out.conditions, combinedCondition(names.sort(), `${IMPLICIT_REST_API}Condition`));
      }
    }
    const policy = (values: unknown[], order: string[]) => order.find((v) => values.includes(v));
    const deletion = policy(implicit.deletionPolicies, ['Retain', 'Delete']);
    if (deletion) (implicit.attributes as Props).DeletionPolicy = deletion;
    const updateReplace = policy(implicit.updateReplacePolicies, ['Retain', 'Snapshot', 'Delete']);
    if (updateReplace) (implicit.attributes as Props).UpdateReplacePolicy = updateReplace;
  }
  for (const api of apis.values()) {
    if (!api.managed) continue;
    const paths = (api.props.DefinitionBody as Props).paths as Props;
    for (const path of Object.keys(paths)) {
      const all = new Set(api.conditions.get(path)?.values() ?? []);
      if (all.size === 0 || all.has(null)) continue;
      const names = [...all] as string[];
      if (names.length === 1) paths[path] = conditional(names[0]!, paths[path]);
      else {
        const name = `${api.id}${path.replaceAll('/', 'SLASH').replaceAll('{', 'OB').replaceAll('}', 'CB')}PathCondition`;
        Object.assign(out.conditions, combinedCondition(names.sort(), name));
        paths[path] = conditional(name, paths[path]);
      }
    }
  }

  // GlobalsPlugin: Globals.Api into every REST API, the implicit one too; OpenApiVersion on a managed body
  if (o.globals !== undefined) {
    if (!isMap(o.globals)) throw templateError(file, ['Globals', 'Api'], 'must be a map');
    for (const key of Object.keys(o.globals)) if (!REST_API_GLOBALS.includes(key)) throw templateError(file, ['Globals', 'Api', key], `not a property Globals.Api may set (${REST_API_GLOBALS.join(', ')})`);
    for (const api of apis.values()) api.props = o.merge(structuredClone(o.globals), api.props) as Props;
  }
  for (const api of apis.values()) {
    for (const [key, value] of Object.entries(api.props)) {
      const types = REST_API_PROPERTIES[key];
      if (types === undefined || value === undefined || value === null || isIntrinsic(value)) continue;
      const kind = isMap(value) ? 'map' : Array.isArray(value) ? 'list' : typeof value;
      if (!(types as string[]).includes(kind)) throw templateError(file, at(api.id, key), `must be a ${types.join(' or ')}`);
    }
    if (api.props.StageName === undefined || api.props.StageName === null) throw templateError(file, at(api.id, 'StageName'), "Missing required property 'StageName'");
    if (api.props.StageName === '') throw templateError(file, at(api.id, 'StageName'), 'StageName cannot be empty');
    const version = api.props.OpenApiVersion;
    if (api.managed && version !== undefined && OPENAPI_3.test(versionText(version))) {
      api.props.OpenApiVersion = versionText(version);
      const body = api.props.DefinitionBody as Props;
      body.openapi = api.props.OpenApiVersion;
      delete body.swagger;
    }
  }

  // the events (Api.to_cloudformation): a function's in the order of their Path
  for (const events of byFunction) {
    const sorted = [...events].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const e of sorted) expandEvent(o, out, apis, e);
  }

  // the APIs (ApiGenerator): explicit ones in template order, then the implicit one
  const recordSetGroups = new Map<string, Props>();
  const shared: SharedPlan = { apiStages: [], stageKeys: [], dependsOn: [], conditions: [], anyWithoutCondition: false };
  for (const api of apis.values()) {
    const made = generateRestApi(file, api, recordSetGroups, shared, out);
    for (const [id, resource] of Object.entries(made)) {
      // a domain several APIs share (Globals.Api's), the record sets and the shared usage plan are made once, the last write kept as SAM keeps it
      if (Object.hasOwn(out.resources, id) && !/^(RecordSetGroup|ApiGatewayDomainName|Serverless(UsagePlan|ApiKey|UsagePlanKey)$)/.test(id)) throw templateError(file, ['Resources', api.id], `SAM would make two resources of logical id ${id}`);
      out.resources[id] = resource;
    }
  }
  if (shared.conditions.length > 1 && !shared.anyWithoutCondition) out.conditions[SHARED_CONDITION] = { 'Fn::Or': shared.conditions.map((c) => ({ Condition: c })) };
  return out;
}

/** Api.to_cloudformation: the permission, and (a managed body, or MergeDefinitions) the method in the API's body. */
function expandEvent(o: SamRestApiInput, out: SamRestApiExpansion, apis: Map<string, RestApi>, e: ApiEvent): void {
  const { file } = o;
  const base: TemplatePath = ['Resources', e.fn, 'Properties', 'Events', e.event, 'Properties'];
  const api = apis.get(e.apiId);
  // the API's properties as the event sees them: the SAM API's, or a RestApi's written out
  const explicit = api ? api.props : ((o.resources[e.apiId]?.Properties ?? {}) as Props);
  const stage = explicit.StageName;
  if (stage === '') throw templateError(file, ['Resources', e.apiId], 'StageName cannot be empty.');
  const suffix = typeof stage === 'string' ? stage : 'Stage';
  e.p.Stage = suffix;
  const invoked = e.alias ?? e.fn;

  // the permission: API Gateway may invoke the function for this method on every stage
  const path = e.path.replace(/^(.+)\/$/, '$1').replace(/\{([a-zA-Z0-9._-]+|[a-zA-Z0-9._-]+\+|proxy\+)\}/g, '*');
  const method = e.method === 'any' ? '*' : e.method.toUpperCase();
  const permissionId = isAlnum(suffix) ? `${e.fn}${e.event}Permission${suffix}` : `${e.fn}${e.event}Permission${samHash(suffix)}`;
  out.resources[permissionId] = {
    Type: 'AWS::Lambda::Permission',
    Properties: {
      Action: 'lambda:InvokeFunction',
      FunctionName: { Ref: invoked },
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Sub': [`arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${__ApiId__}/\${__Stage__}/${method}${path}`, { __ApiId__: e.p.RestApiId, __Stage__: '*' }] },
    },
    ...e.attributes,
  };
  if (!api) return;

  const auth = e.p.Auth;
  if (auth !== undefined && !isMap(auth)) throw templateError(file, [...base, 'Auth'], 'must be a map');
  if (api.managed || explicit.MergeDefinitions === true) {
    addSwaggerIntegration(file, base, api, e, invoked);
    return;
  }
  // an explicit definition is the author's; OverrideApiAuth sets the event's auth in it all the same
  const body = explicit.DefinitionBody;
  if (isMap(body) && isMap(auth) && truthy(auth.OverrideApiAuth)) {
    if (!truthy(auth.Authorizer) && !truthy(auth.ApiKeyRequired) && !truthy(auth.ResourcePolicy)) {
      throw templateError(file, [...base, 'Auth'], 'Must define one of: Authorizer, ApiKeyRequired or ResourcePolicy when using the OverrideApiAuth property.');
    }
    if (!isValidSwagger(body)) throw templateError(file, ['Resources', api.id, 'Properties', 'DefinitionBody'], "Invalid Swagger document or the Swagger document is not explicitly defined in 'DefinitionBody'.");
    addEventAuth(file, base, api, body, e.path, e.method, auth);
  }
}

/** Api._add_swagger_integration: the method's aws_proxy integration, auth, timeout, request parameters and model. */
function addSwaggerIntegration(file: string, base: TemplatePath, api: RestApi, e: ApiEvent, invoked: string): void {
  const bodyAt: TemplatePath = ['Resources', api.id, 'Properties', 'DefinitionBody'];
  const own = api.props.DefinitionBody;
  if (own === undefined || own === null) return;
  const merging = api.props.MergeDefinitions === true && !api.managed;
  const doc = (merging ? skeleton() : own) as Props;
  if (!isValidSwagger(doc)) throw templateError(file, bodyAt, "Invalid Swagger document or the Swagger document is not explicitly defined in 'DefinitionBody'.");
  if (hasIntegration(file, bodyAt, doc, e.path, e.method)) throw templateError(file, base, `API method "${e.method}" defined multiple times for path "${e.path}".`);
  const streaming = e.p.ResponseTransferMode === 'RESPONSE_STREAM';
  const target = e.alias ? `\${${e.alias}}` : `\${${e.fn}.Arn}`;
  const uri = { 'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/${streaming ? '2021-11-15' : '2015-03-31'}/functions/${target}/${streaming ? 'response-streaming-invocations' : 'invocations'}` };
  const methodAuth = (isMap(e.p.Auth) ? e.p.Auth : {}) as Props;
  const apiAuth = api.props.Auth ?? {};
  if (!isMap(apiAuth)) throw templateError(file, ['Resources', api.id, 'Properties', 'Auth'], 'must be a map');
  addLambdaIntegration(file, bodyAt, doc, e.path, e.method, uri, methodAuth, apiAuth, e.condition, streaming);
  if (truthy(e.p.Auth)) addEventAuth(file, base, api, doc, e.path, e.method, methodAuth);
  if (truthy(e.p.TimeoutInMillis)) for (const d of methodDefinitions(file, bodyAt, doc, e.path, e.method)) (d[X_INTEGRATION] as Props).timeoutInMillis = e.p.TimeoutInMillis;
  if (truthy(e.p.RequestModel)) addRequestModel(file, base, api, doc, e);
  if (truthy(e.p.RequestParameters)) addRequestParameters(file, base, doc, e);
  if (!merging) return;
  // MergeDefinitions: the method SAM made over the author's at the same path and method
  const source = own as Props;
  const paths = (isMap(source.paths) ? source.paths : (source.paths = {})) as Props;
  const m = normalizeMethod(e.method);
  const existing = isMap(paths[e.path]) && isMap((paths[e.path] as Props)[e.method]) ? ((paths[e.path] as Props)[e.method] as Props) : {};
  const generated = ((doc.paths as Props)[e.path] as Props)[m] as Props;
  if (!isMap(paths[e.path])) paths[e.path] = {};
  (paths[e.path] as Props)[e.method] = { ...existing, ...generated };
}

/** SwaggerEditor.add_lambda_integration: an aws_proxy POST to the function; IAM-authorized methods get their credentials. */
function addLambdaIntegration(file: string, where: TemplatePath, doc: Props, path: string, method: string, uri: unknown, methodAuth: Props, apiAuth: Props, condition: string | undefined, streaming: boolean): void {
  const m = normalizeMethod(method);
  addPath(file, where, doc, path, m);
  for (const item of pathItems(file, where, doc, path)) {
    const definition = (isMap(item[m]) ? item[m] : {}) as Props;
    const integration: Props = { type: 'aws_proxy', httpMethod: 'POST', uri: condition ? conditional(condition, uri) : uri };
    if (streaming) integration.responseTransferMode = 'STREAM';
    if (methodAuth.Authorizer === 'AWS_IAM' || (apiAuth.DefaultAuthorizer === 'AWS_IAM' && !truthy(methodAuth))) {
      const roleOf = (a: Props) => (truthy(a.InvokeRole) ? a.InvokeRole : 'InvokeRole' in a ? 'NONE' : undefined);
      const role = roleOf(methodAuth) ?? roleOf(apiAuth);
      const credentials = truthy(role) && role !== 'CALLER_CREDENTIALS' ? role : { 'Fn::Sub': 'arn:${AWS::Partition}:iam::*:user/*' };
      if (credentials !== 'NONE') integration.credentials = credentials;
    }
    definition[X_INTEGRATION] = integration;
    definition.responses ??= {};
    item[m] = condition ? conditional(condition, definition) : definition;
  }
}

/** Api.add_auth_to_swagger, SwaggerEditor.add_auth_to_method: the event's authorizer and API key as the method's security. */
function addEventAuth(file: string, base: TemplatePath, api: RestApi, doc: Props, path: string, method: string, auth: Props): void {
  const apiAuth = (api.props.Auth ?? {}) as Props;
  if (!isMap(apiAuth)) throw templateError(file, ['Resources', api.id, 'Properties', 'Auth'], 'must be a map');
  const on = `on API method [${method}] for path [${path}]`;
  const authorizer = auth.Authorizer;
  const authorizers = apiAuth.Authorizers;
  if (truthy(authorizers) && !isMap(authorizers)) throw templateError(file, ['Resources', api.id, 'Properties', 'Auth', 'Authorizers'], 'must be a map');
  if (truthy(authorizer) && authorizer !== 'AWS_IAM') {
    if (authorizer !== 'NONE') {
      if (!truthy(authorizers)) throw templateError(file, [...base, 'Auth', 'Authorizer'], `Unable to set Authorizer [${String(authorizer)}] ${on} because the related API does not define any Authorizers.`);
      if (typeof authorizer !== 'string') throw templateError(file, [...base, 'Auth', 'Authorizer'], `Unable to set Authorizer [${JSON.stringify(authorizer)}] ${on}. The method authorizer must be a string with a corresponding dict entry in the api authorizer.`);
      if (!truthy((authorizers as Props)[authorizer])) throw templateError(file, [...base, 'Auth', 'Authorizer'], `Unable to set Authorizer [${authorizer}] ${on} because it wasn't defined in the API's Authorizers.`);
    } else if (!truthy(apiAuth.DefaultAuthorizer)) {
      throw templateError(file, [...base, 'Auth', 'Authorizer'], `Unable to set Authorizer ${on} because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified.`);
    }
  }
  const scopes = auth.AuthorizationScopes;
  if (truthy(scopes)) {
    if (!Array.isArray(scopes)) throw templateError(file, [...base, 'Auth', 'AuthorizationScopes'], 'must be a list');
    if (!truthy(authorizer)) throw templateError(file, [...base, 'Auth'], 'AuthorizationScopes works only when Authorizer is set');
  }
  const keyRequired = auth.ApiKeyRequired;
  if (keyRequired !== undefined && keyRequired !== null && !truthy(keyRequired) && !truthy(apiAuth.ApiKeyRequired)) {
    throw templateError(file, [...base, 'Auth', 'ApiKeyRequired'], `Unable to set ApiKeyRequired [False] ${on} because the related API does not specify any ApiKeyRequired.`);
  }
  if (!truthy(authorizer) && (keyRequired === undefined || keyRequired === null)) return;
  const bodyAt: TemplatePath = ['Resources', api.id, 'Properties', 'DefinitionBody'];
  const securityOf = (d: Props) => {
    const existing = d.security ?? [];
    if (!Array.isArray(existing)) throw templateError(file, [...bodyAt, 'paths', path], `Type of security for path ${path} method ${method} must be a list`);
    return existing as Props[];
  };
  if (truthy(authorizer)) {
    const name = authorizer as string;
    for (const d of methodDefinitions(file, bodyAt, doc, path, method)) {
      const requirement: Props = { [name]: [] };
      if (name !== 'NONE' && isMap(authorizers)) {
        const defined = authorizers[name] ?? {};
        if (!isMap(defined)) throw templateError(file, ['Resources', api.id, 'Properties', 'Auth', 'Authorizers', name], `Type of authorizer '${name}' must be a dictionary`);
        const methodScopes = scopes !== undefined && scopes !== null ? scopes : defined.AuthorizationScopes;
        if (authorizers[name] !== undefined && methodScopes !== undefined && methodScopes !== null) requirement[name] = methodScopes;
      }
      d.security = [...securityOf(d), requirement];
      if (Object.hasOwn((d.security as Props[])[0]!, 'AWS_IAM')) addIamDefinition(doc);
    }
  }
  if (keyRequired !== undefined && keyRequired !== null) {
    for (const d of methodDefinitions(file, bodyAt, doc, path, method)) {
      // `api_key_false`: the method opts out of the API's default, which SAM applies after
      if (truthy(keyRequired)) addApiKeyDefinition(file, bodyAt, doc);
      d.security = [...securityOf(d), { [truthy(keyRequired) ? 'api_key' : 'api_key_false']: [] }];
    }
  }
}

/** Api's RequestParameters: the method's parameters, and the cached ones in the integration's cacheKeyParameters. */
function addRequestParameters(file: string, base: TemplatePath, doc: Props, e: ApiEvent): void {
  const list = e.p.RequestParameters;
  const where = [...base, 'RequestParameters'];
  if (!Array.isArray(list)) throw templateError(file, where, 'must be a list');
  const name = /^method\.request\.(querystring|path|header)\./;
  const badName = "Invalid value for 'RequestParameters' property. Keys must be in the format 'method.request.[querystring|path|header].{value}', e.g 'method.request.header.Authorization'.";
  const parameters = list.map((parameter) => {
    if (typeof parameter === 'string') {
      if (!name.test(parameter)) throw templateError(file, where, badName);
      return { Name: parameter, Required: false, Caching: false };
    }
    if (!isMap(parameter)) throw templateError(file, where, "Invalid value for 'RequestParameters' property. Property must be either a string or an object");
    const [key, value] = Object.entries(parameter)[0] ?? [];
    if (key === undefined || !name.test(key)) throw templateError(file, where, badName);
    if (!isMap(value) || Object.keys(value).some((k) => k !== 'Required' && k !== 'Caching')) throw templateError(file, where, "Invalid value for 'RequestParameters' property. Values must be an object, e.g { Required: true, Caching: false }");
    return { Required: false, Caching: false, ...value, Name: key };
  });
  const bodyAt: TemplatePath = ['Resources', e.apiId, 'Properties', 'DefinitionBody'];
  for (const d of methodDefinitions(file, bodyAt, doc, e.path, e.method)) {
    const existing = (d.parameters ?? []) as unknown[];
    for (const p of parameters) {
      const [location, ...rest] = p.Name.replace('method.request.', '').split('.');
      existing.push({ in: location === 'querystring' ? 'query' : location, name: rest.join('.'), required: p.Required, type: 'string' });
      if (p.Caching === true) {
        const integration = d[X_INTEGRATION] as Props;
        integration.cacheKeyParameters = [...((integration.cacheKeyParameters ?? []) as unknown[]), p.Name];
      }
    }
    d.parameters = existing;
  }
}

/** Api's RequestModel: the model (of the API's Models) as the method's body, and its request validator. */
function addRequestModel(file: string, base: TemplatePath, api: RestApi, doc: Props, e: ApiEvent): void {
  const model = e.p.RequestModel;
  if (!isMap(model)) throw templateError(file, [...base, 'RequestModel'], 'must be a map');
  const name = model.Model;
  if (!truthy(name)) return;
  const on = `Unable to set RequestModel [${String(name)}] on API method [${e.method}] for path [${e.path}]`;
  const models = api.props.Models;
  if (!truthy(models)) throw templateError(file, [...base, 'RequestModel'], `${on} because the related API does not define any Models.`);
  if (!isIntrinsic(models) && !isMap(models)) throw templateError(file, [...base, 'RequestModel'], `${on} because the related API Models defined is of invalid type.`);
  if (typeof name !== 'string') throw templateError(file, [...base, 'RequestModel'], `${on} because the related API does not contain valid Models.`);
  if (!truthy((models as Props)[name])) throw templateError(file, [...base, 'RequestModel'], `${on} because it wasn't defined in the API's Models.`);
  const bodyAt: TemplatePath = ['Resources', api.id, 'Properties', 'DefinitionBody'];
  const lower = name.toLowerCase();
  for (const d of methodDefinitions(file, bodyAt, doc, e.path, e.method)) {
    if (doc.swagger !== undefined) {
      d.parameters = [...((d.parameters ?? []) as unknown[]), { in: 'body', name: lower, schema: { $ref: `#/definitions/${lower}` }, ...(model.Required !== undefined ? { required: model.Required } : {}) }];
    } else if (doc.openapi !== undefined && OPENAPI_3.test(versionText(doc.openapi))) {
      d.requestBody = { content: { 'application/json': { schema: { $ref: `#/components/schemas/${lower}` } } }, ...(model.Required !== undefined ? { required: model.Required } : {}) };
    }
  }
  if (model.ValidateBody === undefined && model.ValidateParameters === undefined) return;
  const body = model.ValidateBody ?? false;
  const parameters = model.ValidateParameters ?? false;
  if (typeof body !== 'boolean' || typeof parameters !== 'boolean') {
    throw templateError(file, [...base, 'RequestModel'], `Unable to set Validator to RequestModel [${name}] on API method [${e.method}] for path [${e.path}] ValidateBody and ValidateParameters must be a boolean type, strings or intrinsics are not supported.`);
  }
  const validator = body && parameters ? 'body-and-params' : body ? 'body-only' : parameters ? 'params-only' : 'no-validation';
  const validators = (isMap(doc['x-amazon-apigateway-request-validators']) ? doc['x-amazon-apigateway-request-validators'] : {}) as Props;
  validators[validator] ??= { validateRequestBody: body, validateRequestParameters: parameters };
  doc['x-amazon-apigateway-request-validators'] = validators;
  for (const d of methodDefinitions(file, bodyAt, doc, e.path, e.method)) d['x-amazon-apigateway-request-validator'] = validator;
}

/** ApiGenerator.to_cloudformation: the RestApi, its Deployment and Stage, the authorizers' permissions, the domain, the usage plan. */
function generateRestApi(file: string, api: RestApi, recordSetGroups: Map<string, Props>, shared: SharedPlan, out: SamRestApiExpansion): Record<string, TemplateResource> {
  const id = api.id;
  const p = api.props;
  const at = (...path: (string | number)[]): TemplatePath => ['Resources', id, 'Properties', ...path];
  const resources: Record<string, TemplateResource> = {};
  const passthrough: Partial<TemplateResource> = {};
  for (const a of PASSTHROUGH) if ((api.attributes as Props)[a] !== undefined) (passthrough as Props)[a] = (api.attributes as Props)[a];
  let body = truthy(p.DefinitionBody) ? (p.DefinitionBody as Props) : undefined;
  const uri = truthy(p.DefinitionUri) ? p.DefinitionUri : undefined;
  if (body !== undefined && uri !== undefined) throw templateError(file, at('DefinitionUri'), "Specify either 'DefinitionUri' or 'DefinitionBody' property and not both.");
  if (uri !== undefined && p.MergeDefinitions === true) throw templateError(file, at('MergeDefinitions'), "Cannot set 'MergeDefinitions' to True when using `DefinitionUri`.");
  if (truthy(p.OpenApiVersion) && !SUPPORTED_VERSIONS.test(versionText(p.OpenApiVersion))) throw templateError(file, at('OpenApiVersion'), "The OpenApiVersion value must be of the format '3.0.0'.");
  const bodyAt = at('DefinitionBody');
  const needBody = (key: string, what = 'Swagger') => {
    if (body === undefined) throw templateError(file, at(key), `${key} works only with inline ${what} specified in 'DefinitionBody' property.`);
    if (!isValidSwagger(body)) throw templateError(file, bodyAt, `Unable to add ${key} configuration because 'DefinitionBody' does not contain a valid Swagger definition.`);
    return body;
  };

  const restApi: Props = {};
  if (p.BinaryMediaTypes !== undefined) restApi.BinaryMediaTypes = p.BinaryMediaTypes;
  if (p.MinimumCompressionSize !== undefined) restApi.MinimumCompressionSize = p.MinimumCompressionSize;
  if (truthy(p.EndpointConfiguration)) {
    const e = p.EndpointConfiguration;
    if (isMap(e) && truthy(e.Type)) {
      restApi.Parameters = { endpointConfigurationTypes: e.Type };
      const configuration: Props = { Types: [e.Type] };
      if ('VPCEndpointIds' in e && 'VpcEndpointIds' in e) throw templateError(file, at('EndpointConfiguration'), "'VPCEndpointIds' and 'VpcEndpointIds' cannot be used together in EndpointConfiguration.");
      if ('VPCEndpointIds' in e || 'VpcEndpointIds' in e) configuration.VpcEndpointIds = e.VPCEndpointIds ?? e.VpcEndpointIds;
      if ('IpAddressType' in e) configuration.IpAddressType = e.IpAddressType;
      restApi.EndpointConfiguration = configuration;
    } else {
      restApi.EndpointConfiguration = { Types: [e] };
      restApi.Parameters = { endpointConfigurationTypes: e };
    }
  }

  // Cors: an OPTIONS MOCK method on every path
  if (truthy(p.Cors)) {
    const doc = needBody('Cors');
    let cors: Props;
    if (typeof p.Cors === 'string' || isIntrinsic(p.Cors)) cors = { AllowOrigin: p.Cors };
    else if (isMap(p.Cors)) {
      for (const key of Object.keys(p.Cors)) if (!CORS_PROPERTIES.includes(key)) throw templateError(file, at('Cors', key), `Invalid key '${key}' for 'Cors' property.`);
      cors = p.Cors;
    } else throw templateError(file, at('Cors'), "Invalid value for 'Cors' property");
    const origin = cors.AllowOrigin ?? "'*'";
    if (cors.AllowCredentials === true && origin === "'*'") throw templateError(file, at('Cors'), "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set");
    const done = new Set<string>();
    for (const path of Object.keys(doc.paths as Props)) {
      const normalized = path === '/' ? path : path.replace(/\/+$/, '');
      if (done.has(normalized)) continue;
      done.add(normalized);
      for (const item of pathItems(file, bodyAt, doc, path)) {
        if (Object.hasOwn(item, 'options')) continue;
        if (!truthy(origin)) throw templateError(file, at('Cors'), 'Invalid input. Value for AllowedOrigins is required');
        let methods = cors.AllowMethods;
        if (!truthy(methods)) {
          const keys = Object.keys(item);
          const all = keys.includes(X_ANY) ? ALL_METHODS : [...keys, 'options'];
          methods = `'${[...new Set(all.map((m) => m.toUpperCase()))].sort().join(',')}'`;
        }
        item.options = corsOptions(origin, cors.AllowHeaders, methods, cors.MaxAge, cors.AllowCredentials === true);
      }
    }
  }

  // Auth: the authorizers as securityDefinitions, DefaultAuthorizer and ApiKeyRequired on every method
  if (truthy(p.Auth)) {
    const auth = p.Auth;
    if (!isMap(auth)) throw templateError(file, at('Auth'), "Invalid value for 'Auth' property");
    if (body === undefined) throw templateError(file, at('Auth'), "Auth works only with inline Swagger specified in 'DefinitionBody' property.");
    for (const key of Object.keys(auth)) if (!AUTH_PROPERTIES.includes(key)) throw templateError(file, at('Auth', key), "Invalid value for 'Auth' property");
    const doc = needBody('Auth');
    const authorizers = readAuthorizers(file, id, auth.Authorizers, auth.DefaultAuthorizer);
    if (authorizers.size > 0) {
      const definitions = (doc.securityDefinitions ?? {}) as Props;
      if (!isMap(definitions)) throw templateError(file, [...bodyAt, 'securityDefinitions'], 'securityDefinitions must be a dictionary.');
      for (const [name, a] of authorizers) definitions[name] = a.swagger;
      doc.securityDefinitions = definitions;
      const fallback = auth.DefaultAuthorizer;
      if (truthy(fallback)) {
        if (typeof fallback !== 'string') throw templateError(file, at('Auth', 'DefaultAuthorizer'), 'DefaultAuthorizer is not a string.');
        if (!authorizers.has(fallback) && fallback !== 'AWS_IAM') throw templateError(file, at('Auth', 'DefaultAuthorizer'), `Unable to set DefaultAuthorizer because '${fallback}' was not defined in 'Authorizers'.`);
        for (const path of Object.keys(doc.paths as Props)) setDefaultAuthorizer(file, bodyAt, doc, path, fallback, authorizers, auth.AddDefaultAuthorizerToCorsPreflight !== false);
      }
    }
    if (truthy(auth.ApiKeyRequired)) {
      addApiKeyDefinition(file, bodyAt, doc);
      for (const path of Object.keys(doc.paths as Props)) setDefaultApiKeyRequired(file, bodyAt, doc, path, auth.AddApiKeyRequiredToCorsPreflight !== false);
    }
    // SAM post-processes an OpenAPI 3 body here and again at the end (a CORS method's headers wrapped twice)
    body = openApi3(doc);
  }

  // GatewayResponses: the body's x-amazon-apigateway-gateway-responses
  if (truthy(p.GatewayResponses)) {
    if (body === undefined) throw templateError(file, at('GatewayResponses'), "GatewayResponses works only with inline Swagger specified in 'DefinitionBody' property.");
    const responses = p.GatewayResponses as Props;
    const made: Props = {};
    for (const [type, r] of Object.entries(responses)) {
      if (isIntrinsic(r)) throw templateError(file, at('GatewayResponses', type), 'Unable to set GatewayResponses attribute because intrinsic functions are not supported for this field.');
      if (!isMap(r)) throw templateError(file, at('GatewayResponses', type), `Invalid property type '${Array.isArray(r) ? 'list' : typeof r}' for GatewayResponses. Expected an object of type 'GatewayResponse'.`);
      for (const key of Object.keys(r)) if (!['ResponseParameters', 'ResponseTemplates', 'StatusCode'].includes(key)) throw templateError(file, at('GatewayResponses', type, key), `Invalid property '${key}' in 'GatewayResponses' property '${type}'.`);
      const parameters: Props = {};
      const given = (r.ResponseParameters ?? {}) as Props;
      for (const key of Object.keys(given)) if (!['Headers', 'Paths', 'QueryStrings'].includes(key)) throw templateError(file, at('GatewayResponses', type, 'ResponseParameters', key), `Invalid gateway response parameter '${key}'`);
      for (const [key, prefix] of [['Headers', 'header.'], ['Paths', 'path.'], ['QueryStrings', 'querystring.']] as const) {
        for (const [name, value] of Object.entries((given[key] ?? {}) as Props)) parameters[`gatewayresponse.${prefix}${name}`] = value;
      }
      const status = r.StatusCode === undefined || r.StatusCode === null ? undefined : String(r.StatusCode);
      if (status !== undefined && !/^[0-9]{1,3}$/.test(status)) throw templateError(file, at('GatewayResponses', type, 'StatusCode'), "Property 'StatusCode' must be numeric");
      made[type] = { responseParameters: parameters, responseTemplates: r.ResponseTemplates ?? {}, ...(status !== undefined ? { statusCode: status } : {}) };
    }
    const doc = needBody('GatewayResponses');
    doc['x-amazon-apigateway-gateway-responses'] = { ...(isMap(doc['x-amazon-apigateway-gateway-responses']) ? doc['x-amazon-apigateway-gateway-responses'] : {}), ...made };
  }

  // BinaryMediaTypes: the body's too, `~1` written `/`
  if (truthy(p.BinaryMediaTypes) && body !== undefined) {
    const unescape = (v: unknown): unknown => (typeof v === 'string' ? v.replaceAll('~1', '/') : Array.isArray(v) ? v.map(unescape) : isMap(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replaceAll('~1', '/'), unescape(x)])) : v);
    body['x-amazon-apigateway-binary-media-types'] = unescape(p.BinaryMediaTypes);
  }

  // Models: the body's definitions
  if (truthy(p.Models)) {
    if (body === undefined) throw templateError(file, at('Models'), "Models works only with inline Swagger specified in 'DefinitionBody' property.");
    if (!isValidSwagger(body)) throw templateError(file, bodyAt, "Unable to add Models definitions because 'DefinitionBody' does not contain a valid Swagger definition.");
    const models = p.Models as Props;
    if (!Object.values(models).every(isMap)) throw templateError(file, at('Models'), "Invalid value for 'Models' property");
    const definitions = (isMap(body.definitions) ? body.definitions : {}) as Props;
    for (const [name, schema] of Object.entries(models)) {
      if (!truthy((schema as Props).type)) throw templateError(file, at('Models', name), "'Models' schema is missing 'type'.");
      definitions[name.toLowerCase()] = schema;
    }
    body.definitions = definitions;
    body = openApi3(body);
  }

  if (truthy(p.FailOnWarnings)) restApi.FailOnWarnings = p.FailOnWarnings;
  if (p.DisableExecuteApiEndpoint !== undefined && p.DisableExecuteApiEndpoint !== null) {
    if (body === undefined) throw templateError(file, at('DisableExecuteApiEndpoint'), "DisableExecuteApiEndpoint works only within 'DefinitionBody' property.");
    const setting = { disableExecuteApiEndpoint: p.DisableExecuteApiEndpoint };
    const merged = (v: unknown) => {
      if (v !== undefined && !isMap(v)) throw templateError(file, bodyAt, "Invalid OpenAPI definition: The value of 'x-amazon-apigateway-endpoint-configuration' should be a map.");
      return { ...(v ?? {}), ...setting };
    };
    if (body.openapi !== undefined && OPENAPI_3.test(versionText(body.openapi))) {
      const servers = (body.servers ?? [{}]) as unknown[];
      if (!Array.isArray(servers) || servers.some((s) => !isMap(s))) throw templateError(file, [...bodyAt, 'servers'], "Invalid OpenAPI definition of 'servers'");
      for (const s of servers as Props[]) s['x-amazon-apigateway-endpoint-configuration'] = merged(s['x-amazon-apigateway-endpoint-configuration']);
      body.servers = servers;
    } else body['x-amazon-apigateway-endpoint-configuration'] = merged(body['x-amazon-apigateway-endpoint-configuration']);
  }
  if (uri !== undefined) restApi.BodyS3Location = bodyS3Location(file, at('DefinitionUri'), uri);
  else if (body !== undefined) {
    body = openApi3(body);
    restApi.Body = body;
  }
  for (const key of ['Name', 'Description', 'Mode', 'ApiKeySourceType', 'Policy', 'SecurityPolicy', 'EndpointAccessMode']) if (truthy(p[key])) restApi[key] = p[key];
  resources[id] = { ...api.attributes, Type: 'AWS::ApiGateway::RestApi', Properties: restApi };

  // Domain: the custom domain, its base path mappings and Route53 records
  const domain = expandDomain(file, api, passthrough, recordSetGroups, out);
  Object.assign(resources, domain.resources);

  // the deployment, named by a hash of what it deploys, and the stage
  const deploymentId = `${id}Deployment`;
  const deployment: Props = { RestApiId: { Ref: id } };
  if (!truthy(p.OpenApiVersion)) deployment.StageName = 'Stage';
  const deployed = restApi.Body ?? restApi.BodyS3Location;
  let deploymentLogicalId = deploymentId;
  if (truthy(deployed)) {
    const inputs = [jsonText(deployed), ...(truthy(p.OpenApiVersion) ? [versionText(p.OpenApiVersion)] : []), ...(truthy(p.Domain) ? [jsonText(p.Domain)] : [])];
    // AlwaysDeploy: a new deployment on every deploy (SAM hashes the time; here each read of the template is one deploy)
    if (p.AlwaysDeploy === true) inputs.splice(0, inputs.length, String(Math.floor(Date.now() / 1000)));
    const digest = createHash('sha1').update(inputs.join('||'), 'utf8').digest('hex');
    deploymentLogicalId = `${deploymentId}${digest.slice(0, 10)}`;
    deployment.Description = `RestApi deployment id: ${digest}`;
  }
  resources[deploymentLogicalId] = { Type: 'AWS::ApiGateway::Deployment', Properties: deployment, ...passthrough };
  out.references.set(`${id}.Deployment`, deploymentLogicalId);

  const stageName = p.StageName;
  const prefix = typeof stageName === 'string' ? stageName : '';
  const stageId = isAlnum(prefix) ? `${id}${prefix}Stage` : `${id}Stage${samHash(prefix)}`;
  const stage: Props = { RestApiId: { Ref: id }, DeploymentId: { Ref: deploymentLogicalId }, StageName: stageName };
  const stageKeys: Array<[string, string]> = [['CacheClusterEnabled', 'CacheClusterEnabled'], ['CacheClusterSize', 'CacheClusterSize'], ['Variables', 'Variables'], ['MethodSettings', 'MethodSettings'], ['AccessLogSetting', 'AccessLogSetting'], ['CanarySetting', 'CanarySetting'], ['TracingEnabled', 'TracingEnabled']];
  for (const [from, to] of stageKeys) if (p[from] !== undefined && p[from] !== null) stage[to] = p[from];
  if (p.Tags !== undefined && p.Tags !== null) stage.Tags = Object.entries(p.Tags as Props).map(([Key, Value]) => ({ Key, Value: Value ?? '' }));
  resources[stageId] = { Type: 'AWS::ApiGateway::Stage', Properties: stage, ...passthrough };
  out.references.set(`${id}.Stage`, stageId);

  // the Lambda authorizers' permissions
  if (isMap(p.Auth)) {
    for (const [name, a] of readAuthorizers(file, id, p.Auth.Authorizers, undefined)) {
      if (!truthy(a.functionArn) || a.disableDefaultPermissions === true) continue;
      resources[`${id}${name}AuthorizerPermission`] = {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: a.functionArn,
          Principal: 'apigateway.amazonaws.com',
          SourceArn: { 'Fn::Sub': ['arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*', { __ApiId__: { Ref: id } }] },
        },
        ...passthrough,
      };
    }
  }

  // Auth.UsagePlan: the plan, a key and the key in the plan
  Object.assign(resources, usagePlan(file, api, stageId, passthrough, shared, out));
  // PropagateTags: the API's Tags on what SAM made of it that takes tags
  if (truthy(p.PropagateTags) && isMap(p.Tags) && truthy(p.Tags)) {
    const tags = Object.entries(p.Tags).map(([Key, Value]) => ({ Key, Value: Value ?? '' }));
    for (const r of Object.values(resources)) if (TAGGED_TYPES.has(r.Type)) r.Properties = { ...r.Properties, Tags: tags };
  }
  return resources;
}

/** ApiGenerator._construct_usage_plan: PER_API (`{Api}UsagePlan`…) or SHARED among the APIs (`ServerlessUsagePlan`…). */
function usagePlan(file: string, api: RestApi, stageId: string, passthrough: Partial<TemplateResource>, shared: SharedPlan, out: SamRestApiExpansion): Record<string, TemplateResource> {
  const id = api.id;
  const at = (...path: (string | number)[]): TemplatePath => ['Resources', id, 'Properties', 'Auth', 'UsagePlan', ...path];
  const auth = api.props.Auth;
  if (!isMap(auth) || auth.UsagePlan === undefined || auth.UsagePlan === null) return {};
  const plan = auth.UsagePlan;
  if (!isMap(plan)) throw templateError(file, at(), "'UsagePlan' must be a dictionary");
  for (const key of Object.keys(plan)) if (!USAGE_PLAN_PROPERTIES.includes(key)) throw templateError(file, at(key), "Invalid property for 'UsagePlan'");
  const create = plan.CreateUsagePlan;
  if (create === undefined || create === null) throw templateError(file, at('CreateUsagePlan'), "'CreateUsagePlan' is a required field for UsagePlan.");
  if (isIntrinsic(create)) throw templateError(file, at('CreateUsagePlan'), 'SAM resolves a parameter here from its value, which the emulator does not: write SHARED, PER_API or NONE');
  if (create !== 'SHARED' && create !== 'PER_API' && create !== 'NONE') throw templateError(file, at('CreateUsagePlan'), "'CreateUsagePlan' accepts one of ['SHARED', 'PER_API', 'NONE'].");
  if (create === 'NONE') return {};
  const apiStage = { ApiId: { Ref: id }, Stage: { Ref: stageId } };
  const stageKey = { RestApiId: { Ref: id }, StageName: { Ref: stageId } };
  const properties: Props = {};
  let planId: string;
  let keyId: string;
  let planKeyId: string;
  let attributes: Partial<TemplateResource>;
  let dependsOn: string[];
  let stageKeys: Props[];
  if (create === 'PER_API') {
    planId = `${id}UsagePlan`;
    keyId = `${id}ApiKey`;
    planKeyId = `${id}UsagePlanKey`;
    attributes = passthrough;
    dependsOn = [id];
    properties.ApiStages = [apiStage];
    stageKeys = [stageKey];
  } else {
    planId = 'ServerlessUsagePlan';
    keyId = 'ServerlessApiKey';
    planKeyId = 'ServerlessUsagePlanKey';
    if (!shared.dependsOn.includes(id)) shared.dependsOn.push(id);
    const same = (a: Props, b: Props) => JSON.stringify(a) === JSON.stringify(b);
    if (!shared.apiStages.some((s) => same(s, apiStage))) shared.apiStages.push(apiStage);
    if (!shared.stageKeys.some((s) => same(s, stageKey))) shared.stageKeys.push(stageKey);
    attributes = sharedAttributes(api, shared);
    dependsOn = shared.dependsOn;
    properties.ApiStages = shared.apiStages;
    stageKeys = shared.stageKeys;
    // every API sharing the plan rewrites the three with what they now share
    for (const other of ['ServerlessUsagePlan', 'ServerlessApiKey', 'ServerlessUsagePlanKey']) {
      const made = out.resources[other];
      if (made) {
        delete made.Condition;
        Object.assign(made, attributes);
      }
    }
  }
  for (const key of ['UsagePlanName', 'Description', 'Quota', 'Tags', 'Throttle']) if (truthy(plan[key])) properties[key] = plan[key];
  out.references.set(`${id}.UsagePlan`, planId).set(`${id}.ApiKey`, keyId).set(`${id}.UsagePlanKey`, planKeyId);
  return {
    [planId]: { Type: 'AWS::ApiGateway::UsagePlan', DependsOn: [...dependsOn], Properties: properties, ...attributes },
    [keyId]: { Type: 'AWS::ApiGateway::ApiKey', DependsOn: [planId], Properties: { Enabled: true, StageKeys: stageKeys }, ...attributes },
    [planKeyId]: { Type: 'AWS::ApiGateway::UsagePlanKey', DependsOn: [keyId], Properties: { KeyId: { Ref: keyId }, KeyType: 'API_KEY', UsagePlanId: { Ref: planId } }, ...attributes },
  };
}

/**
 * SharedApiUsagePlan.get_combined_resource_attributes: Retain wins over Delete; the shared
 * resources are conditional only when every API sharing them is (on any of their conditions;
 * SAM names a lone condition itself where several are Fn::Or'ed into SharedUsagePlanCondition).
 */
function sharedAttributes(api: RestApi, shared: SharedPlan): Partial<TemplateResource> {
  const a = api.attributes as Props;
  if (typeof a.DeletionPolicy === 'string' && (shared.deletionPolicy === undefined || a.DeletionPolicy === 'Retain')) shared.deletionPolicy = a.DeletionPolicy;
  const replace = a.UpdateReplacePolicy;
  if (typeof replace === 'string' && (shared.updateReplacePolicy === undefined || replace === 'Retain' || (replace === 'Snapshot' && shared.updateReplacePolicy === 'Delete'))) shared.updateReplacePolicy = replace;
  if (typeof a.Condition === 'string') {
    if (!shared.conditions.includes(a.Condition)) shared.conditions.push(a.Condition);
  } else shared.anyWithoutCondition = true;
  const out: Props = {};
  if (shared.deletionPolicy) out.DeletionPolicy = shared.deletionPolicy;
  if (shared.updateReplacePolicy) out.UpdateReplacePolicy = shared.updateReplacePolicy;
  if (shared.conditions.length > 0 && !shared.anyWithoutCondition) out.Condition = shared.conditions.length === 1 ? shared.conditions[0] : SHARED_CONDITION;
  return out as Partial<TemplateResource>;
}

interface Authorizer {
  swagger: Props;
  functionArn?: unknown;
  scopes: unknown;
  disableDefaultPermissions?: unknown;
}

/** ApiGenerator._get_authorizers, ApiGatewayAuthorizer.generate_swagger: each authorizer as its securityDefinitions entry. */
function readAuthorizers(file: string, apiId: string, config: unknown, fallback: unknown): Map<string, Authorizer> {
  const out = new Map<string, Authorizer>();
  const at = (...path: (string | number)[]): TemplatePath => ['Resources', apiId, 'Properties', 'Auth', 'Authorizers', ...path];
  if (fallback === 'AWS_IAM') out.set('AWS_IAM', { swagger: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' }, scopes: [] });
  if (!truthy(config)) return out;
  if (!isMap(config)) throw templateError(file, at(), 'must be a map');
  for (const [name, a] of Object.entries(config)) {
    if (!isMap(a)) throw templateError(file, at(name), 'must be a map');
    const payload = a.FunctionPayloadType;
    if (payload !== undefined && payload !== null && payload !== 'TOKEN' && payload !== 'REQUEST') throw templateError(file, at(name, 'FunctionPayloadType'), `${name} Authorizer has invalid 'FunctionPayloadType': ${String(payload)}.`);
    const identity = a.Identity;
    if (truthy(identity) && !isMap(identity)) throw templateError(file, at(name, 'Identity'), 'Auth.Authorizers.<Authorizer>.Identity must be a dict (LambdaTokenAuthorizationIdentity, LambdaRequestAuthorizationIdentity or CognitoAuthorizationIdentity).');
    const id = (isMap(identity) ? identity : {}) as Props;
    if (payload === 'REQUEST') {
      const sources = ['Headers', 'QueryStrings', 'StageVariables', 'Context'].some((k) => truthy(id[k]));
      const ttl = id.ReauthorizeEvery;
      const zero = ttl !== undefined && ttl !== null && Number(ttl) === 0;
      if (!sources && !zero) throw templateError(file, at(name, 'Identity'), `${name} Authorizer must specify Identity with at least one of Headers, QueryStrings, StageVariables, or Context.`);
    }
    if (a.AuthorizationScopes !== undefined && a.AuthorizationScopes !== null && !Array.isArray(a.AuthorizationScopes)) throw templateError(file, at(name, 'AuthorizationScopes'), 'must be a list');
    if (a.DisableFunctionDefaultPermissions !== undefined && a.DisableFunctionDefaultPermissions !== null && typeof a.DisableFunctionDefaultPermissions !== 'boolean') {
      throw templateError(file, at(name, 'DisableFunctionDefaultPermissions'), 'must be a boolean');
    }
    const cognito = truthy(a.UserPoolArn);
    const request = !cognito && payload === 'REQUEST';
    const swagger: Props = { type: 'apiKey', name: request ? 'Unused' : truthy(id.Header) ? id.Header : 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': cognito ? 'cognito_user_pools' : 'custom' };
    const extension: Props = {};
    if (cognito) {
      extension.type = 'cognito_user_pools';
      extension.providerARNs = Array.isArray(a.UserPoolArn) ? a.UserPoolArn : [a.UserPoolArn];
    } else {
      extension.type = request ? 'request' : 'token';
      extension.authorizerUri = { 'Fn::Sub': ['arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations', { __FunctionArn__: a.FunctionArn }] };
      if (id.ReauthorizeEvery !== undefined && id.ReauthorizeEvery !== null) extension.authorizerResultTtlInSeconds = id.ReauthorizeEvery;
      if (truthy(a.FunctionInvokeRole) && a.FunctionInvokeRole !== 'NONE') extension.authorizerCredentials = a.FunctionInvokeRole;
      if (request) {
        const parts: string[] = [];
        for (const [key, prefix] of [['Headers', 'method.request.header.'], ['QueryStrings', 'method.request.querystring.'], ['StageVariables', 'stageVariables.'], ['Context', 'context.']] as const) {
          const values = id[key];
          if (!truthy(values)) continue;
          if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) throw templateError(file, at(name, 'Identity', key), 'must be a list of strings');
          parts.push(...values.map((v) => prefix + v));
        }
        if (parts.length > 0) extension.identitySource = parts.join(', ');
      }
    }
    // the validation expression is a Cognito or TOKEN authorizer's
    if ((cognito || !request) && truthy(id.ValidationExpression)) extension.identityValidationExpression = id.ValidationExpression;
    swagger[X_AUTHORIZER] = extension;
    out.set(name, { swagger, ...(cognito ? {} : { functionArn: a.FunctionArn }), scopes: a.AuthorizationScopes ?? [], disableDefaultPermissions: a.DisableFunctionDefaultPermissions });
  }
  return out;
}

/** SwaggerEditor.set_path_default_authorizer: the default authorizer on each method with an integration, unless it names its own or NONE. */
function setDefaultAuthorizer(file: string, where: TemplatePath, doc: Props, path: string, fallback: string, authorizers: Map<string, Authorizer>, preflight: boolean): void {
  const names = new Set(['AWS_IAM', ...authorizers.keys()]);
  for (const [method, d] of methodsOfPath(file, where, doc, path)) {
    if (!preflight && method === 'options') continue;
    const existing = d.security ?? [];
    if (!Array.isArray(existing)) throw templateError(file, [...where, 'paths', path], `Type of security for path ${path} method ${method} must be a list`);
    const others: Props[] = [];
    const own: Props[] = [];
    for (const s of existing) {
      if (!isMap(s)) throw templateError(file, [...where, 'paths', path], `${JSON.stringify(s)} in Security for path ${path} method ${method} is not a valid dictionary.`);
      (Object.keys(s).some((k) => names.has(k)) ? own : others).push(s);
    }
    const none = others.findIndex((s) => Object.hasOwn(s, 'NONE'));
    let chosen: Props[] = [];
    if (none > -1) others.splice(none, 1);
    else if (own.length > 0) chosen = own;
    else chosen = [{ [fallback]: authorizers.get(fallback)?.scopes ?? [] }];
    const security = [...others, ...chosen];
    if (security.length > 0) {
      d.security = security;
      if (Object.hasOwn(security[0]!, 'AWS_IAM')) addIamDefinition(doc);
    }
  }
}

/** SwaggerEditor.set_path_default_apikey_required: `api_key` on each method with an integration, unless it opts out (`api_key_false`). */
function setDefaultApiKeyRequired(file: string, where: TemplatePath, doc: Props, path: string, preflight: boolean): void {
  for (const [method, d] of methodsOfPath(file, where, doc, path)) {
    const existing = d.security ?? [];
    if (!Array.isArray(existing)) throw templateError(file, [...where, 'paths', path], `Type of security for path ${path} method ${method} must be a list`);
    const others: Props[] = [];
    const keys: Props[] = [];
    for (const s of existing) {
      if (!isMap(s)) throw templateError(file, [...where, 'paths', path], `${JSON.stringify(s)} in Security for path ${path} method ${method} is not a valid dictionary.`);
      (Object.hasOwn(s, 'api_key') || Object.hasOwn(s, 'api_key_false') ? keys : others).push(s);
    }
    const optOut = keys.some((s) => Object.hasOwn(s, 'api_key_false'));
    let security = optOut ? others : [...others, { api_key: [] }];
    if (method === 'options' && !preflight) security = others;
    if (JSON.stringify(security) !== JSON.stringify(existing)) d.security = security;
  }
}

function addApiKeyDefinition(file: string, where: TemplatePath, doc: Props): void {
  const definitions = (doc.securityDefinitions ?? {}) as Props;
  if (!isMap(definitions)) throw templateError(file, [...where, 'securityDefinitions'], 'securityDefinitions must be a dictionary.');
  definitions.api_key ??= { type: 'apiKey', name: 'x-api-key', in: 'header' };
  doc.securityDefinitions = definitions;
}

function addIamDefinition(doc: Props): void {
  const definitions = (isMap(doc.securityDefinitions) ? doc.securityDefinitions : {}) as Props;
  definitions.AWS_IAM ??= { 'x-amazon-apigateway-authtype': 'awsSigv4', type: 'apiKey', name: 'Authorization', in: 'header' };
  doc.securityDefinitions = definitions;
}

/** SwaggerEditor._options_method_response_for_cors: the OPTIONS MOCK method answering a preflight. */
function corsOptions(origin: unknown, headers: unknown, methods: unknown, maxAge: unknown, credentials: boolean): Props {
  const parameters: Props = { 'method.response.header.Access-Control-Allow-Origin': origin };
  const responseHeaders: Props = { 'Access-Control-Allow-Origin': { type: 'string' } };
  if (truthy(headers)) {
    parameters['method.response.header.Access-Control-Allow-Headers'] = headers;
    responseHeaders['Access-Control-Allow-Headers'] = { type: 'string' };
  }
  if (truthy(methods)) {
    parameters['method.response.header.Access-Control-Allow-Methods'] = methods;
    responseHeaders['Access-Control-Allow-Methods'] = { type: 'string' };
  }
  if (maxAge !== undefined && maxAge !== null) {
    parameters['method.response.header.Access-Control-Max-Age'] = maxAge;
    responseHeaders['Access-Control-Max-Age'] = { type: 'integer' };
  }
  if (credentials) {
    parameters['method.response.header.Access-Control-Allow-Credentials'] = "'true'";
    responseHeaders['Access-Control-Allow-Credentials'] = { type: 'string' };
  }
  return {
    summary: 'CORS support',
    consumes: ['application/json'],
    produces: ['application/json'],
    [X_INTEGRATION]: {
      type: 'mock',
      requestTemplates: { 'application/json': '{\n  "statusCode" : 200\n}\n' },
      responses: { default: { statusCode: '200', responseParameters: parameters, responseTemplates: { 'application/json': '{}\n' } } },
    },
    responses: { '200': { description: 'Default response for CORS method', headers: responseHeaders } },
  };
}

/** ApiGenerator._openapi_postprocess: an OpenAPI 3 body's security schemes and schemas under components; CORS methods as OpenAPI 3 has them. */
function openApi3(body: Props): Props {
  if (body.swagger !== undefined || body.openapi === undefined || !OPENAPI_3.test(versionText(body.openapi))) return body;
  if (truthy(body.securityDefinitions)) {
    body.components = { ...(isMap(body.components) ? body.components : {}), securitySchemes: body.securityDefinitions };
    delete body.securityDefinitions;
  }
  if (truthy(body.definitions)) {
    body.components = { ...(isMap(body.components) ? body.components : {}), schemas: body.definitions };
    delete body.definitions;
  }
  for (const item of Object.values(isMap(body.paths) ? body.paths : {})) {
    const options = isMap(item) ? item.options : undefined;
    if (!isMap(options)) continue;
    delete options.consumes;
    delete options.produces;
    const headers = isMap(options.responses) && isMap(options.responses['200']) ? (options.responses['200'] as Props).headers : undefined;
    if (isMap(headers)) for (const [name, value] of Object.entries(headers)) headers[name] = { schema: value };
  }
  return body;
}

/** ApiGenerator._construct_api_domain: the custom domain (EDGE or REGIONAL), its base path mappings, its Route53 records. */
function expandDomain(file: string, api: RestApi, passthrough: Partial<TemplateResource>, recordSetGroups: Map<string, Props>, out: SamRestApiExpansion): { resources: Record<string, TemplateResource> } {
  const config = api.props.Domain;
  const resources: Record<string, TemplateResource> = {};
  if (config === undefined || config === null) return { resources };
  const id = api.id;
  const at = (...path: (string | number)[]): TemplatePath => ['Resources', id, 'Properties', 'Domain', ...path];
  if (!isMap(config)) throw templateError(file, at(), 'must be a map');
  if (config.DomainName === undefined || config.DomainName === null) throw templateError(file, at('DomainName'), 'missing: a custom domain needs DomainName');
  if (config.CertificateArn === undefined || config.CertificateArn === null) throw templateError(file, at('CertificateArn'), 'missing: a custom domain needs CertificateArn');
  const endpoint = config.EndpointConfiguration ?? 'REGIONAL';
  if (endpoint === 'PRIVATE') {
    // SAM makes a DomainNameV2, its access association and mappings: not written here
    out.notEmulated.push({ logicalId: `${id}Domain`, type: 'AWS::Serverless::Api Domain (PRIVATE)' });
    return { resources };
  }
  if (endpoint !== 'EDGE' && endpoint !== 'REGIONAL' && !isIntrinsic(endpoint)) throw templateError(file, at('EndpointConfiguration'), "EndpointConfiguration for Custom Domains must be one of ['EDGE', 'REGIONAL', 'PRIVATE'].");
  const domainId = `ApiGatewayDomainName${samHash(config.DomainName)}`;
  const domain: Props = { DomainName: config.DomainName, ...(endpoint === 'REGIONAL' ? { RegionalCertificateArn: config.CertificateArn } : { CertificateArn: config.CertificateArn }), EndpointConfiguration: { Types: [endpoint] } };
  if (truthy(config.IpAddressType)) (domain.EndpointConfiguration as Props).IpAddressType = config.IpAddressType;
  const mtls = config.MutualTlsAuthentication;
  if (truthy(mtls)) {
    if (!isMap(mtls) || Object.keys(mtls).some((k) => k !== 'TruststoreUri' && k !== 'TruststoreVersion')) throw templateError(file, at('MutualTlsAuthentication'), "Available Domain.MutualTlsAuthentication fields are ['TruststoreUri', 'TruststoreVersion'].");
    domain.MutualTlsAuthentication = { ...(truthy(mtls.TruststoreUri) ? { TruststoreUri: mtls.TruststoreUri } : {}), ...(truthy(mtls.TruststoreVersion) ? { TruststoreVersion: mtls.TruststoreVersion } : {}) };
  }
  for (const key of ['SecurityPolicy', 'EndpointAccessMode', 'Policy', 'OwnershipVerificationCertificateArn']) if (truthy(config[key])) domain[key] = config[key];
  resources[domainId] = { Type: 'AWS::ApiGateway::DomainName', Properties: domain, ...passthrough };
  out.references.set(`${id}.DomainName`, domainId);

  const basePath = config.BasePath;
  const basePaths = truthy(basePath) && typeof basePath === 'string' ? [basePath] : truthy(basePath) && Array.isArray(basePath) ? basePath : undefined;
  const mapping = (extra: Props): Props => ({ DomainName: { Ref: domainId }, RestApiId: { Ref: id }, Stage: { Ref: `${id}.Stage` }, ...extra });
  if (basePaths === undefined) resources[`${id}BasePathMapping`] = { Type: 'AWS::ApiGateway::BasePathMapping', Properties: mapping({}), ...passthrough };
  else {
    const normalize = config.NormalizeBasePath ?? true;
    for (const path of basePaths) {
      if (typeof path !== 'string') throw templateError(file, at('BasePath'), 'must be a list of strings');
      const kept = [...path].filter((c) => /[\p{L}\p{N}]/u.test(c)).join('');
      resources[`${id}${kept}BasePathMapping`] = { Type: 'AWS::ApiGateway::BasePathMapping', Properties: mapping({ BasePath: normalize === false ? path : kept }), ...passthrough };
    }
  }

  const route53 = config.Route53;
  if (route53 !== undefined && route53 !== null) {
    if (!isMap(route53)) throw templateError(file, at('Route53'), 'must be a map');
    if ((route53.HostedZoneId ?? null) === null && (route53.HostedZoneName ?? null) === null) throw templateError(file, at('Route53'), 'HostedZoneId or HostedZoneName is required to enable Route53 support on Custom Domains.');
    const target: Props = {};
    if (route53.EvaluateTargetHealth !== undefined && route53.EvaluateTargetHealth !== null) target.EvaluateTargetHealth = route53.EvaluateTargetHealth;
    if (endpoint === 'REGIONAL') Object.assign(target, { HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] }, DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] } });
    else Object.assign(target, { HostedZoneId: 'Z2FDTNDATAQYW2', DNSName: route53.DistributionDomainName ?? { 'Fn::GetAtt': [domainId, 'DistributionDomainName'] } });
    const routing: Props = {};
    if (route53.Region !== undefined && route53.Region !== null) routing.Region = route53.Region;
    if (route53.SetIdentifier !== undefined && route53.SetIdentifier !== null) routing.SetIdentifier = route53.SetIdentifier;
    const sets = [{ Name: config.DomainName, Type: 'A', AliasTarget: target, ...routing }, ...(route53.IpV6 === true ? [{ Name: config.DomainName, Type: 'AAAA', AliasTarget: target, ...routing }] : [])];
    const zone = truthy(route53.HostedZoneId) ? route53.HostedZoneId : route53.HostedZoneName;
    if (route53.SeparateRecordSetGroup === true) {
      const groupId = `RecordSetGroup${createHash('sha1').update(jsonText([zone, config.DomainName])).digest('hex').slice(0, 10)}`;
      resources[groupId] = { Type: 'AWS::Route53::RecordSetGroup', Properties: { ...(truthy(route53.HostedZoneId) ? { HostedZoneId: route53.HostedZoneId } : { HostedZoneName: route53.HostedZoneName }), RecordSets: sets }, ...passthrough };
    } else {
      const groupId = `RecordSetGroup${samHash(zone)}`;
      let group = recordSetGroups.get(groupId);
      if (!group) {
        group = { ...(route53.HostedZoneId !== undefined ? { HostedZoneId: route53.HostedZoneId } : {}), ...(route53.HostedZoneName !== undefined ? { HostedZoneName: route53.HostedZoneName } : {}), RecordSets: [] };
        recordSetGroups.set(groupId, group);
      }
      (group.RecordSets as unknown[]).push(...sets);
      resources[groupId] = { Type: 'AWS::Route53::RecordSetGroup', Properties: group, ...passthrough };
    }
  }
  return { resources };
}

/** ApiGenerator._construct_body_s3_dict; a local path (what `sam package` would upload) is kept as written. */
function bodyS3Location(file: string, where: TemplatePath, uri: unknown): unknown {
  if (isMap(uri)) {
    if (!truthy(uri.Bucket) || !truthy(uri.Key)) throw templateError(file, where, "'DefinitionUri' requires Bucket and Key properties to be specified.");
    return { Bucket: uri.Bucket, Key: uri.Key, ...(uri.Version !== undefined ? { Version: uri.Version } : {}) };
  }
  if (typeof uri === 'string' && uri.startsWith('s3://')) {
    const url = URL.canParse(uri) ? new URL(uri) : undefined;
    if (!url || !url.host || url.pathname.replace(/^\/+/, '') === '') throw templateError(file, where, "'DefinitionUri' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.");
    const versions = url.searchParams.getAll('versionId');
    return { Bucket: url.host, Key: url.pathname.replace(/^\/+/, ''), ...(versions.length === 1 ? { Version: versions[0] } : {}) };
  }
  return uri;
}

/** SwaggerEditor.gen_skeleton */
function skeleton(): Props {
  return { swagger: '2.0', info: { version: '1.0', title: { Ref: 'AWS::StackName' } }, paths: {} };
}

/** SwaggerEditor.is_valid: a map with `paths` a map, and `swagger`, or `openapi` 3.x */
function isValidSwagger(doc: unknown): boolean {
  if (!isMap(doc) || !isMap(doc.paths)) return false;
  if (truthy(doc.swagger)) return true;
  return truthy(doc.openapi) && OPENAPI_3.test(versionText(doc.openapi));
}

/** BaseEditor.get_conditional_contents: an `Fn::If`'s branches (AWS::NoValue left out), or the item itself */
function contents(file: string, where: TemplatePath, item: unknown): unknown[] {
  if (isMap(item) && 'Fn::If' in item) {
    const args = item['Fn::If'];
    if (!Array.isArray(args)) throw templateError(file, where, 'the value of Fn::If must be a list');
    return args.slice(1).filter((c) => !isNoValue(c));
  }
  return [item];
}

function normalizeMethod(method: string): string {
  const m = method.toLowerCase();
  return m === 'any' ? X_ANY : m;
}

function pathItems(file: string, where: TemplatePath, doc: Props, path: string): Props[] {
  const paths = doc.paths as Props;
  return contents(file, where, paths[path]).map((item) => {
    if (!isMap(item)) throw templateError(file, [...where, 'paths', path], `Value of '${path}' path must be a dictionary according to Swagger spec.`);
    return item;
  });
}

function hasIntegration(file: string, where: TemplatePath, doc: Props, path: string, method: string): boolean {
  const m = normalizeMethod(method);
  if (!Object.hasOwn(doc.paths as Props, path)) return false;
  const items = pathItems(file, where, doc, path);
  if (items.some((item) => !Object.hasOwn(item, m))) return false;
  return items.every((item) => isMap(item[m]) && contents(file, where, item[m]).some((d) => isMap(d) && truthy(d[X_INTEGRATION])));
}

function addPath(file: string, where: TemplatePath, doc: Props, path: string, method: string): void {
  const paths = doc.paths as Props;
  if (!Object.hasOwn(paths, path)) paths[path] = {};
  for (const item of pathItems(file, where, doc, path)) if (!Object.hasOwn(item, normalizeMethod(method))) item[normalizeMethod(method)] = {};
}

/** The method's definitions (both branches of an Fn::If) that have an integration. */
function methodDefinitions(file: string, where: TemplatePath, doc: Props, path: string, method: string): Props[] {
  const out: Props[] = [];
  for (const item of pathItems(file, where, doc, path)) {
    for (const d of contents(file, where, item[normalizeMethod(method)])) {
      if (!isMap(d)) throw templateError(file, [...where, 'paths', path, normalizeMethod(method)], 'must be a map');
      if (truthy(d[X_INTEGRATION])) out.push(d);
    }
  }
  return out;
}

/** SwaggerEditor.iter_on_all_methods_for_path: each method of the path with an integration, by its name. */
function methodsOfPath(file: string, where: TemplatePath, doc: Props, path: string): Array<[string, Props]> {
  const out: Array<[string, Props]> = [];
  for (const item of pathItems(file, where, doc, path)) {
    for (const [name, method] of Object.entries(item)) {
      if (NOT_METHODS.has(name)) continue;
      for (const d of contents(file, where, method)) {
        if (!isMap(d)) throw templateError(file, [...where, 'paths', path, name], 'must be a map');
        if (truthy(d[X_INTEGRATION])) out.push([normalizeMethod(name), d]);
      }
    }
  }
  return out;
}

/** A stable text of a value: its JSON, keys sorted. */
function jsonText(value: unknown): string {
  const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : isMap(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
  return JSON.stringify(sorted(value));
}
