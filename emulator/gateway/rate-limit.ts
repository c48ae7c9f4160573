/**
 * Token bucket, the algorithm API Gateway documents for its throttles: `rate` tokens per second
 * refill a bucket of `burst` tokens; a request takes one token or is throttled. A burst below 1
 * refuses everything, as a throttle with burst 0 does.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
    this.last = performance.now();
  }

  tryTake(): boolean {
    const now = performance.now();
    const refill = ((now - this.last) / 1000) * this.rate;
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + refill);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The bucket a client request on `routeKey` (undefined: no route matched) takes from: its route's own, else the stage's. */
export function routeBucket(ctx: { stage: TokenBucket; routeThrottles: ReadonlyMap<string, TokenBucket> }, routeKey: string | undefined): TokenBucket {
  return (routeKey === undefined ? undefined : ctx.routeThrottles.get(routeKey)) ?? ctx.stage;
}
