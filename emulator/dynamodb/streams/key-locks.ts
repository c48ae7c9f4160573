import type { Item } from '../item-size.ts';
import { storedForm } from './item-change.ts';

/**
 * Per-item serialization of a stream table's writes in the DynamoDB thread: a write whose images
 * need a read before or after it (UpdateItem, BatchWriteItem) holds its items' keys across the
 * read and the write, so no other write to those items lands between them and each item's
 * records keep the order its writes took effect. A call takes all its keys in one synchronous
 * step and waits only for earlier holders, so two batches sharing keys cannot deadlock.
 * TransactWriteItems (../transact-write-items.ts) holds its items the same way.
 */
export class KeyLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits until every key is free; the returned function frees them (once). */
  async acquire(keys: Iterable<string>): Promise<() => void> {
    let free!: () => void;
    const held = new Promise<void>((resolve) => (free = resolve));
    const mine = new Set(keys);
    const waits: Promise<void>[] = [];
    for (const key of mine) {
      const previous = this.tails.get(key);
      if (previous) waits.push(previous);
      this.tails.set(key, held);
    }
    if (waits.length > 0) await Promise.all(waits);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of mine) if (this.tails.get(key) === held) this.tails.delete(key);
      free();
    };
  }

  /** keys held or awaited (for tests: none once every write finished) */
  get size(): number {
    return this.tails.size;
  }
}

/** An item's key in one string, numbers in their stored form ("1.0" and "1" are one item). */
export function keyString(key: Item): string {
  const k = storedForm(key);
  return JSON.stringify(Object.keys(k).sort().map((n) => [n, k[n]]));
}

/** The lock of one item of one table. */
export function itemLockKey(table: string, key: Item): string {
  return `${table}\u0000${keyString(key)}`;
}
