import { bucketKey } from './value-buckets.ts';

/**
 * All values of one metric series received for one second: exact sum/count/min/max plus HDR
 * bucket counts for percentiles. Buckets are only materialised once two different values arrive
 * (count metrics such as Invocations stay at a few numbers per second), kept in a Map while the
 * second is open and compacted to typed arrays once the series moves on.
 */
export class SecondBucket {
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  private open: Map<number, number> | null = null;
  private keys: Int32Array | null = null;
  private counts: Float64Array | null = null;

  constructor(readonly second: number) {}

  add(value: number): void {
    if (this.count > 0 && (this.open !== null || this.keys !== null || value !== this.min)) {
      const map = this.mutable();
      const key = bucketKey(value);
      map.set(key, (map.get(key) ?? 0) + 1);
    }
    this.sum += value;
    this.count += 1;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Visit every (bucket key, count); a second holding a single distinct value has one. */
  forEachBucket(visit: (key: number, count: number) => void): void {
    if (this.count === 0) return;
    if (this.open) {
      for (const [key, count] of this.open) visit(key, count);
    } else if (this.keys && this.counts) {
      for (let i = 0; i < this.keys.length; i++) visit(this.keys[i], this.counts[i]);
    } else {
      visit(bucketKey(this.min), this.count);
    }
  }

  /** Freeze the open Map into two typed arrays (8-12 bytes per distinct bucket). */
  compact(): void {
    if (!this.open) return;
    const n = this.open.size;
    this.keys = new Int32Array(n);
    this.counts = new Float64Array(n);
    let i = 0;
    for (const [key, count] of this.open) {
      this.keys[i] = key;
      this.counts[i] = count;
      i++;
    }
    this.open = null;
  }

  private mutable(): Map<number, number> {
    if (this.open) return this.open;
    const map = new Map<number, number>();
    if (this.keys && this.counts) {
      for (let i = 0; i < this.keys.length; i++) map.set(this.keys[i], this.counts[i]);
      this.keys = null;
      this.counts = null;
    } else {
      // Until now every value equalled min: they all share one bucket.
      map.set(bucketKey(this.min), this.count);
    }
    this.open = map;
    return map;
  }
}
