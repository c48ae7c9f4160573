import type { ExecutionEnvironment } from '../environments/execution-environment.ts';
import type { FunctionPool } from './function-pool.ts';

/**
 * The host cap on live execution environments across all functions: not an AWS quota but what
 * this machine's memory holds (an idle environment costs memory, not CPU). A new environment
 * needs a slot. With none free, the least recently used idle environment of any function is
 * evicted for it, else a prepared one of the function holding the most; with neither, the cold
 * start waits until a slot frees (`onFree` is told).
 */
export class HostCapacity {
  private live = 0;

  constructor(
    readonly max: number,
    private readonly pools: readonly FunctionPool[],
    private readonly onFree: () => void,
  ) {}

  /** Live environments, including starting and prepared ones. */
  get liveEnvironments(): number {
    return this.live;
  }

  /**
   * Take a slot for `pool` now; false when there is none. Only a cold start that is waiting
   * (`mayEvict`) evicts another environment: a spare never displaces anything.
   */
  tryReserve(pool: FunctionPool, mayEvict: boolean): boolean {
    if (this.live < this.max) {
      this.live++;
      return true;
    }
    if (!mayEvict) return false;
    const victim = this.leastRecentlyUsedIdle() ?? this.spareOfLargestPreparedPool(pool);
    if (!victim) return false;
    victim.pool.removeIdle(victim.env);
    victim.pool.live--;
    victim.pool.counters.hostCapEvictions++;
    victim.env.retire();
    return true; // the victim's slot passes to the caller
  }

  /** An environment is gone (timeout, crash, failed INIT, reaped, evicted by close). */
  slotFreed(): void {
    this.live--;
    this.onFree();
  }

  private leastRecentlyUsedIdle(): { pool: FunctionPool; env: ExecutionEnvironment } | undefined {
    let best: { pool: FunctionPool; env: ExecutionEnvironment } | undefined;
    for (const pool of this.pools) {
      const env = pool.idle[0];
      if (env && (!best || env.lastUsedAt < best.env.lastUsedAt)) best = { pool, env };
    }
    return best;
  }

  private spareOfLargestPreparedPool(requester: FunctionPool): { pool: FunctionPool; env: ExecutionEnvironment } | undefined {
    let best: FunctionPool | undefined;
    for (const pool of this.pools) {
      if (pool !== requester && pool.prepared.length > (best?.prepared.length ?? 0)) best = pool;
    }
    return best ? { pool: best, env: best.prepared[best.prepared.length - 1] } : undefined;
  }
}
