import { z } from 'zod';

/**
 * The quotas a run was held against (results.json's `quotas`): API Gateway's WebSocket quotas,
 * the stage's and each route's throttle (client messages, `$connect` included), the account's
 * throttle (client messages and `@connections` posts together), Lambda's account concurrency and
 * the idle rule assumed, each with its value and where that value came from, and the plan's lines
 * (one per limit the scenario would pass). Written by the run's pre-flight
 * (src/session/quota-preflight.ts); read by the attribution of refusals and closes
 * (src/metrics/results/quota-attribution.ts). docs/aws-facts.md lists the sources.
 */

export const QUOTA_LIMITS = [
  'newConnectionsPerSecond',
  'frameBytes',
  'messageBytes',
  'idleTimeoutSeconds',
  'connectionLifetimeSeconds',
  /** the stage's default route throttle (client messages; absent: the stage has none) */
  'requestsPerSecond',
  'requestBurst',
  /** the account's throttle in the region: client messages and @connections posts together */
  'accountRequestsPerSecond',
  'accountRequestBurst',
  'lambdaConcurrency',
  'lambdaUnreservedConcurrency',
] as const;
export type QuotaLimit = (typeof QUOTA_LIMITS)[number];

/**
 * AWS's documented defaults: API Gateway quotas for WebSocket APIs (500 new connections per
 * second per account and region, 32 KB frame, 128 KB message, 10-minute idle timeout, 2-hour
 * connection, the account throttle of 10,000 requests/s with a burst of 5,000 in most regions:
 * accountThrottleDefault, common/api-gateway-quotas.ts) and Lambda's account concurrency of 1,000. A stage has no throttle
 * of its own unless one is set: its default here is the account's, the limit its messages meet.
 */
export const AWS_DOCUMENTED_QUOTAS: Readonly<Record<QuotaLimit, number>> = {
  newConnectionsPerSecond: 500,
  frameBytes: 32_768,
  messageBytes: 131_072,
  idleTimeoutSeconds: 600,
  connectionLifetimeSeconds: 7_200,
  requestsPerSecond: 10_000,
  requestBurst: 5_000,
  accountRequestsPerSecond: 10_000,
  accountRequestBurst: 5_000,
  lambdaConcurrency: 1_000,
  lambdaUnreservedConcurrency: 1_000,
};

/**
 * What resets a connection's 10-minute idle timer. AWS documents the timeout, not the direction:
 * `either` (traffic either way, messages the server sends included: what those who run it report)
 * or `client` (the client's own messages only). Plans say which one they assumed.
 */
export const IdleRule = z.enum(['client', 'either']);
export type IdleRule = z.infer<typeof IdleRule>;
export const DEFAULT_IDLE_RULE: IdleRule = 'either';

/**
 * Where a value came from: AWS's documentation, AWS's documented default for the stack's region
 * (the dated table above), the account (GetStage, GetAccount, GetAccountSettings), or the
 * emulator's config.
 */
export const QuotaSource = z.enum(['aws-documented', 'aws-documented-region', 'account', 'emulator-config']);
export type QuotaSource = z.infer<typeof QuotaSource>;

export const QuotaValue = z.object({ value: z.number(), source: QuotaSource });
export type QuotaValue = z.infer<typeof QuotaValue>;

export const Quotas = z.object({
  /** the values held against; a limit absent is not known for this target */
  limits: z.partialRecord(z.enum(QUOTA_LIMITS), QuotaValue),
  /** routes with a throttle of their own (the stage's RouteSettings), by route key */
  routes: z.record(z.string(), z.object({ rate: QuotaValue, burst: QuotaValue.optional() })).optional(),
  /** the idle rule the plan assumed, and where it came from (absent in older results) */
  idleRule: z.object({ rule: IdleRule, source: z.enum(['assumed', 'emulator-config']) }).optional(),
  /** whether the target refuses a frame over frameBytes (AWS does; the emulator enforces the message size only) */
  frameEnforced: z.boolean(),
  /** one sentence: where the values come from */
  note: z.string(),
  /** the plan's lines: one per limit the scenario would pass */
  plan: z.array(z.string()),
  /** the run's refusals and closes attributed to the limit that caused them (quota-attribution.ts) */
  attributed: z.array(z.string()).optional(),
});
export type Quotas = z.infer<typeof Quotas>;
