import { setTimeout as sleep } from 'node:timers/promises';

/**
 * DynamoDB throttling: recognising it, counting it, and outlasting it where giving up would leave
 * stale rows. The SDK already retries a throttled call (3 attempts, pinned in dynamo-client.ts);
 * every throttled attempt is counted here (the DynamoDB client's middleware calls
 * `noteThrottled`) and reported once per invocation as the DynamoDbThrottles metric (route.ts).
 * No SDK import: functions that never touch DynamoDB load nothing more for this.
 */

/** Error names DynamoDB (and the SDK's retry logic) treat as throttling. */
const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
]);

export function isThrottling(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && THROTTLING_ERRORS.has(name);
}

/** One environment runs one invocation at a time, so a module counter is per invocation. */
let throttledAttempts = 0;

export function noteThrottled(): void {
  throttledAttempts++;
}

/** Throttled attempts since the last call (and resets the count). */
export function takeThrottledAttempts(): number {
  const n = throttledAttempts;
  throttledAttempts = 0;
  return n;
}

/**
 * A cleanup call is tried up to this many times (each try is the SDK's own 3 attempts, pinned in
 * dynamo-client.ts, which back off up to 1 s and 2 s on throttling), and no new try starts past the cleanup's deadline,
 * CLEANUP_BUDGET_MS after it began: a last try then ends within ~3 s more, inside $disconnect's
 * 10 s timeout. A cleanup cut short by the Lambda timeout would not even be counted.
 */
export const CLEANUP_ATTEMPTS = 8;
export const CLEANUP_BUDGET_MS = 5_000;

/** The deadline (performance.now() scale) of a cleanup starting now. */
export function cleanupDeadline(): number {
  return performance.now() + CLEANUP_BUDGET_MS;
}

/** Backoff before try n + 1 (n is 1-based): 25·2ⁿ ms capped at 1 s, jittered to 50-100 %. */
export function backoffMs(attempt: number): number {
  return Math.min(1_000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

/** Whether a cleanup call that has made `attempt` tries may try again after waiting `waitMs`. */
export function mayRetryCleanup(attempt: number, deadline: number, waitMs: number): boolean {
  return attempt < CLEANUP_ATTEMPTS && performance.now() + waitMs < deadline;
}

/**
 * Runs a cleanup call, retrying it while DynamoDB throttles it, beyond the SDK's own attempts: a
 * cleanup that gives up leaves rows of dead connections behind, which nobody retries later (API
 * Gateway does not retry $disconnect). Other errors are thrown at once.
 */
export async function outlastThrottling<T>(call: () => Promise<T>, deadline: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const waitMs = backoffMs(attempt);
      if (!isThrottling(error) || !mayRetryCleanup(attempt, deadline, waitMs)) throw error;
      await sleep(waitMs);
    }
  }
}
