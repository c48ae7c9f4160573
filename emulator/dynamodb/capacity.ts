import { itemSize, type AttributeValue, type Item } from './item-size.ts';

/**
 * DynamoDB's capacity rules (Developer Guide: "DynamoDB read and write operations", "Global
 * secondary indexes: provisioned throughput considerations", "Conditional writes"):
 * - a read costs 1 unit per 4 KB (rounded up), half that when eventually consistent; a Query or
 *   Scan sums the sizes of every item it evaluated before rounding, and a read that finds
 *   nothing still costs one 4 KB step;
 * - a write costs 1 unit per 1 KB of the larger of the item before and after, at least 1; a
 *   failed conditional write still costs that;
 * - a write also costs units on each global secondary index whose entry it puts, changes or
 *   deletes, sized by the index entry (index keys, table keys, projected attributes): one write
 *   to put or delete an entry, two when the index key changes, one when only projected
 *   attributes change, none when the entry is untouched.
 */

export const READ_STEP_BYTES = 4096;
export const WRITE_STEP_BYTES = 1024;

export function readUnits(bytes: number, consistent: boolean): number {
  const steps = Math.max(1, Math.ceil(bytes / READ_STEP_BYTES));
  return consistent ? steps : steps / 2;
}

export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_STEP_BYTES));
}

/** What the front needs of a table's description to price index writes. */
export interface TableShape {
  name: string;
  keys: string[];
  globalIndexes: IndexShape[];
}

export interface IndexShape {
  name: string;
  keys: string[];
  projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  nonKeyAttributes: string[];
}

/** From a DescribeTable answer's `Table` (wire JSON). */
export function tableShape(table: {
  TableName?: string;
  KeySchema?: Array<{ AttributeName?: string }>;
  GlobalSecondaryIndexes?: Array<{
    IndexName?: string;
    KeySchema?: Array<{ AttributeName?: string }>;
    Projection?: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }>;
}): TableShape {
  const names = (ks: Array<{ AttributeName?: string }> | undefined) => (ks ?? []).map((k) => k.AttributeName ?? '');
  return {
    name: table.TableName ?? '',
    keys: names(table.KeySchema),
    globalIndexes: (table.GlobalSecondaryIndexes ?? []).map((g) => ({
      name: g.IndexName ?? '',
      keys: names(g.KeySchema),
      projection: g.Projection?.ProjectionType === 'ALL' ? 'ALL' : g.Projection?.ProjectionType === 'INCLUDE' ? 'INCLUDE' : 'KEYS_ONLY',
      nonKeyAttributes: g.Projection?.NonKeyAttributes ?? [],
    })),
  };
}

/** The item's entry in the index, or undefined when it lacks an index key (a sparse index). */
export function indexEntry(item: Item | undefined, index: IndexShape, tableKeys: readonly string[]): Item | undefined {
  if (!item) return undefined;
  for (const k of index.keys) if (item[k] === undefined) return undefined;
  if (index.projection === 'ALL') return item;
  const entry: Item = {};
  for (const name of [...index.keys, ...tableKeys, ...(index.projection === 'INCLUDE' ? index.nonKeyAttributes : [])]) {
    const v = item[name];
    if (v !== undefined) entry[name] = v;
  }
  return entry;
}

/** Write units one table write costs on each global index (indexes it leaves alone are absent). */
export function indexWriteUnits(shape: TableShape, before: Item | undefined, after: Item | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const index of shape.globalIndexes) {
    const old = indexEntry(before, index, shape.keys);
    const next = indexEntry(after, index, shape.keys);
    let units = 0;
    if (old && next) {
      const sameKey = index.keys.every((k) => canonical(old[k]) === canonical(next[k]));
      if (!sameKey) units = writeUnits(itemSize(old)) + writeUnits(itemSize(next));
      else if (canonicalItem(old) !== canonicalItem(next)) units = writeUnits(Math.max(itemSize(old), itemSize(next)));
    } else if (old) {
      units = writeUnits(itemSize(old));
    } else if (next) {
      units = writeUnits(itemSize(next));
    }
    if (units > 0) out.set(index.name, units);
  }
  return out;
}

/** Key order of maps differs between what a client sent and what the store kept: compare sorted. */
function canonical(v: AttributeValue | undefined): string {
  return JSON.stringify(v, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

function canonicalItem(item: Item): string {
  return canonical({ M: item });
}
