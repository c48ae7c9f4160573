/**
 * How many batches an SQS event source mapping runs at once (Lambda developer guide, "Using Lambda
 * with Amazon SQS", scaling): 5 at first; while messages wait, up to 300 more a minute; at most
 * 1,000, ScalingConfig.MaximumConcurrency and the function's reserved concurrency. After a failed
 * batch it halves, down to 2 (AWS says it scales down on errors and may fall to 2 concurrent
 * batches; the halving is the emulator's). The clock is given, so a test moves minutes at once.
 */
export const SQS_SCALING = { initial: 5, perMinute: 300, max: 1_000, floorOnErrors: 2 } as const;

export class SqsScaling {
  private level: number;
  private credit = 0;
  private lastAt: number;
  private lastDownAt = -Infinity;

  constructor(
    /** the ceiling: min(1,000, MaximumConcurrency, reserved concurrency) */
    readonly ceiling: number,
    private readonly now: () => number,
  ) {
    this.level = Math.max(1, Math.min(SQS_SCALING.initial, ceiling));
    this.lastAt = now();
  }

  get allowed(): number {
    return this.level;
  }

  /** Called every so often: with messages waiting (`backlog`), add what the time since the last call earned. */
  evaluate(backlog: boolean): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.lastAt);
    this.lastAt = now;
    if (!backlog || this.level >= this.ceiling) {
      this.credit = 0;
      return;
    }
    this.credit += (elapsed * SQS_SCALING.perMinute) / 60_000;
    const add = Math.floor(this.credit);
    if (add <= 0) return;
    this.credit -= add;
    this.level = Math.min(this.ceiling, this.level + add);
  }

  /** A batch failed (function error, throttle, invalid response): at most one step down a second, so one burst of failures halves once. */
  scaleDown(): void {
    const now = this.now();
    if (now - this.lastDownAt < 1_000) return;
    this.lastDownAt = now;
    this.level = Math.max(Math.min(SQS_SCALING.floorOnErrors, this.ceiling), Math.ceil(this.level / 2));
    this.credit = 0;
  }
}
