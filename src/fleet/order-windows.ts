import { initReceiverOrder } from '../metrics/measurement/order-tracker.ts';

/**
 * The receivers' order windows (order-tracker.ts), all in one pool: a receiver holds the offset of
 * its window (a number, no object), taken on its first delivery and laid out by order-tracker.ts. A typed array per receiver, or even a view per receiver into a shared slab, costs an
 * object and more per client besides the few bytes it holds (bench/RESULTS.md, "Launch scale").
 */
export const NO_WINDOW = -1;

export class OrderWindows {
  /** every window taken so far; replaced by a bigger copy when full (read it anew after take) */
  pool = new Int32Array(4096);
  private used = 0;

  /** A fresh window for `senders` senders: its offset in `pool`. */
  take(senders: number): number {
    const base = this.used;
    this.used += 2 * senders;
    if (this.used > this.pool.length) {
      const bigger = new Int32Array(Math.max(2 * this.pool.length, this.used));
      bigger.set(this.pool.subarray(0, base));
      this.pool = bigger;
    }
    initReceiverOrder(this.pool, base, senders);
    return base;
  }
}
