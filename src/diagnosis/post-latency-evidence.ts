import { fmtNum } from '../number-format.ts';
import { ms, type Detector } from './limit-detector.ts';

/** Mean time per post (fan-out duration ÷ posts) past this is slow @connections posts. */
export const SLOW_POST_MS = 50;

/**
 * Slow @connections posts: the fan-out's mean time per post (FanoutDurationMs ÷ posts per
 * invocation), for a latency.
 */
export const postLatencyEvidence: Detector = (r, symptoms) => {
  if (!symptoms.has('latency')) return undefined;
  const emf = r.cloudwatch?.emf ?? {};
  const duration = emf.FanoutDurationMs?.average;
  const posts = emf.FanoutDeliveries?.sum ?? 0;
  const invocations = emf.FanoutDurationMs && r.sends.acked > 0 ? r.sends.acked : 0;
  if (!duration || posts === 0 || invocations === 0) return undefined;
  const perPost = duration / (posts / invocations);
  if (perPost < SLOW_POST_MS) return undefined;
  return `@connections posts were slow: ${ms(perPost)} per post on average (fan-out ${ms(duration)} for ${fmtNum(posts / invocations)} posts)`;
};
