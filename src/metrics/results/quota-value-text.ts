import type { QuotaLimit, QuotaValue } from '../../contracts/quotas-schema.ts';
import { fmtInt } from '../../number-format.ts';

/**
 * A quota's value as every line names it (the plan's, the attribution's, the diagnosis's
 * evidence): the limit as a phrase around its value, and where the value came from.
 */

const SOURCE: Record<QuotaValue['source'], string> = {
  'aws-documented': "AWS's documented default",
  'aws-documented-region': "AWS's documented default for the region",
  account: 'read from the account',
  'emulator-config': "the emulator's config",
};

const minutes = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`);

/** Each limit as a phrase around its value. */
const LIMIT_TEXT: Record<QuotaLimit, (v: number) => string> = {
  newConnectionsPerSecond: (v) => `API Gateway's ${fmtInt(v)} new connections/s per account and region`,
  frameBytes: (v) => `API Gateway's ${fmtInt(v)}-byte WebSocket frame`,
  messageBytes: (v) => `API Gateway's ${fmtInt(v)}-byte WebSocket message`,
  idleTimeoutSeconds: (v) => `API Gateway's ${minutes(v)} idle timeout`,
  connectionLifetimeSeconds: (v) => `API Gateway's ${minutes(v)} connection lifetime`,
  requestsPerSecond: (v) => `the stage's throttle of ${fmtInt(v)} requests/s`,
  requestBurst: (v) => `the stage's burst of ${fmtInt(v)} requests`,
  accountRequestsPerSecond: (v) => `the account's throttle of ${fmtInt(v)} requests/s`,
  accountRequestBurst: (v) => `the account's burst of ${fmtInt(v)} requests`,
  lambdaConcurrency: (v) => `Lambda's ${fmtInt(v)} concurrent executions per account`,
  lambdaUnreservedConcurrency: (v) => `Lambda's ${fmtInt(v)} unreserved concurrent executions`,
};

/** Where a value came from, as lines name it: "AWS's documented default". */
export function quotaSourceText(v: QuotaValue): string {
  return SOURCE[v.source];
}

/** A limit, its value and where the value came from: "API Gateway's 500 new connections/s per account and region (AWS's documented default)". */
export function quotaValueText(limit: QuotaLimit, v: QuotaValue): string {
  return `${LIMIT_TEXT[limit](v.value)} (${SOURCE[v.source]})`;
}
