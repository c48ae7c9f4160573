import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { LogSink, MetricSink } from '../cloudwatch/types.ts';
import { AccessLog, integrationFacts, type AccessLogSettings } from '../gateway/access-log.ts';
import type { AccessLogRecord } from '../gateway/access-log-format.ts';
import { executeApiArn, iamInvoke, type IamCaller } from '../gateway/execute-api-iam.ts';
import type { IamGate } from '../iam/iam-gate.ts';
import { ApiMetrics } from '../gateway/api-metrics.ts';
import { TokenBucket } from '../gateway/rate-limit.ts';
import { stampReach } from '../probe-reach.ts';
import { reachHop } from '../../common/probe-reach-metric.ts';
import { callFunction } from '../gateway/function-call.ts';
import type { LambdaRuntime } from '../lambda/types.ts';
import { readBoundedBody } from '../request-body.ts';
import { listenLocal, type LocalEndpoint } from '../local-listener.ts';
import type { HttpApiDescription, HttpLambdaAuthorizerDescription, HttpLambdaRouteDescription } from '../stack-model/stack-description.ts';
import { BackendClient, localBackend, passedBack, withStageVariables } from '../gateway/backend-call.ts';
import { httpProxyCall } from './http-proxy.ts';
import { HttpAuthorizers } from './authorizers.ts';
import { HttpCors } from './cors.ts';
import type { IssuerKeys } from './jwks.ts';
import { eventV1, eventV2, responseV1, responseV2, type ProxyRequest, type ProxyResponse } from './lambda-proxy.ts';
import { RouteMatcher } from '../../common/http-route-match.ts';

/**
 * One HTTP API (API Gateway v2, ProtocolType HTTP) on a port of its own, as AWS gives each API a
 * host of its own (`{apiId}.execute-api.{region}.amazonaws.com`): its stage's path prefix (none
 * for `$default`), route selection (common/http-route-match.ts), the stage's and routes' throttles, each
 * route's authorization (JWT or a Lambda authorizer: authorizers.ts), each route's Lambda proxy
 * integration with the payload format it names (lambda-proxy.ts) or HTTP proxy integration to an
 * address on this host (http-proxy.ts), its timeout, its CORS
 * configuration (cors.ts), and API Gateway's own answers in its words. Metrics are AWS/ApiGateway's for HTTP
 * APIs: Count, 4xx, 5xx, Latency, IntegrationLatency, DataProcessed. With the stage's
 * AccessLogSettings, one access log line per request, written once it is answered.
 */

/** An HTTP API's request body may be 10 MB ("Amazon API Gateway quotas for HTTP APIs"). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface HttpApiOptions {
  api: HttpApiDescription;
  host: string;
  region: string;
  accountId: string;
  metrics: MetricSink;
  /** the function (name, or name:qualifier) a Lambda proxy route's integration invokes */
  functionOf(route: HttpLambdaRouteDescription): string;
  /** routes API Gateway may not invoke (no AWS::Lambda::Permission), by route key, with the mode */
  refusals?: { mode: 'enforce' | 'report'; routes: ReadonlyMap<string, string> };
  /** the keys of each JWT authorizer's issuer (jwks.ts), by issuer; absent: none */
  jwks?: ReadonlyMap<string, IssuerKeys>;
  /** the function (name, or name:qualifier) a Lambda authorizer invokes */
  authorizerFunctionOf?(authorizer: HttpLambdaAuthorizerDescription): string;
  /** Lambda authorizers API Gateway may not invoke, by authorizer id, with the mode */
  authorizerRefusals?: { mode: 'enforce' | 'report'; authorizers: ReadonlyMap<string, string> };
  /** where access log lines go, and the stage's settings at start, checked (../apigatewayv2/access-log-settings.ts); UpdateStage changes them (`accessLog`) */
  accessLog?: { settings?: AccessLogSettings; logs: LogSink };
  /** who signed a request to an AWS_IAM route, and what its role allows (absent: IAM off; every signed caller admitted) */
  iam?: IamGate;
  /** the account's throttle, shared by every API of the stack */
  account: TokenBucket;
  log: (line: string) => void;
}

export interface HttpApiServer {
  api: HttpApiDescription;
  /** the stage's URL: http://HOST:PORT, or http://HOST:PORT/{stage} for a named stage */
  url: string;
  /** the function (name, or name:qualifier) a Lambda proxy route's integration invokes */
  functionOf(route: HttpLambdaRouteDescription): string;
  /** the stage's access logging, which UpdateStage and DeleteAccessLogSettings change (../apigatewayv2/server.ts); absent: no log sink */
  accessLog?: AccessLog;
  attach(runtime: LambdaRuntime): void;
  close(): Promise<void>;
}

export async function startHttpApi(o: HttpApiOptions): Promise<HttpApiServer> {
  const { api } = o;
  const stage = api.stage.name;
  const prefix = stage === '$default' ? '' : `/${stage}`;
  const matcher = new RouteMatcher(api.routes);
  const metrics = new ApiMetrics(o.metrics, api.id, stage, (route) => (route === '$default' ? 'ANY' : route.split(' ', 1)[0]!));
  // the per-route set only with detailed metrics on, as API Gateway sends it
  const routeOf = (r: { routeKey: string } | undefined) => (api.stage.detailedMetrics ? r?.routeKey : undefined);
  // the stage's default throttle (where it sets none, the account's alone holds it), each route's own, then the account's
  const stageBucket = api.stage.throttle && new TokenBucket(api.stage.throttle.rateLimit, api.stage.throttle.burstLimit);
  const routeBuckets = new Map(Object.entries(api.stage.routeThrottles).map(([key, t]) => [key, new TokenBucket(t.rateLimit, t.burstLimit)]));
  const authorizers = new HttpAuthorizers({
    api,
    region: o.region,
    accountId: o.accountId,
    jwks: o.jwks ?? new Map(),
    functionOf: o.authorizerFunctionOf ?? ((a) => a.functionId),
    ...(o.authorizerRefusals ? { refusals: o.authorizerRefusals } : {}),
    log: o.log,
  });
  const cors = api.cors ? new HttpCors(api.cors) : undefined;
  // HTTP proxy routes: one client for their backends, each route's URI with the stage's variables
  // put in; a route whose URI is not on this host answers 500, said once at start
  const backends = new BackendClient();
  const proxyUris = new Map<string, string>();
  const unreachable = new Map<string, string>();
  for (const r of api.routes) {
    if (r.integrationType !== 'HTTP_PROXY') continue;
    const uri = withStageVariables(r.uri, api.stage.variables);
    const local = localBackend(uri);
    if ('refused' in local) unreachable.set(r.routeKey, local.refused);
    else proxyUris.set(r.routeKey, uri);
  }
  const failedBackends = new Set<string>();
  let runtime: LambdaRuntime | undefined;
  const inflight = new Set<Promise<void>>();
  let domainName = '';
  let accessLog: AccessLog | undefined;

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const received = performance.now();
    const requestTimeEpoch = Date.now();
    const requestId = randomUUID().slice(0, 18).replace(/-/g, '') + '=';
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    // what the access log says of the request, filled in as it goes
    let routeKey: string | undefined;
    let integration: AccessLogRecord['integration'];
    let authorizer: Record<string, unknown> | undefined;
    let iamCaller: IamCaller | undefined;
    /** `preflight`: the API's own answer to a CORS preflight, its headers as they are */
    const answer = (status: number, body: Buffer, headers: Array<[string, string]>, route?: string, preflight = false) => {
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of cors && !preflight ? cors.response(origin, headers) : headers) {
        const key = name.toLowerCase();
        const had = out[key];
        out[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
      }
      out['apigw-requestid'] = requestId;
      out['content-length'] = String(body.length);
      res.writeHead(status, out);
      res.end(body);
      metrics.count('Count', route);
      if (status >= 400 && status < 500) metrics.count('4xx', route);
      if (status >= 500) metrics.count('5xx', route);
      const latencyMs = performance.now() - received;
      const dataProcessed = body.length + Number(req.headers['content-length'] ?? 0);
      metrics.latency(latencyMs, route);
      metrics.dataProcessed(dataProcessed, route);
      if (accessLog?.enabled) {
        accessLog.write({
          requestId,
          client: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '', ...(authorizer ? { authorizer } : {}), ...(iamCaller ? { iam: iamCaller } : {}) },
          routeKey,
          requestTimeEpoch,
          status,
          request: { httpMethod: req.method ?? 'GET', path: (req.url ?? '/').split('?', 1)[0]!, protocol: `HTTP/${req.httpVersion}`, responseLength: body.length, responseLatencyMs: latencyMs, dataProcessed },
          ...(integration ? { integration } : {}),
          ...(gatewayError ? { error: gatewayError } : {}),
        });
      }
    };
    let gatewayError: AccessLogRecord['error'];
    /** API Gateway's own answer (`{"message": …}`), what the access log's `$context.error.*` names */
    const message = (status: number, text: string, route?: string, headers: Array<[string, string]> = []) => {
      gatewayError = { message: text, responseType: responseTypeOf(status) };
      answer(status, Buffer.from(JSON.stringify({ message: text })), [['content-type', 'application/json'], ...headers], route);
    };

    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const rawQueryString = q === -1 ? '' : url.slice(q + 1);
    const body = await readBoundedBody(req, MAX_BODY_BYTES);
    if (body === undefined) return message(413, 'Request Entity Too Large');
    if (prefix !== '' && rawPath !== prefix && !rawPath.startsWith(`${prefix}/`)) return message(404, 'Not Found');
    const path = rawPath.slice(prefix.length) || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const matched = matcher.match(method, path);
    if (cors?.isPreflight(method, req.headers, matched?.route.routeKey)) return answer(204, Buffer.alloc(0), cors.preflight(origin!), undefined, true);
    if (!matched) return message(404, 'Not Found');
    const route = matched.route;
    routeKey = route.routeKey;
    const metricRoute = routeOf(route);
    stampReach(o.metrics, reachHop.http(route.routeKey), body);
    const bucket = routeBuckets.get(route.routeKey) ?? stageBucket;
    if ((bucket && !bucket.tryTake()) || !o.account.tryTake()) return message(429, 'Too Many Requests', metricRoute);
    if (!runtime) return message(503, 'Service Unavailable', metricRoute);

    const request: ProxyRequest = { method, rawPath, path, rawQueryString, rawHeaders: req.rawHeaders, body, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', protocol: `HTTP/${req.httpVersion}` };
    const context = {
      routeKey: route.routeKey,
      resourcePath: route.routeKey === '$default' ? '$default' : route.routeKey.slice(route.routeKey.indexOf(' ') + 1),
      ...(matched.pathParameters ? { pathParameters: matched.pathParameters } : {}),
      ...(Object.keys(api.stage.variables).length ? { stageVariables: api.stage.variables } : {}),
      accountId: o.accountId,
      apiId: api.id,
      domainName,
      stage,
      requestId,
      timeEpoch: Date.now(),
    };
    // the route's authorizer before its integration: refused, the integration is never called
    let authorized = context as typeof context & { authorizer?: Record<string, unknown>; iam?: IamCaller };
    if (route.authorization?.type === 'AWS_IAM') {
      const decision = iamInvoke(req.headers, executeApiArn(o.region, o.accountId, api.id, stage, method, path), o.accountId, o.iam);
      // unsigned or denied alike: 403 Forbidden (assumed: an HTTP API has no gateway responses to tell them apart)
      if (!decision.allowed) return message(403, 'Forbidden', metricRoute);
      authorized = { ...context, iam: decision.caller };
      iamCaller = decision.caller;
    } else if (route.authorization) {
      const decision = await authorizers.authorize(route, request, context, runtime);
      if (!decision.allow) return message(decision.status, decision.message, metricRoute, decision.headers);
      authorized = { ...context, authorizer: decision.authorizer };
      authorizer = accessLogAuthorizer(decision.authorizer);
    }
    if (route.integrationType === 'HTTP_PROXY') {
      const uri = proxyUris.get(route.routeKey);
      if (uri === undefined) return message(500, 'Internal Server Error', metricRoute);
      const call = httpProxyCall(route, uri, request, authorized);
      const sent = await backends.send(call.url, call.method, call.headers, call.body, route.timeoutMs);
      metrics.integrationLatency(sent.latencyMs, metricRoute);
      if (accessLog?.enabled) integration = sent.kind === 'answer' ? { latencyMs: sent.latencyMs, status: sent.status, integrationStatus: sent.status } : { latencyMs: sent.latencyMs, error: sent.kind === 'timeout' ? 'Endpoint request timed out' : sent.message };
      // past TimeoutInMillis as a Lambda proxy's: 503 (assumed the same for both integration types)
      if (sent.kind === 'timeout') return message(503, 'Service Unavailable', metricRoute);
      if (sent.kind === 'error') {
        if (!failedBackends.has(route.routeKey)) {
          failedBackends.add(route.routeKey);
          o.log(`HTTP API ${api.logicalId}: route ${route.routeKey} (HTTP_PROXY ${call.url.origin}): ${sent.message}: 500 {"message":"Internal Server Error"}`);
        }
        return message(500, 'Internal Server Error', metricRoute);
      }
      return answer(sent.status, sent.body, passedBack(sent.headers), metricRoute);
    }
    const refusal = o.refusals?.routes.get(route.routeKey);
    if (refusal !== undefined && o.refusals!.mode === 'enforce') return message(500, 'Internal Server Error', metricRoute);
    const event = route.payloadFormatVersion === '2.0' ? eventV2(request, authorized) : eventV1(request, authorized, 'http');
    const started = performance.now();
    const outcome = await callFunction(runtime, o.functionOf(route), event, route.timeoutMs, (line) => o.log(`HTTP API: ${line}`));
    if (accessLog?.enabled) integration = integrationFacts(outcome, performance.now() - started);
    if (outcome.kind === 'timeout') {
      metrics.integrationLatency(performance.now() - started, metricRoute);
      return message(503, 'Service Unavailable', metricRoute);
    }
    if (outcome.kind !== 'ok') return message(500, 'Internal Server Error', metricRoute);
    metrics.integrationLatency(performance.now() - started, metricRoute);
    const response: ProxyResponse | undefined = route.payloadFormatVersion === '2.0' ? responseV2(outcome.result) : responseV1(outcome.result);
    if (!response) {
      o.log(`HTTP API ${api.logicalId}: route ${route.routeKey}: the function's response is malformed for payload format ${route.payloadFormatVersion}: 500 Internal Server Error`);
      return message(500, 'Internal Server Error', metricRoute);
    }
    answer(response.statusCode, response.body, response.headers, metricRoute);
  };

  const server = createServer({ keepAlive: true }, (req, res) => {
    const p = serve(req, res).catch((err: unknown) => {
      o.log(`HTTP API ${api.logicalId}: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
      else res.destroy();
    });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  });
  server.keepAliveTimeout = 65_000;
  const endpoint: LocalEndpoint = await listenLocal(server, o.host, 0);
  domainName = endpoint.url.replace(/^http:\/\//, '');
  if (o.accessLog) {
    accessLog = new AccessLog(o.accessLog.logs, { apiId: api.id, accountId: o.accountId, stage, domainName });
    if (o.accessLog.settings) accessLog.configure(o.accessLog.settings);
  }
  for (const [key, why] of unreachable) o.log(`HTTP API ${api.logicalId}: route ${key} (HTTP_PROXY): not run: ${why}: 500 {"message":"Internal Server Error"}`);
  for (const [key, why] of o.refusals?.routes ?? []) {
    o.log(`iam: HTTP API ${api.logicalId}: route ${key}: ${why}: ${o.refusals!.mode === 'enforce' ? 'the route fails as on AWS (500 {"message":"Internal Server Error"})' : 'it would fail on AWS (report: invoked)'}`);
  }
  for (const [, why] of o.authorizerRefusals?.authorizers ?? []) {
    o.log(`iam: HTTP API ${api.logicalId}: ${why}: ${o.authorizerRefusals!.mode === 'enforce' ? 'its routes fail as on AWS (500 {"message":"Internal Server Error"})' : 'they would fail on AWS (report: invoked)'}`);
  }
  return {
    api,
    url: `${endpoint.url}${prefix}`,
    functionOf: o.functionOf,
    ...(accessLog ? { accessLog } : {}),
    attach: (r) => (runtime = r),
    close: async () => {
      await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, 3_000).unref())]);
      backends.close();
      await endpoint.close();
    },
  };
}

/**
 * `$context.error.responseType` of API Gateway's own answers: HTTP APIs have no gateway responses
 * of their own to name them, so REST's names are used (assumed).
 */
function responseTypeOf(status: number): string {
  switch (status) {
    case 401:
      return 'UNAUTHORIZED';
    case 403:
      return 'ACCESS_DENIED';
    case 404:
      return 'RESOURCE_NOT_FOUND';
    case 413:
      return 'REQUEST_TOO_LARGE';
    case 429:
      return 'THROTTLED';
    case 503:
      return 'INTEGRATION_TIMEOUT';
    default:
      return status >= 500 ? 'INTEGRATION_FAILURE' : 'DEFAULT_4XX';
  }
}

/**
 * What `$context.authorizer.*` reads: a Lambda authorizer's context values (payload 2.0's under
 * `lambda`) and principalId by name, a JWT's claims under `claims`.
 */
function accessLogAuthorizer(a: Record<string, unknown>): Record<string, unknown> {
  const { jwt, lambda, ...rest } = a as { jwt?: { claims?: unknown }; lambda?: Record<string, unknown>; [name: string]: unknown };
  const claims = jwt?.claims ?? rest.claims;
  return { ...rest, ...(lambda ?? {}), ...(claims !== undefined ? { claims } : {}) };
}
