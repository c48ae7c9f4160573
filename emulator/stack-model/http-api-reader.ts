import { z } from 'zod';
import { cfnBoolean, cfnInteger, cfnString, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { HttpApiDescription, HttpRouteDescription } from './stack-description.ts';
import { invokedFunction } from './invoked-function.ts';
import { API_TYPES, routeThrottle, throttleOf } from './websocket-api-reader.ts';
import { templateError, type TemplatePath } from './template-errors.ts';

/**
 * The HTTP APIs of a template (AWS::ApiGatewayV2::Api with ProtocolType HTTP), each with its
 * stage and its routes to Lambda proxy integrations, as Route and Integration resources give them
 * or as the API's OpenAPI `Body` does (what SAM's HttpApi makes). A route key is API Gateway's:
 * `METHOD /path`, `ANY /path`, path parameters `{id}`, a greedy `{proxy+}` last, or `$default`.
 *
 * An API using what the emulator does not run yet (an authorizer, IAM authorization, an
 * integration other than a Lambda proxy, an OpenAPI definition in S3) is not served: it stays
 * among the resources not emulated, with one warning naming the first such thing, so a stack
 * whose WebSocket API is what a run measures still runs.
 */

/** HTTP APIs give up on an integration after 30 s, the most TimeoutInMillis may say. */
export const HTTP_API_TIMEOUT_MS = 30_000;

export interface HttpApis {
  apis: HttpApiDescription[];
  /** the resources read (served APIs' resources only) */
  read: Set<string>;
  /** one line per API not served, naming why */
  warnings: string[];
}

/** Something of an API the emulator does not run: the API is left unserved, with this said. */
class NotRun extends Error {}

const apiSchema = z.object({ Name: z.string().optional(), Body: z.unknown().optional(), BodyS3Location: z.unknown().optional(), Target: z.string().optional(), CorsConfiguration: z.unknown().optional() }).loose();
const stageSchema = z
  .object({
    StageName: z.string().min(1),
    StageVariables: z.record(z.string(), cfnString).optional(),
    DefaultRouteSettings: routeThrottle.extend({ DetailedMetricsEnabled: cfnBoolean.optional() }).optional(),
    RouteSettings: z.record(z.string(), routeThrottle).optional(),
  })
  .loose();
const integrationSchema = z
  .object({
    IntegrationType: z.string(),
    IntegrationSubtype: z.string().optional(),
    IntegrationUri: z.string().optional(),
    PayloadFormatVersion: z.enum(['1.0', '2.0']).optional(),
    TimeoutInMillis: cfnInteger.pipe(z.number().min(50).max(HTTP_API_TIMEOUT_MS)).optional(),
    ConnectionType: z.string().optional(),
  })
  .loose();
const routeSchema = z.object({ RouteKey: z.string(), Target: z.string().optional(), AuthorizationType: z.string().optional() }).loose();
const openApiIntegration = z
  .object({
    type: z.string(),
    uri: z.string().optional(),
    payloadFormatVersion: z.union([z.enum(['1.0', '2.0']), z.literal(1).transform(() => '1.0' as const), z.literal(2).transform(() => '2.0' as const)]).optional(),
    timeoutInMillis: cfnInteger.pipe(z.number().min(50).max(HTTP_API_TIMEOUT_MS)).optional(),
    connectionType: z.string().optional(),
  })
  .loose();

/** An OpenAPI operation's method key → the route key's method. */
const OPENAPI_METHODS: Record<string, string> = {
  get: 'GET',
  put: 'PUT',
  post: 'POST',
  delete: 'DELETE',
  options: 'OPTIONS',
  head: 'HEAD',
  patch: 'PATCH',
  'x-amazon-apigateway-any-method': 'ANY',
};

export function readHttpApis(t: StackTemplate, functionIdsByName: ReadonlyMap<string, string>): HttpApis {
  const out: HttpApis = { apis: [], read: new Set(), warnings: [] };
  // an API imported from an OpenAPI definition names no ProtocolType (SAM's HttpApi): only HTTP APIs import one
  const isHttp = (a: string) => t.property(a, 'ProtocolType') === 'HTTP' || (t.property(a, 'ProtocolType') === undefined && (t.property(a, 'Body') !== undefined || t.property(a, 'BodyS3Location') !== undefined));
  for (const id of t.ofType(API_TYPES.api).filter(isHttp)) {
    const read = new Set<string>();
    try {
      out.apis.push(readHttpApi(t, id, functionIdsByName, read, out.warnings));
      for (const r of read) out.read.add(r);
    } catch (err) {
      if (!(err instanceof NotRun)) throw err;
      out.warnings.push(`HTTP API ${id} is not served: ${err.message}`);
    }
  }
  return out;
}

function readHttpApi(t: StackTemplate, apiLogicalId: string, functionIdsByName: ReadonlyMap<string, string>, read: Set<string>, warnings: string[]): HttpApiDescription {
  const apiId = t.ref(apiLogicalId);
  read.add(apiLogicalId);
  const mine = (type: string) => t.ofType(type).filter((id) => t.property(id, 'ApiId') === apiId);
  const at = (id: string, ...path: (string | number)[]): TemplatePath => ['Resources', id, 'Properties', ...path];
  const api = parseProperties(t.file, apiLogicalId, apiSchema, t.properties(apiLogicalId));
  if (api.BodyS3Location !== undefined) throw new NotRun('its OpenAPI definition is in S3 (BodyS3Location), which the emulator cannot read');
  const authorizer = mine(API_TYPES.authorizer)[0];
  if (authorizer !== undefined) throw new NotRun(`its authorizer ${authorizer} is not emulated yet`);

  const routes: HttpRouteDescription[] = [];
  const lambdaProxy = (integrationId: string, where: TemplatePath, p: { type: string; subtype?: string; uri?: string; payload?: '1.0' | '2.0'; timeout?: number; connection?: string }): Omit<HttpRouteDescription, 'routeKey' | 'logicalId'> => {
    if (p.type.toUpperCase() !== 'AWS_PROXY' || p.subtype !== undefined) throw new NotRun(`integration ${integrationId} is ${p.subtype ?? p.type}: only Lambda proxy integrations (AWS_PROXY) are emulated yet`);
    if (p.connection !== undefined && p.connection !== 'INTERNET') throw new NotRun(`integration ${integrationId} goes through a VPC link, which is not emulated`);
    // CloudFormation and API Gateway require the version on an HTTP API's Lambda proxy integration
    if (p.payload === undefined) throw templateError(t.file, [...where, 'PayloadFormatVersion'], 'missing: an HTTP API\'s Lambda proxy integration names its payload format version (1.0 or 2.0)');
    return { ...invokedFunction(t.file, where, p.uri, functionIdsByName), integrationId, payloadFormatVersion: p.payload, timeoutMs: p.timeout ?? HTTP_API_TIMEOUT_MS };
  };

  // Routes and Integrations written as resources
  const integrations = new Map<string, Omit<HttpRouteDescription, 'routeKey' | 'logicalId'>>();
  for (const id of mine(API_TYPES.integration)) {
    const p = parseProperties(t.file, id, integrationSchema, t.properties(id));
    integrations.set(
      t.ref(id),
      lambdaProxy(id, at(id), { type: p.IntegrationType, subtype: p.IntegrationSubtype, uri: p.IntegrationUri, payload: p.PayloadFormatVersion, timeout: p.TimeoutInMillis, connection: p.ConnectionType }),
    );
    read.add(id);
  }
  for (const id of mine(API_TYPES.route)) {
    const p = parseProperties(t.file, id, routeSchema, t.properties(id));
    checkRouteKey(p.RouteKey, t.file, at(id, 'RouteKey'));
    if ((p.AuthorizationType ?? 'NONE') !== 'NONE') throw new NotRun(`route ${p.RouteKey} (${id}) uses ${p.AuthorizationType} authorization, which is not emulated yet`);
    if (p.Target === undefined) throw templateError(t.file, at(id, 'Target'), `route ${p.RouteKey} has no integration (Target: integrations/<id>): API Gateway would answer it 404`);
    const target = /^integrations\/(.+)$/.exec(p.Target)?.[1];
    const integration = target === undefined ? undefined : integrations.get(target);
    if (!integration) throw templateError(t.file, at(id, 'Target'), `${p.Target} is not an integration of this API (integrations/<id>)`);
    routes.push({ logicalId: id, routeKey: p.RouteKey, ...integration });
    read.add(id);
  }

  // Routes of the OpenAPI definition (what SAM's HttpApi writes)
  if (api.Body !== undefined) routes.push(...bodyRoutes(t.file, apiLogicalId, api.Body, lambdaProxy));
  const cors = api.CorsConfiguration ?? (isMap(api.Body) ? api.Body['x-amazon-apigateway-cors'] : undefined);
  if (cors !== undefined) warnings.push(`HTTP API ${apiLogicalId}: its CORS configuration is not applied here: a preflight OPTIONS request goes to the routes, and responses carry no Access-Control-* header the API would add`);

  // Quick create: Target makes a $default route to a Lambda proxy (2.0) and a $default stage
  if (api.Target !== undefined) {
    routes.push({ routeKey: '$default', ...lambdaProxy(`${apiLogicalId} Target`, at(apiLogicalId, 'Target'), { type: 'AWS_PROXY', uri: api.Target, payload: '2.0' }) });
  }
  const keys = new Set<string>();
  for (const r of routes) {
    if (keys.has(r.routeKey)) throw templateError(t.file, ['Resources', r.logicalId ?? apiLogicalId], `a second route ${r.routeKey} on ${apiLogicalId}: API Gateway refuses it (ConflictException)`);
    keys.add(r.routeKey);
  }
  if (routes.length === 0) throw new NotRun('it has no route to a Lambda function');

  const stages = mine(API_TYPES.stage);
  for (const id of stages) read.add(id);
  for (const id of mine(API_TYPES.deployment)) read.add(id);
  // the $default stage where there is one (it serves the API's root), else the first
  const stageId = stages.find((id) => t.property(id, 'StageName') === '$default') ?? stages[0];
  if (stageId === undefined && api.Target === undefined) throw new NotRun('it has no stage (AWS::ApiGatewayV2::Stage), so nothing reaches it');
  const stage = stageId === undefined ? undefined : parseProperties(t.file, stageId, stageSchema, t.properties(stageId));
  const throttle = throttleOf(stage?.DefaultRouteSettings);
  return {
    logicalId: apiLogicalId,
    // an imported OpenAPI definition names the API by its title (SAM's: the stack's name)
    name: api.Name ?? (isMap(api.Body) && isMap(api.Body.info) && typeof api.Body.info.title === 'string' ? api.Body.info.title : apiLogicalId),
    id: apiId,
    stage: {
      ...(stageId !== undefined ? { logicalId: stageId } : {}),
      name: stage?.StageName ?? '$default',
      variables: stage?.StageVariables ?? {},
      ...(throttle ? { throttle } : {}),
      routeThrottles: Object.fromEntries(
        Object.entries(stage?.RouteSettings ?? {}).flatMap(([key, s]) => {
          const th = throttleOf(s);
          return th ? [[key, th]] : [];
        }),
      ),
      detailedMetrics: stage?.DefaultRouteSettings?.DetailedMetricsEnabled ?? false,
    },
    routes,
  };
}

type LambdaProxy = (integrationId: string, where: TemplatePath, p: { type: string; uri?: string; payload?: '1.0' | '2.0'; timeout?: number; connection?: string }) => Omit<HttpRouteDescription, 'routeKey' | 'logicalId'>;

/** The routes an OpenAPI 3 Body defines: each path's operations with an `x-amazon-apigateway-integration`. */
function bodyRoutes(file: string, apiLogicalId: string, body: unknown, lambdaProxy: LambdaProxy): HttpRouteDescription[] {
  const where = (...path: string[]): TemplatePath => ['Resources', apiLogicalId, 'Properties', 'Body', ...path];
  const doc = typeof body === 'string' ? parseJson(file, where(), body) : body;
  if (!isMap(doc)) throw templateError(file, where(), 'must be an OpenAPI definition (a mapping)');
  const components = isMap(doc.components) ? doc.components : {};
  if (isMap(components.securitySchemes) && Object.keys(components.securitySchemes).length > 0) throw new NotRun(`its OpenAPI definition declares authorizers (components.securitySchemes: ${Object.keys(components.securitySchemes).join(', ')}), which are not emulated yet`);
  if (doc.paths === undefined) return [];
  if (!isMap(doc.paths)) throw templateError(file, where('paths'), 'must be a mapping of paths');
  const routes: HttpRouteDescription[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    if (!isMap(operations)) throw templateError(file, where('paths', path), 'must be a mapping of operations');
    for (const [key, operation] of Object.entries(operations)) {
      const method = OPENAPI_METHODS[key];
      if (method === undefined || !isMap(operation)) continue;
      // SAM's FailOnWarnings writes the $default path as /$default
      const routeKey = path === '$default' || path === '/$default' ? '$default' : `${method} ${path}`;
      checkRouteKey(routeKey, file, where('paths', path));
      const spec = operation['x-amazon-apigateway-integration'];
      if (spec === undefined) throw new NotRun(`route ${routeKey} of its OpenAPI definition has no x-amazon-apigateway-integration`);
      // SAM writes a route without authorization as `security: [{ NONE: [] }]`
      const security = Array.isArray(operation.security) ? operation.security.filter((s) => !(isMap(s) && Object.keys(s).length === 1 && 'NONE' in s)) : [];
      if (security.length > 0) throw new NotRun(`route ${routeKey} of its OpenAPI definition has security (an authorizer), which is not emulated yet`);
      const integrationAt = where('paths', path, key, 'x-amazon-apigateway-integration');
      const parsed = openApiIntegration.safeParse(spec);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw templateError(file, [...integrationAt, ...issue.path.map(String)], issue.message);
      }
      const p = parsed.data;
      routes.push({ routeKey, ...lambdaProxy(`${path} ${key}`, integrationAt, { type: p.type, uri: p.uri, payload: p.payloadFormatVersion, timeout: p.timeoutInMillis, connection: p.connectionType }) });
    }
  }
  return routes;
}

/** A route key as API Gateway takes it: `$default`, or a method (or ANY) and a path whose greedy parameter, if any, ends it. */
function checkRouteKey(key: string, file: string, at: TemplatePath): void {
  if (key === '$default') return;
  const m = /^(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|ANY) (\/\S*)$/.exec(key);
  if (!m) throw templateError(file, at, `${key} is not an HTTP API route key (METHOD /path, ANY /path or $default)`);
  const segments = m[2]!.split('/').slice(1);
  const greedy = segments.findIndex((s) => /^\{[^}]+\+\}$/.test(s));
  if (greedy !== -1 && greedy !== segments.length - 1) throw templateError(file, at, `${key}: a greedy path variable ({name+}) must be the path's last segment`);
}

function parseJson(file: string, at: TemplatePath, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw templateError(file, at, 'is a string that is not JSON: an OpenAPI definition is a mapping or its JSON text');
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
