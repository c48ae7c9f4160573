import { z } from 'zod';

/**
 * The quotas a run was held against (results.json's `quotas`): API Gateway's WebSocket quotas,
 * the stage's throttle and Lambda's account concurrency, each with its value and where that value
 * came from, and the plan's lines (one per limit the scenario would pass). Written by the run's
 * pre-flight (src/session/quota-preflight.ts); read by the attribution of refusals and closes
 * (quota-attribution.ts).
 */

export const QUOTA_LIMITS = [
  'newConnectionsPerSecond',
  'frameBytes',
  'messageBytes',
  'idleTimeoutSeconds',
  'connectionLifetimeSeconds',
  'requestsPerSecond',
  'requestBurst',
  'lambdaConcurrency',
  'lambdaUnreservedConcurrency',
] as const;
export type QuotaLimit = (typeof QUOTA_LIMITS)[number];

/**
 * AWS's documented defaults: API Gateway quotas for WebSocket APIs (500 new connections per
 * second per account and region, 32 KB frame, 128 KB message, 10-minute idle timeout, 2-hour
 * connection, the account throttle of 10,000 requests/s with a burst of 5,000) and Lambda's
 * account concurrency of 1,000.
 */
export const AWS_DOCUMENTED_QUOTAS: Readonly<Record<QuotaLimit, number>> = {
  newConnectionsPerSecond: 500,
  frameBytes: 32_768,
  messageBytes: 131_072,
  idleTimeoutSeconds: 600,
  connectionLifetimeSeconds: 7_200,
  requestsPerSecond: 10_000,
  requestBurst: 5_000,
  lambdaConcurrency: 1_000,
  lambdaUnreservedConcurrency: 1_000,
};

/** Where a value came from: AWS's documentation, the account (GetStage, GetAccountSettings), or the emulator's config. */
export const QuotaSource = z.enum(['aws-documented', 'account', 'emulator-config']);
export type QuotaSource = z.infer<typeof QuotaSource>;

export const QuotaValue = z.object({ value: z.number(), source: QuotaSource });
export type QuotaValue = z.infer<typeof QuotaValue>;

export const Quotas = z.object({
  /** the values held against; a limit absent is not known for this target */
  limits: z.partialRecord(z.enum(QUOTA_LIMITS), QuotaValue),
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
