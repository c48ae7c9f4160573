import type { ThrottleReason } from './types.ts';

/** What the accounting needs to know about a function. */
export interface ConcurrencyUser {
  busy: number;
  readonly reservedConcurrency: number | undefined;
}

/**
 * Lambda's concurrency quotas. A function with reserved concurrency R runs at most R
 * invocations at once (R = 0: always throttled) and does not draw from the shared pool; the
 * other functions share what the account limit leaves unreserved. An invocation counts from
 * admission to its end, including time spent waiting for the emulator's host cap (on AWS it
 * would be running).
 */
export class ConcurrencyLimits {
  private unreservedBusy = 0;
  readonly unreservedLimit: number;

  constructor(accountConcurrency: number, reservedTotal: number) {
    this.unreservedLimit = accountConcurrency - reservedTotal;
  }

  /** Why an invocation would be throttled now, or undefined when it may run. */
  check(fn: ConcurrencyUser): ThrottleReason | undefined {
    const reserved = fn.reservedConcurrency;
    if (reserved !== undefined) return fn.busy >= reserved ? 'reserved-concurrency' : undefined;
    return this.unreservedBusy >= this.unreservedLimit ? 'account-concurrency' : undefined;
  }

  acquire(fn: ConcurrencyUser): void {
    fn.busy++;
    if (fn.reservedConcurrency === undefined) this.unreservedBusy++;
  }

  release(fn: ConcurrencyUser): void {
    fn.busy--;
    if (fn.reservedConcurrency === undefined) this.unreservedBusy--;
  }

  /** Executions running on the unreserved pool now. */
  get unreservedInUse(): number {
    return this.unreservedBusy;
  }
}
