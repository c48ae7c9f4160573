import { z } from 'zod';
import { accessLogOf, accessLogSettingsSchema, cfnBoolean, cfnInteger, cfnString, parseProperties } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type { HttpApiDescription, HttpAuthorizerDescription, HttpCorsDescription, HttpIntegrationDescription, HttpRouteDescription } from './stack-description.ts';
import { invokedFunction } from './invoked-function.ts';
import { OPENAPI_METHODS, openApiBody } from './openapi-body.ts';
import { API_TYPES, routeThrottle, throttleOf } from './websocket-api-reader.ts';
import { templateError, type TemplatePath } from './template-errors.ts';
import { apiResourceId } from './stack-outline.ts';
import { readTemplateRole } from '../iam/execution-role-reader.ts';

/**
 * The HTTP APIs of a template (AWS::ApiGatewayV2::Api with ProtocolType HTTP), each with its
 * stage and its routes to Lambda proxy or HTTP proxy integrations, as Route and Integration resources give them
 * or as the API's OpenAPI `Body` does (what SAM's HttpApi makes). A route key is API Gateway's:
 * `METHOD /path`, `ANY /path`, path parameters `{id}`, a greedy `{proxy+}` last, or `$default`.
 *
 * Its authorizers (AWS::ApiGatewayV2::Authorizer, or the Body's `components.securitySchemes`
 * with `x-amazon-apigateway-authorizer`, SAM's Auth) are read with each route's authorization
 * (AuthorizationType JWT or CUSTOM, AuthorizerId and AuthorizationScopes; an operation's
 * `security`): JWT authorizers and Lambda REQUEST authorizers, run by ../http-api/authorizers.ts.
 *
 * An API using what the emulator does not run yet (an AWS service integration, a VPC link, response
 * parameter mapping, an OpenAPI definition in S3) is not served: it stays among the resources not
 * emulated, with one warning naming the first such thing, so a stack whose WebSocket API is what
 * a run measures still runs.
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
    AccessLogSettings: accessLogSettingsSchema.optional(),
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
    IntegrationMethod: z.string().optional(),
    RequestParameters: z.record(z.string(), cfnString).optional(),
    ResponseParameters: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();
const routeSchema = z
  .object({ RouteKey: z.string(), Target: z.string().optional(), AuthorizationType: z.string().optional(), AuthorizerId: z.string().optional(), AuthorizationScopes: z.array(z.string()).optional() })
  .loose();
/** An HTTP API's authorizer caches its answers for at most an hour ("AuthorizerResultTtlInSeconds … The maximum value is 3600"). */
const ttlSeconds = cfnInteger.pipe(z.number().min(0).max(3600));
const authorizerSchema = z
  .object({
    AuthorizerType: z.string(),
    Name: z.string().optional(),
    AuthorizerUri: z.string().optional(),
    AuthorizerPayloadFormatVersion: z.enum(['1.0', '2.0']).optional(),
    EnableSimpleResponses: cfnBoolean.optional(),
    IdentitySource: z.array(z.string()).optional(),
    AuthorizerResultTtlInSeconds: ttlSeconds.optional(),
    AuthorizerCredentialsArn: z.string().optional(),
    JwtConfiguration: z.object({ Issuer: z.string().optional(), Audience: z.array(z.string()).optional() }).loose().optional(),
  })
  .loose();
/** An OpenAPI security scheme's `x-amazon-apigateway-authorizer` as HTTP APIs import it. */
const openApiAuthorizer = z
  .object({
    type: z.string(),
    authorizerUri: z.string().optional(),
    authorizerPayloadFormatVersion: z.union([z.enum(['1.0', '2.0']), z.literal(1).transform(() => '1.0' as const), z.literal(2).transform(() => '2.0' as const)]).optional(),
    enableSimpleResponses: cfnBoolean.optional(),
    // a list, or (as OpenAPI files often write it) one comma-separated string
    identitySource: z.union([z.array(z.string()), z.string().transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''))]).optional(),
    authorizerResultTtlInSeconds: ttlSeconds.optional(),
    authorizerCredentials: z.string().optional(),
    jwtConfiguration: z.object({ issuer: z.string().optional(), audience: z.union([z.array(z.string()), z.string().transform((a) => [a])]).optional() }).loose().optional(),
  })
  .loose();
const openApiIntegration = z
  .object({
    type: z.string(),
    uri: z.string().optional(),
    payloadFormatVersion: z.union([z.enum(['1.0', '2.0']), z.literal(1).transform(() => '1.0' as const), z.literal(2).transform(() => '2.0' as const)]).optional(),
    timeoutInMillis: cfnInteger.pipe(z.number().min(50).max(HTTP_API_TIMEOUT_MS)).optional(),
    connectionType: z.string().optional(),
    httpMethod: z.string().optional(),
    requestParameters: z.record(z.string(), cfnString).optional(),
    responseParameters: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();

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

  // Authorizer resources, by their AuthorizerId (what a route's AuthorizerId gives)
  const authorizers = new Map<string, HttpAuthorizerDescription>();
  for (const id of mine(API_TYPES.authorizer)) {
    const p = parseProperties(t.file, id, authorizerSchema, t.properties(id));
    const a = readAuthorizer(t, functionIdsByName, warnings, apiLogicalId, (key) => at(id, ...AUTHORIZER_PROPERTIES[key].split('.')), { logicalId: id, id: t.ref(id), name: p.Name ?? id }, {
      type: p.AuthorizerType,
      uri: p.AuthorizerUri,
      payload: p.AuthorizerPayloadFormatVersion,
      simple: p.EnableSimpleResponses,
      identitySource: p.IdentitySource,
      ttl: p.AuthorizerResultTtlInSeconds,
      credentials: p.AuthorizerCredentialsArn,
      issuer: p.JwtConfiguration?.Issuer,
      audience: p.JwtConfiguration?.Audience,
    });
    authorizers.set(a.id, a);
    read.add(id);
  }

  const routes: HttpRouteDescription[] = [];
  const integrationOf: IntegrationOf = (integrationId, where, names, p) => {
    if (p.connection !== undefined && p.connection !== 'INTERNET') throw new NotRun(`integration ${integrationId} goes through a VPC link, which is not emulated`);
    const type = p.type.toUpperCase();
    if (p.subtype !== undefined || (type !== 'AWS_PROXY' && type !== 'HTTP_PROXY')) throw new NotRun(`integration ${integrationId} is ${p.subtype ?? p.type}: only Lambda proxy (AWS_PROXY) and HTTP proxy (HTTP_PROXY) integrations are emulated`);
    if (p.responseParameters !== undefined && Object.keys(p.responseParameters).length > 0) throw new NotRun(`integration ${integrationId} maps its responses (${names.responseParameters}), which the emulator does not run`);
    const timeoutMs = p.timeout ?? HTTP_API_TIMEOUT_MS;
    if (type === 'HTTP_PROXY') {
      if (p.uri === undefined || !/^https?:\/\//i.test(p.uri)) throw templateError(t.file, [...where, names.uri], `${p.uri ?? 'missing'}: an HTTP proxy integration's URI is an http:// or https:// URL`);
      if (p.payload !== undefined && p.payload !== '1.0') throw templateError(t.file, [...where, names.payload], `${p.payload}: an HTTP proxy integration's payload format version is 1.0`);
      const requestParameters = p.requestParameters ?? {};
      for (const [key, value] of Object.entries(requestParameters)) {
        const why = requestParameterMistake(key, value);
        if (why) throw templateError(t.file, [...where, names.requestParameters, key], why);
      }
      return { integrationType: 'HTTP_PROXY', integrationId, timeoutMs, uri: p.uri, httpMethod: (p.method ?? 'ANY').toUpperCase(), payloadFormatVersion: '1.0', requestParameters };
    }
    // CloudFormation and API Gateway require the version on an HTTP API's Lambda proxy integration
    if (p.payload === undefined) throw templateError(t.file, [...where, names.payload], "missing: an HTTP API's Lambda proxy integration names its payload format version (1.0 or 2.0)");
    return { integrationType: 'AWS_PROXY', ...invokedFunction(t.file, [...where, names.uri], p.uri, functionIdsByName), integrationId, payloadFormatVersion: p.payload, timeoutMs };
  };

  // Routes and Integrations written as resources
  const integrations = new Map<string, HttpIntegrationDescription>();
  for (const id of mine(API_TYPES.integration)) {
    const p = parseProperties(t.file, id, integrationSchema, t.properties(id));
    integrations.set(
      t.ref(id),
      integrationOf(id, at(id), RESOURCE_NAMES, {
        type: p.IntegrationType,
        subtype: p.IntegrationSubtype,
        uri: p.IntegrationUri,
        payload: p.PayloadFormatVersion,
        timeout: p.TimeoutInMillis,
        connection: p.ConnectionType,
        method: p.IntegrationMethod,
        requestParameters: p.RequestParameters,
        responseParameters: p.ResponseParameters,
      }),
    );
    read.add(id);
  }
  for (const id of mine(API_TYPES.route)) {
    const p = parseProperties(t.file, id, routeSchema, t.properties(id));
    checkRouteKey(p.RouteKey, t.file, at(id, 'RouteKey'));
    const authorization = routeAuthorization(t.file, at(id), `route ${p.RouteKey} (${id})`, p.AuthorizationType ?? 'NONE', p.AuthorizerId, p.AuthorizationScopes, authorizers);
    if (p.Target === undefined) throw templateError(t.file, at(id, 'Target'), `route ${p.RouteKey} has no integration (Target: integrations/<id>): API Gateway would answer it 404`);
    const target = /^integrations\/(.+)$/.exec(p.Target)?.[1];
    const integration = target === undefined ? undefined : integrations.get(target);
    if (!integration) throw templateError(t.file, at(id, 'Target'), `${p.Target} is not an integration of this API (integrations/<id>)`);
    routes.push({ logicalId: id, routeKey: p.RouteKey, ...integration, ...(authorization ? { authorization } : {}) });
    read.add(id);
  }

  // Routes of the OpenAPI definition (what SAM's HttpApi writes)
  if (api.Body !== undefined) {
    const body = bodyRoutes(t.file, apiLogicalId, api.Body, integrationOf, (where, base, input) => readAuthorizer(t, functionIdsByName, warnings, apiLogicalId, where, { ...base, id: apiResourceId(apiId, `authorizers/${base.name}`) }, input));
    routes.push(...body.routes);
    for (const a of body.authorizers) authorizers.set(a.id, a);
  }
  // CorsConfiguration overrides the Body's, as API Gateway imports a definition and then applies the properties
  const cors =
    api.CorsConfiguration !== undefined
      ? corsOf(t.file, at(apiLogicalId, 'CorsConfiguration'), api.CorsConfiguration, 'pascal')
      : isMap(api.Body) && api.Body['x-amazon-apigateway-cors'] !== undefined
        ? corsOf(t.file, at(apiLogicalId, 'Body', 'x-amazon-apigateway-cors'), api.Body['x-amazon-apigateway-cors'], 'camel')
        : undefined;

  // Quick create: Target makes a $default route to a Lambda proxy (2.0) and a $default stage
  if (api.Target !== undefined) {
    // a URL makes an HTTP proxy ("Quick create … a Lambda function or HTTP URL")
    const http = /^https?:\/\//i.test(api.Target);
    routes.push({ routeKey: '$default', ...integrationOf(`${apiLogicalId} Target`, at(apiLogicalId), { ...RESOURCE_NAMES, uri: 'Target' }, { type: http ? 'HTTP_PROXY' : 'AWS_PROXY', uri: api.Target, payload: http ? '1.0' : '2.0' }) });
  }
  const keys = new Set<string>();
  for (const r of routes) {
    if (keys.has(r.routeKey)) throw templateError(t.file, ['Resources', r.logicalId ?? apiLogicalId], `a second route ${r.routeKey} on ${apiLogicalId}: API Gateway refuses it (ConflictException)`);
    keys.add(r.routeKey);
  }
  if (routes.length === 0) throw new NotRun('it has no route');

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
      ...(stage?.AccessLogSettings ? { accessLog: accessLogOf(stage.AccessLogSettings)! } : {}),
    },
    ...(cors ? { cors } : {}),
    routes,
    ...(authorizers.size > 0 ? { authorizers: [...authorizers.values()] } : {}),
  };
}

/** An integration's settings, from a resource's properties or an OpenAPI operation's extension. */
interface IntegrationInput {
  type: string;
  subtype?: string;
  uri?: string;
  payload?: '1.0' | '2.0';
  timeout?: number;
  connection?: string;
  method?: string;
  requestParameters?: Record<string, string>;
  responseParameters?: Record<string, unknown>;
}
/** Where the settings a mistake is named by are written (a resource's, or an OpenAPI extension's). */
type IntegrationNames = Record<'uri' | 'payload' | 'requestParameters' | 'responseParameters', string>;
const RESOURCE_NAMES: IntegrationNames = { uri: 'IntegrationUri', payload: 'PayloadFormatVersion', requestParameters: 'RequestParameters', responseParameters: 'ResponseParameters' };
const OPENAPI_NAMES: IntegrationNames = { uri: 'uri', payload: 'payloadFormatVersion', requestParameters: 'requestParameters', responseParameters: 'responseParameters' };
type IntegrationOf = (integrationId: string, where: TemplatePath, names: IntegrationNames, p: IntegrationInput) => HttpIntegrationDescription;

/**
 * Why an HTTP proxy's request parameter is not one API Gateway takes ("Transform API requests …
 * for HTTP APIs"): a key `append|overwrite|remove:header.<name>` or `…:querystring.<name>`, or
 * `overwrite:path`; a value a static string or `$request.header|querystring|path.<name>`,
 * `$request.path`, `$context.<variable>`, `$stageVariables.<name>` (also as `${…}`, several in one
 * value). `$request.body…` is not run here: said as a mistake of the emulator's, naming it.
 */
function requestParameterMistake(key: string, value: string): string | undefined {
  if (!/^(?:(?:append|overwrite|remove):(?:header|querystring)\.[^\s.][^\s]*|overwrite:path)$/.test(key)) return `${key}: an HTTP API's request parameter is append|overwrite|remove:header.<name>, append|overwrite|remove:querystring.<name> or overwrite:path`;
  if (/\$\{?request\.body/.test(value)) return `${value}: the request body in a parameter mapping is not run by the emulator`;
  return undefined;
}

type BodyAuthorizer = (where: (key: keyof AuthorizerInput) => TemplatePath, base: { name: string }, input: AuthorizerInput) => HttpAuthorizerDescription;

/**
 * The routes an OpenAPI 3 Body defines: each path's operations with an `x-amazon-apigateway-integration`,
 * and the authorizers of its `components.securitySchemes` (an `x-amazon-apigateway-authorizer`
 * each; `x-amazon-apigateway-authtype: awsSigv4` is IAM authorization) that operations name in
 * their `security` (or the document's own).
 */
function bodyRoutes(file: string, apiLogicalId: string, body: unknown, integrationOf: IntegrationOf, authorizerOf: BodyAuthorizer): { routes: HttpRouteDescription[]; authorizers: HttpAuthorizerDescription[] } {
  const where = (...path: string[]): TemplatePath => ['Resources', apiLogicalId, 'Properties', 'Body', ...path];
  const doc = openApiBody(file, where(), body);
  if (!isMap(doc)) throw templateError(file, where(), 'must be an OpenAPI definition (a mapping)');
  const components = isMap(doc.components) ? doc.components : {};
  // by scheme name: an authorizer, or 'AWS_IAM'
  const schemes = new Map<string, HttpAuthorizerDescription | 'AWS_IAM'>();
  if (components.securitySchemes !== undefined) {
    if (!isMap(components.securitySchemes)) throw templateError(file, where('components', 'securitySchemes'), 'must be a mapping of security schemes');
    for (const [name, scheme] of Object.entries(components.securitySchemes)) {
      if (!isMap(scheme)) throw templateError(file, where('components', 'securitySchemes', name), 'must be a mapping');
      if (scheme['x-amazon-apigateway-authtype'] === 'awsSigv4') {
        schemes.set(name, 'AWS_IAM');
        continue;
      }
      const spec = scheme['x-amazon-apigateway-authorizer'];
      if (spec === undefined) continue; // a scheme API Gateway takes no authorizer from; a route naming it is refused below
      const specAt = where('components', 'securitySchemes', name, 'x-amazon-apigateway-authorizer');
      const parsed = openApiAuthorizer.safeParse(spec);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw templateError(file, [...specAt, ...issue.path.map(String)], issue.message);
      }
      const p = parsed.data;
      schemes.set(
        name,
        authorizerOf((key) => [...specAt, ...OPENAPI_AUTHORIZER_PROPERTIES[key]], { name }, {
          type: p.type,
          uri: p.authorizerUri,
          payload: p.authorizerPayloadFormatVersion,
          simple: p.enableSimpleResponses,
          identitySource: p.identitySource,
          ttl: p.authorizerResultTtlInSeconds,
          credentials: p.authorizerCredentials,
          issuer: p.jwtConfiguration?.issuer,
          audience: p.jwtConfiguration?.audience,
        }),
      );
    }
  }
  const authorizers = [...schemes.values()].filter((s): s is HttpAuthorizerDescription => s !== 'AWS_IAM');
  if (doc.paths === undefined) return { routes: [], authorizers };
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
      const authorization = bodyAuthorization(file, where('paths', path, key, 'security'), routeKey, operation.security ?? doc.security, schemes);
      const integrationAt = where('paths', path, key, 'x-amazon-apigateway-integration');
      const parsed = openApiIntegration.safeParse(spec);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw templateError(file, [...integrationAt, ...issue.path.map(String)], issue.message);
      }
      const p = parsed.data;
      const integration = integrationOf(`${path} ${key}`, integrationAt, OPENAPI_NAMES, {
        type: p.type,
        uri: p.uri,
        payload: p.payloadFormatVersion,
        timeout: p.timeoutInMillis,
        connection: p.connectionType,
        method: p.httpMethod,
        requestParameters: p.requestParameters,
        responseParameters: p.responseParameters,
      });
      routes.push({ routeKey, ...integration, ...(authorization ? { authorization } : {}) });
    }
  }
  return { routes, authorizers };
}

/**
 * An operation's `security` (or the document's): none, or one requirement naming one scheme, with
 * its scopes. SAM writes a route without authorization as `security: [{ NONE: [] }]`.
 */
function bodyAuthorization(file: string, at: TemplatePath, routeKey: string, security: unknown, schemes: ReadonlyMap<string, HttpAuthorizerDescription | 'AWS_IAM'>): HttpRouteDescription['authorization'] {
  if (security === undefined || security === null) return undefined;
  if (!Array.isArray(security)) throw templateError(file, at, 'must be a list of security requirements');
  const requirements = security.filter((s) => !(isMap(s) && (Object.keys(s).length === 0 || (Object.keys(s).length === 1 && 'NONE' in s))));
  if (requirements.length === 0) return undefined;
  const names = requirements.flatMap((s) => (isMap(s) ? Object.keys(s) : []));
  if (requirements.length > 1 || names.length !== 1) throw new NotRun(`route ${routeKey} of its OpenAPI definition names several security requirements (${names.join(', ')}): an HTTP API route has one authorizer`);
  const name = names[0]!;
  const scheme = schemes.get(name);
  if (scheme === 'AWS_IAM') return { type: 'AWS_IAM' };
  if (scheme === undefined) throw templateError(file, at, `${name} is not an authorizer of components.securitySchemes (an x-amazon-apigateway-authorizer)`);
  const scopes = (requirements[0] as Record<string, unknown>)[name];
  if (scopes !== undefined && scopes !== null && (!Array.isArray(scopes) || scopes.some((x) => typeof x !== 'string'))) throw templateError(file, [...at, 0, name], 'must be a list of scopes');
  return { type: scheme.type === 'JWT' ? 'JWT' : 'CUSTOM', authorizerId: scheme.id, scopes: scheme.type === 'JWT' ? ((scopes ?? []) as string[]) : [] };
}

/** A Route resource's authorization: none (NONE), or its JWT or CUSTOM authorizer and scopes, as API Gateway takes them. */
function routeAuthorization(
  file: string,
  at: TemplatePath,
  route: string,
  type: string,
  authorizerId: string | undefined,
  scopes: string[] | undefined,
  authorizers: ReadonlyMap<string, HttpAuthorizerDescription>,
): HttpRouteDescription['authorization'] {
  if (type === 'NONE') return undefined;
  if (type === 'AWS_IAM') return { type };
  if (type !== 'JWT' && type !== 'CUSTOM') throw templateError(file, [...at, 'AuthorizationType'], `${type}: an HTTP API route's AuthorizationType is NONE, JWT, CUSTOM or AWS_IAM`);
  const authorizer = authorizerId === undefined ? undefined : authorizers.get(authorizerId);
  if (!authorizer) throw templateError(file, [...at, 'AuthorizerId'], `${authorizerId ?? '(missing)'} is not an authorizer of this API: a ${type} route names one (AuthorizerId: !Ref <authorizer>)`);
  const wanted = type === 'JWT' ? 'JWT' : 'REQUEST';
  if (authorizer.type !== wanted) throw templateError(file, [...at, 'AuthorizationType'], `${type}: the route's authorizer ${authorizer.name} is a ${authorizer.type} authorizer, which a route names with AuthorizationType ${authorizer.type === 'JWT' ? 'JWT' : 'CUSTOM'}`);
  return { type, authorizerId: authorizer.id, scopes: type === 'JWT' ? (scopes ?? []) : [] };
}

/** An authorizer's settings, from a resource's properties or a security scheme's extension. */
interface AuthorizerInput {
  type: string;
  uri?: string;
  payload?: '1.0' | '2.0';
  simple?: boolean;
  identitySource?: string[];
  ttl?: number;
  credentials?: string;
  issuer?: string;
  audience?: string[];
}

/** Where each setting is written, in a resource and in a security scheme's extension. */
const AUTHORIZER_PROPERTIES: Record<keyof AuthorizerInput, string> = {
  type: 'AuthorizerType',
  uri: 'AuthorizerUri',
  payload: 'AuthorizerPayloadFormatVersion',
  simple: 'EnableSimpleResponses',
  identitySource: 'IdentitySource',
  ttl: 'AuthorizerResultTtlInSeconds',
  credentials: 'AuthorizerCredentialsArn',
  issuer: 'JwtConfiguration.Issuer',
  audience: 'JwtConfiguration.Audience',
};
const OPENAPI_AUTHORIZER_PROPERTIES: Record<keyof AuthorizerInput, string[]> = {
  type: ['type'],
  uri: ['authorizerUri'],
  payload: ['authorizerPayloadFormatVersion'],
  simple: ['enableSimpleResponses'],
  identitySource: ['identitySource'],
  ttl: ['authorizerResultTtlInSeconds'],
  credentials: ['authorizerCredentials'],
  issuer: ['jwtConfiguration', 'issuer'],
  audience: ['jwtConfiguration', 'audience'],
};

/** The `$context` variables a Lambda authorizer's identity source may name here (../http-api/authorizers.ts resolves them). */
export const IDENTITY_CONTEXT_VARIABLES = ['accountId', 'apiId', 'domainName', 'domainPrefix', 'httpMethod', 'identity.sourceIp', 'identity.userAgent', 'path', 'protocol', 'requestId', 'routeKey', 'stage'];

/**
 * One authorizer as API Gateway takes it (CreateAuthorizer's checks, which CloudFormation's
 * deploy meets): a JWT authorizer names its issuer and one identity source (a header or query
 * parameter); a REQUEST authorizer its function, its payload format version (1.0 or 2.0; simple
 * responses with 2.0 only) and identity sources (any to cache: its TTL, 300 s where unset, needs one).
 */
function readAuthorizer(
  t: StackTemplate,
  functionIdsByName: ReadonlyMap<string, string>,
  warnings: string[],
  apiLogicalId: string,
  at: (key: keyof AuthorizerInput) => TemplatePath,
  base: { logicalId?: string; id: string; name: string },
  p: AuthorizerInput,
): HttpAuthorizerDescription {
  const type = p.type.toUpperCase();
  const sources = p.identitySource ?? [];
  if (type === 'JWT') {
    if (p.issuer === undefined || p.issuer === '') throw templateError(t.file, at('issuer'), 'missing: a JWT authorizer names the issuer of its tokens (an https:// URL)');
    if (sources.length !== 1) throw templateError(t.file, at('identitySource'), `${sources.length === 0 ? 'missing' : sources.join(', ')}: a JWT authorizer takes its token from one identity source ($request.header.Authorization, or a $request.querystring.<name>)`);
    if (!/^\$request\.(header|querystring)\.[^.\s]+$/.test(sources[0]!)) throw templateError(t.file, at('identitySource'), `${sources[0]}: a JWT authorizer's identity source is a header ($request.header.<name>) or a query parameter ($request.querystring.<name>)`);
    const audience = p.audience ?? [];
    if (audience.length === 0) warnings.push(`HTTP API ${apiLogicalId}: authorizer ${base.name} names no audience (JwtConfiguration.Audience): no token's aud or client_id can match, so API Gateway lets none through`);
    return { ...base, type: 'JWT', identitySource: sources[0]!, issuer: p.issuer, audience };
  }
  if (type !== 'REQUEST') throw templateError(t.file, at('type'), `${p.type}: an HTTP API's authorizer is JWT or REQUEST (a Lambda function)`);
  if (p.payload === undefined) throw templateError(t.file, at('payload'), "missing: an HTTP API's Lambda authorizer names its payload format version (1.0 or 2.0)");
  if (p.simple === true && p.payload !== '2.0') throw templateError(t.file, at('simple'), 'simple responses are for payload format version 2.0 only');
  for (const source of sources) {
    const m = /^\$(request\.header|request\.querystring|context|stageVariables)\.(.+)$/.exec(source);
    if (!m) throw templateError(t.file, at('identitySource'), `${source}: an identity source is $request.header.<name>, $request.querystring.<name>, $context.<variable> or $stageVariables.<name>`);
    if (m[1] === 'context' && !IDENTITY_CONTEXT_VARIABLES.includes(m[2]!)) throw new NotRun(`its authorizer ${base.name} takes ${source} as an identity source, a context variable the emulator does not give (it gives ${IDENTITY_CONTEXT_VARIABLES.map((v) => `$context.${v}`).join(', ')})`);
  }
  // the TTL API Gateway gives where none is set; caching needs an identity source ("To enable caching, your authorizer must have at least one identity source")
  if (p.ttl !== undefined && p.ttl > 0 && sources.length === 0) throw templateError(t.file, at('ttl'), `${p.ttl}: caching an authorizer's answers needs at least one identity source (IdentitySource), its cache key`);
  const ttl = p.ttl ?? (sources.length > 0 ? 300 : 0);
  const credentials = p.credentials === undefined ? undefined : readTemplateRole(t, p.credentials);
  return {
    ...base,
    type: 'REQUEST',
    ...invokedFunction(t.file, at('uri'), p.uri, functionIdsByName),
    payloadFormatVersion: p.payload,
    simpleResponses: p.simple === true,
    identitySource: sources,
    ttlSeconds: ttl,
    ...(credentials ? { credentials } : {}),
  };
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

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const corsList = z.array(z.string());
/** AWS::ApiGatewayV2::Api CorsConfiguration (PascalCase) or the Body's x-amazon-apigateway-cors (camelCase): one shape, MaxAge -1 to 86,400 as API Gateway takes it. */
const corsFields = { allowOrigins: corsList, allowMethods: corsList, allowHeaders: corsList, exposeHeaders: corsList, maxAge: cfnInteger.pipe(z.number().min(-1).max(86_400)), allowCredentials: cfnBoolean } as const;
const pascal = (k: string) => k[0]!.toUpperCase() + k.slice(1);
const corsSchemas = {
  camel: z.object(Object.fromEntries(Object.entries(corsFields).map(([k, s]) => [k, s.optional()]))).strict(),
  pascal: z.object(Object.fromEntries(Object.entries(corsFields).map(([k, s]) => [pascal(k), s.optional()]))).strict(),
};

function corsOf(file: string, where: TemplatePath, input: unknown, casing: 'camel' | 'pascal'): HttpCorsDescription {
  const parsed = corsSchemas[casing].safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    throw templateError(file, [...where, ...(key !== undefined ? [key] : issue.path.map(String))], key !== undefined ? 'not a CORS setting of an HTTP API' : issue.message);
  }
  const v = parsed.data as Record<string, unknown>;
  const get = <T>(k: keyof typeof corsFields) => v[casing === 'camel' ? k : pascal(k)] as T | undefined;
  const maxAge = get<number>('maxAge');
  return {
    allowOrigins: get<string[]>('allowOrigins') ?? [],
    allowMethods: get<string[]>('allowMethods') ?? [],
    allowHeaders: get<string[]>('allowHeaders') ?? [],
    exposeHeaders: get<string[]>('exposeHeaders') ?? [],
    ...(maxAge !== undefined ? { maxAge } : {}),
    allowCredentials: get<boolean>('allowCredentials') ?? false,
  };
}
