// @ts-check
/**
 * The one clock of a worker: epoch milliseconds with sub-millisecond precision, monotonic after
 * the process started (performance.timeOrigin + performance.now(), as the harness stamps). Every
 * send and every delivery of a room are stamped in the same process, so on this clock.
 */
const origin = performance.timeOrigin;

/** @returns {number} */
export function now() {
  return origin + performance.now();
}
