import { TokenBucket } from './token-bucket.ts';
import { Fifo } from './fifo.ts';
import type { Environment, EnvironmentSpec } from './environment.ts';
import type { FunctionConfig } from './options.ts';
import type { FunctionStats } from './types.ts';

/** An invocation waiting for the host cap (see host-capacity.ts). */
export interface HostWaiter {
  pool: FunctionPool;
  seq: number;
  enqueuedAt: number;
  resolve(grant: HostGrant): void;
}

/** What a waiter gets: a warm environment of its function, a slot for a new one, or nothing (closing). */
export type HostGrant = { kind: 'warm'; env: Environment } | { kind: 'slot' } | { kind: 'closed' };

/**
 * One function's environments and counters. Idle environments form a stack: the most recently
 * used is reused first (so surplus environments age out and get reaped), and idle[0] is the
 * least recently used.
 */
export class FunctionPool {
  readonly idle: Environment[] = [];
  readonly waiters = new Fifo<HostWaiter>();
  readonly scaling: TokenBucket;
  /** Reused for every data point this function emits. */
  readonly dimensions: Record<string, string>;
  live = 0;
  busy = 0;
  readonly counters: Omit<FunctionStats, 'live' | 'busy'> = {
    coldStarts: 0,
    invocations: 0,
    throttles: 0,
    errors: 0,
    timeouts: 0,
    hostCapWaits: 0,
    hostCapEvictions: 0,
  };

  constructor(
    readonly config: FunctionConfig,
    readonly spec: EnvironmentSpec,
    scalingRate: { environments: number; perMs: number },
  ) {
    this.scaling = new TokenBucket(scalingRate.environments, scalingRate.perMs);
    this.dimensions = { FunctionName: config.name };
  }

  get reservedConcurrency(): number | undefined {
    return this.config.reservedConcurrency;
  }

  takeIdle(): Environment | undefined {
    return this.idle.pop();
  }

  putIdle(env: Environment): void {
    this.idle.push(env);
  }

  removeIdle(env: Environment): boolean {
    const i = this.idle.indexOf(env);
    if (i < 0) return false;
    this.idle.splice(i, 1);
    return true;
  }

  stats(): FunctionStats {
    return { live: this.live, busy: this.busy, ...this.counters };
  }
}
