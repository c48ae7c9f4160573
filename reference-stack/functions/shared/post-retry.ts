import { StandardRetryStrategy } from '@smithy/core/retry';
import type { RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';

/** Attempts per @connections post: the SDK's standard count (throttling and 5xx are retried). */
const MAX_ATTEMPTS = 3;

/** Whether an SDK error is the HTTP handler's own per-attempt deadline (`requestTimeout`). */
export function isPostTimeout(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'TimeoutError';
}

/**
 * The SDK's standard retry strategy, except that an attempt which ran into its deadline is not
 * tried again: a post that got no answer may still have reached the client, so a retry could
 * deliver the frame twice, and a stuck post would otherwise hold its fan-out slot for three
 * deadlines. Throttling (429) and server errors are retried as usual.
 */
export class NoRetryAfterTimeout implements RetryStrategyV2 {
  readonly #standard = new StandardRetryStrategy(MAX_ATTEMPTS);

  acquireInitialRetryToken(scope: string): Promise<StandardRetryToken> {
    return this.#standard.acquireInitialRetryToken(scope);
  }

  refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    // Throwing here makes the SDK give up and raise the attempt's own error.
    if (isPostTimeout(errorInfo.error)) return Promise.reject(errorInfo.error);
    return this.#standard.refreshRetryTokenForRetry(token, errorInfo);
  }

  recordSuccess(token: StandardRetryToken): void {
    this.#standard.recordSuccess(token);
  }
}
