import { TokenBucket } from '../gateway/rate-limit.ts';
import type { ApiKeyDescription, Throttle, UsagePlanDescription } from '../stack-model/stack-description.ts';
import { GATEWAY_ANSWERS, type GatewayAnswer } from './gateway-responses.ts';
import { QuotaCounter } from './quota-period.ts';

/**
 * A REST API's API keys and the usage plans that hold them ("Usage plans and API keys for REST
 * APIs in API Gateway"): a method with ApiKeyRequired admits a request only with the value of an
 * enabled key that a usage plan covering this API's stage holds, else 403 Forbidden (the key comes
 * from `x-api-key`, or from the authorizer's `usageIdentifierKey` under ApiKeySource AUTHORIZER:
 * the caller says which). An admitted key is then throttled by the plan, per key: the stage's
 * per-method throttle in the plan first, then the plan's own (THROTTLED, 429 Too Many Requests),
 * the order AWS applies them; then counted against the plan's quota for the period (QUOTA_EXCEEDED,
 * 429 Limit Exceeded). A key is in at most one plan per stage (AWS refuses a second); the first
 * plan of the description holding it is used.
 *
 * Keys are looked up by value and never printed: what the emulator says of one names its id.
 */
export class UsagePlans {
  private readonly keysByValue = new Map<string, ApiKeyDescription>();
  /** by stage: the plans covering it, with their per-method throttles there */
  private readonly plansOf = new Map<string, Array<{ plan: UsagePlanDescription; methodThrottles: Record<string, Throttle> }>>();
  /** per plan and key: the plan's bucket, the per-method buckets, the quota's count */
  private readonly usage = new Map<string, { bucket?: TokenBucket; methods: Map<string, TokenBucket>; quota?: QuotaCounter }>();
  private readonly startedAt: number;

  constructor(
    apiId: string,
    keys: readonly ApiKeyDescription[],
    plans: readonly UsagePlanDescription[],
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    for (const key of keys) this.keysByValue.set(key.value, key);
    for (const plan of plans) {
      for (const s of plan.apiStages) {
        if (s.apiId !== apiId) continue;
        const list = this.plansOf.get(s.stage) ?? [];
        list.push({ plan, methodThrottles: s.throttle });
        this.plansOf.set(s.stage, list);
      }
    }
  }

  /**
   * Admits one request of a method requiring a key, on `stage`, with `value` (undefined: none
   * given); `methodKey` is the method as usage plans key their throttles (`/items/{id}/GET`).
   * Undefined: admitted (and counted); else the gateway's answer.
   */
  /** The id of the key with this value (the access log's `$context.identity.apiKeyId`); undefined: no such key. */
  keyIdOf(value: string | undefined): string | undefined {
    return value === undefined ? undefined : this.keysByValue.get(value)?.id;
  }

  admit(stage: string, value: string | undefined, methodKey: string): GatewayAnswer | undefined {
    const key = value === undefined || value === '' ? undefined : this.keysByValue.get(value);
    if (!key || !key.enabled) return GATEWAY_ANSWERS.invalidApiKey;
    const held = this.plansOf.get(stage)?.find((p) => p.plan.keys.includes(key.logicalId));
    if (!held) return GATEWAY_ANSWERS.invalidApiKey;
    const { plan, methodThrottles } = held;
    const id = `${plan.id}\u0000${key.id}`;
    let usage = this.usage.get(id);
    if (!usage) {
      usage = {
        ...(plan.throttle ? { bucket: new TokenBucket(plan.throttle.rateLimit, plan.throttle.burstLimit) } : {}),
        methods: new Map(),
        ...(plan.quota ? { quota: new QuotaCounter(plan.quota, this.startedAt, this.now) } : {}),
      };
      this.usage.set(id, usage);
    }
    const methodThrottle = methodThrottles[methodKey] ?? methodThrottles[methodKey.replace(/\/[^/]+$/, '/*')] ?? methodThrottles['/*/*'];
    if (methodThrottle) {
      let bucket = usage.methods.get(methodKey);
      if (!bucket) usage.methods.set(methodKey, (bucket = new TokenBucket(methodThrottle.rateLimit, methodThrottle.burstLimit)));
      if (!bucket.tryTake()) return GATEWAY_ANSWERS.throttled;
    }
    if (usage.bucket && !usage.bucket.tryTake()) return GATEWAY_ANSWERS.throttled;
    if (usage.quota && !usage.quota.tryTake()) return GATEWAY_ANSWERS.quotaExceeded;
    return undefined;
  }
}

/** A method as usage plans and stage MethodSettings key it: `/items/{id}/GET`, the root's `//GET`. */
export function methodSettingsKey(path: string, httpMethod: string): string {
  return `${path}/${httpMethod}`;
}
