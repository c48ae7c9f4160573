import type { Item } from '../item-size.ts';
import { itemChange, storedForm, type ItemChange } from './item-change.ts';
import { itemLockKey as lockKey, keyString, KeyLocks } from './key-locks.ts';
import type { StreamSpec } from './stream-spec.ts';

/**
 * The DynamoDB thread's side of the streams: around every write to a stream-enabled table the
 * metering front serves, the item before and after, read as cheaply as the call allows, and the
 * change sent to the stack's thread in batches, in the order the writes took effect.
 *
 * - PutItem, DeleteItem: the call asks dynalite for `ReturnValues: ALL_OLD` (the old image); a
 *   put's new image is its request's item. No read is added.
 * - UpdateItem: the call asks for `ALL_NEW` and the item is read just before it (a caller that
 *   asked for ALL_OLD keeps it, and the item is read just after instead).
 * - BatchWriteItem: the items are read before the batch (one BatchGetItem); the new images are
 *   the puts' items.
 * A read and its write hold the items' keys (key-locks.ts) so no other write lands between them.
 * What the capture added to the call's answer is taken out again: the caller receives what it
 * asked for. A write that failed (a condition, a validation) records nothing.
 */

type Json = Record<string, unknown>;

/** The reads the capture asks of the front: a table's key attribute names, and items by key (strongly consistent, unmetered). */
export interface CaptureReads {
  keyNames(table: string): Promise<readonly string[] | undefined>;
  readItems(table: string, keys: Item[]): Promise<Item[]>;
}

/** One write being captured. */
export interface WriteCapture {
  /** After dynalite answered the write with success: records what changed, and takes out of `response` what the capture asked for. */
  record(response: Json): Promise<void>;
  /** Frees the write's items (always, after `record` or a failure; twice is harmless). */
  release(): void;
}

export class StreamCapture {
  private readonly specs: ReadonlyMap<string, StreamSpec>;
  private outbox: ItemChange[] = [];
  private flushQueued = false;

  constructor(
    specs: readonly StreamSpec[],
    private readonly reads: CaptureReads,
    /** the changes, in the order the writes took effect; once per turn of the thread's event loop at most */
    private readonly post: (changes: ItemChange[]) => void,
    /** the items' locks, shared with whatever else holds items across a read and a write (transactions) */
    private readonly locks: KeyLocks = new KeyLocks(),
    private readonly now: () => number = Date.now,
  ) {
    this.specs = new Map(specs.map((s) => [s.tableName, s]));
  }

  /** The stream of `table`, if it has one. */
  streamOf(table: string): StreamSpec | undefined {
    return this.specs.get(table);
  }

  /** keys held or awaited right now */
  get heldKeys(): number {
    return this.locks.size;
  }

  /** Before a write: undefined when it touches no stream-enabled table (or is malformed: dynalite answers it). */
  async begin(operation: string, request: Json): Promise<WriteCapture | undefined> {
    if (operation === 'BatchWriteItem') return this.beginBatch(request);
    const table = request.TableName;
    const spec = typeof table === 'string' ? this.specs.get(table) : undefined;
    if (!spec) return undefined;
    const keyNames = await this.reads.keyNames(spec.tableName);
    const item = operation === 'PutItem' ? asItem(request.Item) : undefined;
    const key = operation === 'PutItem' ? (item && pick(item, keyNames ?? [])) : asItem(request.Key);
    if (!keyNames || !key) return undefined;
    const release = await this.locks.acquire([lockKey(spec.tableName, key)]);
    const done = (old: Item | undefined, next: Item | undefined) => this.push(spec, keyNames, old, next);
    const asked = request.ReturnValues;

    if (operation === 'PutItem' || operation === 'DeleteItem') {
      const added = asked === undefined || asked === 'NONE';
      if (added) request.ReturnValues = 'ALL_OLD';
      return {
        release,
        record: async (response) => {
          done(asItem(response.Attributes), item && storedForm(item));
          if (added) delete response.Attributes;
        },
      };
    }
    if (operation !== 'UpdateItem') {
      release();
      return undefined;
    }
    const readOne = async () => (await this.reads.readItems(spec.tableName, [key]))[0];
    if (asked === 'ALL_OLD') {
      return { release, record: async (response) => done(asItem(response.Attributes), await readOne()) };
    }
    let old: Item | undefined;
    try {
      old = await readOne();
    } catch (err) {
      release();
      throw err;
    }
    if (asked === undefined || asked === 'NONE' || asked === 'ALL_NEW') {
      request.ReturnValues = 'ALL_NEW';
      return {
        release,
        record: async (response) => {
          done(old, asItem(response.Attributes));
          if (asked !== 'ALL_NEW') delete response.Attributes;
        },
      };
    }
    // UPDATED_OLD / UPDATED_NEW: the caller's answer is left alone, the item read after too.
    return { release, record: async () => done(old, await readOne()) };
  }

  private async beginBatch(request: Json): Promise<WriteCapture | undefined> {
    const requestItems = request.RequestItems;
    if (!requestItems || typeof requestItems !== 'object') return undefined;
    const parts: Array<{ spec: StreamSpec; keyNames: readonly string[]; writes: Array<{ key: Item; item?: Item }> }> = [];
    for (const [table, writes] of Object.entries(requestItems as Json)) {
      const spec = this.specs.get(table);
      if (!spec || !Array.isArray(writes)) continue;
      const keyNames = await this.reads.keyNames(table);
      if (!keyNames) continue;
      const part = { spec, keyNames, writes: [] as Array<{ key: Item; item?: Item }> };
      for (const w of writes as Json[]) {
        const item = asItem((w?.PutRequest as Json | undefined)?.Item);
        const key = item ? pick(item, keyNames) : asItem((w?.DeleteRequest as Json | undefined)?.Key);
        if (!key) return undefined; // malformed: dynalite refuses the batch
        part.writes.push(item ? { key, item } : { key });
      }
      parts.push(part);
    }
    if (parts.length === 0) return undefined;
    const release = await this.locks.acquire(parts.flatMap((p) => p.writes.map((w) => lockKey(p.spec.tableName, w.key))));
    const olds: Array<Map<string, Item>> = [];
    try {
      for (const p of parts) {
        const found = await this.reads.readItems(p.spec.tableName, p.writes.map((w) => w.key));
        olds.push(new Map(found.map((item) => [keyString(pick(item, p.keyNames)), item])));
      }
    } catch (err) {
      release();
      throw err;
    }
    return {
      release,
      record: async () => {
        parts.forEach((p, i) => {
          for (const w of p.writes) this.push(p.spec, p.keyNames, olds[i]!.get(keyString(storedForm(w.key))), w.item && storedForm(w.item));
        });
      },
    };
  }

  /** A change another writer made under the items' locks (a transaction's item): recorded if its table has a stream. */
  changed(table: string, keyNames: readonly string[], old: Item | undefined, next: Item | undefined): void {
    const spec = this.specs.get(table);
    if (spec) this.push(spec, keyNames, old, next);
  }

  private push(spec: StreamSpec, keyNames: readonly string[], old: Item | undefined, next: Item | undefined): void {
    const change = itemChange(spec.tableName, spec.viewType, keyNames, old, next, this.now());
    if (!change) return;
    this.outbox.push(change);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  /** Sends what is waiting (also called when the thread closes). */
  flush(): void {
    this.flushQueued = false;
    if (this.outbox.length === 0) return;
    const changes = this.outbox;
    this.outbox = [];
    this.post(changes);
  }
}

function asItem(v: unknown): Item | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Item) : undefined;
}

function pick(item: Item, names: readonly string[]): Item {
  const key: Item = {};
  for (const n of names) if (item[n] !== undefined) key[n] = item[n]!;
  return key;
}

