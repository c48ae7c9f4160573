/**
 * The one host clock every process uses: epoch milliseconds with sub-millisecond precision.
 * `performance.timeOrigin` is read from the wall clock when the process starts and `now()` is
 * monotonic after that, so shards, the parent and the sender/receiver of a message all agree.
 */
const origin = performance.timeOrigin;

export function now(): number {
  return origin + performance.now();
}

/** Milliseconds (float) to whole microseconds, the unit of every latency histogram. */
export function toMicros(ms: number): number {
  return ms <= 0 ? 0 : Math.round(ms * 1000);
}
