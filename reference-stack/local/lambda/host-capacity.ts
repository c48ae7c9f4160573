import { performance } from 'node:perf_hooks';
import type { Environment } from './environment.ts';
import type { FunctionPool, HostGrant, HostWaiter } from './function-pool.ts';

/**
 * The host cap on live execution environments across all functions: not an AWS quota but what
 * this machine can hold. A new environment needs a slot. With none free, the least recently used
 * idle environment (any function) is evicted for it; with no idle environment either, the
 * invocation waits, first come first served, and its outcome reports hostCapWaitMs.
 *
 * A freed environment goes to the oldest waiter of its own function (a warm hand-over), unless
 * the oldest waiter overall belongs to another function and has waited `recycleAfterMs`: then
 * the environment is recycled into a slot for that waiter.
 */
export class HostCapacity {
  private live = 0;
  private seq = 0;

  constructor(
    readonly max: number,
    private readonly recycleAfterMs: number,
    private readonly pools: readonly FunctionPool[],
  ) {}

  /** Live environments, including starting ones. */
  get liveEnvironments(): number {
    return this.live;
  }

  /** Take a slot now (evicting an idle environment if needed); false when the invocation must wait. */
  tryReserve(): boolean {
    if (this.live < this.max) {
      this.live++;
      return true;
    }
    const victim = this.leastRecentlyUsedIdle();
    if (!victim) return false;
    victim.pool.idle.shift();
    victim.pool.live--;
    victim.pool.counters.hostCapEvictions++;
    void victim.env.terminate();
    return true; // the victim's slot passes to the caller
  }

  wait(pool: FunctionPool): Promise<HostGrant> {
    return new Promise((resolve) => {
      pool.waiters.push({ pool, seq: this.seq++, enqueuedAt: performance.now(), resolve });
    });
  }

  /** A healthy environment finished an invocation: hand it over, recycle it, or park it idle. */
  release(env: Environment, pool: FunctionPool): void {
    const oldest = this.oldestWaiter();
    if (!oldest) {
      env.markIdle();
      pool.putIdle(env);
      return;
    }
    const own = pool.waiters.peek();
    if (own && (own === oldest || performance.now() - oldest.enqueuedAt < this.recycleAfterMs)) {
      pool.waiters.shift();
      env.markIdle();
      own.resolve({ kind: 'warm', env });
      return;
    }
    pool.live--;
    void env.terminate();
    oldest.pool.waiters.shift();
    oldest.resolve({ kind: 'slot' });
  }

  /** An environment is gone (timeout, crash, failed INIT, reaped): its slot goes to the oldest waiter. */
  slotFreed(): void {
    const oldest = this.oldestWaiter();
    if (oldest) {
      oldest.pool.waiters.shift();
      oldest.resolve({ kind: 'slot' });
    } else {
      this.live--;
    }
  }

  /** Answer every waiter with 'closed' (the runtime is shutting down). */
  closeAll(): void {
    for (const pool of this.pools) for (const w of pool.waiters.drain()) w.resolve({ kind: 'closed' });
  }

  private oldestWaiter(): HostWaiter | undefined {
    let oldest: HostWaiter | undefined;
    for (const pool of this.pools) {
      const head = pool.waiters.peek();
      if (head && (!oldest || head.seq < oldest.seq)) oldest = head;
    }
    return oldest;
  }

  private leastRecentlyUsedIdle(): { pool: FunctionPool; env: Environment } | undefined {
    let best: { pool: FunctionPool; env: Environment } | undefined;
    for (const pool of this.pools) {
      const env = pool.idle[0];
      if (env && (!best || env.lastUsedAt < best.env.lastUsedAt)) best = { pool, env };
    }
    return best;
  }
}
