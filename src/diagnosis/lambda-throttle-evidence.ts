import { quotaValueText } from '../metrics/results/quota-value-text.ts';
import { fmtInt } from '../number-format.ts';
import { fansOutOf, onlyLoss, shareOf, sum, unexpectedCount, type Detector } from './limit-detector.ts';

/**
 * Lambda's throttles (AWS/Lambda Throttles) and ConcurrentExecutions against the account's
 * concurrency, or a function's reserved concurrency where it has one; for a loss alone, only a
 * function that fans out (a throttled $connect or authorizer fails the connect).
 */
export const lambdaThrottleEvidence: Detector = (r, symptoms) => {
  const lambda = r.cloudwatch?.lambda ?? {};
  // for a loss alone: only a function that fans out loses deliveries when throttled (a throttled
  // $connect or authorizer fails the connect, which shows as a failed connect)
  const throttled = Object.entries(lambda).filter(([fn, t]) => t.throttles > 0 && (!onlyLoss(symptoms) || fansOutOf(r, fn)));
  const limit = r.quotas?.limits.lambdaConcurrency;
  const peak = Math.max(0, ...Object.values(lambda).map((t) => t.concurrentExecutionsMax ?? 0));
  const atLimit = limit !== undefined && peak >= limit.value;
  if (throttled.length === 0 && (!atLimit || onlyLoss(symptoms))) return undefined;
  // a function with reserved concurrency is throttled at that, whatever the account's
  const reservedOf = (fn: string) => r.config.target.functions?.functions.find((f) => f.name === fn)?.reservedConcurrency;
  const atReserved = (fn: string, peakOf: number | null) => {
    const n = reservedOf(fn);
    return n === undefined ? '' : `: its reserved concurrency of ${fmtInt(n)}${peakOf === null ? '' : `, ConcurrentExecutions peaked at ${fmtInt(peakOf)}`}`;
  };
  const parts = throttled.length > 0
    ? [`Lambda throttled ${fmtInt(sum(throttled.map(([, t]) => t.throttles)))} invocations (${throttled.map(([fn, t]) => `${fn} ${fmtInt(t.throttles)}${atReserved(fn, t.concurrentExecutionsMax)}`).join(', ')})`]
    : [];
  const allReserved = throttled.length > 0 && throttled.every(([fn]) => reservedOf(fn) !== undefined);
  if (limit && (atLimit || !allReserved)) parts.push(`ConcurrentExecutions peaked at ${fmtInt(peak)} against ${quotaValueText('lambdaConcurrency', limit)}`);
  return { line: parts.join('; '), share: symptoms.has('errors') ? shareOf(sum(throttled.map(([, t]) => t.throttles)), unexpectedCount(r)) : undefined };
};
