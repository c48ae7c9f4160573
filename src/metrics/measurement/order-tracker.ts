/**
 * Duplicates and reordering, per receiver and sender, the way IPsec detects replays: the highest
 * sequence number seen from that sender and a 32-bit window of which of the 32 before it arrived.
 * A receiver keeps 2·k numbers for the k senders of its room (senders are numbered by their rank
 * in the room), made on its first delivery: [last₀…lastₖ₋₁, window₀…], at `base` in an Int32Array
 * that may hold other receivers' too (order-windows.ts).
 */
export const WINDOW = 32;

export type ReceiverOrder = Int32Array;

/** A receiver's numbers for `senders` senders, fresh, at `base` in `o`: no sequence seen (−1), empty windows. */
export function initReceiverOrder(o: ReceiverOrder, base: number, senders: number): void {
  o.fill(-1, base, base + senders);
  o.fill(0, base + senders, base + 2 * senders);
}

export function newReceiverOrder(senders: number): ReceiverOrder {
  const o = new Int32Array(2 * senders);
  initReceiverOrder(o, 0, senders);
  return o;
}

export const SEEN_NEW = 0;
export const SEEN_OUT_OF_ORDER = 1;
export const SEEN_DUPLICATE = 2;
export type Seen = typeof SEEN_NEW | typeof SEEN_OUT_OF_ORDER | typeof SEEN_DUPLICATE;

/** Classifies delivery `seq` from sender number `s` of the receiver whose numbers for `senders` senders start at `base` in `o`, and records it. */
export function observe(o: ReceiverOrder, base: number, senders: number, s: number, seq: number): Seen {
  const w = base + senders + s;
  const last = o[base + s];
  if (seq > last) {
    const shift = seq - last;
    o[w] = last < 0 || shift >= WINDOW ? 1 : (o[w] << shift) | 1;
    o[base + s] = seq;
    return SEEN_NEW;
  }
  const d = last - seq;
  if (d >= WINDOW) return SEEN_OUT_OF_ORDER;
  const bit = 1 << d;
  if ((o[w] & bit) !== 0) return SEEN_DUPLICATE;
  o[w] |= bit;
  return SEEN_OUT_OF_ORDER;
}
