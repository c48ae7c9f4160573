import { z } from 'zod';

/**
 * The kinds of limit the evidence can name (a search's limiting factor, a failed run's explanation),
 * in the order they are named when several have evidence and none says how much of the symptom it
 * accounts for (evidence with a share is ranked by it first): a path the emulator does not run
 * (the deliveries' function invoked here by nothing), a hop of a queued path that lost them (a
 * dead-letter queue, a dropped event, a failed batch), the functions' own errors, a
 * function API Gateway may not invoke, a request an `AWS` integration's service refused, a call IAM
 * denied, then a limit that refused work (and the
 * errors a function logged without throwing); then the local host (which the harness shares on a local
 * target, so a busy host shows as a busy harness too), the harness itself; then what made the
 * work slow.
 */
export const LIMIT_FACTORS = [
  'not-emulated',
  'queued-path',
  'function-errors',
  'invoke-permission',
  'integration-errors',
  'iam-denied',
  'lambda-throttles',
  'api-gateway-429',
  'dynamodb-throttles',
  'connections-post-errors',
  'logged-errors',
  'local-host',
  'harness-saturated',
  'cold-start-storm',
  'cold-start-tail',
  'posts-per-invocation',
  'connections-post-latency',
  'none',
] as const;
export const LimitFactor = z.enum(LIMIT_FACTORS);
export type LimitFactor = z.infer<typeof LimitFactor>;

/**
 * One line of evidence, with its figures; `share`: how much of the symptom it accounts for (0–1),
 * where its figures say; `remedy`: what would move it, where that depends on the evidence itself
 * (a function's error kind) rather than on its factor alone.
 */
export const Evidence = z.object({ factor: LimitFactor, line: z.string(), share: z.number().min(0).max(1).optional(), remedy: z.string().optional() });
export type Evidence = z.infer<typeof Evidence>;
