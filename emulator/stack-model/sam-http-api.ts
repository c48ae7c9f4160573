import { createHash } from 'node:crypto';
import type { TemplateResource } from './resource-dependencies.ts';
import type { NotEmulated } from './stack-description.ts';
import { templateError, type TemplatePath } from './template-errors.ts';

/**
 * SAM's HTTP APIs as the SAM transform makes them (samtranslator's ImplicitHttpApiPlugin,
 * DefaultDefinitionBodyPlugin, eventsources/push.py `HttpApi`, api/http_api_generator.py,
 * open_api/open_api.py), logical ids as SAM makes them, so the CloudFormation readers read the
 * result as they read a template written out:
 * - a function's `HttpApi` event without ApiId goes to the implicit API `ServerlessHttpApi`; an
 *   explicit AWS::Serverless::HttpApi without DefinitionBody or DefinitionUri gets the same
 *   OpenAPI 3.0.1 skeleton, SAM-managed (a second event on one path and method is refused);
 * - each event puts its route in the API's OpenAPI body: `paths[Path][method]` (lower case, ANY →
 *   `x-amazon-apigateway-any-method`; no Path nor Method is the `$default` route) with an
 *   `aws_proxy` integration to the function (or its AutoPublishAlias alias), payloadFormatVersion
 *   (2.0 unless the event's), timeoutInMillis, path parameters and `security` for its Auth; an
 *   explicit DefinitionBody keeps an integration it already has at that path and method;
 * - each event makes the AWS::Lambda::Permission `{Function}{Event}Permission` for
 *   `…:${ApiId}/*\/{METHOD}{path}` (`*` for ANY and for each path parameter, none when the
 *   function already has the API's `$default` route), and its RouteSettings go to the API's
 *   RouteSettings under its route key;
 * - each API becomes AWS::ApiGatewayV2::Api of its logical id (Body, or BodyS3Location from
 *   DefinitionUri, FailOnWarnings), Globals.HttpApi merged in: CorsConfiguration as the body's
 *   `x-amazon-apigateway-cors`, Auth's Authorizers as `components.securitySchemes` (JWT, Lambda
 *   REQUEST, AWS_IAM) and DefaultAuthorizer as every integration's `security`, Tags as the body's
 *   `tags`, Name and Description as its info, DisableExecuteApiEndpoint as its `servers`' endpoint
 *   configuration; its AWS::ApiGatewayV2::Stage (`{Api}ApiGatewayDefaultStage` for `$default`,
 *   the default; `{Api}{StageName}Stage`), AutoDeploy, with StageVariables, AccessLogSettings,
 *   DefaultRouteSettings, RouteSettings; a Lambda authorizer's `{Api}{Name}AuthorizerPermission`
 *   when EnableFunctionDefaultPermissions; Domain as AWS::ApiGatewayV2::DomainName
 *   (`ApiGatewayDomainNameV2{hash}`), its ApiMappings and Route53 `RecordSetGroup{hash}`.
 * A function's Condition wraps its integrations (and the implicit API's paths and the API itself
 * when all of them have one), as SAM wraps them. `{Api}.Stage` and `{Api}.DomainName` name what
 * SAM made (`references`).
 */
export interface SamHttpApiExpansion {
  resources: Record<string, TemplateResource>;
  /** conditions SAM adds to the template (an implicit API or path under several functions' conditions) */
  conditions: Record<string, unknown>;
  /** `Api.Stage`, `Api.DomainName` → the logical ids SAM gave them */
  references: Map<string, string>;
  /** HttpApi events whose ApiId names a REST API (AWS::Serverless::Api, not expanded) */
  notEmulated: NotEmulated[];
}

export interface SamHttpApiInput {
  file: string;
  /** the template's resources as written */
  resources: Record<string, TemplateResource>;
  /** Globals.HttpApi */
  globals: unknown;
  /** each AWS::Serverless::Function, in template order, its properties with Globals.Function merged in */
  functions: ReadonlyArray<{ id: string; props: Props; resource: TemplateResource }>;
  /** SAM's Globals rule (sam-transform.ts) */
  merge: (global: unknown, own: unknown) => unknown;
}

type Props = Record<string, unknown>;

export const IMPLICIT_HTTP_API = 'ServerlessHttpApi';
/** what Globals.HttpApi may set (samtranslator's Globals.supported_properties) */
export const HTTP_API_GLOBALS = ['Auth', 'AccessLogSettings', 'StageVariables', 'Tags', 'CorsConfiguration', 'DefaultRouteSettings', 'Domain', 'RouteSettings', 'FailOnWarnings', 'PropagateTags'];
/** AWS::Serverless::HttpApi's properties and their types (an intrinsic is left to CloudFormation); Name is passed through */
const HTTP_API_PROPERTIES: Record<string, Array<'string' | 'map' | 'boolean'> | undefined> = {
  Name: undefined, StageName: ['string', 'map'], Tags: ['map'], PropagateTags: ['boolean'], DefinitionBody: ['map'], DefinitionUri: ['string', 'map'],
  StageVariables: ['map'], CorsConfiguration: ['boolean', 'map'], AccessLogSettings: ['map'], DefaultRouteSettings: ['map'], Auth: ['map'],
  RouteSettings: ['map'], Domain: ['map'], FailOnWarnings: ['boolean'], Description: ['string'], DisableExecuteApiEndpoint: ['boolean'],
};
const EVENT_PROPERTIES = new Set(['Path', 'Method', 'ApiId', 'Stage', 'Auth', 'TimeoutInMillis', 'RouteSettings', 'PayloadFormatVersion']);

const X_ANY = 'x-amazon-apigateway-any-method';
const X_INTEGRATION = 'x-amazon-apigateway-integration';
const X_AUTHORIZER = 'x-amazon-apigateway-authorizer';
const DEFAULT_PATH = '$default';
const DEFAULT_STAGE = '$default';
const CREATED_BY = 'httpapi:createdBy';
const NO_VALUE = { Ref: 'AWS::NoValue' };
/** the resource attributes SAM passes from a SAM resource to what it makes of it */
const PASSTHROUGH = ['Condition', 'DeletionPolicy', 'UpdateReplacePolicy'] as const;

const isMap = (v: unknown): v is Props => v !== null && typeof v === 'object' && !Array.isArray(v);
const isIntrinsic = (v: unknown) => isMap(v) && Object.keys(v).length === 1 && (Object.hasOwn(v, 'Ref') || Object.keys(v)[0]!.startsWith('Fn::') || Object.hasOwn(v, 'Condition'));
const isNoValue = (v: unknown) => isMap(v) && v.Ref === 'AWS::NoValue';
/** Python's truthiness, which SAM's `if self.X:` tests */
const truthy = (v: unknown) => !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (isMap(v) && Object.keys(v).length === 0));
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const conditional = (condition: string, data: unknown) => ({ 'Fn::If': [condition, data, NO_VALUE] });

interface HttpApi {
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

interface HttpEvent {
  fn: string;
  event: string;
  p: Props;
  path: string;
  method: string;
  apiId: string;
  condition: string | undefined;
  alias: string | undefined;
  attributes: Partial<TemplateResource>;
}

export function expandSamHttpApis(o: SamHttpApiInput): SamHttpApiExpansion {
  const { file } = o;
  const out: SamHttpApiExpansion = { resources: {}, conditions: {}, references: new Map(), notEmulated: [] };
  const at = (id: string, ...path: (string | number)[]): TemplatePath => ['Resources', id, 'Properties', ...path];

  // DefaultDefinitionBodyPlugin: an explicit API without a definition is SAM's to write
  const apis = new Map<string, HttpApi>();
  for (const [id, resource] of Object.entries(o.resources)) {
    if (resource.Type !== 'AWS::Serverless::HttpApi') continue;
    const props = structuredClone(resource.Properties ?? {}) as Props;
    for (const key of Object.keys(props)) if (!Object.hasOwn(HTTP_API_PROPERTIES, key)) throw templateError(file, at(id, key), 'not a property of AWS::Serverless::HttpApi');
    const managed = !truthy(props.DefinitionBody) && !truthy(props.DefinitionUri);
    if (managed) props.DefinitionBody = skeleton();
    const { Type: _type, Properties: _props, ...attributes } = resource;
    apis.set(id, { id, props, attributes, managed, conditions: new Map(), deletionPolicies: [], updateReplacePolicies: [] });
  }

  // ImplicitHttpApiPlugin: events without ApiId go to ServerlessHttpApi; routes, route settings, conditions
  const httpEvents = (props: Props) => (isMap(props.Events) ? Object.entries(props.Events).filter(([, e]) => isMap(e) && e.Type === 'HttpApi') : []);
  const needsImplicit = o.functions.some((f) => httpEvents(f.props).some(([, e]) => !isMap((e as Props).Properties) || !Object.hasOwn((e as Props).Properties as Props, 'ApiId')));
  if (needsImplicit) {
    if (Object.hasOwn(o.resources, IMPLICIT_HTTP_API)) throw templateError(file, ['Resources', IMPLICIT_HTTP_API], `SAM makes the implicit HTTP API of this logical id for the HttpApi events without ApiId: rename this resource`);
    apis.set(IMPLICIT_HTTP_API, { id: IMPLICIT_HTTP_API, props: { DefinitionBody: skeleton() }, attributes: {}, managed: true, conditions: new Map(), deletionPolicies: [], updateReplacePolicies: [] });
  }

  const byFunction: HttpEvent[][] = [];
  for (const f of o.functions) {
    const events: HttpEvent[] = [];
    const condition = f.resource.Condition;
    const written = f.resource as unknown as Props;
    const alias = typeof f.props.AutoPublishAlias === 'string' ? `${f.id}Alias${f.props.AutoPublishAlias}` : undefined;
    for (const [event, spec] of httpEvents(f.props)) {
      const base = ['Resources', f.id, 'Properties', 'Events', event];
      const raw = (spec as Props).Properties ?? {};
      if (!isMap(raw)) throw templateError(file, [...base, 'Properties'], 'Properties should be a map');
      for (const key of Object.keys(raw)) if (!EVENT_PROPERTIES.has(key)) throw templateError(file, [...base, 'Properties', key], 'not a property of an HttpApi event');
      const p = structuredClone(raw);
      if (!Object.hasOwn(p, 'ApiId')) {
        // the function's Tags on the implicit API, when it propagates them
        const implicit = apis.get(IMPLICIT_HTTP_API)!;
        if (truthy(f.props.PropagateTags) && isMap(f.props.Tags) && truthy(f.props.Tags)) {
          implicit.props.Tags = { ...(isMap(implicit.props.Tags) ? implicit.props.Tags : {}), ...f.props.Tags };
          implicit.props.PropagateTags = true;
        }
        p.ApiId = { Ref: IMPLICIT_HTTP_API };
      }
      if (!truthy(p.Path) && !truthy(p.Method)) {
        p.Path = DEFAULT_PATH;
        p.Method = X_ANY;
      }
      if (typeof p.Path !== 'string') throw templateError(file, [...base, 'Properties', 'Path'], p.Path === undefined || p.Path === null ? 'missing: an HttpApi event with a Method needs a Path' : 'must be a string');
      if (typeof p.Method !== 'string') throw templateError(file, [...base, 'Properties', 'Method'], p.Method === undefined || p.Method === null ? 'missing: an HttpApi event with a Path needs a Method' : 'must be a string');
      const apiId = isMap(p.ApiId) && 'Ref' in p.ApiId ? p.ApiId.Ref : p.ApiId;
      if (typeof apiId === 'string' && o.resources[apiId]?.Type === 'AWS::Serverless::Api') {
        // SAM would write the route into that REST API's OpenAPI body: REST APIs stay unexpanded
        out.notEmulated.push({ logicalId: `${f.id}${event}`, type: 'AWS::Serverless::Function event HttpApi (to a REST API)' });
        continue;
      }
      if (typeof apiId !== 'string' || !apis.has(apiId)) throw templateError(file, [...base, 'Properties', 'ApiId'], "ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template");
      const api = apis.get(apiId)!;
      const path = p.Path;
      const method = p.Method;
      if (!api.conditions.has(path)) api.conditions.set(path, new Map());
      api.conditions.get(path)!.set(method, condition ?? null);
      api.deletionPolicies.push(written.DeletionPolicy);
      api.updateReplacePolicies.push(written.UpdateReplacePolicy);
      if (api.managed && isValidOpenApi(api.props.DefinitionBody)) addPath(file, at(apiId, 'DefinitionBody'), api.props.DefinitionBody as Props, path, method);
      if (p.RouteSettings !== undefined) {
        if (!isMap(p.RouteSettings)) throw templateError(file, [...base, 'Properties', 'RouteSettings'], 'must be a map');
        const route = method === X_ANY ? path : `${method.toUpperCase()} ${path}`;
        const apiSettings = api.props.RouteSettings ?? {};
        if (!isMap(apiSettings)) throw templateError(file, at(apiId, 'RouteSettings'), 'must be a map');
        // SAM updates the route's settings with the event's (wrapped in its function's condition)
        apiSettings[route] = { ...(isMap(apiSettings[route]) ? apiSettings[route] : {}), ...(condition ? conditional(condition, p.RouteSettings) : p.RouteSettings) };
        api.props.RouteSettings = apiSettings;
      }
      const attributes: Partial<TemplateResource> = {};
      for (const a of PASSTHROUGH) if (written[a] !== undefined) (attributes as Props)[a] = written[a];
      events.push({ fn: f.id, event, p, path, method, apiId, condition, alias, attributes });
    }
    byFunction.push(events);
  }

  // the implicit API's attributes, and the managed APIs' paths, under their functions' conditions
  const implicit = apis.get(IMPLICIT_HTTP_API);
  if (implicit && needsImplicit) {
    const all = new Set([...implicit.conditions.values()].flatMap((m) => [...m.values()]));
    if (all.size > 0 && !all.has(null)) {
      const names = [...all] as string[];
      if (names.length === 1) implicit.attributes.Condition = names[0];
      else {
        implicit.attributes.Condition = `${IMPLICIT_HTTP_API}Condition`;
        Object.assign(out.conditions, combinedCondition(names.sort(), `${IMPLICIT_HTTP_API}Condition`));
      }
    }
    const policy = (values: unknown[], order: string[]) => order.find((o) => values.includes(o));
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

  // GlobalsPlugin: Globals.HttpApi into every HTTP API, the implicit one too
  if (o.globals !== undefined) {
    if (!isMap(o.globals)) throw templateError(file, ['Globals', 'HttpApi'], 'must be a map');
    for (const key of Object.keys(o.globals)) if (!HTTP_API_GLOBALS.includes(key)) throw templateError(file, ['Globals', 'HttpApi', key], `not a property Globals.HttpApi may set (${HTTP_API_GLOBALS.join(', ')})`);
    for (const api of apis.values()) api.props = o.merge(structuredClone(o.globals), api.props) as Props;
  }
  for (const api of apis.values()) {
    for (const [key, value] of Object.entries(api.props)) {
      const types = HTTP_API_PROPERTIES[key];
      if (types === undefined || value === undefined || value === null || isIntrinsic(value)) continue;
      const kind = isMap(value) ? 'map' : typeof value;
      if (!(types as string[]).includes(kind)) throw templateError(file, at(api.id, key), `must be a ${types.join(' or ')}`);
    }
  }

  // the events (HttpApi.to_cloudformation): a function's in the order of their Path, `$default` first
  for (const events of byFunction) {
    const sorted = [...events].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const e of sorted) {
      const api = apis.get(e.apiId)!;
      const base = ['Resources', e.fn, 'Properties', 'Events', e.event, 'Properties'];
      const method = e.method.toLowerCase();
      const body = truthy(api.props.DefinitionBody) ? api.props.DefinitionBody : undefined;
      if (body !== undefined && !isValidOpenApi(body)) throw templateError(file, at(e.apiId, 'DefinitionBody'), "Invalid OpenApi document. Invalid values or missing keys for 'openapi' or 'paths' in 'DefinitionBody'");
      const invoked = e.alias ?? e.fn;

      // the permission, unless the function's `$default` route on this API already lets API Gateway invoke it
      let path = e.path.replace(/^(.+)\/$/, '$1');
      let permitted = true;
      if (path === DEFAULT_PATH) path = '';
      else if (body !== undefined && integrationInvokes(body as Props, DEFAULT_PATH, X_ANY, invoked)) permitted = false;
      if (permitted) {
        path = path.replace(/\{([a-zA-Z0-9._-]+|proxy\+)\}/g, '*');
        const any = method === 'any' || method === X_ANY;
        const resource = '${__ApiId__}/${__Stage__}' + (method === 'any' && path === `/${DEFAULT_PATH}` ? path : `/${any ? '*' : method.toUpperCase()}${path}`);
        out.resources[`${e.fn}${e.event}Permission`] = {
          Type: 'AWS::Lambda::Permission',
          Properties: {
            Action: 'lambda:InvokeFunction',
            FunctionName: { Ref: invoked },
            Principal: 'apigateway.amazonaws.com',
            SourceArn: { 'Fn::Sub': [`arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:${resource}`, { __ApiId__: e.p.ApiId, __Stage__: '*' }] },
          },
          ...e.attributes,
        };
      }

      // the route's integration in the API's body (none with DefinitionUri)
      if (body === undefined) continue;
      const doc = body as Props;
      const bodyAt = at(e.apiId, 'DefinitionBody');
      if (api.managed && hasIntegration(file, bodyAt, doc, e.path, method)) throw templateError(file, base, `API method '${method}' defined multiple times for path '${e.path}'`);
      const target = e.alias ? `\${${e.alias}}` : `\${${e.fn}.Arn}`;
      const uri = { 'Fn::Sub': `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/${target}/invocations` };
      addLambdaIntegration(file, bodyAt, doc, e.path, method, uri, e.condition);
      if (truthy(e.p.Auth)) {
        if (!isMap(e.p.Auth)) throw templateError(file, [...base, 'Auth'], 'must be a map');
        addEventAuth(file, base, api, doc, e.path, method, e.p.Auth);
      }
      if (truthy(e.p.TimeoutInMillis)) for (const d of methodDefinitions(file, bodyAt, doc, e.path, method)) (d[X_INTEGRATION] as Props).timeoutInMillis = e.p.TimeoutInMillis;
      const parameters = [...e.path.matchAll(/\{(.*?)\}/g)].map((m) => m[1]!);
      if (parameters.length > 0) {
        for (const d of methodDefinitions(file, bodyAt, doc, e.path, method)) {
          const list = (d.parameters ??= []) as Props[];
          for (const name of parameters) {
            const existing = list.find((x) => isMap(x) && x.name === name);
            if (existing) Object.assign(existing, { in: 'path', required: true });
            else list.push({ name, in: 'path', required: true });
          }
        }
      }
      if (truthy(e.p.PayloadFormatVersion)) for (const d of methodDefinitions(file, bodyAt, doc, e.path, method)) (d[X_INTEGRATION] as Props).payloadFormatVersion = e.p.PayloadFormatVersion;
    }
  }

  // the APIs (HttpApiGenerator): explicit ones in template order, then the implicit one
  const recordSetGroups = new Map<string, Props>();
  for (const api of apis.values()) {
    const made = generateHttpApi(file, api, recordSetGroups);
    for (const [id, resource] of Object.entries(made.resources)) {
      if (Object.hasOwn(out.resources, id) && !id.startsWith('RecordSetGroup')) throw templateError(file, ['Resources', api.id], `SAM would make two resources of logical id ${id}`);
      out.resources[id] = resource;
    }
    for (const [name, id] of made.references) out.references.set(name, id);
  }
  return out;
}

/** OpenApiEditor.gen_skeleton */
function skeleton(): Props {
  return { openapi: '3.0.1', info: { version: '1.0', title: { Ref: 'AWS::StackName' } }, paths: {} };
}

/** OpenApiEditor.is_valid: a map with `paths` a map and `openapi` 3.x */
function isValidOpenApi(doc: unknown): boolean {
  if (!isMap(doc) || !isMap(doc.paths) || !truthy(doc.openapi)) return false;
  // Python's str() of a YAML number: 3.0 is "3.0"
  const version = typeof doc.openapi === 'number' && Number.isInteger(doc.openapi) ? `${doc.openapi}.0` : String(doc.openapi);
  return /^3(\.\d)(\.\d)?$/.test(version);
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
    if (!isMap(item)) throw templateError(file, [...where, 'paths', path], 'must be a map according to the OpenAPI spec');
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
  if (!isMap(paths[path])) throw templateError(file, [...where, 'paths', path], 'must be a map according to the OpenAPI spec');
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

/** OpenApiEditor.add_lambda_integration: an integration already there is kept. */
function addLambdaIntegration(file: string, where: TemplatePath, doc: Props, path: string, method: string, uri: unknown, condition: string | undefined): void {
  const m = normalizeMethod(method);
  if (hasIntegration(file, where, doc, path, m)) return;
  addPath(file, where, doc, path, m);
  for (const item of pathItems(file, where, doc, path)) {
    const definition = (isMap(item[m]) ? item[m] : {}) as Props;
    definition[X_INTEGRATION] = { type: 'aws_proxy', httpMethod: 'POST', payloadFormatVersion: '2.0', uri: condition ? conditional(condition, uri) : uri };
    if (path === DEFAULT_PATH && m === X_ANY) definition.isDefaultRoute = true;
    definition.responses ??= {};
    item[m] = condition ? conditional(condition, definition) : definition;
  }
}

/** OpenApiEditor.is_integration_function_logical_id_match: the route's integrations all invoke `${logicalId.Arn}`. */
function integrationInvokes(doc: Props, path: string, method: string, logicalId: string): boolean {
  try {
    if (!hasIntegration('', [], doc, path, method)) return false;
    for (const item of pathItems('', [], doc, path)) {
      for (const d of contents('', [], item[method])) {
        const uri = isMap(d) && isMap(d[X_INTEGRATION]) ? (d[X_INTEGRATION] as Props).uri : undefined;
        if (!isMap(uri)) return false;
        for (const u of contents('', [], uri)) {
          const sub = isMap(u) ? u['Fn::Sub'] : undefined;
          const first = typeof sub === 'string' ? /([A-Za-z0-9]+\.Arn)/.exec(sub)?.[1] : undefined;
          if (first === undefined || first.split('.Arn')[0] !== logicalId) return false;
        }
      }
    }
    return true;
  } catch {
    return false;
  }
}

/** HttpApi._add_auth_to_openapi_integration: the event's Authorizer (or the API's default) as the route's security. */
function addEventAuth(file: string, base: TemplatePath, api: HttpApi, doc: Props, path: string, method: string, auth: Props): void {
  const apiAuth = api.props.Auth ?? {};
  if (!isMap(apiAuth)) throw templateError(file, ['Resources', api.id, 'Properties', 'Auth'], 'must be a map');
  const on = `on API method [${method}] for path [${path}]`;
  let authorizer = auth.Authorizer;
  if (!truthy(authorizer)) {
    if (!truthy(apiAuth.DefaultAuthorizer)) throw templateError(file, [...base, 'Auth'], "'Auth' section requires either an explicit 'Authorizer' set or a 'DefaultAuthorizer' configured on the HttpApi");
    authorizer = apiAuth.DefaultAuthorizer;
  }
  const authorizers = apiAuth.Authorizers;
  const iam = apiAuth.EnableIamAuthorizer === true;
  if (authorizer !== 'NONE' && !(authorizer === 'AWS_IAM' && iam) && (typeof authorizer !== 'string' || !isMap(authorizers))) {
    throw templateError(file, [...base, 'Auth', 'Authorizer'], `Unable to set Authorizer [${String(authorizer)}] ${on}. The method authorizer must be a string with a corresponding dict entry in the api authorizer`);
  }
  if (authorizer === 'NONE') {
    if (!truthy(apiAuth.DefaultAuthorizer)) throw templateError(file, [...base, 'Auth', 'Authorizer'], `Unable to set Authorizer ${on} because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified`);
  } else if (authorizer !== 'AWS_IAM' || !iam) {
    if (!truthy(authorizers)) throw templateError(file, [...base, 'Auth', 'Authorizer'], `Unable to set Authorizer [${String(authorizer)}] ${on} because the related API does not define any Authorizers`);
    if (!truthy((authorizers as Props)[authorizer as string])) throw templateError(file, [...base, 'Auth', 'Authorizer'], `Unable to set Authorizer [${String(authorizer)}] ${on} because it wasn't defined in the API's Authorizers`);
  }
  const scopes = auth.AuthorizationScopes;
  if (truthy(scopes) && !Array.isArray(scopes)) throw templateError(file, [...base, 'Auth', 'AuthorizationScopes'], `Unable to set Authorizer ${on} because 'AuthorizationScopes' must be a list of strings`);
  const name = authorizer as string;
  for (const d of methodDefinitions(file, ['Resources', api.id, 'Properties', 'DefinitionBody'], doc, path, method)) {
    const security: Props = { [name]: [] };
    if (name !== 'NONE' && name !== 'AWS_IAM') {
      const defined = isMap(authorizers) ? (authorizers[name] ?? {}) : {};
      if (!isMap(defined)) throw templateError(file, ['Resources', api.id, 'Properties', 'Auth', 'Authorizers', name], 'must be a map');
      const methodScopes = truthy(scopes) ? scopes : defined.AuthorizationScopes;
      if (truthy(defined) && truthy(methodScopes)) security[name] = methodScopes;
    }
    const existing = d.security ?? [];
    if (!Array.isArray(existing)) throw templateError(file, ['Resources', api.id, 'Properties', 'DefinitionBody', 'paths', path], `the security of method ${method} must be a list`);
    d.security = [...existing, security];
  }
}

interface Authorizer {
  name: string;
  type: 'AWS_IAM' | 'JWT' | 'REQUEST';
  scopes?: unknown;
  functionArn?: unknown;
  defaultPermissions?: unknown;
  openapi: Props;
}

/** HttpApiGenerator._get_authorizers, ApiGatewayV2Authorizer.generate_openapi */
function readAuthorizers(file: string, apiId: string, config: unknown, enableIam: unknown): Map<string, Authorizer> {
  const out = new Map<string, Authorizer>();
  const at = (...path: (string | number)[]): TemplatePath => ['Resources', apiId, 'Properties', 'Auth', ...path];
  if (enableIam === true) out.set('AWS_IAM', { name: 'AWS_IAM', type: 'AWS_IAM', openapi: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' } });
  if (!truthy(config)) return out;
  if (!isMap(config)) throw templateError(file, at('Authorizers'), 'must be a map');
  for (const [name, a] of Object.entries(config)) {
    if (!isMap(a)) throw templateError(file, at('Authorizers', name), 'must be a map');
    if (a.OpenIdConnectUrl !== undefined) throw templateError(file, at('Authorizers', name, 'OpenIdConnectUrl'), `'OpenIdConnectUrl' is no longer a supported property for authorizer '${name}'`);
    if (a.AuthorizationScopes !== undefined && a.AuthorizationScopes !== null && !Array.isArray(a.AuthorizationScopes)) throw templateError(file, at('Authorizers', name, 'AuthorizationScopes'), 'AuthorizationScopes must be a list');
    let jwt: Props | undefined;
    if (truthy(a.JwtConfiguration)) {
      if (!isMap(a.JwtConfiguration)) throw templateError(file, at('Authorizers', name, 'JwtConfiguration'), 'must be a map');
      // the OpenAPI extension's keys are lower case; SAM lowers them
      jwt = Object.fromEntries(Object.entries(a.JwtConfiguration).map(([k, v]) => [k.toLowerCase(), v]));
    }
    const type = jwt ? 'JWT' : 'REQUEST';
    const allowed = type === 'JWT' ? ['AuthorizationScopes', 'JwtConfiguration', 'IdentitySource'] : ['FunctionArn', 'FunctionInvokeRole', 'Identity', 'AuthorizerPayloadFormatVersion', 'EnableSimpleResponses', 'EnableFunctionDefaultPermissions'];
    for (const key of ['AuthorizationScopes', 'JwtConfiguration', 'IdentitySource', 'FunctionArn', 'FunctionInvokeRole', 'Identity', 'AuthorizerPayloadFormatVersion', 'EnableSimpleResponses', 'EnableFunctionDefaultPermissions']) {
      if (a[key] !== undefined && a[key] !== null && !allowed.includes(key)) throw templateError(file, at('Authorizers', name, key), `${key} is only supported for ${type === 'JWT' ? 'Lambda Authorizer' : key === 'IdentitySource' ? "OAuth2 Authorizer. For Lambda Authorizer, use the 'Identity' property instead" : 'OAuth2 Authorizer'}`);
    }
    if (type === 'JWT') {
      if (!truthy(a.IdentitySource)) throw templateError(file, at('Authorizers', name, 'IdentitySource'), `${name} OAuth2 Authorizer must define 'IdentitySource'`);
      out.set(name, { name, type, scopes: a.AuthorizationScopes, openapi: { type: 'oauth2', [X_AUTHORIZER]: { jwtConfiguration: jwt, identitySource: a.IdentitySource, type: 'jwt' } } });
      continue;
    }
    if (!truthy(a.FunctionArn)) throw templateError(file, at('Authorizers', name, 'FunctionArn'), `${name} Lambda Authorizer must define 'FunctionArn'`);
    if (!truthy(a.AuthorizerPayloadFormatVersion)) throw templateError(file, at('Authorizers', name, 'AuthorizerPayloadFormatVersion'), `${name} Lambda Authorizer must define 'AuthorizerPayloadFormatVersion'`);
    if (a.EnableFunctionDefaultPermissions !== undefined && typeof a.EnableFunctionDefaultPermissions !== 'boolean') throw templateError(file, at('Authorizers', name, 'EnableFunctionDefaultPermissions'), 'must be a boolean');
    // SAM writes the partition of the region it runs in; ${AWS::Partition} resolves to it
    const extension: Props = {
      type: 'request',
      authorizerUri: { 'Fn::Sub': ['arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${__FunctionArn__}/invocations', { __FunctionArn__: a.FunctionArn }] },
    };
    if (truthy(a.FunctionInvokeRole) && a.FunctionInvokeRole !== 'NONE') extension.authorizerCredentials = a.FunctionInvokeRole;
    if (truthy(a.Identity)) {
      if (!isMap(a.Identity)) throw templateError(file, at('Authorizers', name, 'Identity'), 'must be a map');
      if (a.Identity.ReauthorizeEvery !== undefined && a.Identity.ReauthorizeEvery !== null) extension.authorizerResultTtlInSeconds = a.Identity.ReauthorizeEvery;
      const sources: string[] = [];
      for (const [prefix, key] of [['$request.header.', 'Headers'], ['$request.querystring.', 'QueryStrings'], ['$stageVariables.', 'StageVariables'], ['$context.', 'Context']] as const) {
        const values = a.Identity[key];
        if (!truthy(values)) continue;
        if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) throw templateError(file, at('Authorizers', name, 'Identity', key), 'must be a list of strings');
        sources.push(...values.map((v) => prefix + v));
      }
      extension.identitySource = sources;
    }
    extension.authorizerPayloadFormatVersion = a.AuthorizerPayloadFormatVersion;
    if (truthy(a.EnableSimpleResponses)) extension.enableSimpleResponses = a.EnableSimpleResponses;
    out.set(name, { name, type, functionArn: a.FunctionArn, defaultPermissions: a.EnableFunctionDefaultPermissions, openapi: { type: 'apiKey', name: 'Unused', in: 'header', [X_AUTHORIZER]: extension } });
  }
  return out;
}

/** HttpApiGenerator.to_cloudformation: the Api, its authorizers' permissions, the domain, the stage. */
function generateHttpApi(file: string, api: HttpApi, recordSetGroups: Map<string, Props>): { resources: Record<string, TemplateResource>; references: Map<string, string> } {
  const id = api.id;
  const p = api.props;
  const at = (...path: (string | number)[]): TemplatePath => ['Resources', id, 'Properties', ...path];
  const resources: Record<string, TemplateResource> = {};
  const references = new Map<string, string>();
  const passthrough: Partial<TemplateResource> = {};
  for (const a of PASSTHROUGH) if ((api.attributes as Props)[a] !== undefined) (passthrough as Props)[a] = (api.attributes as Props)[a];
  let body = truthy(p.DefinitionBody) ? (p.DefinitionBody as Props) : undefined;
  const uri = truthy(p.DefinitionUri) ? p.DefinitionUri : undefined;
  if (body !== undefined && uri !== undefined) throw templateError(file, at('DefinitionUri'), "Specify either 'DefinitionUri' or 'DefinitionBody' property and not both");
  const needBody = (key: string) => {
    if (body === undefined) throw templateError(file, at(key), `${key} works only with inline OpenApi specified in the 'DefinitionBody' property`);
    if (!isValidOpenApi(body)) throw templateError(file, at('DefinitionBody'), `Unable to add ${key} because 'DefinitionBody' does not contain a valid OpenApi definition`);
    return body;
  };
  const bodyAt = at('DefinitionBody');

  // CorsConfiguration: the body's x-amazon-apigateway-cors
  if (truthy(p.CorsConfiguration)) {
    const doc = needBody('CorsConfiguration');
    const cors = doc['x-amazon-apigateway-cors'] ?? {};
    if (!isMap(cors)) throw templateError(file, [...bodyAt, 'x-amazon-apigateway-cors'], 'must be a map');
    const config = p.CorsConfiguration;
    const keys = ['AllowOrigins', 'AllowHeaders', 'AllowMethods', 'ExposeHeaders', 'MaxAge', 'AllowCredentials'];
    const lower = (k: string) => k[0]!.toLowerCase() + k.slice(1);
    if (config === true) cors.allowOrigins = ['*'];
    else if (isIntrinsic(config)) {
      // SAM's text replacement of the keys in an intrinsic's JSON
      let text = JSON.stringify(config);
      for (const k of keys) text = text.replaceAll(k, lower(k));
      Object.assign(cors, JSON.parse(text));
    } else if (isMap(config)) {
      for (const key of Object.keys(config)) if (!keys.includes(key)) throw templateError(file, at('CorsConfiguration', key), `Invalid key '${key}' for 'Cors' property`);
      const origins = config.AllowOrigins;
      if (config.AllowCredentials === true && sameJson(origins, ['*'])) throw templateError(file, at('CorsConfiguration'), "Unable to add Cors configuration because 'AllowCredentials' can not be true when 'AllowOrigin' is \"'*'\" or not set");
      for (const k of ['AllowOrigins', 'AllowHeaders', 'AllowMethods', 'ExposeHeaders']) if (truthy(config[k])) cors[lower(k)] = config[k];
      if (config.MaxAge !== undefined && config.MaxAge !== null) cors.maxAge = config.MaxAge;
      if (config.AllowCredentials === true) cors.allowCredentials = true;
    } else throw templateError(file, at('CorsConfiguration'), "Invalid value for 'Cors' property");
    doc['x-amazon-apigateway-cors'] = cors;
  }

  // Auth: the authorizers as security schemes, the default one on every integration without security
  let authorizers = new Map<string, Authorizer>();
  if (truthy(p.Auth)) {
    if (!isMap(p.Auth)) throw templateError(file, at('Auth'), "Invalid value for 'Auth' property");
    for (const key of Object.keys(p.Auth)) if (!['Authorizers', 'DefaultAuthorizer', 'EnableIamAuthorizer'].includes(key)) throw templateError(file, at('Auth', key), "Invalid value for 'Auth' property");
    const doc = needBody('Auth');
    authorizers = readAuthorizers(file, id, p.Auth.Authorizers, p.Auth.EnableIamAuthorizer);
    if (authorizers.size > 0) {
      const components = (isMap(doc.components) ? doc.components : {}) as Props;
      const schemes = (isMap(components.securitySchemes) ? components.securitySchemes : {}) as Props;
      for (const [name, a] of authorizers) schemes[name] = a.openapi;
      components.securitySchemes = schemes;
      doc.components = components;
    }
    const fallback = p.Auth.DefaultAuthorizer;
    if (truthy(fallback) && !isNoValue(fallback)) {
      if (typeof fallback !== 'string') throw templateError(file, at('Auth', 'DefaultAuthorizer'), 'must be a string');
      const a = authorizers.get(fallback);
      if (!a) throw templateError(file, at('Auth', 'DefaultAuthorizer'), `Unable to set DefaultAuthorizer because '${fallback}' was not defined in 'Authorizers'`);
      for (const path of Object.keys(doc.paths as Props)) {
        for (const item of pathItems(file, bodyAt, doc, path)) {
          for (const [method, definition] of Object.entries(item)) {
            const m = normalizeMethod(method);
            if (m === 'parameters' || m === 'options') continue;
            if (!Object.hasOwn(item, m)) throw templateError(file, [...bodyAt, 'paths', path], `Could not find ${m} in ${path} within DefinitionBody`);
            for (const d of contents(file, bodyAt, definition)) {
              if (!isMap(d)) throw templateError(file, [...bodyAt, 'paths', path, method], 'must be a map');
              if (!truthy(d[X_INTEGRATION]) || truthy(d.security)) continue;
              d.security = [{ [fallback]: a.scopes ?? [] }];
            }
          }
        }
      }
    }
  }

  // Tags: the body's tags (and SAM's own), the stage's and the domain's
  let tags: Props | undefined;
  if (truthy(p.Tags) && body === undefined) throw templateError(file, at('Tags'), "Tags works only with inline OpenApi specified in the 'DefinitionBody' property");
  if (body !== undefined) {
    if (truthy(p.Tags) && !isValidOpenApi(body)) throw templateError(file, at('Tags'), "Unable to add `Tags` because 'DefinitionBody' does not contain a valid OpenApi definition");
    if (isValidOpenApi(body)) {
      tags = { ...(isMap(p.Tags) ? p.Tags : {}), [CREATED_BY]: 'SAM' };
      const list = body.tags ?? [];
      if (!Array.isArray(list)) throw templateError(file, [...bodyAt, 'tags'], 'Tags in OpenApi DefinitionBody needs to be a list');
      for (const [name, value] of Object.entries(tags)) {
        const existing = list.find((t) => isMap(t) && t.name === name) as Props | undefined;
        if (existing) existing['x-amazon-apigateway-tag-value'] = value;
        else list.push({ name, 'x-amazon-apigateway-tag-value': value });
      }
      if (list.length > 0) body.tags = list;
    }
  }

  const properties: Props = {};
  if (truthy(p.FailOnWarnings)) properties.FailOnWarnings = p.FailOnWarnings;
  if (p.DisableExecuteApiEndpoint !== undefined && p.DisableExecuteApiEndpoint !== null) {
    if (body === undefined) throw templateError(file, at('DisableExecuteApiEndpoint'), "DisableExecuteApiEndpoint works only within 'DefinitionBody' property");
    const servers = body.servers ?? [{}];
    if (!Array.isArray(servers) || servers.some((s) => !isMap(s))) throw templateError(file, [...bodyAt, 'servers'], 'each server must be a map');
    for (const s of servers as Props[]) s['x-amazon-apigateway-endpoint-configuration'] = { ...(isMap(s['x-amazon-apigateway-endpoint-configuration']) ? s['x-amazon-apigateway-endpoint-configuration'] : {}), disableExecuteApiEndpoint: p.DisableExecuteApiEndpoint };
    body.servers = servers;
  }
  const info = () => {
    if (!isValidOpenApi(body)) throw templateError(file, bodyAt, "Invalid OpenApi document. Invalid values or missing keys for 'openapi' or 'paths' in 'DefinitionBody'");
    if (body!.info !== undefined && body!.info !== null && !isMap(body!.info)) throw templateError(file, [...bodyAt, 'info'], 'must be a map');
    return (body!.info ??= {}) as Props;
  };
  if (truthy(p.Name)) {
    if (body === undefined) throw templateError(file, at('Name'), "Name works only with inline OpenApi specified in the 'DefinitionBody' property");
    const i = info();
    if (!sameJson(i.title, { Ref: 'AWS::StackName' })) throw templateError(file, at('Name'), "Unable to set Name because it is already defined within inline OpenAPI specified in the 'DefinitionBody' property");
    i.title = p.Name;
  }
  if (truthy(p.Description)) {
    if (body === undefined) throw templateError(file, at('Description'), "Description works only with inline OpenApi specified in the 'DefinitionBody' property");
    const i = info();
    if (truthy(i.description)) throw templateError(file, at('Description'), "Unable to set Description because it is already defined within inline OpenAPI specified in the 'DefinitionBody' property");
    i.description = p.Description;
  }
  // with FailOnWarnings, `$default` as a path would fail the import: SAM moves it to `/$default`
  if (truthy(p.FailOnWarnings) && body !== undefined && isMap(body.paths) && Object.hasOwn(body.paths, DEFAULT_PATH)) {
    const paths = body.paths;
    const moved = paths[DEFAULT_PATH];
    delete paths[DEFAULT_PATH];
    paths[`/${DEFAULT_PATH}`] = moved;
  }
  if (body !== undefined) properties.Body = body;
  else if (uri !== undefined) properties.BodyS3Location = bodyS3Location(file, at('DefinitionUri'), uri);
  resources[id] = { ...api.attributes, Type: 'AWS::ApiGatewayV2::Api', Properties: properties };

  // the Lambda authorizers' permissions, where asked for
  for (const [name, a] of authorizers) {
    if (a.type !== 'REQUEST' || !truthy(a.functionArn) || a.defaultPermissions !== true) continue;
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

  // the stage: `$default` unless StageName
  const stageName = truthy(p.StageName) ? p.StageName : DEFAULT_STAGE;
  const prefix = typeof stageName === 'string' ? stageName : '';
  const stageId = /^[\p{L}\p{N}]+$/u.test(prefix) ? `${id}${prefix}Stage` : prefix === DEFAULT_STAGE ? `${id}ApiGatewayDefaultStage` : `${id}Stage${samHash(prefix)}`;
  const stage: Props = { ApiId: { Ref: id }, StageName: stageName };
  for (const key of ['StageVariables', 'AccessLogSettings', 'DefaultRouteSettings']) if (p[key] !== undefined && p[key] !== null) stage[key] = p[key];
  if (tags !== undefined) stage.Tags = tags;
  stage.AutoDeploy = true;
  if (p.RouteSettings !== undefined && p.RouteSettings !== null) stage.RouteSettings = p.RouteSettings;
  references.set(`${id}.Stage`, stageId);

  // Domain: the custom domain, its mappings and Route53 records
  if (p.Domain !== undefined && p.Domain !== null) {
    const domain = expandDomain(file, id, p.Domain, stageId, tags ?? { [CREATED_BY]: 'SAM' }, passthrough, recordSetGroups);
    Object.assign(resources, domain.resources);
    references.set(`${id}.DomainName`, domain.domainId);
  }
  resources[stageId] = { Type: 'AWS::ApiGatewayV2::Stage', Properties: stage, ...passthrough };
  return { resources, references };
}

/** HttpApiGenerator._construct_body_s3_dict; a local path (what `sam package` would upload) is kept as written. */
function bodyS3Location(file: string, where: TemplatePath, uri: unknown): unknown {
  if (isMap(uri)) {
    if (!truthy(uri.Bucket) || !truthy(uri.Key)) throw templateError(file, where, "'DefinitionUri' requires Bucket and Key properties to be specified");
    return { Bucket: uri.Bucket, Key: uri.Key, ...(uri.Version !== undefined ? { Version: uri.Version } : {}) };
  }
  if (typeof uri === 'string' && uri.startsWith('s3://')) {
    const url = URL.canParse(uri) ? new URL(uri) : undefined;
    if (!url || !url.host || url.pathname.replace(/^\/+/, '') === '') throw templateError(file, where, "'DefinitionUri' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter");
    const versions = url.searchParams.getAll('versionId');
    return { Bucket: url.host, Key: url.pathname.replace(/^\/+/, ''), ...(versions.length === 1 ? { Version: versions[0] } : {}) };
  }
  return uri;
}

/** ApiV2Generator._construct_api_domain */
function expandDomain(
  file: string,
  apiId: string,
  config: unknown,
  stageId: string,
  tags: Props,
  passthrough: Partial<TemplateResource>,
  recordSetGroups: Map<string, Props>,
): { domainId: string; resources: Record<string, TemplateResource> } {
  const at = (...path: (string | number)[]): TemplatePath => ['Resources', apiId, 'Properties', 'Domain', ...path];
  if (!isMap(config)) throw templateError(file, at(), 'must be a map');
  const resources: Record<string, TemplateResource> = {};
  if (!truthy(config.DomainName) || !truthy(config.CertificateArn)) throw templateError(file, at(), 'Custom Domains only works if both DomainName and CertificateArn are provided');
  const domainId = `ApiGatewayDomainNameV2${samHash(config.DomainName)}`;
  const endpoint = config.EndpointConfiguration ?? 'REGIONAL';
  // SAM resolves a parameter's Ref here; the emulator leaves it to CloudFormation
  if (endpoint !== 'REGIONAL' && !isIntrinsic(endpoint)) throw templateError(file, at('EndpointConfiguration'), "EndpointConfiguration for Custom Domains must be one of ['REGIONAL']");
  const configuration: Props = { CertificateArn: config.CertificateArn, EndpointType: endpoint };
  if (truthy(config.OwnershipVerificationCertificateArn)) configuration.OwnershipVerificationCertificateArn = config.OwnershipVerificationCertificateArn;
  if (truthy(config.SecurityPolicy)) configuration.SecurityPolicy = config.SecurityPolicy;
  const domain: Props = { DomainName: config.DomainName, DomainNameConfigurations: [configuration], Tags: tags };
  const mtls = config.MutualTlsAuthentication;
  if (truthy(mtls)) {
    if (!isMap(mtls)) throw templateError(file, at('MutualTlsAuthentication'), "MutualTlsAuthentication must be a map with at least one of the following fields ['TruststoreUri', 'TruststoreVersion']");
    const unknown = Object.keys(mtls).filter((k) => k !== 'TruststoreUri' && k !== 'TruststoreVersion');
    if (unknown.length > 0) throw templateError(file, at('MutualTlsAuthentication', unknown.sort()[0]!), "Available MutualTlsAuthentication fields are ['TruststoreUri', 'TruststoreVersion']");
    domain.MutualTlsAuthentication = { ...(truthy(mtls.TruststoreUri) ? { TruststoreUri: mtls.TruststoreUri } : {}), ...(truthy(mtls.TruststoreVersion) ? { TruststoreVersion: mtls.TruststoreVersion } : {}) };
  }
  resources[domainId] = { Type: 'AWS::ApiGatewayV2::DomainName', Properties: domain, ...passthrough };

  const basePath = config.BasePath;
  const basePaths = truthy(basePath) && typeof basePath === 'string' ? [basePath] : truthy(basePath) && Array.isArray(basePath) ? (basePath as unknown[]) : undefined;
  const mapping = (key?: string): Props => ({ DomainName: { Ref: domainId }, ApiId: { Ref: apiId }, Stage: { Ref: stageId }, ...(key !== undefined ? { ApiMappingKey: key } : {}) });
  if (basePaths === undefined) resources[`${apiId}ApiMapping`] = { Type: 'AWS::ApiGatewayV2::ApiMapping', Properties: mapping(), ...passthrough };
  else {
    for (const path of basePaths) {
      if (typeof path !== 'string') throw templateError(file, at('BasePath'), 'Basepath must be a string');
      if (/[^0-9a-zA-Z/\-_]+/.test(path)) throw templateError(file, at('BasePath'), 'Invalid Basepath name provided');
      resources[`${apiId}${path.replace(/[-_/]+/g, '')}ApiMapping`] = { Type: 'AWS::ApiGatewayV2::ApiMapping', Properties: mapping(path.replace(/^\/+|\/+$/g, '')), ...passthrough };
    }
  }

  const route53 = config.Route53;
  if (route53 !== undefined && route53 !== null) {
    if (!isMap(route53)) throw templateError(file, at('Route53'), 'must be a map');
    const zone = route53.HostedZoneId ?? route53.HostedZoneName;
    if (zone === undefined || zone === null) throw templateError(file, at('Route53'), 'HostedZoneId or HostedZoneName is required to enable Route53 support on Custom Domains');
    const groupId = `RecordSetGroup${samHash(truthy(route53.HostedZoneId) ? route53.HostedZoneId : route53.HostedZoneName)}`;
    let group = recordSetGroups.get(groupId);
    if (!group) {
      group = { ...(route53.HostedZoneId !== undefined ? { HostedZoneId: route53.HostedZoneId } : { HostedZoneName: route53.HostedZoneName }), RecordSets: [] };
      recordSetGroups.set(groupId, group);
    }
    const target = (): Props => ({
      ...(route53.EvaluateTargetHealth !== undefined && route53.EvaluateTargetHealth !== null ? { EvaluateTargetHealth: route53.EvaluateTargetHealth } : {}),
      HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
      DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
    });
    const routing = (): Props => ({
      ...(route53.Region !== undefined && route53.Region !== null ? { Region: route53.Region } : {}),
      ...(route53.SetIdentifier !== undefined && route53.SetIdentifier !== null ? { SetIdentifier: route53.SetIdentifier } : {}),
    });
    const sets = group.RecordSets as Props[];
    sets.push({ Name: config.DomainName, Type: 'A', AliasTarget: target(), ...routing() });
    if (route53.IpV6 === true) sets.push({ Name: config.DomainName, Type: 'AAAA', AliasTarget: target(), ...routing() });
    resources[groupId] = { Type: 'AWS::Route53::RecordSetGroup', Properties: group, ...passthrough };
  }
  return { domainId, resources };
}

/** samtranslator's make_combined_condition: Fn::Or of at most 10 conditions, chained under numbered names. */
export function combinedCondition(names: string[], name: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let list = [...names];
  let numbered = 1 + Math.floor((list.length - 2) / 9) - 1;
  while (list.length > 1) {
    let next = name;
    if (numbered > 0) {
      next = `${name}${numbered}`;
      numbered -= 1;
    }
    out[next] = { 'Fn::Or': list.slice(0, 10).map((c) => ({ Condition: c })) };
    list = [...list.slice(10), next];
  }
  return out;
}

/** LogicalIdGenerator's hash: the SHA-1 of the value (a string as it is, else Python's sorted compact JSON), 10 hex digits; none for an empty value. */
export function samHash(value: unknown): string {
  if (!truthy(value)) return '';
  const text = typeof value === 'string' ? value : pythonJson(value);
  return createHash('sha1').update(text, 'utf8').digest('hex').slice(0, 10);
}

function pythonJson(value: unknown): string {
  const sorted = (v: unknown): unknown => (Array.isArray(v) ? v.map(sorted) : isMap(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
  // json.dumps escapes what is not ASCII
  return JSON.stringify(sorted(value)).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
