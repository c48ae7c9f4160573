import { availableParallelism } from 'node:os';
import { cpuShare } from './cpu-share.ts';
import type { Environment } from './environment.ts';
import type { FunctionPool } from './function-pool.ts';

/** The per-function cap never goes below this: a burst's first few cold starts stay as on AWS. */
const MIN_FUNCTION_CAP = 4;

/**
 * The host cap on one function's live environments: `perCore` environments per core at a full
 * vCPU share, so more for small memory sizes, whose environments spend most of an invocation
 * blocked by the CPU-share model or waiting on I/O. Not an AWS quota. Beyond what the cores can
 * keep busy, another environment adds no throughput on this host, only cost: each new one
 * compiles the SDK's hot paths again (about a second of CPU over its first invocations, measured
 * in bench/RESULTS.md), so on a saturated host every extra cold start made invocations slower,
 * which raised concurrency and called for more environments. Infinity when `perCore` is 0.
 */
export function functionEnvironmentCap(memoryMB: number, perCore: number, cores = availableParallelism()): number {
  if (perCore === 0) return Infinity;
  return Math.max(MIN_FUNCTION_CAP, Math.ceil((perCore * cores) / cpuShare(memoryMB)));
}

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

  private leastRecentlyUsedIdle(): { pool: FunctionPool; env: Environment } | undefined {
    let best: { pool: FunctionPool; env: Environment } | undefined;
    for (const pool of this.pools) {
      const env = pool.idle[0];
      if (env && (!best || env.lastUsedAt < best.env.lastUsedAt)) best = { pool, env };
    }
    return best;
  }

  private spareOfLargestPreparedPool(requester: FunctionPool): { pool: FunctionPool; env: Environment } | undefined {
    let best: FunctionPool | undefined;
    for (const pool of this.pools) {
      if (pool !== requester && pool.prepared.length > (best?.prepared.length ?? 0)) best = pool;
    }
    return best ? { pool: best, env: best.prepared[best.prepared.length - 1] } : undefined;
  }
}
