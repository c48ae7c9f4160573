import { performance } from 'node:perf_hooks';

/**
 * A token bucket: starts full at `capacity`, refills continuously at capacity / perMs. Models
 * Lambda's scaling rate (1,000 new execution environments per 10 s per function).
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly refillPerMs: number;

  constructor(
    private readonly capacity: number,
    perMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = now();
    this.refillPerMs = capacity / perMs;
  }

  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + (t - this.last) * this.refillPerMs);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
