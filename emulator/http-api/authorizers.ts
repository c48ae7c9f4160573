import { evaluate } from '../gateway/authorizer.ts';
import { callFunction } from '../gateway/function-call.ts';
import type { IntegrationOutcome } from '../gateway/integration.ts';
import type { LambdaRuntime } from '../lambda/types.ts';
import type { HttpApiDescription, HttpAuthorizerDescription, HttpJwtAuthorizerDescription, HttpLambdaAuthorizerDescription, HttpRouteDescription } from '../stack-model/stack-description.ts';
import type { IssuerKeys } from './jwks.ts';
import { renderedClaims, scopesOf, verifyJwt } from './jwt.ts';
import { eventV1, eventV2, type ProxyContext, type ProxyRequest } from './lambda-proxy.ts';

/**
 * An HTTP API route's authorization, as API Gateway runs it before the integration
 * ("Controlling and managing access to an HTTP API in API Gateway"):
 *
 * - JWT (jwt.ts): the token from the authorizer's identity source (`Bearer ` dropped), checked
 *   against the issuer's keys (the stack config's local JWKS, jwks.ts). No token, or one that fails:
 *   401 `{"message":"Unauthorized"}` with `www-authenticate: Bearer scope="…" error="invalid_token"
 *   error_description="…"`. A route with AuthorizationScopes wants at least one of them in the
 *   token's `scp` or `scope`; else 403 `{"message":"Forbidden"}`. The integration gets the claims
 *   (requestContext.authorizer.jwt.claims, every value a string) and, on a route with scopes, the
 *   token's scopes (jwt.scopes; null on a route without); payload 1.0 gets them as
 *   requestContext.authorizer.claims and .scopes.
 * - A Lambda REQUEST authorizer: every identity source present and non-empty, else 401 without
 *   invoking the function; its event in the payload format it names (2.0: type, routeArn,
 *   identitySource values, the request as payload 2.0 gives it, no body; 1.0: methodArn,
 *   identitySource and authorizationToken as the values joined with commas, the request as payload
 *   1.0 gives it); its answer `{ isAuthorized, context }` with simple responses, else an IAM policy
 *   evaluated on the routeArn (`arn:aws:execute-api:{region}:{account}:{api}/{stage}/{METHOD}/{path}`)
 *   as the WebSocket API's authorizer evaluates one (../gateway/authorizer.ts). Denied (false, or
 *   no statement allowing): 403 `{"message":"Forbidden"}`; the function failing, past 10 s, its
 *   answer malformed, or API Gateway not allowed to invoke it: 500 `{"message":"Internal Server
 *   Error"}`; throwing "Unauthorized": 401. Its context goes to requestContext.authorizer.lambda
 *   (payload 1.0: requestContext.authorizer, with the policy's principalId). With a TTL, an answer
 *   is kept per authorizer and identity source values for that long, for every route that uses
 *   the authorizer (a policy evaluated anew on each route's ARN).
 */

export type Authorization = { allow: true; authorizer: Record<string, unknown> } | { allow: false; status: number; message: string; headers?: Array<[string, string]> };

export interface HttpAuthorizersOptions {
  api: HttpApiDescription;
  region: string;
  accountId: string;
  /** each JWT authorizer's issuer → its keys (jwks.ts) */
  jwks: ReadonlyMap<string, IssuerKeys>;
  /** the function (name, or name:qualifier) a Lambda authorizer invokes */
  functionOf(authorizer: HttpLambdaAuthorizerDescription): string;
  /** Lambda authorizers API Gateway may not invoke (no AWS::Lambda::Permission), by authorizer id, with the mode */
  refusals?: { mode: 'enforce' | 'report'; authorizers: ReadonlyMap<string, string> };
  log: (line: string) => void;
}

/** "Timeout for Lambda authorizer response: 10000 ms" (HTTP API quotas). */
export const LAMBDA_AUTHORIZER_TIMEOUT_MS = 10_000;
/** Answers kept per authorizer at most: a load of distinct tokens cannot grow the cache past it (the oldest go first). */
const MAX_CACHED_ANSWERS = 50_000;

const UNAUTHORIZED = { allow: false, status: 401, message: 'Unauthorized' } as const;
const FORBIDDEN = { allow: false, status: 403, message: 'Forbidden' } as const;
const FAILURE = { allow: false, status: 500, message: 'Internal Server Error' } as const;

/** A Lambda authorizer's valid answer, as kept in the cache. */
type Answer =
  | { kind: 'simple'; authorized: boolean; context: Record<string, unknown> }
  | { kind: 'policy'; principalId: string; policyDocument: unknown; context: Record<string, unknown> };

export class HttpAuthorizers {
  private readonly byId: ReadonlyMap<string, HttpAuthorizerDescription>;
  private readonly cache = new Map<string, Map<string, { answer: Answer; until: number }>>();

  constructor(private readonly o: HttpAuthorizersOptions) {
    this.byId = new Map((o.api.authorizers ?? []).map((a) => [a.id, a]));
  }

  /** The route's authorization of one request: allowed, with what requestContext.authorizer holds, or API Gateway's answer. */
  async authorize(route: HttpRouteDescription, req: ProxyRequest, ctx: ProxyContext, runtime: LambdaRuntime): Promise<Authorization> {
    const auth = route.authorization;
    // AWS_IAM is the server's to check (../gateway/execute-api-iam.ts)
    const authorizer = auth && auth.type !== 'AWS_IAM' ? this.byId.get(auth.authorizerId) : undefined;
    if (!authorizer || !auth || auth.type === 'AWS_IAM') return { allow: true, authorizer: {} };
    return authorizer.type === 'JWT' ? this.jwt(authorizer, auth.scopes, route, req, ctx) : this.lambda(authorizer, route, req, ctx, runtime);
  }

  private jwt(a: HttpJwtAuthorizerDescription, scopes: readonly string[], route: HttpRouteDescription, req: ProxyRequest, ctx: ProxyContext): Authorization {
    const raw = identityValue(a.identitySource, req, ctx, this.o.api);
    if (raw === undefined || raw === '') return UNAUTHORIZED;
    const token = raw.startsWith('Bearer ') ? raw.slice('Bearer '.length).trim() : raw.trim();
    const check = verifyJwt(token, this.o.jwks.get(a.issuer), a.issuer, a.audience, Date.now() / 1000);
    if (!check.ok) {
      // the header AWS's troubleshooting page shows with a 401 of a JWT authorizer
      return { ...UNAUTHORIZED, headers: [['www-authenticate', `Bearer scope="${scopes.join(' ')}" error="invalid_token" error_description="${check.why}"`]] };
    }
    const tokenScopes = scopesOf(check.claims);
    // "If you configure scopes for a route, the token must include at least one of the route's scopes"
    if (scopes.length > 0 && !(tokenScopes ?? []).some((s) => scopes.includes(s))) return FORBIDDEN;
    const jwt = { claims: renderedClaims(check.claims), scopes: scopes.length > 0 ? (tokenScopes ?? null) : null };
    return { allow: true, authorizer: route.payloadFormatVersion === '2.0' ? { jwt } : jwt };
  }

  private async lambda(a: HttpLambdaAuthorizerDescription, route: HttpRouteDescription, req: ProxyRequest, ctx: ProxyContext, runtime: LambdaRuntime): Promise<Authorization> {
    const values = a.identitySource.map((source) => identityValue(source, req, ctx, this.o.api));
    // "If the client's request doesn't include the identity sources, API Gateway doesn't invoke your Lambda authorizer, and the client receives a 401 error"
    if (values.some((v) => v === undefined || v === '')) return UNAUTHORIZED;
    const identity = values as string[];
    const routeArn = `arn:aws:execute-api:${this.o.region}:${this.o.accountId}:${this.o.api.id}/${ctx.stage}/${req.method}${req.path}`;
    const key = a.ttlSeconds > 0 && identity.length > 0 ? JSON.stringify(identity) : undefined;
    const fail = (why: string) => this.o.log(`HTTP API ${this.o.api.logicalId}: authorizer ${a.name}: ${why}: 500 {"message":"Internal Server Error"}`);
    let answer = key === undefined ? undefined : this.cached(a.id, key);
    if (!answer) {
      const refused = this.o.refusals?.authorizers.get(a.id);
      if (refused !== undefined && this.o.refusals!.mode === 'enforce') return FAILURE;
      const event = a.payloadFormatVersion === '2.0' ? authorizerEventV2(req, ctx, routeArn, identity) : authorizerEventV1(req, ctx, routeArn, identity);
      // a failure is said below, with the authorizer's name
      const outcome = await callFunction(runtime, this.o.functionOf(a), event, LAMBDA_AUTHORIZER_TIMEOUT_MS, () => {});
      const read = readAnswer(outcome, a, routeArn, fail);
      if (!('kind' in read)) return read;
      answer = read;
      if (key !== undefined) this.keep(a, key, answer);
    }
    return decide(answer, routeArn, route.payloadFormatVersion, fail);
  }

  private cached(authorizerId: string, key: string): Answer | undefined {
    const entries = this.cache.get(authorizerId);
    const entry = entries?.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.answer;
    entries!.delete(key);
    return undefined;
  }

  private keep(a: HttpLambdaAuthorizerDescription, key: string, answer: Answer): void {
    let entries = this.cache.get(a.id);
    if (!entries) this.cache.set(a.id, (entries = new Map()));
    if (entries.size >= MAX_CACHED_ANSWERS) entries.delete(entries.keys().next().value!);
    entries.set(key, { answer, until: Date.now() + a.ttlSeconds * 1000 });
  }
}

/** A function's answer as API Gateway reads it: a valid answer, or its refusal (401, 500). */
function readAnswer(outcome: IntegrationOutcome, a: HttpLambdaAuthorizerDescription, routeArn: string, fail: (why: string) => void): Answer | Authorization {
  // a failure: as ../gateway/authorizer.ts decides it ("Unauthorized" thrown: 401; anything else: 500)
  if (outcome.kind !== 'ok') return refusalOf(evaluate(outcome, routeArn, 0, fail));
  const result = outcome.result as { isAuthorized?: unknown; principalId?: unknown; policyDocument?: unknown; context?: unknown } | null;
  if (typeof result !== 'object' || result === null) {
    fail('invalid authorizer output: the answer is not an object');
    return FAILURE;
  }
  const context = result.context ?? {};
  if (typeof context !== 'object' || Array.isArray(context)) {
    fail('invalid authorizer output: its context is not an object');
    return FAILURE;
  }
  if (a.simpleResponses) {
    if (typeof result.isAuthorized !== 'boolean') {
      fail('invalid authorizer output: a simple response is { "isAuthorized": true or false, "context": {…} }');
      return FAILURE;
    }
    return { kind: 'simple', authorized: result.isAuthorized, context: context as Record<string, unknown> };
  }
  // the policy checked as the WebSocket API's authorizer checks one (principalId, policyDocument); its context is the HTTP API's own (any JSON)
  const checked = evaluate(policyOutcome(result.principalId, result.policyDocument), routeArn, 0, fail);
  if (!checked.allow && checked.status >= 500) return FAILURE;
  return { kind: 'policy', principalId: result.principalId as string, policyDocument: result.policyDocument, context: context as Record<string, unknown> };
}

/** A valid answer applied to one route: allowed (with what the integration gets), or 403. */
function decide(answer: Answer, routeArn: string, payload: '1.0' | '2.0', fail: (why: string) => void): Authorization {
  if (answer.kind === 'simple') {
    if (!answer.authorized) return FORBIDDEN;
    return { allow: true, authorizer: payload === '2.0' ? { lambda: answer.context } : { ...answer.context } };
  }
  const d = evaluate(policyOutcome(answer.principalId, answer.policyDocument), routeArn, 0, fail);
  if (!d.allow) return refusalOf(d);
  return { allow: true, authorizer: payload === '2.0' ? { lambda: answer.context } : { ...answer.context, principalId: answer.principalId } };
}

/** ../gateway/authorizer.ts's refusal in an HTTP API's words: 401 Unauthorized, 403 Forbidden, 500 Internal Server Error. */
function refusalOf(d: ReturnType<typeof evaluate>): Authorization {
  if (d.allow) return { allow: true, authorizer: {} };
  return d.status === 401 ? UNAUTHORIZED : d.status === 403 ? FORBIDDEN : FAILURE;
}

/** A policy answer as the WebSocket API's evaluation takes a function's result (its context left to the HTTP API). */
function policyOutcome(principalId: unknown, policyDocument: unknown): IntegrationOutcome {
  return { kind: 'ok', result: { principalId, policyDocument }, cold: false, durationMs: 0, billedDurationMs: 0, hostCapWaitMs: 0, requestId: '' };
}

/** Payload 2.0's authorizer event: the request as payload 2.0 gives it (no body), with the route's ARN and the identity source values. */
function authorizerEventV2(req: ProxyRequest, ctx: ProxyContext, routeArn: string, identity: string[]): Record<string, unknown> {
  const { version: _version, body: _body, isBase64Encoded: _binary, ...rest } = eventV2(req, ctx);
  return { version: '2.0', type: 'REQUEST', routeArn, identitySource: identity, ...rest };
}

/** Payload 1.0's: REST's REQUEST authorizer event, the values joined with commas as identitySource and authorizationToken. */
function authorizerEventV1(req: ProxyRequest, ctx: ProxyContext, methodArn: string, identity: string[]): Record<string, unknown> {
  const e = eventV1(req, ctx, 'http');
  const joined = identity.join(',');
  return {
    version: '1.0',
    type: 'REQUEST',
    methodArn,
    identitySource: joined,
    authorizationToken: joined,
    resource: e.resource,
    path: e.path,
    httpMethod: e.httpMethod,
    headers: e.headers,
    multiValueHeaders: e.multiValueHeaders,
    queryStringParameters: e.queryStringParameters,
    multiValueQueryStringParameters: e.multiValueQueryStringParameters,
    pathParameters: e.pathParameters ?? {},
    stageVariables: e.stageVariables,
    requestContext: e.requestContext,
  };
}

/**
 * One identity source's value: a header (its name in any case; repeated, joined with commas), a
 * query parameter (its name exact; repeated, joined with commas), a context variable or a stage
 * variable; undefined when the request has none.
 */
function identityValue(source: string, req: ProxyRequest, ctx: ProxyContext, api: HttpApiDescription): string | undefined {
  const m = /^\$(request\.header|request\.querystring|context|stageVariables)\.(.+)$/.exec(source);
  if (!m) return undefined;
  const [, kind, name] = m as unknown as [string, string, string];
  if (kind === 'request.header') {
    const lower = name.toLowerCase();
    const values: string[] = [];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === lower) values.push(req.rawHeaders[i + 1]!);
    return values.length > 0 ? values.join(',') : undefined;
  }
  if (kind === 'request.querystring') {
    const values = new URLSearchParams(req.rawQueryString).getAll(name);
    return values.length > 0 ? values.join(',') : undefined;
  }
  if (kind === 'stageVariables') return api.stage.variables[name];
  const userAgent = identityValue('$request.header.user-agent', req, ctx, api);
  const context: Record<string, string | undefined> = {
    accountId: ctx.accountId,
    apiId: ctx.apiId,
    domainName: ctx.domainName,
    domainPrefix: ctx.domainName.split('.', 1)[0],
    httpMethod: req.method,
    'identity.sourceIp': req.sourceIp,
    'identity.userAgent': userAgent,
    path: req.rawPath,
    protocol: req.protocol,
    requestId: ctx.requestId,
    routeKey: ctx.routeKey,
    stage: ctx.stage,
  };
  return context[name];
}
