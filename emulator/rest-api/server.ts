import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { reachHop } from '../../common/probe-reach-metric.ts';
import type { LogSink, MetricSink } from '../cloudwatch/types.ts';
import { AccessLog, type AccessLogSettings } from '../gateway/access-log.ts';
import type { AccessLogRecord } from '../gateway/access-log-format.ts';
import { ApiMetrics } from '../gateway/api-metrics.ts';
import { executeApiArn, iamInvoke, type IamCaller } from '../gateway/execute-api-iam.ts';
import type { IamGate } from '../iam/iam-gate.ts';
import type { AwsIntegrationService } from '../gateway/aws-integration-uri.ts';
import { awsId } from '../gateway/ids.ts';
import { TokenBucket } from '../gateway/rate-limit.ts';
import { eventV1, type ProxyRequest } from '../http-api/lambda-proxy.ts';
import type { LambdaRuntime } from '../lambda/types.ts';
import { readBoundedBody } from '../request-body.ts';
import { listenLocal, type LocalEndpoint } from '../local-listener.ts';
import { stampReach } from '../probe-reach.ts';
import type { ApiKeyDescription, RestApiDescription, RestMethodDescription, RestStageDescription, UsagePlanDescription } from '../stack-model/stack-description.ts';
import { RestAuthorizer } from './authorizers.ts';
import { BackendClient } from '../gateway/backend-call.ts';
import { accessDenied, GATEWAY_ANSWERS, type GatewayAnswer } from './gateway-responses.ts';
import type { MethodIntegration } from './integration.ts';
import { requestLookups, type MethodRequest } from './method-request.ts';
import { prepareIntegration } from './prepare-integration.ts';
import { methodKey, ResourceRouting } from './resource-routing.ts';
import { methodSettingsKey, UsagePlans } from './usage-plans.ts';

/**
 * One REST API (API Gateway v1) on a port of its own, as AWS gives each API a host of its own
 * (`{restApiId}.execute-api.{region}.amazonaws.com`), every stage at `/{stage}`. A request goes,
 * in this order:
 *
 * 1. its stage (none: 403 Forbidden) and its method (resource-routing.ts; none: 403 Missing
 *    Authentication Token); the probe's reach stamped at `rest:<METHOD> <path>`;
 * 2. under ApiKeySource HEADER, a method requiring a key: the key and its usage plan's throttle and
 *    quota (usage-plans.ts: 403 Forbidden, 429 Too Many Requests, 429 Limit Exceeded);
 * 3. the stage's throttle, its MethodSettings' per method, then the account's, shared by every API
 *    of the stack (429 Too Many Requests); AWS's order of throttles puts the usage plan's before
 *    the stage's;
 * 4. authorization: a CUSTOM method's Lambda authorizer (authorizers.ts); AWS_IAM's signed
 *    caller and what its role allows (../gateway/execute-api-iam.ts: unsigned, 403 Missing
 *    Authentication Token; denied, 403 with IAM's words); COGNITO_USER_POOLS is not checked: a
 *    request without the `Authorization` header is 401 Unauthorized, one with it passes (said at
 *    start);
 * 5. under ApiKeySource AUTHORIZER, the key the authorizer named (`usageIdentifierKey`), as in 2;
 * 6. the integration (prepare-integration.ts).
 *
 * Every answer carries `x-amzn-RequestId` (and `x-amz-apigw-id`), API Gateway's own
 * `x-amzn-ErrorType` too (gateway-responses.ts). Metrics are AWS/ApiGateway's for REST APIs
 * ("Amazon API Gateway dimensions and metrics"): Count, 4XXError and 5XXError (0 or 1 per request,
 * so Average is the rate), Latency, IntegrationLatency, by `ApiName`, by `ApiName, Stage`, and by
 * `ApiName, Method, Resource, Stage` where the stage's MetricsEnabled is on. A stage with an
 * AccessLogSetting writes one access log line per request, once it is answered.
 */

/** A REST API's request payload may be 10 MB ("Amazon API Gateway quotas"). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface RestApiOptions {
  api: RestApiDescription;
  apiKeys: readonly ApiKeyDescription[];
  usagePlans: readonly UsagePlanDescription[];
  host: string;
  region: string;
  accountId: string;
  metrics: MetricSink;
  /** the function (name, or name:qualifier) an integration or authorizer invokes */
  functionOf(target: { functionId: string; qualifier?: string }): string;
  /**
   * What API Gateway may not invoke (no AWS::Lambda::Permission), with why: methods by
   * `<stage> <METHOD> <path>`, authorizers by logical id; enforced (500) or reported (invoked).
   */
  refusals?: { mode: 'enforce' | 'report'; methods: ReadonlyMap<string, string>; authorizers: ReadonlyMap<string, string> };
  /** the emulator's local endpoint of a service an AWS integration calls, read at each call */
  endpointOf?(service: AwsIntegrationService): string | undefined;
  /** the session token of an AWS integration's CredentialsArn role (iam/role-sessions.ts) */
  sessionTokenOf?(roleArn: string): string | undefined;
  /** the stages' access log settings, checked (../apigatewayv2/access-log-settings.ts), by stage name, and where lines go */
  accessLogs?: { settings: ReadonlyMap<string, AccessLogSettings>; logs: LogSink };
  /** who signed a request to an AWS_IAM method, and what its role allows (absent: IAM off; every signed caller admitted) */
  iam?: IamGate;
  /** the account's throttle, shared by every API of the stack */
  account: TokenBucket;
  log: (line: string) => void;
}

export interface RestApiServer {
  api: RestApiDescription;
  /** http://HOST:PORT: each stage is served at its `/{stage}` */
  url: string;
  stages: Array<{ name: string; url: string }>;
  /** the function (name, or name:qualifier) a method's integration invokes; undefined for one that invokes none */
  functionOf(method: RestMethodDescription): string | undefined;
  /** a stage's access logging, which UpdateStage changes (../apigatewayv2/server.ts); undefined: no such stage, or no log sink */
  accessLogOf(stage: string): AccessLog | undefined;
  /** serves one request whose path is `/{stage}/…`, as the API's own port does: the management endpoint hands it `/restapis/{id}/{stage}/_user_request_/…` */
  handle(req: IncomingMessage, res: ServerResponse): void;
  attach(runtime: LambdaRuntime): void;
  close(): Promise<void>;
}

interface StageRuntime {
  description: RestStageDescription;
  metrics: ApiMetrics;
  /** MethodSettings `/*\/*`'s throttle; absent: the account's alone holds the stage */
  bucket?: TokenBucket;
  methodBuckets: Map<string, TokenBucket>;
  integrations: Map<RestMethodDescription, MethodIntegration>;
  /** set once the API listens (its domain name is in the lines) */
  accessLog?: AccessLog;
}

export async function startRestApi(o: RestApiOptions): Promise<RestApiServer> {
  const { api } = o;
  const routing = new ResourceRouting(api.methods);
  const plans = new UsagePlans(api.id, o.apiKeys, o.usagePlans);
  const client = new BackendClient();
  const apiName = apiNameDimension(api);
  const resourceIds = new Map(api.resources.map((r) => [r.path, r.id]));
  const said: string[] = [];
  /** what its integrations and authorizers say as they run, named by the API */
  const apiLog = (line: string) => o.log(`REST API ${api.logicalId}: ${line}`);
  let runtime: LambdaRuntime | undefined;
  let domainName = '';
  const inflight = new Set<Promise<void>>();

  const authorizers = new Map<string, RestAuthorizer | { broken: string }>();
  for (const a of api.authorizers) {
    const why = o.refusals?.authorizers.get(a.logicalId);
    try {
      authorizers.set(
        a.logicalId,
        new RestAuthorizer(a, o.functionOf(a), { log: apiLog, ...(why !== undefined && o.refusals ? { refusal: { mode: o.refusals.mode, why } } : {}) }),
      );
    } catch (err) {
      authorizers.set(a.logicalId, { broken: (err as Error).message });
      said.push(`REST API ${api.logicalId}: ${(err as Error).message}: its methods answer 500 {"message":null}`);
    }
    if (why !== undefined && o.refusals) {
      said.push(`iam: REST API ${api.logicalId}: ${why}: ${o.refusals.mode === 'enforce' ? 'its methods fail as on AWS (500 {"message":null})' : 'it would fail on AWS (report: invoked)'}`);
    }
  }

  const stages = new Map<string, StageRuntime>();
  for (const stage of api.stages) {
    const integrations = new Map<RestMethodDescription, MethodIntegration>();
    for (const method of api.methods) {
      const refusalWhy = o.refusals?.methods.get(`${stage.name} ${methodKey(method)}`);
      const integration = prepareIntegration(method, stage, {
        api,
        functionOf: o.functionOf,
        ...(refusalWhy !== undefined && o.refusals ? { refusal: o.refusals.mode } : {}),
        client,
        endpointOf: (service) => o.endpointOf?.(service),
        ...(o.sessionTokenOf ? { sessionTokenOf: o.sessionTokenOf } : {}),
        log: apiLog,
      });
      integrations.set(method, integration);
      if (integration.why !== undefined) said.push(`REST API ${api.logicalId}: stage ${stage.name}: method ${methodKey(method)} (${integration.label}): ${integration.why}: 500 {"message": "Internal server error"}`);
      if (refusalWhy !== undefined && o.refusals) {
        said.push(`iam: REST API ${api.logicalId}: ${refusalWhy}: ${o.refusals.mode === 'enforce' ? 'the method fails as on AWS (500 {"message": "Internal server error"})' : 'it would fail on AWS (report: invoked)'}`);
      }
    }
    stages.set(stage.name, {
      description: stage,
      metrics: new ApiMetrics(o.metrics, apiName, stage.name, (route) => route.split(' ', 1)[0]!, 'ApiName'),
      ...(stage.throttle ? { bucket: new TokenBucket(stage.throttle.rateLimit, stage.throttle.burstLimit) } : {}),
      methodBuckets: new Map(Object.entries(stage.methodThrottles).map(([key, t]) => [key, new TokenBucket(t.rateLimit, t.burstLimit)])),
      integrations,
    });
  }
  for (const method of api.methods) {
    if (method.authorizationType === 'COGNITO_USER_POOLS') {
      said.push(`REST API ${api.logicalId}: method ${methodKey(method)}: AuthorizationType COGNITO_USER_POOLS is not checked: a request without an Authorization header is refused as on AWS (401 Unauthorized), one with it passes`);
    }
  }

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const received = performance.now();
    const timeEpoch = Date.now();
    const requestId = randomUUID();
    const extendedRequestId = awsId();
    let stage: StageRuntime | undefined;
    let metricRoute: string | undefined;
    // what the access log says of the request, filled in as it goes
    let served: RestMethodDescription | undefined;
    let apiKeyId: string | undefined;
    let authorizerContext: Record<string, unknown> | undefined;
    let iamCaller: IamCaller | undefined;
    let integration: AccessLogRecord['integration'];
    let gatewayError: AccessLogRecord['error'];
    const answer = (status: number, body: Buffer, headers: ReadonlyArray<[string, string]>, errorType?: string, integrationLatencyMs?: number) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of headers) {
        const key = name.toLowerCase();
        const had = out[key];
        out[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
      }
      out['x-amzn-requestid'] = requestId;
      out['x-amz-apigw-id'] = extendedRequestId;
      if (errorType !== undefined) out['x-amzn-errortype'] = errorType;
      out['content-length'] = String(body.length);
      res.writeHead(status, out);
      res.end(body);
      if (!stage) return;
      const m = stage.metrics;
      m.count('Count', metricRoute);
      m.count('4XXError', metricRoute, status >= 400 && status < 500 ? 1 : 0);
      m.count('5XXError', metricRoute, status >= 500 ? 1 : 0);
      const latencyMs = performance.now() - received;
      m.latency(latencyMs, metricRoute);
      if (integrationLatencyMs !== undefined) m.integrationLatency(integrationLatencyMs, metricRoute);
      if (stage.accessLog?.enabled) {
        stage.accessLog.write({
          requestId,
          extendedRequestId,
          client: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '', ...(authorizerContext ? { authorizer: authorizerContext } : {}), ...(iamCaller ? { iam: iamCaller } : {}) },
          routeKey: served && methodKey(served),
          requestTimeEpoch: timeEpoch,
          status,
          request: {
            httpMethod: req.method ?? 'GET',
            path: rawPath,
            protocol: `HTTP/${req.httpVersion}`,
            ...(served ? { resourcePath: served.path, resourceId: resourceIds.get(served.path)! } : {}),
            responseLength: body.length,
            responseLatencyMs: latencyMs,
            ...(apiKeyId !== undefined ? { apiKeyId } : {}),
          },
          ...(integration ? { integration } : integrationLatencyMs !== undefined ? { integration: { latencyMs: integrationLatencyMs } } : {}),
          ...(gatewayError ? { error: gatewayError } : {}),
        });
      }
    };
    const gateway = (g: GatewayAnswer, integrationLatencyMs?: number) => {
      if (stage?.accessLog?.enabled) gatewayError = { message: errorMessageOf(g.body), responseType: g.responseType };
      answer(g.status, Buffer.from(g.body), [['Content-Type', 'application/json']], g.errorType, integrationLatencyMs);
    };

    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const rawQueryString = q === -1 ? '' : url.slice(q + 1);
    const body = await readBoundedBody(req, MAX_BODY_BYTES);
    const slash = rawPath.indexOf('/', 1);
    const stageName = decodeSegment(slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash));
    stage = stages.get(stageName);
    if (!stage) return gateway(GATEWAY_ANSWERS.forbidden);
    if (body === undefined) return gateway(GATEWAY_ANSWERS.requestTooLarge);
    // `/{stage}` alone names no resource, as on AWS (the root is `/{stage}/`)
    const path = slash === -1 ? '' : rawPath.slice(slash);
    const httpMethod = (req.method ?? 'GET').toUpperCase();
    const matched = path === '' ? undefined : routing.match(httpMethod, path);
    if (!matched) return gateway(GATEWAY_ANSWERS.missingAuthenticationToken);
    const { method, pathParameters } = matched;
    served = method;
    const key = methodKey(method);
    if (stage.description.detailedMetrics) metricRoute = key;
    stampReach(o.metrics, reachHop.rest(key), body);
    const settingsKey = methodSettingsKey(method.path, method.httpMethod);
    const lookups = requestLookups(req.rawHeaders, rawQueryString);

    if (method.apiKeyRequired && api.apiKeySource === 'HEADER') {
      const value = lookups.header('x-api-key')[0];
      apiKeyId = plans.keyIdOf(value);
      const refused = plans.admit(stage.description.name, value, settingsKey);
      if (refused) return gateway(refused);
    }
    const bucket = stage.methodBuckets.get(settingsKey) ?? stage.methodBuckets.get(methodSettingsKey(method.path, '*')) ?? stage.bucket;
    if ((bucket && !bucket.tryTake()) || !o.account.tryTake()) return gateway(GATEWAY_ANSWERS.throttled);

    const proxyRequest: ProxyRequest = { method: httpMethod, rawPath, path, rawQueryString, rawHeaders: req.rawHeaders, body, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', protocol: `HTTP/${req.httpVersion}` };
    const proxyContext = {
      routeKey: key,
      resourcePath: method.path,
      ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
      ...(Object.keys(stage.description.variables).length > 0 ? { stageVariables: stage.description.variables } : {}),
      accountId: o.accountId,
      apiId: api.id,
      domainName,
      stage: stage.description.name,
      requestId,
      timeEpoch,
      binaryMediaTypes: api.binaryMediaTypes,
    };
    const methodArn = executeApiArn(o.region, o.accountId, api.id, stage.description.name, httpMethod, path);
    let usageIdentifierKey: string | undefined;
    if (method.authorizationType === 'CUSTOM') {
      const authorizer = method.authorizerId === undefined ? undefined : authorizers.get(method.authorizerId);
      if (!authorizer || 'broken' in authorizer || !runtime) return gateway(GATEWAY_ANSWERS.authorizerFailure);
      const event = eventV1(proxyRequest, proxyContext, 'rest');
      const outcome = await authorizer.authorize(runtime, {
        stage: stage.description.name,
        methodArn,
        ...lookups,
        stageVariables: stage.description.variables,
        context: event.requestContext as Record<string, unknown>,
        event: () => event,
      });
      if (!outcome.allow) return gateway(outcome.answer);
      authorizerContext = outcome.authorizer;
      usageIdentifierKey = outcome.usageIdentifierKey;
    } else if (method.authorizationType === 'AWS_IAM') {
      const decision = iamInvoke(req.headers, methodArn, o.accountId, o.iam);
      if (!decision.allowed) return gateway(decision.unsigned ? GATEWAY_ANSWERS.missingAuthenticationToken : accessDenied(403, JSON.stringify({ Message: decision.message })));
      iamCaller = decision.caller;
    } else if (method.authorizationType === 'COGNITO_USER_POOLS' && !lookups.header('authorization')[0]) {
      return gateway(GATEWAY_ANSWERS.unauthorized);
    }
    if (method.apiKeyRequired && api.apiKeySource === 'AUTHORIZER') {
      apiKeyId = plans.keyIdOf(usageIdentifierKey);
      const refused = plans.admit(stage.description.name, usageIdentifierKey, settingsKey);
      if (refused) return gateway(refused);
    }

    const event = eventV1(proxyRequest, { ...proxyContext, ...(authorizerContext ? { authorizer: authorizerContext } : {}), ...(iamCaller ? { iam: iamCaller } : {}) }, 'rest');
    const request: MethodRequest = {
      method,
      stage: stage.description,
      httpMethod,
      path,
      rawQueryString,
      rawHeaders: req.rawHeaders,
      body,
      pathParameters,
      ...lookups,
      context: event.requestContext as Record<string, unknown>,
      event,
    };
    const result = await stage.integrations.get(method)!.run(request, runtime);
    integration = result.integration;
    if (result.kind === 'gateway') return gateway(result.answer, result.integrationLatencyMs);
    answer(result.status, result.body, result.headers, undefined, result.integrationLatencyMs);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const p = serve(req, res).catch((err: unknown) => {
      o.log(`REST API ${api.logicalId}: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerErrorException' }).end('{"message": "Internal server error"}');
      else res.destroy();
    });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  const server = createServer({ keepAlive: true }, handle);
  server.keepAliveTimeout = 65_000;
  const endpoint: LocalEndpoint = await listenLocal(server, o.host, 0);
  domainName = endpoint.url.replace(/^http:\/\//, '');
  if (o.accessLogs) {
    for (const [name, s] of stages) {
      s.accessLog = new AccessLog(o.accessLogs.logs, { apiId: api.id, accountId: o.accountId, stage: name, domainName });
      const settings = o.accessLogs.settings.get(name);
      if (settings) s.accessLog.configure(settings);
    }
  }
  for (const line of said) o.log(line);
  const functionNames = new Map(api.methods.map((m) => [m, m.integration.type === 'AWS_PROXY' ? o.functionOf(m.integration) : undefined]));
  return {
    api,
    url: endpoint.url,
    stages: api.stages.map((s) => ({ name: s.name, url: `${endpoint.url}/${encodeURIComponent(s.name)}` })),
    functionOf: (m) => functionNames.get(m),
    accessLogOf: (name) => stages.get(name)?.accessLog,
    handle,
    attach: (r) => (runtime = r),
    close: async () => {
      await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, 3_000).unref())]);
      await endpoint.close();
      client.close();
    },
  };
}

/** The ApiName dimension: the API's name less its non-ASCII characters, its id where none is left ("API Gateway removes non-ASCII characters from the ApiName dimension"). */
export function apiNameDimension(api: { name: string; id: string }): string {
  // eslint-disable-next-line no-control-regex
  const ascii = api.name.replace(/[^\x00-\x7f]/g, '');
  return ascii === '' ? api.id : ascii;
}

/** `$context.error.message`: the message of API Gateway's own answer (`{"message": …}`, an authorizer's deny `{"Message": …}`). */
function errorMessageOf(body: string): string {
  const parsed = JSON.parse(body) as { message?: unknown; Message?: unknown };
  const text = parsed.message ?? parsed.Message;
  return text === undefined || text === null ? '' : String(text);
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
