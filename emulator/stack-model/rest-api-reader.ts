import { z } from 'zod';
import { readTemplateRole } from '../iam/execution-role-reader.ts';
import type { ExecutionRole } from '../iam/execution-role.ts';
import { awsIntegrationService } from './aws-integration-reader.ts';
import { invokedFunction } from './invoked-function.ts';
import { OPENAPI_METHODS, openApiBody } from './openapi-body.ts';
import { generatedApiKeyValue } from './physical-ids.ts';
import { generatedApiGatewayId } from './physical-names.ts';
import { accessLogOf, cfnBoolean, cfnInteger, cfnNumber, cfnString, parseProperties, restAccessLogSettingSchema } from './resource-properties.ts';
import type { StackTemplate } from './stack-template.ts';
import type {
  AccessLogDeclaration,
  ApiKeyDescription,
  RestApiDescription,
  RestAuthorizerDescription,
  RestIntegrationDescription,
  RestIntegrationResponse,
  RestMethodDescription,
  RestResourceDescription,
  RestStageDescription,
  Throttle,
  UsagePlanDescription,
} from './stack-description.ts';
import { templateError, type TemplatePath } from './template-errors.ts';
import { throttleOf } from './websocket-api-reader.ts';

/**
 * The REST APIs of a template (API Gateway v1: AWS::ApiGateway::RestApi), each with its methods
 * at the paths its resources give them (Resource's ParentId and PathPart up to the API's
 * RootResourceId, `/`), or as its OpenAPI (Swagger 2.0 or OpenAPI 3) `Body` defines them (what
 * SAM's Api writes), their integrations (AWS_PROXY to a function of the stack, AWS, HTTP,
 * HTTP_PROXY, MOCK), their Lambda authorizers (TOKEN, REQUEST) and API key requirement, and the
 * stages a Deployment's StageName or a Stage makes, with their variables and MethodSettings; the
 * stack's API keys and the usage plans that hold them (UsagePlan, UsagePlanKey).
 *
 * An API using what the emulator does not run (a Cognito authorizer, a VPC link, a private
 * endpoint, an AWS integration to a service not emulated, a definition in S3) is not served: it
 * stays among the resources not emulated, with one warning naming the first such thing. What
 * CloudFormation or API Gateway would refuse (a method with a function outside the stack, two
 * methods on one path, a timeout out of range) is refused in one line naming the resource.
 */

export const REST_TYPES = {
  api: 'AWS::ApiGateway::RestApi',
  resource: 'AWS::ApiGateway::Resource',
  method: 'AWS::ApiGateway::Method',
  deployment: 'AWS::ApiGateway::Deployment',
  stage: 'AWS::ApiGateway::Stage',
  authorizer: 'AWS::ApiGateway::Authorizer',
  apiKey: 'AWS::ApiGateway::ApiKey',
  usagePlan: 'AWS::ApiGateway::UsagePlan',
  usagePlanKey: 'AWS::ApiGateway::UsagePlanKey',
} as const;

/** Custom domains and their mappings: not emulated (each API is served on its own endpoint), said once each. */

/** TimeoutInMillis: 50 ms to 29 s, the default 29 s; a Regional or private API's quota may be raised to 300 s. */
export const REST_API_TIMEOUT_MS = 29_000;
const MIN_TIMEOUT_MS = 50;
const RAISED_TIMEOUT_MS = 300_000;
/** AuthorizerResultTtlInSeconds: 0 (no cache) to 3,600, default 300. */
export const AUTHORIZER_TTL_SECONDS = 300;
const MAX_AUTHORIZER_TTL_SECONDS = 3_600;
/** An API key's value: 20 to 128 characters. */
const API_KEY_VALUE_LENGTH = { min: 20, max: 128 };

export interface RestApis {
  apis: RestApiDescription[];
  apiKeys: ApiKeyDescription[];
  usagePlans: UsagePlanDescription[];
  /** the resources read (a served API's, the keys and plans) */
  read: Set<string>;
  /** one line per API not served, per custom domain and mapping, per setting run otherwise than on AWS */
  warnings: string[];
}

/** Something of an API the emulator does not run: the API is left unserved, with this said. */
class NotRun extends Error {}

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;
const PASSTHROUGH = ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'] as const;
type Passthrough = (typeof PASSTHROUGH)[number];
const LAMBDA_INVOCATION = /^arn:[^:]+:apigateway:[^:]+:lambda:path\/2015-03-31\/functions\/.+\/invocations$/;
const LAMBDA_STREAMING = /^arn:[^:]+:apigateway:[^:]+:lambda:path\/2021-11-15\/functions\/.+\/response-streaming-invocations$/;

const stringMap = z.record(z.string(), cfnString);
const apiSchema = z
  .object({
    Name: z.string().optional(),
    Body: z.unknown().optional(),
    BodyS3Location: z.unknown().optional(),
    CloneFrom: z.string().optional(),
    ApiKeySourceType: z.enum(['HEADER', 'AUTHORIZER']).optional(),
    BinaryMediaTypes: z.array(z.string()).optional(),
    EndpointConfiguration: z.object({ Types: z.array(z.string()).optional() }).loose().optional(),
    DisableExecuteApiEndpoint: cfnBoolean.optional(),
  })
  .loose();
const resourceSchema = z.object({ ParentId: z.string(), PathPart: z.string().min(1) }).loose();
const integrationResponseSchema = z
  .object({ StatusCode: cfnString, SelectionPattern: z.string().optional(), ResponseTemplates: z.record(z.string(), z.string()).optional(), ResponseParameters: stringMap.optional() })
  .loose();
const integrationSchema = z
  .object({
    Type: z.string(),
    Uri: z.string().optional(),
    IntegrationHttpMethod: z.string().optional(),
    Credentials: z.string().optional(),
    RequestParameters: stringMap.optional(),
    RequestTemplates: z.record(z.string(), z.string()).optional(),
    PassthroughBehavior: z.string().optional(),
    TimeoutInMillis: cfnInteger.optional(),
    ConnectionType: z.string().optional(),
    IntegrationResponses: z.array(integrationResponseSchema).optional(),
  })
  .loose();
const methodSchema = z
  .object({
    HttpMethod: z.string(),
    ResourceId: z.string(),
    AuthorizationType: z.string().optional(),
    AuthorizerId: z.string().optional(),
    ApiKeyRequired: cfnBoolean.optional(),
    Integration: integrationSchema.optional(),
  })
  .loose();
const methodSetting = z
  .object({
    HttpMethod: z.string().optional(),
    ResourcePath: z.string().optional(),
    ThrottlingRateLimit: cfnNumber.optional(),
    ThrottlingBurstLimit: cfnNumber.optional(),
    MetricsEnabled: cfnBoolean.optional(),
    CachingEnabled: cfnBoolean.optional(),
  })
  .loose();
const stageNameSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a stage name is 1 to 128 letters, digits, hyphens and underscores');
const stageSchema = z
  .object({ StageName: stageNameSchema, Variables: stringMap.optional(), MethodSettings: z.array(methodSetting).optional(), CacheClusterEnabled: cfnBoolean.optional(), AccessLogSetting: restAccessLogSettingSchema.optional() })
  .loose();
const deploymentSchema = z
  .object({
    StageName: stageNameSchema.optional(),
    StageDescription: z
      .object({
        Variables: stringMap.optional(),
        MethodSettings: z.array(methodSetting).optional(),
        ThrottlingRateLimit: cfnNumber.optional(),
        ThrottlingBurstLimit: cfnNumber.optional(),
        MetricsEnabled: cfnBoolean.optional(),
        CachingEnabled: cfnBoolean.optional(),
        CacheClusterEnabled: cfnBoolean.optional(),
        AccessLogSetting: restAccessLogSettingSchema.optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
const authorizerSchema = z
  .object({
    Type: z.string(),
    Name: z.string().optional(),
    AuthorizerUri: z.string().optional(),
    AuthorizerCredentials: z.string().optional(),
    IdentitySource: z.string().optional(),
    IdentityValidationExpression: z.string().optional(),
    AuthorizerResultTtlInSeconds: cfnInteger.optional(),
  })
  .loose();
const apiKeySchema = z.object({ Name: z.string().optional(), Value: z.string().optional(), Enabled: cfnBoolean.optional() }).loose();
const planThrottle = z.object({ RateLimit: cfnNumber.optional(), BurstLimit: cfnInteger.optional() }).loose();
const usagePlanSchema = z
  .object({
    UsagePlanName: z.string().optional(),
    ApiStages: z.array(z.object({ ApiId: z.string(), Stage: z.string(), Throttle: z.record(z.string(), planThrottle).optional() }).loose()).optional(),
    Throttle: planThrottle.optional(),
    Quota: z.object({ Limit: cfnInteger.optional(), Period: z.enum(['DAY', 'WEEK', 'MONTH']).optional(), Offset: cfnInteger.optional() }).loose().optional(),
  })
  .loose();
const usagePlanKeySchema = z.object({ KeyId: z.string(), KeyType: z.literal('API_KEY'), UsagePlanId: z.string() }).loose();

const openApiIntegration = z
  .object({
    type: z.string().optional(),
    uri: z.string().optional(),
    httpMethod: z.string().optional(),
    credentials: z.string().optional(),
    requestParameters: stringMap.optional(),
    requestTemplates: z.record(z.string(), z.string()).optional(),
    passthroughBehavior: z.string().optional(),
    timeoutInMillis: cfnInteger.optional(),
    connectionType: z.string().optional(),
    responses: z
      .record(z.string(), z.object({ statusCode: cfnString, responseTemplates: z.record(z.string(), z.string()).optional(), responseParameters: stringMap.optional() }).loose())
      .optional(),
  })
  .loose();
const openApiAuthorizer = z
  .object({
    type: z.string(),
    authorizerUri: z.string().optional(),
    authorizerCredentials: z.string().optional(),
    identitySource: z.string().optional(),
    identityValidationExpression: z.string().optional(),
    authorizerResultTtlInSeconds: cfnInteger.optional(),
  })
  .loose();

/** An integration as both writings give it (a Method's `Integration`, an OpenAPI `x-amazon-apigateway-integration`). */
interface IntegrationSpec {
  type?: string;
  uri?: string;
  httpMethod?: string;
  credentials?: string;
  requestParameters?: Record<string, string>;
  requestTemplates?: Record<string, string>;
  passthroughBehavior?: string;
  timeoutMs?: number;
  connectionType?: string;
  responses: RestIntegrationResponse[];
}
type IntegrationKey = 'type' | 'uri' | 'httpMethod' | 'timeout' | 'passthrough';
const CFN_INTEGRATION_KEYS: Record<IntegrationKey, string> = { type: 'Type', uri: 'Uri', httpMethod: 'IntegrationHttpMethod', timeout: 'TimeoutInMillis', passthrough: 'PassthroughBehavior' };
const OPENAPI_INTEGRATION_KEYS: Record<IntegrationKey, string> = { type: 'type', uri: 'uri', httpMethod: 'httpMethod', timeout: 'timeoutInMillis', passthrough: 'passthroughBehavior' };

interface Reading {
  t: StackTemplate;
  functionIdsByName: ReadonlyMap<string, string>;
  apiLogicalId: string;
  read: Set<string>;
  warnings: string[];
}

export function readRestApis(t: StackTemplate, functionIdsByName: ReadonlyMap<string, string>): RestApis {
  const out: RestApis = { apis: [], apiKeys: [], usagePlans: [], read: new Set(), warnings: [] };
  for (const id of t.ofType(REST_TYPES.api)) {
    const read = new Set<string>();
    const warnings: string[] = [];
    try {
      out.apis.push(readRestApi({ t, functionIdsByName, apiLogicalId: id, read, warnings }));
      for (const r of read) out.read.add(r);
      out.warnings.push(...warnings);
    } catch (err) {
      if (!(err instanceof NotRun)) throw err;
      out.warnings.push(`REST API ${id} is not served: ${err.message}`);
    }
  }
  out.apiKeys = readApiKeys(t);
  for (const k of out.apiKeys) out.read.add(k.logicalId);
  const plans = readUsagePlans(t, out.apis, out.apiKeys, out.warnings);
  out.usagePlans = plans.plans;
  for (const id of plans.read) out.read.add(id);
  return out;
}

function readRestApi(c: Reading): RestApiDescription {
  const { t, apiLogicalId } = c;
  const apiId = t.ref(apiLogicalId);
  c.read.add(apiLogicalId);
  const mine = (type: string) => t.ofType(type).filter((id) => t.property(id, 'RestApiId') === apiId);
  const at = (id: string, ...path: (string | number)[]): TemplatePath => ['Resources', id, 'Properties', ...path];
  const api = parseProperties(t.file, apiLogicalId, apiSchema, t.properties(apiLogicalId));
  if (api.BodyS3Location !== undefined) throw new NotRun('its OpenAPI definition is in S3 (BodyS3Location), which the emulator cannot read');
  if (api.CloneFrom !== undefined) throw new NotRun('it is a clone of another API (CloneFrom), whose methods are not in the template');
  if (api.EndpointConfiguration?.Types?.includes('PRIVATE')) throw new NotRun('it is a private API (EndpointConfiguration PRIVATE), reached only through a VPC endpoint, which is not emulated');
  if (api.Name === undefined && api.Body === undefined) throw templateError(t.file, at(apiLogicalId, 'Name'), 'missing: a REST API without an OpenAPI definition (Body) needs a Name');
  const doc = api.Body === undefined ? undefined : openApiDocument(t.file, at(apiLogicalId, 'Body'), api.Body);

  // the authorizers written as resources: Lambda ones read; a Cognito one stops the API where a method uses it
  const authorizers = new Map<string, RestAuthorizerDescription>();
  const cognito = new Map<string, string>();
  for (const id of mine(REST_TYPES.authorizer)) {
    const p = parseProperties(t.file, id, authorizerSchema, t.properties(id));
    if (p.Type === 'COGNITO_USER_POOLS') {
      cognito.set(t.ref(id), id);
      continue;
    }
    if (p.Type !== 'TOKEN' && p.Type !== 'REQUEST') throw templateError(t.file, at(id, 'Type'), `${p.Type}: must be TOKEN, REQUEST or COGNITO_USER_POOLS`);
    authorizers.set(
      t.ref(id),
      lambdaAuthorizer(c, id, at(id), {
        id: t.ref(id),
        name: p.Name ?? id,
        type: p.Type,
        uri: p.AuthorizerUri,
        credentials: p.AuthorizerCredentials,
        identitySource: p.IdentitySource,
        validation: p.IdentityValidationExpression,
        ttl: p.AuthorizerResultTtlInSeconds,
      }),
    );
    c.read.add(id);
  }

  // the resources: each one's path, from the root (`/`) down
  const rootId = String(t.attribute(apiLogicalId, 'RootResourceId'));
  const paths = resourcePaths(c, mine(REST_TYPES.resource), rootId);

  const methods: RestMethodDescription[] = [];
  for (const id of mine(REST_TYPES.method)) {
    const p = parseProperties(t.file, id, methodSchema, t.properties(id));
    const httpMethod = p.HttpMethod.toUpperCase();
    if (!(HTTP_METHODS as readonly string[]).includes(httpMethod)) throw templateError(t.file, at(id, 'HttpMethod'), `${p.HttpMethod}: must be one of ${HTTP_METHODS.join(', ')}`);
    const path = paths.get(p.ResourceId);
    if (path === undefined) throw templateError(t.file, at(id, 'ResourceId'), `${p.ResourceId} is not a resource of ${apiLogicalId} (an AWS::ApiGateway::Resource of it, or its RootResourceId)`);
    const label = `${httpMethod} ${path}`;
    const authorizationType = p.AuthorizationType ?? 'NONE';
    if (authorizationType === 'COGNITO_USER_POOLS') throw new NotRun(`method ${label} (${id}) uses a Cognito user pool authorizer (COGNITO_USER_POOLS), which is not emulated`);
    if (authorizationType !== 'NONE' && authorizationType !== 'AWS_IAM' && authorizationType !== 'CUSTOM') {
      throw templateError(t.file, at(id, 'AuthorizationType'), `${authorizationType}: must be NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS`);
    }
    let authorizerId: string | undefined;
    if (authorizationType === 'CUSTOM') {
      if (p.AuthorizerId !== undefined && cognito.has(p.AuthorizerId)) throw new NotRun(`method ${label} (${id}) uses the Cognito user pool authorizer ${cognito.get(p.AuthorizerId)}, which is not emulated`);
      const authorizer = p.AuthorizerId === undefined ? undefined : authorizers.get(p.AuthorizerId);
      if (!authorizer) throw templateError(t.file, at(id, 'AuthorizerId'), `${p.AuthorizerId ?? '(missing)'} is not an authorizer of ${apiLogicalId}: a CUSTOM method names its Lambda authorizer`);
      authorizerId = authorizer.logicalId;
    }
    if (p.Integration === undefined) throw templateError(t.file, at(id, 'Integration'), `missing: method ${label} has no integration, and API Gateway refuses to deploy a method without one`);
    const i = p.Integration;
    const integration = integrationOf(c, `${label} (${id})`, (key) => at(id, 'Integration', CFN_INTEGRATION_KEYS[key]), {
      type: i.Type,
      ...optional({ uri: i.Uri, httpMethod: i.IntegrationHttpMethod, credentials: i.Credentials, requestParameters: i.RequestParameters, requestTemplates: i.RequestTemplates }),
      ...optional({ passthroughBehavior: i.PassthroughBehavior, timeoutMs: i.TimeoutInMillis, connectionType: i.ConnectionType }),
      responses: (i.IntegrationResponses ?? []).map((r) => ({
        ...(r.SelectionPattern !== undefined && r.SelectionPattern !== '' ? { selectionPattern: r.SelectionPattern } : {}),
        statusCode: r.StatusCode,
        responseTemplates: r.ResponseTemplates ?? {},
        responseParameters: r.ResponseParameters ?? {},
      })),
    });
    methods.push({ logicalId: id, path, httpMethod, authorizationType, ...(authorizerId ? { authorizerId } : {}), apiKeyRequired: p.ApiKeyRequired ?? false, integration });
    c.read.add(id);
  }

  // the methods of the OpenAPI definition (what SAM's Api writes), and its authorizers
  let apiKeySource = api.ApiKeySourceType;
  const binaryMediaTypes = (api.BinaryMediaTypes ?? []).map((m) => m.replaceAll('~1', '/'));
  let disableExecuteApiEndpoint = api.DisableExecuteApiEndpoint ?? false;
  if (doc !== undefined) {
    const body = bodyMethods(c, doc);
    methods.push(...body.methods);
    for (const a of body.authorizers) authorizers.set(a.id, a);
    apiKeySource ??= body.apiKeySource;
    for (const m of body.binaryMediaTypes) if (!binaryMediaTypes.includes(m)) binaryMediaTypes.push(m);
    disableExecuteApiEndpoint ||= body.disableExecuteApiEndpoint;
  }
  const seen = new Map<string, RestMethodDescription>();
  for (const m of methods) {
    const key = `${m.httpMethod} ${m.path}`;
    if (seen.has(key)) throw templateError(t.file, ['Resources', m.logicalId ?? apiLogicalId], `a second method ${key} on ${apiLogicalId}: API Gateway refuses it (ConflictException)`);
    seen.set(key, m);
  }

  // the stages: each Deployment's StageName, each Stage
  const stages: RestStageDescription[] = [];
  const deployments = mine(REST_TYPES.deployment);
  if (deployments.length > 0 && methods.length === 0) throw templateError(t.file, ['Resources', deployments[0]!], `${apiLogicalId} has no method, and API Gateway refuses to deploy an API without one`);
  if (methods.length === 0) throw new NotRun('it has no method');
  const addStage = (stage: RestStageDescription, where: TemplatePath) => {
    if (stages.some((s) => s.name === stage.name)) throw templateError(t.file, where, `a second stage ${stage.name} of ${apiLogicalId}: API Gateway refuses it (ConflictException)`);
    stages.push(stage);
  };
  for (const id of deployments) {
    const p = parseProperties(t.file, id, deploymentSchema, t.properties(id));
    c.read.add(id);
    if (p.StageName === undefined) continue;
    const d = p.StageDescription ?? {};
    const settings = [...(d.ThrottlingRateLimit !== undefined || d.ThrottlingBurstLimit !== undefined || d.MetricsEnabled !== undefined ? [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: d.ThrottlingRateLimit, ThrottlingBurstLimit: d.ThrottlingBurstLimit, MetricsEnabled: d.MetricsEnabled }] : []), ...(d.MethodSettings ?? [])];
    addStage(stageOf(undefined, p.StageName, d.Variables, settings, accessLogOf(d.AccessLogSetting)), at(id, 'StageName'));
    if (d.CacheClusterEnabled === true || d.CachingEnabled === true || (d.MethodSettings ?? []).some((s) => s.CachingEnabled === true)) c.warnings.push(cacheWarning(apiLogicalId, p.StageName));
  }
  for (const id of mine(REST_TYPES.stage)) {
    const p = parseProperties(t.file, id, stageSchema, t.properties(id));
    addStage(stageOf(id, p.StageName, p.Variables, p.MethodSettings ?? [], accessLogOf(p.AccessLogSetting)), at(id, 'StageName'));
    if (p.CacheClusterEnabled === true || (p.MethodSettings ?? []).some((s) => s.CachingEnabled === true)) c.warnings.push(cacheWarning(apiLogicalId, p.StageName));
    c.read.add(id);
  }
  if (stages.length === 0) throw new NotRun('it has no stage (a Deployment\'s StageName or an AWS::ApiGateway::Stage), so nothing reaches it');
  if (disableExecuteApiEndpoint) {
    c.warnings.push(`REST API ${apiLogicalId}: DisableExecuteApiEndpoint: on AWS its execute-api endpoint answers 403 and clients reach it through a custom domain, which is not emulated; here it is served on its own endpoint`);
  }

  return {
    logicalId: apiLogicalId,
    // an imported OpenAPI definition names the API by its title (SAM's: the stack's name); Name overrides it
    name: api.Name ?? (doc && isMap(doc.info) && typeof doc.info.title === 'string' ? doc.info.title : apiLogicalId),
    id: apiId,
    stages,
    methods,
    // only the authorizers a method uses are invoked, but API Gateway makes every one
    authorizers: [...new Map([...authorizers.values()].map((a) => [a.logicalId, a])).values()],
    apiKeySource: apiKeySource ?? 'HEADER',
    binaryMediaTypes,
    resources: restResources(c, rootId, paths, methods),
  };
}

/**
 * Every resource of the API: the root, each AWS::ApiGateway::Resource, and each path of the
 * OpenAPI body with the paths above it (API Gateway makes a resource for every segment), each
 * with its id: the root's and a Resource's as Ref and GetAtt give them, another's generated.
 */
function restResources(c: Reading, rootId: string, paths: ReadonlyMap<string, string>, methods: readonly RestMethodDescription[]): RestResourceDescription[] {
  const { t } = c;
  const logicalIds = new Map(t.ofType(REST_TYPES.resource).map((id) => [t.ref(id), id]));
  const byPath = new Map<string, RestResourceDescription>();
  for (const [id, path] of paths) byPath.set(path, { ...(logicalIds.has(id) ? { logicalId: logicalIds.get(id)! } : {}), id, path });
  for (const m of methods) {
    const parts = m.path.split('/').filter((s) => s !== '');
    for (let i = 1; i <= parts.length; i++) {
      const path = `/${parts.slice(0, i).join('/')}`;
      if (!byPath.has(path)) byPath.set(path, { id: generatedApiGatewayId(t.stackName, `${c.apiLogicalId}${path}`, 10), path });
    }
  }
  return [byPath.get('/') ?? { id: rootId, path: '/' }, ...[...byPath.values()].filter((r) => r.path !== '/').sort((a, b) => a.path.localeCompare(b.path))];
}

const cacheWarning = (api: string, stage: string) => `REST API ${api} stage ${stage}: its cache (CacheClusterEnabled, CachingEnabled) is not emulated: every request reaches the integration`;

/** Each resource's path by its id (the root's `/`), from ParentId and PathPart; API Gateway's refusals of a path in one line each. */
function resourcePaths(c: Reading, ids: string[], rootId: string): Map<string, string> {
  const { t } = c;
  const parsed = new Map(ids.map((id) => [t.ref(id), { id, ...parseProperties(t.file, id, resourceSchema, t.properties(id)) }]));
  const paths = new Map<string, string>([[rootId, '/']]);
  const pathOf = (ref: string, chain: string[]): string => {
    const known = paths.get(ref);
    if (known !== undefined) return known;
    const r = parsed.get(ref)!;
    const where = ['Resources', r.id, 'Properties', 'ParentId'];
    if (chain.includes(r.id)) throw templateError(t.file, where, `the resources' parents go round in a loop: ${[...chain, r.id].join(' → ')}`);
    if (!paths.has(r.ParentId) && !parsed.has(r.ParentId)) throw templateError(t.file, where, `${r.ParentId} is not a resource of ${c.apiLogicalId} (an AWS::ApiGateway::Resource of it, or its RootResourceId)`);
    const parent = pathOf(r.ParentId, [...chain, r.id]);
    if (/\{[^}]+\+\}$/.test(parent)) throw templateError(t.file, where, `${parent} ends in a greedy path variable, and API Gateway refuses a resource under one`);
    const part = r.PathPart;
    if (part.includes('/') || !/^(\{[A-Za-z0-9._-]+\+?\}|[A-Za-z0-9._~:@!$&'()*+,;=-]+)$/.test(part)) {
      throw templateError(t.file, ['Resources', r.id, 'Properties', 'PathPart'], `${part} is not a path part (one segment: a name, {variable} or {variable+})`);
    }
    const path = parent === '/' ? `/${part}` : `${parent}/${part}`;
    paths.set(ref, path);
    return path;
  };
  for (const ref of parsed.keys()) pathOf(ref, []);
  // siblings: one path part once; one path variable at most
  const byParent = new Map<string, Array<{ id: string; part: string }>>();
  for (const r of parsed.values()) byParent.set(r.ParentId, [...(byParent.get(r.ParentId) ?? []), { id: r.id, part: r.PathPart }]);
  for (const siblings of byParent.values()) {
    for (const [i, s] of siblings.entries()) {
      const earlier = siblings.slice(0, i);
      const same = earlier.find((o) => o.part === s.part);
      if (same) throw templateError(t.file, ['Resources', s.id, 'Properties', 'PathPart'], `${s.part} is also resource ${same.id}'s path part under the same parent: API Gateway refuses it (ConflictException)`);
      const variable = earlier.find((o) => o.part.startsWith('{') && s.part.startsWith('{'));
      if (variable) throw templateError(t.file, ['Resources', s.id, 'Properties', 'PathPart'], `${s.part}: its sibling ${variable.id} already has a variable path part (${variable.part}), and API Gateway allows one`);
    }
  }
  for (const r of parsed.values()) c.read.add(r.id);
  return paths;
}

/** A stage: its variables, its MethodSettings' throttles and metrics (`/*` and `*` the whole stage's), its access log. */
function stageOf(
  logicalId: string | undefined,
  name: string,
  variables: Record<string, string> | undefined,
  settings: ReadonlyArray<z.infer<typeof methodSetting>>,
  accessLog: AccessLogDeclaration | undefined,
): RestStageDescription {
  let throttle: Throttle | undefined;
  const methodThrottles: Record<string, Throttle> = {};
  let detailedMetrics = false;
  for (const s of settings) {
    const method = (s.HttpMethod ?? '*').toUpperCase();
    const path = s.ResourcePath ?? '/*';
    const th = throttleOf(s);
    if (s.MetricsEnabled === true) detailedMetrics = true;
    if (!th) continue;
    if (method === '*' && path === '/*') throttle = th;
    else methodThrottles[`${methodSettingPath(path)}/${method}`] = th;
  }
  return { ...(logicalId !== undefined ? { logicalId } : {}), name, variables: variables ?? {}, ...(throttle ? { throttle } : {}), methodThrottles, detailedMetrics, ...(accessLog ? { accessLog } : {}) };
}

/** A MethodSetting's ResourcePath (`/~1items~1{id}`, each `/` of the path written `~1`) → the path (`/items/{id}`); `/` the root. */
function methodSettingPath(resourcePath: string): string {
  if (resourcePath === '/' || resourcePath === '/*') return resourcePath;
  const decoded = resourcePath.replace(/^\//, '').replaceAll('~1', '/');
  return decoded.startsWith('/') ? decoded : `/${decoded}`;
}

interface AuthorizerSpec {
  id: string;
  name: string;
  type: 'TOKEN' | 'REQUEST';
  uri: string | undefined;
  credentials: string | undefined;
  identitySource: string | undefined;
  validation: string | undefined;
  ttl: number | undefined;
}

/** A TOKEN or REQUEST Lambda authorizer: the function its URI invokes, its identity source, its cache. */
function lambdaAuthorizer(c: Reading, logicalId: string, where: TemplatePath, a: AuthorizerSpec): RestAuthorizerDescription {
  const { t } = c;
  const keyOf = (cfn: string, body: string) => [...where, where.includes('x-amazon-apigateway-authorizer') ? body : cfn];
  if (a.uri === undefined) throw templateError(t.file, keyOf('AuthorizerUri', 'authorizerUri'), `missing: a ${a.type} authorizer names its function's invocation URI`);
  if (!LAMBDA_INVOCATION.test(a.uri)) throw templateError(t.file, keyOf('AuthorizerUri', 'authorizerUri'), `${a.uri} is not a Lambda function's invocation URI (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations)`);
  const fn = invokedFunction(t.file, keyOf('AuthorizerUri', 'authorizerUri'), a.uri, c.functionIdsByName);
  const ttl = a.ttl ?? AUTHORIZER_TTL_SECONDS;
  if (ttl < 0 || ttl > MAX_AUTHORIZER_TTL_SECONDS) throw templateError(t.file, keyOf('AuthorizerResultTtlInSeconds', 'authorizerResultTtlInSeconds'), `${ttl}: must be 0 to ${MAX_AUTHORIZER_TTL_SECONDS} seconds`);
  const source = a.identitySource?.trim();
  if (a.type === 'TOKEN') {
    if (source === undefined || source === '') throw templateError(t.file, keyOf('IdentitySource', 'identitySource'), 'missing: a TOKEN authorizer takes its token from one header (method.request.header.Authorization)');
    if (!/^method\.request\.header\.[^\s,]+$/.test(source)) throw templateError(t.file, keyOf('IdentitySource', 'identitySource'), `${source}: a TOKEN authorizer's identity source is one header (method.request.header.<name>)`);
  } else if (ttl > 0 && (source === undefined || source === '')) {
    throw templateError(t.file, keyOf('IdentitySource', 'identitySource'), 'missing: a REQUEST authorizer whose results are cached (AuthorizerResultTtlInSeconds above 0) names the identity sources it caches them by');
  }
  const credentials = a.credentials === undefined ? undefined : role(c, a.credentials);
  return {
    logicalId,
    id: a.id,
    name: a.name,
    type: a.type,
    ...fn,
    identitySource: source ?? '',
    ttlSeconds: ttl,
    ...(a.type === 'TOKEN' && a.validation !== undefined && a.validation !== '' ? { identityValidationExpression: a.validation } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

/** The role API Gateway assumes (an integration's or authorizer's credentials); the template's is read with its policies. */
function role(c: Reading, arn: string): ExecutionRole {
  const r = readTemplateRole(c.t, arn);
  for (const id of r.resources ?? []) c.read.add(id);
  return r;
}

/** A method's integration as the emulator runs it; what it cannot run stops the API, what API Gateway refuses is refused. */
function integrationOf(c: Reading, label: string, at: (key: IntegrationKey) => TemplatePath, spec: IntegrationSpec): RestIntegrationDescription {
  const { t } = c;
  const type = spec.type?.toUpperCase();
  if (type === undefined) throw templateError(t.file, at('type'), 'missing: an integration has a Type (AWS_PROXY, AWS, HTTP, HTTP_PROXY or MOCK)');
  if (spec.connectionType !== undefined && spec.connectionType.toUpperCase() === 'VPC_LINK') throw new NotRun(`method ${label} goes through a VPC link (ConnectionType VPC_LINK), which is not emulated`);
  const passthrough = (spec.passthroughBehavior?.toUpperCase() ?? 'WHEN_NO_MATCH') as Passthrough;
  if (!PASSTHROUGH.includes(passthrough)) throw templateError(t.file, at('passthrough'), `${spec.passthroughBehavior}: must be WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER`);
  const timeoutMs = spec.timeoutMs ?? REST_API_TIMEOUT_MS;
  if (timeoutMs < MIN_TIMEOUT_MS || timeoutMs > RAISED_TIMEOUT_MS) throw templateError(t.file, at('timeout'), `${timeoutMs}: an integration's timeout is ${MIN_TIMEOUT_MS} ms to ${REST_API_TIMEOUT_MS} ms (${RAISED_TIMEOUT_MS} ms where the account's quota is raised)`);
  if (timeoutMs > REST_API_TIMEOUT_MS) {
    c.warnings.push(`REST API ${c.apiLogicalId} method ${label}: TimeoutInMillis ${timeoutMs} is past API Gateway's 29,000 ms, which AWS accepts only for a Regional or private API whose account has the quota raised; run as written`);
  }
  const requestParameters = spec.requestParameters ?? {};
  const requestTemplates = spec.requestTemplates ?? {};
  if (type === 'MOCK') return { type, requestTemplates, passthroughBehavior: passthrough, responses: spec.responses };
  if (type !== 'AWS' && type !== 'AWS_PROXY' && type !== 'HTTP' && type !== 'HTTP_PROXY') throw templateError(t.file, at('type'), `${spec.type}: must be AWS_PROXY, AWS, HTTP, HTTP_PROXY or MOCK`);
  const uri = spec.uri;
  if (uri === undefined || uri === '') throw templateError(t.file, at('uri'), `missing: a ${type} integration names its endpoint (its URI)`);
  if (spec.httpMethod === undefined || spec.httpMethod === '') throw templateError(t.file, at('httpMethod'), `missing: a ${type} integration names the HTTP method it calls its endpoint with`);
  const httpMethod = spec.httpMethod.toUpperCase();
  const credentials = spec.credentials === undefined ? undefined : role(c, spec.credentials);

  if (type === 'HTTP' || type === 'HTTP_PROXY') {
    if (!/^(https?:\/\/|\$\{stageVariables\.)/i.test(uri)) throw templateError(t.file, at('uri'), `${uri}: an ${type} integration's URI is an http:// or https:// URL`);
    if (type === 'HTTP_PROXY') return { type, uri, httpMethod, timeoutMs, requestParameters };
    return { type, uri, httpMethod, timeoutMs, ...(credentials ? { credentials } : {}), requestParameters, requestTemplates, passthroughBehavior: passthrough, responses: spec.responses };
  }

  // AWS_PROXY and AWS: a Lambda function of the stack, or (AWS) a service's action
  if (LAMBDA_STREAMING.test(uri)) throw new NotRun(`method ${label} streams the function's response (response-streaming-invocations), which is not emulated`);
  if (LAMBDA_INVOCATION.test(uri)) {
    // Lambda's Invoke is a POST: with any other method every request fails on AWS
    if (httpMethod !== 'POST') throw templateError(t.file, at('httpMethod'), `${spec.httpMethod}: a Lambda integration calls Lambda's Invoke, which is a POST; with ${httpMethod} every request of method ${label} fails`);
    const fn = invokedFunction(t.file, at('uri'), uri, c.functionIdsByName);
    if (type === 'AWS_PROXY') return { type, ...fn, timeoutMs, ...(credentials ? { credentials } : {}) };
    return { type, uri, httpMethod, timeoutMs, ...(credentials ? { credentials } : {}), requestParameters, requestTemplates, passthroughBehavior: passthrough, responses: spec.responses, ...fn };
  }
  if (type === 'AWS_PROXY') throw templateError(t.file, at('uri'), `${uri} is not a Lambda function's invocation URI (arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{functionArn}/invocations), which a REST API's AWS_PROXY integration names`);
  const service = awsIntegrationService(uri);
  if (!service) throw templateError(t.file, at('uri'), `${uri} is not an AWS service's integration URI (arn:aws:apigateway:{region}:{service}:path/… or :action/…)`);
  if (!service.emulated) throw new NotRun(`method ${label}'s AWS integration calls ${service.service} (${service.call}), which is not emulated: only Lambda, SQS (SendMessage), SNS (Publish) and EventBridge (PutEvents)`);
  return { type, uri, httpMethod, timeoutMs, ...(credentials ? { credentials } : {}), requestParameters, requestTemplates, passthroughBehavior: passthrough, responses: spec.responses };
}

interface BodyReading {
  methods: RestMethodDescription[];
  authorizers: RestAuthorizerDescription[];
  apiKeySource?: 'HEADER' | 'AUTHORIZER';
  binaryMediaTypes: string[];
  disableExecuteApiEndpoint: boolean;
}

/** The Body as a mapping: a Swagger 2.0 or OpenAPI 3 definition, or its JSON text. */
function openApiDocument(file: string, where: TemplatePath, body: unknown): Record<string, unknown> {
  const doc = openApiBody(file, where, body);
  if (!isMap(doc) || (doc.swagger === undefined && doc.openapi === undefined)) throw templateError(file, where, 'must be an OpenAPI definition (a mapping with `swagger: "2.0"` or `openapi: 3.x`)');
  return doc;
}

/**
 * The methods an OpenAPI Body defines: each path's operations with their
 * `x-amazon-apigateway-integration`, their `security` (or the definition's) naming an API key
 * (`x-api-key` in a header), a Lambda authorizer (`x-amazon-apigateway-authorizer`) or IAM
 * (`x-amazon-apigateway-authtype: awsSigv4`); its API key source, binary media types, endpoint.
 */
function bodyMethods(c: Reading, doc: Record<string, unknown>): BodyReading {
  const { t, apiLogicalId } = c;
  const where = (...path: (string | number)[]): TemplatePath => ['Resources', apiLogicalId, 'Properties', 'Body', ...path];
  const parse = <S extends z.ZodType>(schema: S, value: unknown, at: TemplatePath): z.infer<S> => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    throw templateError(t.file, [...at, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))], issue.message);
  };
  // OpenAPI 3 declares them under components.securitySchemes, Swagger 2.0 under securityDefinitions (an OpenAPI 3 body written with both: both read)
  const oas3 = doc.openapi !== undefined;
  const schemesAt = oas3 ? ['components', 'securitySchemes'] : ['securityDefinitions'];
  const declared = oas3 ? (isMap(doc.components) ? doc.components.securitySchemes : undefined) : doc.securityDefinitions;
  if (declared !== undefined && !isMap(declared)) throw templateError(t.file, where(...schemesAt), 'must be a mapping of security schemes');
  if (oas3 && doc.securityDefinitions !== undefined && !isMap(doc.securityDefinitions)) throw templateError(t.file, where('securityDefinitions'), 'must be a mapping of security schemes');
  const schemes = { ...(oas3 && isMap(doc.securityDefinitions) ? doc.securityDefinitions : {}), ...(declared ?? {}) };

  // the authorizers it declares: Lambda ones read; a Cognito one stops the API where an operation uses it
  const authorizers = new Map<string, RestAuthorizerDescription>();
  const kinds = new Map<string, 'apiKey' | 'iam' | 'cognito' | 'other'>();
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isMap(scheme)) throw templateError(t.file, where(...schemesAt, name), 'must be a mapping');
    const extension = scheme['x-amazon-apigateway-authorizer'];
    if (extension !== undefined) {
      const a = parse(openApiAuthorizer, extension, where(...schemesAt, name, 'x-amazon-apigateway-authorizer'));
      const type = a.type.toUpperCase();
      if (type === 'COGNITO_USER_POOLS') {
        kinds.set(name, 'cognito');
        continue;
      }
      if (type !== 'TOKEN' && type !== 'REQUEST') throw templateError(t.file, where(...schemesAt, name, 'x-amazon-apigateway-authorizer', 'type'), `${a.type}: a REST API's authorizer is token, request or cognito_user_pools`);
      // a TOKEN authorizer takes its token from the header the scheme names
      const header = typeof scheme.name === 'string' ? `method.request.header.${scheme.name}` : undefined;
      authorizers.set(
        name,
        lambdaAuthorizer(c, name, where(...schemesAt, name, 'x-amazon-apigateway-authorizer'), {
          id: generatedApiGatewayId(t.stackName, `${apiLogicalId}/${name}`, 6),
          name,
          type,
          uri: a.authorizerUri,
          credentials: a.authorizerCredentials,
          identitySource: a.identitySource ?? (type === 'TOKEN' ? header : undefined),
          validation: a.identityValidationExpression,
          ttl: a.authorizerResultTtlInSeconds,
        }),
      );
      continue;
    }
    const authType = typeof scheme['x-amazon-apigateway-authtype'] === 'string' ? scheme['x-amazon-apigateway-authtype'].toLowerCase() : undefined;
    if (authType === 'awssigv4') kinds.set(name, 'iam');
    else if (scheme.type === 'apiKey' && scheme.in === 'header' && typeof scheme.name === 'string' && scheme.name.toLowerCase() === 'x-api-key') kinds.set(name, 'apiKey');
    // another scheme (a documentation's bearer token, say) API Gateway does not act on
    else kinds.set(name, 'other');
  }

  const defaultSecurity = doc.security;
  const methods: RestMethodDescription[] = [];
  const used = new Set<string>();
  if (doc.paths !== undefined && !isMap(doc.paths)) throw templateError(t.file, where('paths'), 'must be a mapping of paths');
  for (const [path, operations] of Object.entries(isMap(doc.paths) ? doc.paths : {})) {
    if (!isMap(operations)) throw templateError(t.file, where('paths', path), 'must be a mapping of operations');
    checkPath(t.file, where('paths', path), path);
    for (const [key, operation] of Object.entries(operations)) {
      const httpMethod = OPENAPI_METHODS[key.toLowerCase()];
      if (httpMethod === undefined) continue;
      if (!isMap(operation)) throw templateError(t.file, where('paths', path, key), 'must be a mapping');
      const label = `${httpMethod} ${path}`;
      const spec = operation['x-amazon-apigateway-integration'];
      const integrationAt = where('paths', path, key, 'x-amazon-apigateway-integration');
      if (spec === undefined) throw templateError(t.file, integrationAt, `missing: ${label} of its OpenAPI definition has no integration, and API Gateway refuses to deploy a method without one`);
      const i = parse(openApiIntegration, spec, integrationAt);
      const integration = integrationOf(c, label, (k) => [...integrationAt, OPENAPI_INTEGRATION_KEYS[k]], {
        ...optional({ type: i.type, uri: i.uri, httpMethod: i.httpMethod, credentials: i.credentials, requestParameters: i.requestParameters, requestTemplates: i.requestTemplates }),
        ...optional({ passthroughBehavior: i.passthroughBehavior, timeoutMs: i.timeoutInMillis, connectionType: i.connectionType }),
        responses: Object.entries(i.responses ?? {}).map(([pattern, r]) => ({
          ...(pattern !== 'default' ? { selectionPattern: pattern } : {}),
          statusCode: r.statusCode,
          responseTemplates: r.responseTemplates ?? {},
          responseParameters: r.responseParameters ?? {},
        })),
      });
      // security: the operation's, else the definition's; API Gateway applies every requirement listed
      const security = operation.security ?? defaultSecurity ?? [];
      if (!Array.isArray(security)) throw templateError(t.file, where('paths', path, key, 'security'), 'must be a list of security requirements');
      let authorizationType: RestMethodDescription['authorizationType'] = 'NONE';
      let authorizerId: string | undefined;
      let apiKeyRequired = false;
      for (const requirement of security) {
        if (!isMap(requirement)) throw templateError(t.file, where('paths', path, key, 'security'), 'each security requirement is a mapping');
        for (const name of Object.keys(requirement)) {
          // SAM's markers for "no authorizer" and "no key", where it leaves them
          if (name === 'NONE' || name === 'api_key_false') continue;
          const kind = authorizers.has(name) ? 'lambda' : kinds.get(name);
          if (kind === undefined) throw new NotRun(`${label} of its OpenAPI definition requires ${name}, which its definition does not declare (${schemesAt.join('.')})`);
          if (kind === 'cognito') throw new NotRun(`${label} of its OpenAPI definition uses the Cognito user pool authorizer ${name}, which is not emulated`);
          if (kind === 'apiKey') apiKeyRequired = true;
          else if (kind === 'iam') authorizationType = 'AWS_IAM';
          else if (kind === 'lambda') {
            authorizationType = 'CUSTOM';
            authorizerId = name;
            used.add(name);
          }
        }
      }
      methods.push({ path, httpMethod, authorizationType, ...(authorizerId ? { authorizerId } : {}), apiKeyRequired, integration });
    }
  }

  const source = doc['x-amazon-apigateway-api-key-source'];
  if (source !== undefined && source !== 'HEADER' && source !== 'AUTHORIZER') throw templateError(t.file, where('x-amazon-apigateway-api-key-source'), `${String(source)}: must be HEADER or AUTHORIZER`);
  const binary = doc['x-amazon-apigateway-binary-media-types'] ?? [];
  if (!Array.isArray(binary) || binary.some((m) => typeof m !== 'string')) throw templateError(t.file, where('x-amazon-apigateway-binary-media-types'), 'must be a list of media types');
  const endpoints = [doc, ...(Array.isArray(doc.servers) ? doc.servers : [])].map((s) => (isMap(s) ? s['x-amazon-apigateway-endpoint-configuration'] : undefined));
  return {
    methods,
    authorizers: [...authorizers.values()],
    ...(source !== undefined ? { apiKeySource: source } : {}),
    binaryMediaTypes: binary as string[],
    disableExecuteApiEndpoint: endpoints.some((e) => isMap(e) && (e.disableExecuteApiEndpoint === true || e.disableExecuteApiEndpoint === 'true')),
  };
}

/** An OpenAPI path as API Gateway imports it: from `/`, segments of names and variables, a greedy one last. */
function checkPath(file: string, at: TemplatePath, path: string): void {
  if (!path.startsWith('/')) throw templateError(file, at, `${path}: a path starts with /`);
  const segments = path === '/' ? [] : path.slice(1).replace(/\/$/, '').split('/');
  const greedy = segments.findIndex((s) => /^\{[^}]+\+\}$/.test(s));
  if (greedy !== -1 && greedy !== segments.length - 1) throw templateError(file, at, `${path}: a greedy path variable ({name+}) must be the path's last segment`);
  if (segments.some((s) => s === '')) throw templateError(file, at, `${path}: a path has no empty segment`);
}

/** The stack's API keys: each one's value (the template's, or one generated as API Gateway generates it) and whether it is enabled. */
function readApiKeys(t: StackTemplate): ApiKeyDescription[] {
  const keys: ApiKeyDescription[] = [];
  for (const id of t.ofType(REST_TYPES.apiKey)) {
    const p = parseProperties(t.file, id, apiKeySchema, t.properties(id));
    const at = ['Resources', id, 'Properties', 'Value'];
    if (p.Value !== undefined && (p.Value.length < API_KEY_VALUE_LENGTH.min || p.Value.length > API_KEY_VALUE_LENGTH.max)) {
      throw templateError(t.file, at, `${p.Value.length} characters: an API key's value is ${API_KEY_VALUE_LENGTH.min} to ${API_KEY_VALUE_LENGTH.max} characters`);
    }
    const value = p.Value ?? generatedApiKeyValue(t.stackName, id);
    const same = keys.find((k) => k.value === value);
    if (same) throw templateError(t.file, at, `resource ${same.logicalId} has this value too: API Gateway takes two keys of one value for one key, and refuses the second`);
    // CreateApiKey's `enabled` is false unless given: CloudFormation passes the template's
    keys.push({ logicalId: id, id: t.ref(id), name: t.name(id), value, enabled: p.Enabled ?? false });
  }
  return keys;
}

/** The usage plans, each with its API stages, throttles and quota, and the keys its UsagePlanKeys add. */
function readUsagePlans(t: StackTemplate, apis: readonly RestApiDescription[], keys: readonly ApiKeyDescription[], warnings: string[]): { plans: UsagePlanDescription[]; read: string[] } {
  const plans: UsagePlanDescription[] = [];
  const read: string[] = [];
  const planThrottleOf = (th: z.infer<typeof planThrottle> | undefined) => throttleOf(th === undefined ? undefined : { ThrottlingRateLimit: th.RateLimit, ThrottlingBurstLimit: th.BurstLimit });
  for (const id of t.ofType(REST_TYPES.usagePlan)) {
    const p = parseProperties(t.file, id, usagePlanSchema, t.properties(id));
    const apiStages = (p.ApiStages ?? []).map((s, i) => {
      const api = apis.find((a) => a.id === s.ApiId);
      if (api && !api.stages.some((st) => st.name === s.Stage)) {
        throw templateError(t.file, ['Resources', id, 'Properties', 'ApiStages', i, 'Stage'], `${s.Stage} is not a stage of ${api.logicalId} (it has ${api.stages.map((st) => st.name).join(', ')}): API Gateway refuses the plan`);
      }
      const throttle: Record<string, Throttle> = {};
      for (const [key, th] of Object.entries(s.Throttle ?? {})) {
        if (!/^\/.*\/([A-Z]+|\*)$/.test(key)) throw templateError(t.file, ['Resources', id, 'Properties', 'ApiStages', i, 'Throttle', key], 'a method\'s throttle is keyed /{path}/{METHOD} (/items/{id}/GET)');
        const value = planThrottleOf(th);
        if (value) throttle[key] = value;
      }
      return { apiId: s.ApiId, stage: s.Stage, throttle };
    });
    const throttle = planThrottleOf(p.Throttle);
    let quota: UsagePlanDescription['quota'];
    if (p.Quota !== undefined) {
      if (p.Quota.Limit === undefined || p.Quota.Period === undefined) throw templateError(t.file, ['Resources', id, 'Properties', 'Quota', p.Quota.Limit === undefined ? 'Limit' : 'Period'], 'missing: a quota is a Limit of requests per Period (DAY, WEEK or MONTH)');
      if (p.Quota.Limit < 0) throw templateError(t.file, ['Resources', id, 'Properties', 'Quota', 'Limit'], `${p.Quota.Limit}: must be 0 or more`);
      quota = { limit: p.Quota.Limit, period: p.Quota.Period, offset: p.Quota.Offset ?? 0 };
    }
    plans.push({ logicalId: id, id: t.ref(id), name: t.name(id), apiStages, ...(throttle ? { throttle } : {}), ...(quota ? { quota } : {}), keys: [] });
    read.push(id);
  }
  for (const id of t.ofType(REST_TYPES.usagePlanKey)) {
    const p = parseProperties(t.file, id, usagePlanKeySchema, t.properties(id));
    const key = keys.find((k) => k.id === p.KeyId);
    const plan = plans.find((pl) => pl.id === p.UsagePlanId);
    if (!key || !plan) {
      warnings.push(`usage plan key ${id}: ${!key ? `API key ${p.KeyId}` : `usage plan ${p.UsagePlanId}`} is not the stack's, so its requests are not counted here`);
      continue;
    }
    // one key in one plan per API stage
    for (const other of plans) {
      if (other === plan || !other.keys.includes(key.logicalId)) continue;
      const shared = plan.apiStages.find((s) => other.apiStages.some((o) => o.apiId === s.apiId && o.stage === s.stage));
      if (shared) throw templateError(t.file, ['Resources', id, 'Properties', 'UsagePlanId'], `API key ${key.logicalId} is already in usage plan ${other.logicalId} for stage ${shared.stage} of the same API: API Gateway puts a key in one plan per stage`);
    }
    if (!plan.keys.includes(key.logicalId)) plan.keys.push(key.logicalId);
    read.push(id);
  }
  return { plans, read };
}

/** The keys whose value is defined (so an absent property stays absent under exactOptionalPropertyTypes). */
function optional<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
