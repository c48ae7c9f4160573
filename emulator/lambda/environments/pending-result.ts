/**
 * One answer an execution environment owes the pool (INIT's outcome, or an invocation's), given
 * once by whichever comes first: the runtime's answer, the time limit, the runtime's end. Both
 * kinds of environment (worker-environment.ts, process-environment.ts) hold one for INIT and one
 * for the invocation in flight; a late second answer is dropped, as Lambda drops a response that
 * comes after the timeout.
 */
export class PendingResult<T> {
  private resolve: ((r: T) => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** Waits for the answer; `onLimit` runs if `limitMs` passes first (and settles it, as a rule). */
  begin(limitMs: number, onLimit: () => void): Promise<T> {
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        onLimit();
      }, limitMs);
    });
  }

  /** Whether an answer is still owed. */
  get pending(): boolean {
    return this.resolve !== undefined;
  }

  settle(r: T): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.(r);
  }
}
