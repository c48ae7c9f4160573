import { z } from 'zod';

/**
 * The kinds of limit the evidence can name (a search's limiting factor, a failed run's explanation),
 * in the order they are named when several have evidence:
 * a limit that refused work first; then the local host (which the harness shares on a local
 * target, so a busy host shows as a busy harness too), the harness itself; then what made the
 * work slow.
 */
export const LIMIT_FACTORS = [
  'lambda-throttles',
  'api-gateway-429',
  'dynamodb-throttles',
  'connections-post-errors',
  'local-host',
  'harness-saturated',
  'cold-start-storm',
  'posts-per-invocation',
  'connections-post-latency',
  'none',
] as const;
export const LimitFactor = z.enum(LIMIT_FACTORS);
export type LimitFactor = z.infer<typeof LimitFactor>;

/** One line of evidence, with its figures. */
export const Evidence = z.object({ factor: LimitFactor, line: z.string() });
export type Evidence = z.infer<typeof Evidence>;
