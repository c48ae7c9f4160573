import { newReceiverOrder, type ReceiverOrder } from '../metrics/measurement/order-tracker.ts';

/**
 * The receivers' order windows (order-tracker.ts), carved out of shared slabs: each is a view
 * into a slab, laid out and filled as newReceiverOrder makes it. Every client gets one on its
 * first delivery, and a typed array with a buffer of its own costs that buffer's object and a
 * native backing store besides the few bytes it holds (~200 bytes a client; bench/RESULTS.md,
 * "Launch scale").
 */
const SLAB_LENGTH = 16_384;

export class OrderWindows {
  private slab = new Int32Array(0);
  private used = 0;

  /** A fresh window for `senders` senders. */
  take(senders: number): ReceiverOrder {
    const n = 2 * senders;
    if (n > SLAB_LENGTH) return newReceiverOrder(senders);
    if (this.used + n > this.slab.length) {
      this.slab = new Int32Array(SLAB_LENGTH);
      this.used = 0;
    }
    const o = this.slab.subarray(this.used, this.used + n);
    this.used += n;
    o.set(newReceiverOrder(senders));
    return o;
  }
}
