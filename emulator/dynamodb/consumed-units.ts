import { indexWriteUnits, readUnits, writeUnits, type TableShape } from './capacity.ts';
import type { DynaliteTables } from './dynalite-tables.ts';
import { itemSize, type Item } from './item-size.ts';

/**
 * The units a call consumed, as DynamoDB meters them. The front asks dynalite for
 * `ReturnConsumedCapacity: INDEXES` on every call and takes its table units, which follow
 * DynamoDB's rules; this adds what dynalite leaves out: write units on global secondary indexes,
 * the units of a failed conditional write, and the one-step minimum of a Query or Scan that
 * evaluates nothing. For the index units it needs the item before the write: PutItem and
 * DeleteItem ask for `ReturnValues: ALL_OLD` (stripped again), BatchWriteItem and UpdateItem on a
 * table with a global index read the items first (and UpdateItem after), in-process.
 */

type Json = Record<string, unknown>;

export type DataOperation = 'GetItem' | 'BatchGetItem' | 'Query' | 'Scan' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/** The data-plane calls metered here: reads consume read units, writes write units. */
export const READS: ReadonlySet<string> = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
export const WRITES: ReadonlySet<string> = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

/** Units one call consumed on one table: the table itself and each global index. */
export interface TableUse {
  read: number;
  write: number;
  indexes: Map<string, { read: number; write: number }>;
}

/** What the index units need to know about items before a write, gathered before dynalite serves it. */
export interface Before {
  /** ReturnValues: ALL_OLD was added by the front: take Attributes out of the answer */
  strippedOld: boolean;
  /** BatchWriteItem on tables with global indexes: table → key → the item as it was */
  batchOld: Map<string, Map<string, Item>>;
  /** UpdateItem on a table with global indexes: the item as it was (undefined: none) */
  updateOld?: { item: Item | undefined };
}

export class ConsumedUnits {
  constructor(private readonly tables: DynaliteTables) {}

  /** Reads (or asks the call for) the items a write's index units depend on; may add ReturnValues to `request`. */
  async itemsBefore(operation: DataOperation, request: Json): Promise<Before> {
    const out: Before = { strippedOld: false, batchOld: new Map() };
    if (!WRITES.has(operation)) return out;
    if (operation === 'BatchWriteItem') {
      for (const [table, writes] of Object.entries(batchWrites(request))) {
        const shape = await this.tables.shape(table);
        if (!shape || shape.globalIndexes.length === 0) continue;
        const keys = writes.map((w) => (w.PutRequest?.Item ? keyOf(w.PutRequest.Item, shape) : w.DeleteRequest?.Key)).filter((k): k is Item => !!k);
        const old = new Map<string, Item>();
        for (const item of await this.tables.readItems(table, keys)) old.set(keyString(keyOf(item, shape)), item);
        out.batchOld.set(table, old);
      }
      return out;
    }
    const shape = await this.tables.shape(String(request.TableName ?? ''));
    if (!shape || shape.globalIndexes.length === 0) return out;
    if (operation === 'UpdateItem') {
      const key = request.Key as Item | undefined;
      out.updateOld = { item: key ? (await this.tables.readItems(shape.name, [key]))[0] : undefined };
    } else if (request.ReturnValues === undefined || request.ReturnValues === 'NONE') {
      request.ReturnValues = 'ALL_OLD';
      out.strippedOld = true;
    }
    return out;
  }

  /** Units per table for a successful call: dynalite's table units plus what it leaves out. */
  async consumption(operation: DataOperation, request: Json, response: Json, before: Before): Promise<Map<string, TableUse>> {
    const uses = new Map<string, TableUse>();
    const useOf = (table: string) => {
      let u = uses.get(table);
      if (!u) uses.set(table, (u = { read: 0, write: 0, indexes: new Map() }));
      return u;
    };
    const isRead = READS.has(operation);
    const capacities = Array.isArray(response.ConsumedCapacity) ? response.ConsumedCapacity : response.ConsumedCapacity ? [response.ConsumedCapacity] : [];
    for (const cc of capacities as Json[]) {
      const use = useOf(String(cc.TableName ?? request.TableName ?? ''));
      const table = (cc.Table as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? (cc.CapacityUnits as number | undefined) ?? 0;
      // Local secondary indexes share the table's throughput: DynamoDB meters them on the table.
      const local = Object.values((cc.LocalSecondaryIndexes ?? {}) as Record<string, { CapacityUnits?: number }>).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
      // dynalite's Scan drops ConsistentRead and prices every Scan eventually consistent (half).
      const scanFix = operation === 'Scan' && request.ConsistentRead === true ? 2 : 1;
      if (isRead) use.read += (table + local) * scanFix;
      else use.write += table + local;
      for (const [name, c] of Object.entries((cc.GlobalSecondaryIndexes ?? {}) as Record<string, { CapacityUnits?: number }>)) {
        const index = { read: 0, write: 0 };
        if (isRead) index.read = c.CapacityUnits ?? 0;
        else index.write = c.CapacityUnits ?? 0;
        use.indexes.set(name, index);
      }
    }

    if (operation === 'Query' || operation === 'Scan') {
      // DynamoDB charges a Query or Scan that evaluates nothing one 4 KB step; dynalite charges 0.
      const table = String(request.TableName ?? '');
      const use = useOf(table);
      const indexName = typeof request.IndexName === 'string' ? request.IndexName : undefined;
      const globalIndex = indexName !== undefined && (await this.tables.shape(table))?.globalIndexes.some((g) => g.name === indexName);
      const minimum = readUnits(0, request.ConsistentRead === true);
      if (globalIndex) {
        const index = use.indexes.get(indexName!) ?? { read: 0, write: 0 };
        if (index.read === 0) index.read = minimum;
        use.indexes.set(indexName!, index);
      } else if (use.read === 0) {
        use.read = minimum;
      }
    }

    if (WRITES.has(operation)) await this.addIndexWrites(operation, request, response, before, useOf);
    return uses;
  }

  /**
   * A failed conditional write still consumes write units: the larger of the item there and the
   * item it would have written (an UpdateItem's result is unknown here: the one there).
   */
  async failedWriteUnits(operation: DataOperation, request: Json): Promise<number> {
    const table = String(request.TableName ?? '');
    const written = operation === 'PutItem' ? (request.Item as Item | undefined) : undefined;
    const shape = written ? await this.tables.shape(table) : undefined;
    const key = written ? (shape ? keyOf(written, shape) : undefined) : (request.Key as Item | undefined);
    const [existing] = key ? await this.tables.readItems(table, [key]) : [];
    return writeUnits(Math.max(existing ? itemSize(existing) : 0, written ? itemSize(written) : 0));
  }

  private async addIndexWrites(operation: DataOperation, request: Json, response: Json, before: Before, useOf: (t: string) => TableUse): Promise<void> {
    const add = (table: string, shape: TableShape, old: Item | undefined, next: Item | undefined) => {
      const use = useOf(table);
      for (const [name, units] of indexWriteUnits(shape, old, next)) {
        const index = use.indexes.get(name) ?? { read: 0, write: 0 };
        index.write += units;
        use.indexes.set(name, index);
      }
    };
    if (operation === 'BatchWriteItem') {
      for (const [table, writes] of Object.entries(batchWrites(request))) {
        const old = before.batchOld.get(table);
        const shape = old && (await this.tables.shape(table));
        if (!old || !shape) continue;
        for (const w of writes) {
          const next = w.PutRequest?.Item;
          const key = next ? keyOf(next, shape) : w.DeleteRequest?.Key;
          if (key) add(table, shape, old.get(keyString(key)), next);
        }
      }
      return;
    }
    const table = String(request.TableName ?? '');
    const shape = await this.tables.shape(table);
    if (!shape || shape.globalIndexes.length === 0) return;
    if (operation === 'PutItem') add(table, shape, response.Attributes as Item | undefined, request.Item as Item);
    else if (operation === 'DeleteItem') add(table, shape, response.Attributes as Item | undefined, undefined);
    else if (operation === 'UpdateItem' && before.updateOld) {
      const [next] = await this.tables.readItems(table, [request.Key as Item]);
      add(table, shape, before.updateOld.item, next);
    }
  }
}

/** ConsumedCapacity as the caller asked for it (TOTAL: the sum; INDEXES: table and each index). */
export function consumedCapacity(table: string, use: TableUse, asked: 'TOTAL' | 'INDEXES', isRead: boolean): Json {
  const field = isRead ? 'ReadCapacityUnits' : 'WriteCapacityUnits';
  const own = isRead ? use.read : use.write;
  let total = own;
  const indexes: Json = {};
  for (const [name, u] of use.indexes) {
    const units = isRead ? u.read : u.write;
    total += units;
    indexes[name] = { CapacityUnits: units, [field]: units };
  }
  const out: Json = { TableName: table, CapacityUnits: total, [field]: total };
  if (asked === 'INDEXES') {
    out.Table = { CapacityUnits: own, [field]: own };
    if (use.indexes.size > 0) out.GlobalSecondaryIndexes = indexes;
  }
  return out;
}

type BatchWrites = Record<string, Array<{ PutRequest?: { Item?: Item }; DeleteRequest?: { Key?: Item } }>>;

function batchWrites(request: Json): BatchWrites {
  const out: BatchWrites = {};
  const items = request.RequestItems;
  if (!items || typeof items !== 'object') return out;
  for (const [table, writes] of Object.entries(items as Record<string, unknown>)) if (Array.isArray(writes)) out[table] = writes;
  return out;
}

function keyOf(item: Item, shape: TableShape): Item {
  const key: Item = {};
  for (const k of shape.keys) if (item[k] !== undefined) key[k] = item[k];
  return key;
}

function keyString(key: Item): string {
  return JSON.stringify(Object.keys(key).sort().map((k) => [k, key[k]]));
}
