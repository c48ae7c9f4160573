/**
 * A shard's record of which messages each of its clients received, so that a lost delivery can
 * be traced to the recipient that missed it. A message is named by its sender's client id and
 * that sender's sequence number (both in the probe; a sender numbers its messages densely), so a
 * receiver keeps one bitmap per sender it hears from: bit `seq` set when that message arrived.
 *
 * The book is flat: no object per client. Every bitmap is a region of one word pool, a region
 * doubling (copied to the pool's end) when a seq passes its end. A client's first sender and its
 * region sit in per-client arrays, which is all a room with one sender needs; further senders of
 * a client go in one Map for the shard. A Map and a typed array per client, as this once was,
 * made ~0.5 KB a client on its first delivery and, at 100,000 clients, a major GC mid-send
 * (bench/RESULTS.md, "Launch scale").
 *
 * Memory is the deliveries received over 8 bytes (10 million deliveries: 1.25 MB) plus the
 * regions outgrown, up to BOOK_BYTES_MAX a shard; past that the book stops growing and says it
 * cannot tell (`has` → -1) for what it could not hold, rather than calling a delivery missing.
 */
export const BOOK_BYTES_MAX = 64 << 20;
/** what an entry of the further-senders Map costs besides its bitmap (an estimate; the bound is approximate by that much) */
const ENTRY_BYTES = 48;
/** a region handle is its offset in words × 32 + log2 of its length in words */
const LOG_BITS = 5;
const LOG_MASK = (1 << LOG_BITS) - 1;
/** offsets past this do not fit a handle (a Smi): the book is full there whatever its byte bound */
const OFFSET_MAX = 2 ** 25;
/** Map keys: client index × 2^32 + sender id (exact while the client index is below 2^21) */
const KEY_SPAN = 2 ** 32;
const NONE = -1;

export const RECEIVED = 1;
export const MISSED = 0;
export const UNKNOWN = -1;
export type Had = typeof RECEIVED | typeof MISSED | typeof UNKNOWN;

export class RecipientBook {
  /** per client: unique deliveries recorded, and when the latest arrived (epoch ms) */
  readonly received: Uint32Array;
  readonly lastAt: Float64Array;
  /** per client: the first sender it heard (-1: none yet), and that sender's region */
  private readonly firstSender: Int32Array;
  private readonly firstRegion: Int32Array;
  /** every further (client, sender) pair's region */
  private readonly more = new Map<number, number>();
  private words = new Uint32Array(4096);
  private used = 0;
  private bytes = 0;
  /** epoch ms when the book first could not grow (0 while it can) */
  fullAt = 0;

  constructor(
    clients: number,
    private readonly bytesMax = BOOK_BYTES_MAX,
  ) {
    this.received = new Uint32Array(clients);
    this.lastAt = new Float64Array(clients);
    this.firstSender = new Int32Array(clients).fill(NONE);
    this.firstRegion = new Int32Array(clients);
  }

  /** Client `client` (its index in the shard) received message `seq` of `sender` at `at`. */
  add(client: number, sender: number, seq: number, at: number): void {
    if (sender < 0 || seq < 0) return;
    const w = seq >>> 5;
    let h = this.region(client, sender);
    if (h === NONE || w >= 1 << (h & LOG_MASK)) h = this.grow(client, sender, h, w, at);
    if (h !== NONE) {
      const i = (h >>> LOG_BITS) + w;
      const bit = 1 << (seq & 31);
      if ((this.words[i] & bit) !== 0) return; // a duplicate
      this.words[i] |= bit;
    }
    this.received[client]++;
    this.lastAt[client] = at;
  }

  /** Whether `client` received message `seq` of `sender`: UNKNOWN where the book was full. */
  has(client: number, sender: number, seq: number): Had {
    const h = this.region(client, sender);
    const w = seq >>> 5;
    if (h === NONE || w >= 1 << (h & LOG_MASK)) return this.fullAt > 0 ? UNKNOWN : MISSED;
    return (this.words[(h >>> LOG_BITS) + w] >>> (seq & 31)) & 1 ? RECEIVED : MISSED;
  }

  private region(client: number, sender: number): number {
    const first = this.firstSender[client];
    if (first === sender) return this.firstRegion[client];
    if (first === NONE) return NONE;
    return this.more.get(client * KEY_SPAN + sender) ?? NONE;
  }

  /** A region for (client, sender) long enough for word `w`, the old one's bits copied; NONE when the book is full. */
  private grow(client: number, sender: number, h: number, w: number, at: number): number {
    const had = h !== NONE ? 1 << (h & LOG_MASK) : 0;
    let log = had > 0 ? (h & LOG_MASK) + 1 : 1;
    while (1 << log <= w) log++;
    const n = 1 << log;
    const isNewEntry = had === 0 && this.firstSender[client] !== NONE;
    const more = n * 4 + (isNewEntry ? ENTRY_BYTES : 0);
    if (this.bytes + more > this.bytesMax || this.used + n > OFFSET_MAX || log > LOG_MASK) {
      this.fullAt ||= at;
      return NONE;
    }
    this.bytes += more;
    const offset = this.reserve(n);
    if (had > 0) this.words.copyWithin(offset, h >>> LOG_BITS, (h >>> LOG_BITS) + had);
    const next = offset * (1 << LOG_BITS) + log;
    if (this.firstSender[client] === NONE || this.firstSender[client] === sender) {
      this.firstSender[client] = sender;
      this.firstRegion[client] = next;
    } else {
      this.more.set(client * KEY_SPAN + sender, next);
    }
    return next;
  }

  /** `n` zeroed words at the pool's end (the pool doubles when it must). */
  private reserve(n: number): number {
    const offset = this.used;
    this.used += n;
    if (this.used > this.words.length) {
      const bigger = new Uint32Array(Math.max(2 * this.words.length, this.used));
      bigger.set(this.words.subarray(0, offset));
      this.words = bigger;
    }
    return offset;
  }
}
