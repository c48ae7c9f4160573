import type { Connection } from './connection.ts';
import type { AuthorizerConfig, GatewayContext } from './context.ts';
import { authorizerEvent } from './events.ts';
import { headerValues, type HandshakeRequest } from './handshake-request.ts';
import { awsId } from './ids.ts';
import type { IntegrationOutcome } from './integration.ts';

/**
 * A Lambda REQUEST authorizer on $connect, with API Gateway's semantics:
 *
 * - every identity source (`route.request.header.X`, `route.request.querystring.Y`) must be present
 *   and non-empty in the request as the gateway passes it on (with the headers it adds, such as
 *   X-Forwarded-Proto), else 401 without calling the function;
 * - the function throws "Unauthorized" → 401; returns a policy whose statement on this method ARN
 *   denies (explicit deny) → 403, or that matches no statement (implicit deny) → 403;
 * - API Gateway may not invoke its function (no AWS::Lambda::Permission, nor an
 *   AuthorizerCredentialsArn role allowed) → 500, the function never invoked (assumed: AWS documents
 *   the execution log's lines for REST APIs, not the WebSocket handshake's status);
 * - it throws anything else, times out, is throttled, or answers something that is not a valid
 *   authorizer output (no policyDocument or principalId, a context value that is not a string,
 *   number or boolean) → 500;
 * - it allows → the connection goes on to $connect, and `principalId`, `integrationLatency` (ms) and
 *   its context, values turned into strings, become requestContext.authorizer for every event of
 *   the connection.
 *
 * WebSocket APIs do not cache authorizer results: every handshake calls the function (cold starts,
 * REPORT lines and AWS/Lambda metrics as any invocation). Bodies are REST APIs' default gateway
 * responses; AWS does not document the bodies of a WebSocket handshake refused this way.
 */
export type AuthorizerDecision = { allow: true; authorizer: Record<string, unknown> } | { allow: false; status: number; body: string };

const UNAUTHORIZED: AuthorizerDecision = { allow: false, status: 401, body: '{"message":"Unauthorized"}' };
const EXPLICIT_DENY: AuthorizerDecision = { allow: false, status: 403, body: '{"Message":"User is not authorized to access this resource with an explicit deny"}' };
const IMPLICIT_DENY: AuthorizerDecision = { allow: false, status: 403, body: '{"Message":"User is not authorized to access this resource"}' };
const FAILURE: AuthorizerDecision = { allow: false, status: 500, body: '{"message":null}' };

export async function authorize(
  ctx: GatewayContext,
  auth: AuthorizerConfig,
  conn: Connection,
  request: HandshakeRequest,
  now: number,
): Promise<AuthorizerDecision> {
  if (!identityPresent(request, auth.identitySource)) {
    ctx.metrics.count('ClientError');
    return UNAUTHORIZED;
  }
  const methodArn = `arn:aws:execute-api:${ctx.config.region}:${ctx.config.accountId}:${ctx.api.apiId}/${ctx.api.stage}/$connect`;
  const requestId = awsId();
  const event = authorizerEvent(ctx.api, conn, request, requestId, now, methodArn);
  const start = performance.now();
  const outcome = await ctx.integration.invoke(auth.functionName, event, { metrics: false, authorizer: true, request: { requestId, connectionId: conn.connectionId } });
  const decision = evaluate(outcome, methodArn, Math.round(performance.now() - start), (why) =>
    ctx.log(`gateway: authorizer ${auth.functionName} on ${conn.connectionId}: ${why} (500)`),
  );
  if (!decision.allow && decision.status < 500) ctx.metrics.count('ClientError');
  return decision;
}

/** Every identity source present and non-empty (header names case-insensitive, query names exact). */
export function identityPresent(request: HandshakeRequest, sources: readonly string[]): boolean {
  for (const source of sources) {
    const header = /^route\.request\.header\.(.+)$/.exec(source);
    const param = header ? undefined : /^route\.request\.querystring\.(.+)$/.exec(source);
    // an identity source of another kind is one this emulator's config never names
    const values = header ? headerValues(request, header[1]!) : param ? (request.query?.multi[param[1]!] ?? []) : [];
    if (!values.some((v) => v !== '')) return false;
  }
  return true;
}

/** The authorizer's outcome as API Gateway decides on it. */
export function evaluate(outcome: IntegrationOutcome, methodArn: string, latencyMs: number, fail: (why: string) => void): AuthorizerDecision {
  switch (outcome.kind) {
    case 'ok':
      break;
    case 'error':
      // Only this exact message means "no valid credentials"; any other error is a failure.
      if (outcome.errorMessage === 'Unauthorized') return UNAUTHORIZED;
      fail(`the function failed (${outcome.errorType})`);
      return FAILURE;
    case 'throttled':
      fail('the invoke was throttled');
      return FAILURE;
    case 'timeout':
      fail('no answer within the integration timeout');
      return FAILURE;
    case 'failed':
      fail(outcome.message);
      return FAILURE;
    case 'not-permitted':
      fail('API Gateway may not invoke the function');
      return FAILURE;
  }
  const result = outcome.result as { principalId?: unknown; policyDocument?: unknown; context?: unknown } | null;
  if (typeof result !== 'object' || result === null) return configurationError(fail, 'the answer is not an object');
  if (typeof result.principalId !== 'string' || result.principalId === '') return configurationError(fail, 'no principalId');
  const statements = statementsOf(result.policyDocument);
  if (!statements) return configurationError(fail, 'no policyDocument with a Statement');
  const context = stringified(result.context);
  if (!context) return configurationError(fail, 'context values must be strings, numbers or booleans');

  const matching = statements.filter((s) => matches(s.Action, 'execute-api:Invoke', true) && matches(s.Resource, methodArn, false));
  if (matching.some((s) => s.Effect === 'Deny')) return EXPLICIT_DENY;
  if (!matching.some((s) => s.Effect === 'Allow')) return IMPLICIT_DENY;
  return { allow: true, authorizer: { ...context, principalId: result.principalId, integrationLatency: latencyMs } };
}

function configurationError(fail: (why: string) => void, why: string): AuthorizerDecision {
  fail(`invalid authorizer output: ${why}`);
  return FAILURE;
}

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

function statementsOf(doc: unknown): Statement[] | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const s = (doc as { Statement?: unknown }).Statement;
  if (Array.isArray(s)) return s.filter((x): x is Statement => typeof x === 'object' && x !== null);
  return typeof s === 'object' && s !== null ? [s as Statement] : undefined;
}

/** The context as later routes see it: flat, every value a string. */
function stringified(context: unknown): Record<string, string> | undefined {
  if (context === undefined || context === null) return {};
  if (typeof context !== 'object' || Array.isArray(context)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(context)) {
    if (typeof v === 'string') out[k] = v;
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') out[k] = String(v);
    else return undefined;
  }
  return out;
}

/** An IAM Action or Resource (a pattern or a list of them, `*` and `?` wildcards) matching `value`. */
function matches(patterns: unknown, value: string, ignoreCase: boolean): boolean {
  const list = Array.isArray(patterns) ? patterns : [patterns];
  return list.some((p) => typeof p === 'string' && globRegExp(p, ignoreCase).test(value));
}

function globRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '');
}
