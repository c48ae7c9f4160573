// @ts-check
/**
 * Duplicates and reordering per receiver and sender, as the harness counts them
 * (src/metrics/order-tracker.ts): the highest sequence number seen from each sender and a 32-bit
 * window of which of the 32 before it arrived. One Int32Array of 2·k numbers for the k senders of
 * the receiver's room (numbered by their rank in it): [last₀…lastₖ₋₁, window₀…].
 */
export const WINDOW = 32;
export const SEEN_NEW = 0;
export const SEEN_OUT_OF_ORDER = 1;
export const SEEN_DUPLICATE = 2;

/** @param {number} senders */
export function newReceiverOrder(senders) {
  const o = new Int32Array(2 * senders);
  o.fill(-1, 0, senders);
  return o;
}

/**
 * Classifies delivery `seq` from sender number `s` and records it.
 * @param {Int32Array} o
 * @param {number} s
 * @param {number} seq
 * @returns {0 | 1 | 2}
 */
export function observe(o, s, seq) {
  const w = (o.length >> 1) + s;
  const last = o[s];
  if (seq > last) {
    const shift = seq - last;
    o[w] = last < 0 || shift >= WINDOW ? 1 : (o[w] << shift) | 1;
    o[s] = seq;
    return SEEN_NEW;
  }
  const d = last - seq;
  if (d >= WINDOW) return SEEN_OUT_OF_ORDER;
  const bit = 1 << d;
  if ((o[w] & bit) !== 0) return SEEN_DUPLICATE;
  o[w] |= bit;
  return SEEN_OUT_OF_ORDER;
}
