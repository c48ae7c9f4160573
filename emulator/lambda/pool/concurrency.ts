import type { ThrottleReason } from '../types.ts';

/** What the accounting needs to know about a function. */
export interface ConcurrencyUser {
  /** Invocations admitted and not finished, including those the host holds back. */
  busy: number;
  readonly reservedConcurrency: number | undefined;
  /** Provisioned concurrency the function has allocated, over all its versions. */
  readonly provisionedRequested: number;
}

/**
 * Lambda's concurrency quotas. A function with reserved concurrency R runs at most R
 * invocations at once (R = 0: always throttled) and does not draw from the shared pool; the
 * other functions share what the account limit leaves unreserved.
 *
 * An invocation counts from admission to its end, except while it waits at a host cap (the
 * function's or the host's: `heldAtHost`), queued for one of the function's environments to free
 * up rather than for an INIT of its own. On AWS it would have started at once and, on a host
 * that is not saturated, likely finished; counting the queue the emulator's own host builds
 * would turn host contention into throttles (a capacity run lost a quarter of its connects to
 * the account limit of 1,000 that way, where AWS would have run a few dozen at once). A cold
 * start waiting for its INIT still counts, as on AWS.
 *
 * Provisioned concurrency is allocated out of the same pools: a function with reserved
 * concurrency R runs at most R invocations, provisioned ones included; a function without takes
 * its provisioned environments out of the unreserved pool, so the others share less, and an
 * invocation a provisioned environment serves draws nothing more from it (AWS's
 * ClaimedAccountConcurrency: unreserved executions plus reserved and provisioned allocations).
 */
export class ConcurrencyLimits<U extends ConcurrencyUser> {
  private unreservedBusy = 0;
  /** What the functions without reserved concurrency share: the account's, less every reservation and their provisioned allocations. */
  unreservedLimit: number;

  constructor(
    private readonly accountConcurrency: number,
    private readonly reservedTotal: number,
    private readonly users: readonly U[],
    /** Invocations of a function now waiting at a host cap. */
    private readonly heldAtHost: (fn: U) => number,
  ) {
    this.unreservedLimit = accountConcurrency - reservedTotal;
  }

  /** A provisioned allocation was made, changed or removed: the unreserved pool is counted again (not on each invocation). */
  allocationsChanged(): void {
    let provisioned = 0;
    for (const u of this.users) if (u.reservedConcurrency === undefined) provisioned += u.provisionedRequested;
    this.unreservedLimit = this.accountConcurrency - this.reservedTotal - provisioned;
  }

  /** Why an invocation would be throttled now, or undefined when it may run. `provisioned`: a free provisioned environment will serve it. */
  check(fn: U, provisioned = false): ThrottleReason | undefined {
    const reserved = fn.reservedConcurrency;
    if (reserved !== undefined) return this.running(fn) >= reserved ? 'reserved-concurrency' : undefined;
    if (provisioned) return undefined; // its concurrency is allocated already
    if (this.unreservedBusy < this.unreservedLimit) return undefined; // the usual case: nothing to subtract
    return this.unreservedBusy - this.held(true) >= this.unreservedLimit ? 'account-concurrency' : undefined;
  }

  /** Invocations now waiting at a host cap: of every function, or of the unreserved ones. */
  held(unreservedOnly = false): number {
    let n = 0;
    for (const u of this.users) if (!unreservedOnly || u.reservedConcurrency === undefined) n += this.heldAtHost(u);
    return n;
  }

  /** A function's concurrent executions as AWS counts them: admitted, not held at the host. */
  running(fn: U): number {
    return fn.busy - this.heldAtHost(fn);
  }

  acquire(fn: U, provisioned = false): void {
    fn.busy++;
    if (fn.reservedConcurrency === undefined && !provisioned) this.unreservedBusy++;
  }

  release(fn: U, provisioned = false): void {
    fn.busy--;
    if (fn.reservedConcurrency === undefined && !provisioned) this.unreservedBusy--;
  }
}
