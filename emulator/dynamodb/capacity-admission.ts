import { indexEntry, readUnits, writeUnits, type TableShape } from './capacity.ts';
import { itemSize, type Item } from './item-size.ts';
import type { CapacityBucket, Provisioned, TableCapacity } from './provisioned-capacity.ts';

/**
 * Whether provisioned capacity lets a data-plane call through, before it reaches dynalite
 * (provisioned-capacity.ts says what is reserved and why). One request is one event per item:
 * a batch is admitted item by item, and what does not fit is handed back unprocessed
 * (UnprocessedItems / UnprocessedKeys) as DynamoDB does; only when no item fits is the batch
 * refused. A write needs room on the table and on every global index it writes (a throttled
 * index throttles the table's write); a Query on a global index reads the index's capacity.
 */

type Json = Record<string, unknown>;

/** One table or index whose capacity one item lacked: a Read/WriteThrottleEvent. */
export interface ThrottleEvent {
  table: string;
  index?: string;
  read: boolean;
  /** ThrottlingReason.reason, e.g. TableWriteProvisionedThroughputExceeded */
  reason: string;
  /** ThrottlingReason.resource: the table's or the index's ARN */
  resource: string;
}

export interface Admission {
  /** units reserved per bucket; settled against what the call consumed */
  reserved: Map<CapacityBucket, number>;
  /** every table or index event that lacked capacity */
  events: ThrottleEvent[];
  /** no item fits: answer ProvisionedThroughputExceededException, nothing reaches dynalite */
  refused: boolean;
  /** a batch partly admitted: what to hand back, by table (request items, or keys with their options) */
  unprocessed?: Json;
}

export interface TableInfo {
  capacity: TableCapacity;
  shape: TableShape | undefined;
}

interface Demand {
  bucket: CapacityBucket;
  units: number;
  event: Omit<ThrottleEvent, 'table'>;
  table: string;
}

/**
 * Admits the call (reserving its units) or a part of it. `tables` holds only the provisioned
 * tables the call names; a batch's request is rewritten in place to the admitted items.
 */
export function admit(operation: string, request: Json, tables: ReadonlyMap<string, TableInfo>, now: number): Admission {
  const admission: Admission = { reserved: new Map(), events: [], refused: false };
  const pending = admission.reserved;

  /** One item: admitted (its units reserved) when every demand fits; else its events recorded. */
  const item = (demands: Demand[]): boolean => {
    let fits = true;
    for (const d of demands) {
      if (!d.bucket.fits(d.units, pending.get(d.bucket) ?? 0, now)) {
        fits = false;
        admission.events.push({ table: d.table, ...d.event });
      }
    }
    if (fits) for (const d of demands) pending.set(d.bucket, (pending.get(d.bucket) ?? 0) + d.units);
    return fits;
  };

  if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
    const all = (request.RequestItems ?? {}) as Json;
    const admitted: Json = {};
    const unprocessed: Json = {};
    let some = false;
    for (const [table, entry] of Object.entries(all)) {
      const info = tables.get(table);
      if (!info) {
        admitted[table] = entry;
        some = true;
        continue;
      }
      if (operation === 'BatchWriteItem') {
        const writes = Array.isArray(entry) ? (entry as Json[]) : [];
        const ok: Json[] = [];
        const left: Json[] = [];
        for (const w of writes) {
          const put = (w.PutRequest as { Item?: Item } | undefined)?.Item;
          (item(writeDemands(table, info, put)) ? ok : left).push(w);
        }
        if (ok.length > 0) admitted[table] = ok;
        if (left.length > 0) unprocessed[table] = left;
        some ||= ok.length > 0;
      } else {
        const keysAndOptions = (entry ?? {}) as Json & { Keys?: Item[] };
        const consistent = keysAndOptions.ConsistentRead === true;
        const ok: Item[] = [];
        const left: Item[] = [];
        for (const key of keysAndOptions.Keys ?? []) (item([readDemand(table, info.capacity.table, undefined, readUnits(0, consistent))]) ? ok : left).push(key);
        if (ok.length > 0) admitted[table] = { ...keysAndOptions, Keys: ok };
        if (left.length > 0) unprocessed[table] = { ...keysAndOptions, Keys: left };
        some ||= ok.length > 0;
      }
    }
    if (!some) {
      admission.refused = true;
      return admission;
    }
    request.RequestItems = admitted;
    if (Object.keys(unprocessed).length > 0) admission.unprocessed = unprocessed;
    return reserve(admission, now);
  }

  const table = String(request.TableName ?? '');
  const info = tables.get(table);
  if (!info) return admission;
  let demands: Demand[];
  if (operation === 'GetItem') {
    demands = [readDemand(table, info.capacity.table, undefined, readUnits(0, request.ConsistentRead === true))];
  } else if (operation === 'Query' || operation === 'Scan') {
    const indexName = typeof request.IndexName === 'string' ? request.IndexName : undefined;
    const index = indexName !== undefined ? info.capacity.indexes.get(indexName) : undefined;
    // A global index reads eventually consistent only; a local index shares the table's capacity.
    demands = [index ? readDemand(table, index, indexName, readUnits(0, false)) : readDemand(table, info.capacity.table, undefined, readUnits(0, request.ConsistentRead === true))];
  } else {
    demands = writeDemands(table, info, operation === 'PutItem' ? (request.Item as Item | undefined) : undefined);
  }
  if (!item(demands)) admission.refused = true;
  return reserve(admission, now);
}

/** Takes what the admitted items need at once, so calls running meanwhile cannot spend it again. */
function reserve(admission: Admission, now: number): Admission {
  for (const [bucket, units] of admission.reserved) bucket.take(units, now);
  return admission;
}

/** Gives back what an admission reserved (a call that consumed nothing, or was refused). */
export function release(admission: Admission, now: number): void {
  for (const [bucket, units] of admission.reserved) bucket.take(-units, now);
  admission.reserved.clear();
}

/**
 * A write's demands: the table's units (by the item's size when the request carries it, else
 * one) and one entry's units on each global index it writes (a put whose item lacks an index's
 * keys does not write that index; an update or delete is taken to write every index: the item
 * before is not known yet).
 */
function writeDemands(table: string, info: TableInfo, put: Item | undefined): Demand[] {
  const out: Demand[] = [
    { table, bucket: info.capacity.table.write, units: put ? writeUnits(itemSize(put)) : 1, event: event(info.capacity.table, undefined, false) },
  ];
  for (const [name, index] of info.capacity.indexes) {
    let units = 1;
    if (put) {
      const shape = info.shape?.globalIndexes.find((g) => g.name === name);
      const entry = shape ? indexEntry(put, shape, info.shape!.keys) : put;
      if (!entry) continue;
      units = writeUnits(itemSize(entry));
    }
    out.push({ table, bucket: index.write, units, event: event(index, name, false) });
  }
  return out;
}

function readDemand(table: string, p: Provisioned, index: string | undefined, units: number): Demand {
  return { table, bucket: p.read, units, event: event(p, index, true) };
}

function event(p: Provisioned, index: string | undefined, read: boolean): Omit<ThrottleEvent, 'table'> {
  const reason = `${index === undefined ? 'Table' : 'Index'}${read ? 'Read' : 'Write'}ProvisionedThroughputExceeded`;
  return index === undefined ? { read, reason, resource: p.arn } : { index, read, reason, resource: p.arn };
}
