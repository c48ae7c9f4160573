import { itemSize, type AttributeValue, type Item } from '../item-size.ts';
import { canonicalNumber } from './canonical-number.ts';
import type { StreamRecord, StreamViewType } from './table-stream.ts';

/**
 * One change to one item of a stream-enabled table, as the DynamoDB thread captured it, carrying
 * only the images the stream's view type keeps: what travels to the stack's thread, which gives
 * it its sequence number and event id (local-table-stream.ts).
 *
 * DynamoDB writes a record only for a write that changed the item (Developer Guide, "Change data
 * capture for DynamoDB Streams": a PutItem or UpdateItem that changes no data writes none), so an
 * identical put, an update to the same values or a delete of a missing item yields nothing.
 */
export interface ItemChange {
  table: string;
  eventName: StreamRecord['eventName'];
  Keys: Item;
  NewImage?: Item;
  OldImage?: Item;
  /** epoch seconds */
  ApproximateCreationDateTime: number;
  SizeBytes: number;
}

/** The change from `old` to `next` (undefined: no item), or undefined when the item did not change. */
export function itemChange(table: string, viewType: StreamViewType, keyNames: readonly string[], old: Item | undefined, next: Item | undefined, nowMs: number): ItemChange | undefined {
  const present = next ?? old;
  if (!present || (old && next && sameItem(old, next))) return undefined;
  const Keys: Item = {};
  for (const k of keyNames) if (present[k] !== undefined) Keys[k] = present[k]!;
  const change: ItemChange = {
    table,
    eventName: !old ? 'INSERT' : !next ? 'REMOVE' : 'MODIFY',
    Keys,
    ApproximateCreationDateTime: Math.floor(nowMs / 1000),
    SizeBytes: itemSize(Keys),
  };
  if (next && (viewType === 'NEW_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES')) {
    change.NewImage = next;
    change.SizeBytes += itemSize(next);
  }
  if (old && (viewType === 'OLD_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES')) {
    change.OldImage = old;
    change.SizeBytes += itemSize(old);
  }
  return change;
}

/** An item from a request (a PutItem's), with its numbers in the form DynamoDB stores them. */
export function storedForm(item: Item): Item {
  let out: Item | undefined;
  for (const name in item) {
    const v = item[name]!;
    const c = storedValue(v);
    if (c !== v) (out ??= { ...item })[name] = c;
  }
  return out ?? item;
}

function storedValue(v: AttributeValue): AttributeValue {
  if ('N' in v) {
    const n = canonicalNumber(v.N);
    return n === v.N ? v : { N: n };
  }
  if ('NS' in v) {
    const ns = v.NS.map(canonicalNumber);
    return ns.every((n, i) => n === v.NS[i]) ? v : { NS: ns };
  }
  if ('L' in v) {
    const l = v.L.map(storedValue);
    return l.every((x, i) => x === v.L[i]) ? v : { L: l };
  }
  if ('M' in v) {
    const m = storedForm(v.M);
    return m === v.M ? v : { M: m };
  }
  return v;
}

/** Whether two stored items hold the same data (sets compared as sets). */
export function sameItem(a: Item, b: Item): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  for (const name of names) {
    const y = b[name];
    if (y === undefined || !sameValue(a[name]!, y)) return false;
  }
  return true;
}

function sameValue(x: AttributeValue, y: AttributeValue): boolean {
  if ('S' in x) return 'S' in y && x.S === y.S;
  if ('N' in x) return 'N' in y && x.N === y.N;
  if ('B' in x) return 'B' in y && x.B === y.B;
  if ('BOOL' in x) return 'BOOL' in y && x.BOOL === y.BOOL;
  if ('NULL' in x) return 'NULL' in y;
  if ('SS' in x) return 'SS' in y && sameSet(x.SS, y.SS);
  if ('NS' in x) return 'NS' in y && sameSet(x.NS, y.NS);
  if ('BS' in x) return 'BS' in y && sameSet(x.BS, y.BS);
  if ('L' in x) return 'L' in y && x.L.length === y.L.length && x.L.every((v, i) => sameValue(v, y.L[i]!));
  if ('M' in x) return 'M' in y && sameItem(x.M, y.M);
  return false;
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const members = new Set(a);
  return b.every((m) => members.has(m));
}
