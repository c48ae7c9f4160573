/**
 * A shard's record of which messages each of its clients received, so that a lost delivery can
 * be traced to the recipient that missed it. A message is named by its sender's client id and
 * that sender's sequence number (both in the probe; a sender numbers its messages densely), so a
 * receiver keeps one bitmap per sender it hears from: bit `seq` set when that message arrived.
 * Memory is the deliveries received over 8 bytes (10 million deliveries: 1.25 MB), up to
 * BOOK_BYTES_MAX a shard; past that the book stops growing and says it cannot tell (`has` → -1)
 * for what it could not hold, rather than calling a delivery missing.
 */
export const BOOK_BYTES_MAX = 64 << 20;
/** what a receiver's map entry costs besides its bitmap (an estimate; the bound is approximate by that much) */
const ENTRY_BYTES = 64;

export const RECEIVED = 1;
export const MISSED = 0;
export const UNKNOWN = -1;
export type Had = typeof RECEIVED | typeof MISSED | typeof UNKNOWN;

export class RecipientBook {
  private readonly books: (Map<number, Uint32Array> | undefined)[] = [];
  /** per client: unique deliveries recorded, and when the latest arrived (epoch ms) */
  readonly received: Uint32Array;
  readonly lastAt: Float64Array;
  private bytes = 0;
  /** epoch ms when the book first could not grow (0 while it can) */
  fullAt = 0;

  constructor(
    clients: number,
    private readonly bytesMax = BOOK_BYTES_MAX,
  ) {
    this.received = new Uint32Array(clients);
    this.lastAt = new Float64Array(clients);
  }

  /** Client `client` (its index in the shard) received message `seq` of `sender` at `at`. */
  add(client: number, sender: number, seq: number, at: number): void {
    if (sender < 0 || seq < 0) return;
    const m = (this.books[client] ??= new Map());
    const w = seq >>> 5;
    const bit = 1 << (seq & 31);
    let bits = m.get(sender);
    if (bits === undefined || w >= bits.length) bits = this.grow(m, sender, bits, w, at);
    if (bits !== undefined) {
      if ((bits[w] & bit) !== 0) return; // a duplicate
      bits[w] |= bit;
    }
    this.received[client]++;
    this.lastAt[client] = at;
  }

  /** Whether `client` received message `seq` of `sender`: UNKNOWN where the book was full. */
  has(client: number, sender: number, seq: number): Had {
    const bits = this.books[client]?.get(sender);
    const w = seq >>> 5;
    if (bits === undefined || w >= bits.length) return this.fullAt > 0 ? UNKNOWN : MISSED;
    return (bits[w] >>> (seq & 31)) & 1 ? RECEIVED : MISSED;
  }

  private grow(m: Map<number, Uint32Array>, sender: number, bits: Uint32Array | undefined, w: number, at: number): Uint32Array | undefined {
    let n = bits ? bits.length : 2;
    while (n <= w) n *= 2;
    const more = (n - (bits?.length ?? 0)) * 4 + (bits ? 0 : ENTRY_BYTES);
    if (this.bytes + more > this.bytesMax) {
      this.fullAt ||= at;
      return undefined;
    }
    this.bytes += more;
    const next = new Uint32Array(n);
    if (bits) next.set(bits);
    m.set(sender, next);
    return next;
  }
}
