import { evaluate } from '../gateway/authorizer.ts';
import { INTEGRATION_TIMEOUT_MS, type IntegrationOutcome } from '../gateway/integration.ts';
import type { LambdaRuntime } from '../lambda/types.ts';
import type { RestAuthorizerDescription } from '../stack-model/stack-description.ts';
import { accessDenied, GATEWAY_ANSWERS, type GatewayAnswer } from './gateway-responses.ts';
import { callFunction } from '../gateway/function-call.ts';

/**
 * A REST API's Lambda authorizer ("Use API Gateway Lambda authorizers"), TOKEN or REQUEST:
 *
 * - its identity sources must be present and non-empty, else 401 Unauthorized without calling the
 *   function: a TOKEN authorizer's one header, a REQUEST authorizer's comma-separated
 *   `method.request.header.X`, `method.request.querystring.X`, `stageVariables.X`, `context.X`;
 *   a TOKEN whose value does not match IdentityValidationExpression (the whole value, as Java's
 *   `matches`) is 401 too, the function not called;
 * - a TOKEN authorizer gets `{ type: 'TOKEN', authorizationToken, methodArn }`, a REQUEST one the
 *   method's proxy event less its body, with `type: 'REQUEST'` and `methodArn`;
 * - its answer is decided as the WebSocket $connect authorizer's is (../gateway/authorizer.ts: the
 *   policy evaluated against the method ARN, `Unauthorized` → 401, a Deny → 403, any other
 *   failure → 500 `{"message":null}`), and an Allow's principalId, integrationLatency and context
 *   become requestContext.authorizer; its `usageIdentifierKey` is the API key under ApiKeySource
 *   AUTHORIZER;
 * - its answer is cached by the identity sources' values for AuthorizerResultTtlInSeconds (0: not
 *   cached), per stage; the cached policy is evaluated again for each request's method ARN, as AWS
 *   applies a cached policy to whatever method the next request names; only an answer the
 *   function gave is cached (not an error, a timeout, nor an `Unauthorized`);
 * - API Gateway may not invoke its function (no AWS::Lambda::Permission for
 *   `…/authorizers/<id>`, nor an AuthorizerCredentialsArn role allowed): under enforce every call
 *   is 500, the function never invoked.
 */

export interface AuthorizerRequest {
  stage: string;
  methodArn: string;
  /** the header's values, by name regardless of case ([] if none) */
  header(name: string): string[];
  /** the query string's values by name ([] if none) */
  query(name: string): string[];
  stageVariables: Record<string, string>;
  /** `$context`: the proxy event's requestContext */
  context: Record<string, unknown>;
  /** the method's Lambda proxy event, which a REQUEST authorizer gets less its body */
  event(): Record<string, unknown>;
}

export type AuthorizerOutcome = { allow: true; authorizer: Record<string, unknown>; usageIdentifierKey?: string } | { allow: false; answer: GatewayAnswer };

type IdentitySource = { kind: 'header' | 'querystring' | 'stageVariables' | 'context'; name: string };

interface Cached {
  expires: number;
  outcome: Extract<IntegrationOutcome, { kind: 'ok' }>;
  latencyMs: number;
}

export class RestAuthorizer {
  private readonly sources: IdentitySource[];
  private readonly validation: RegExp | undefined;
  private readonly cache = new Map<string, Cached>();
  private readonly said = new Set<string>();

  /** Throws an Error naming what the emulator cannot read (an identity source of another kind). */
  constructor(
    readonly description: RestAuthorizerDescription,
    /** the function (name, or name:qualifier) it invokes */
    readonly functionName: string,
    private readonly options: {
      /** why API Gateway may not invoke the function, and whether that is enforced */
      refusal?: { mode: 'enforce' | 'report'; why: string };
      log: (line: string) => void;
      timeoutMs?: number;
      now?: () => number;
    },
  ) {
    this.sources = identitySources(description);
    this.validation = description.type === 'TOKEN' && description.identityValidationExpression ? new RegExp(`^(?:${description.identityValidationExpression})$`) : undefined;
  }

  async authorize(runtime: LambdaRuntime, request: AuthorizerRequest): Promise<AuthorizerOutcome> {
    const values: string[] = [];
    for (const source of this.sources) {
      const value = identityValue(source, request);
      if (value === undefined || value === '') return { allow: false, answer: GATEWAY_ANSWERS.unauthorized };
      values.push(value);
    }
    if (this.validation && !this.validation.test(values[0]!)) return { allow: false, answer: GATEWAY_ANSWERS.unauthorized };
    const now = this.options.now ?? Date.now;
    const ttlMs = this.description.ttlSeconds * 1000;
    const key = `${request.stage}\u0000${values.join('\u0000')}`;
    let cached = ttlMs > 0 ? this.cache.get(key) : undefined;
    if (cached && cached.expires <= now()) {
      this.cache.delete(key);
      cached = undefined;
    }
    let outcome: IntegrationOutcome;
    let latencyMs: number;
    if (cached) {
      outcome = cached.outcome;
      latencyMs = cached.latencyMs;
    } else {
      const refusal = this.options.refusal;
      if (refusal?.mode === 'enforce') {
        outcome = { kind: 'not-permitted' };
        latencyMs = 0;
      } else {
        const event =
          this.description.type === 'TOKEN'
            ? { type: 'TOKEN', authorizationToken: values[0], methodArn: request.methodArn }
            : requestEvent(request);
        const started = performance.now();
        outcome = await callFunction(runtime, this.functionName, event, this.options.timeoutMs ?? INTEGRATION_TIMEOUT_MS, this.options.log);
        latencyMs = Math.round(performance.now() - started);
        if (outcome.kind === 'ok' && ttlMs > 0) this.cache.set(key, { expires: now() + ttlMs, outcome, latencyMs });
      }
    }
    const decision = evaluate(outcome, request.methodArn, latencyMs, (why) => this.sayOnce(why));
    if (!decision.allow) return { allow: false, answer: accessDenied(decision.status, decision.body) };
    const usageIdentifierKey = outcome.kind === 'ok' ? (outcome.result as { usageIdentifierKey?: unknown } | null)?.usageIdentifierKey : undefined;
    return { allow: true, authorizer: decision.authorizer, ...(typeof usageIdentifierKey === 'string' ? { usageIdentifierKey } : {}) };
  }

  private sayOnce(why: string): void {
    if (this.said.has(why)) return;
    this.said.add(why);
    this.options.log(`authorizer ${this.description.name} (${this.functionName}): ${why}: 500 {"message":null}`);
  }
}

/** The REQUEST authorizer's input: the proxy event's fields but its body, with `type` and `methodArn` first. */
function requestEvent(request: AuthorizerRequest): Record<string, unknown> {
  const { body: _body, isBase64Encoded: _base64, ...rest } = request.event();
  return { type: 'REQUEST', methodArn: request.methodArn, ...rest };
}

function identitySources(d: RestAuthorizerDescription): IdentitySource[] {
  const list = d.identitySource
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return list.map((source) => {
    const m = /^method\.request\.(header|querystring)\.(.+)$/.exec(source) ?? /^(stageVariables|context)\.(.+)$/.exec(source);
    if (!m || (d.type === 'TOKEN' && m[1] !== 'header')) {
      throw new Error(`authorizer ${d.logicalId} IdentitySource ${source}: ${d.type === 'TOKEN' ? 'a TOKEN authorizer reads one method.request.header.<name>' : 'not method.request.header|querystring.<name>, stageVariables.<name> or context.<name>'}`);
    }
    return { kind: m[1] as IdentitySource['kind'], name: m[2]! };
  });
}

function identityValue(source: IdentitySource, request: AuthorizerRequest): string | undefined {
  switch (source.kind) {
    case 'header':
      return request.header(source.name).at(-1);
    case 'querystring':
      return request.query(source.name).at(-1);
    case 'stageVariables':
      return request.stageVariables[source.name];
    case 'context': {
      const value = source.name.split('.').reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), request.context);
      return value === undefined || value === null ? undefined : String(value);
    }
  }
}
