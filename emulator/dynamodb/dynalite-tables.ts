import type { CallAnswer, CallHeaders } from './call-answer.ts';
import { tableShape, type TableShape } from './capacity.ts';
import { inProcessCall, type RequestListener } from './in-process-call.ts';
import type { Item } from './item-size.ts';
import { isSettled, ProvisionedCapacity, type CapacityDescription, type TableCapacity } from './provisioned-capacity.ts';

/**
 * The metering front's own view of the tables behind it: the calls it makes to dynalite for
 * itself (in-process, neither metered nor authorized) and what DescribeTable says of a table,
 * asked once and kept while the table is settled. Metering, admission, stream capture and
 * transactions all read the tables through here, so a table is described once for all of them.
 */

type Json = Record<string, unknown>;

/** The X-Amz-Target prefix of every DynamoDB call. */
export const API = 'DynamoDB_20120810';

/** What one DescribeTable told. */
export interface Described {
  shape: TableShape;
  /** null: on-demand */
  capacity: TableCapacity | null;
  /** the table and its indexes ACTIVE (not being updated): safe to keep */
  settled: boolean;
}

export class DynaliteTables {
  private readonly described = new Map<string, Promise<Described | undefined>>();
  private readonly capacity = new ProvisionedCapacity();

  constructor(
    private readonly dynalite: RequestListener,
    private readonly now: () => number,
    /** a provisioned table was just described (created, updated): its ProvisionedRead/WriteCapacityUnits are due at once */
    private readonly onProvisioned: (table: string, capacity: TableCapacity) => void,
  ) {}

  /** A call of the front's own, dynalite's answer as it is. */
  call(operation: string, request: Json): Promise<CallAnswer> {
    return inProcessCall(this.dynalite, internalHeaders(operation), JSON.stringify(request));
  }

  /** A call of the front's own: the answer's body, undefined when dynalite refused it. */
  async internal(operation: string, request: Json): Promise<Json | undefined> {
    const answer = await this.call(operation, request);
    return answer.status === 200 ? (JSON.parse(answer.body) as Json) : undefined;
  }

  /** Strongly consistent reads of the front's own (not metered). Missing items are left out. */
  async readItems(table: string, keys: Item[]): Promise<Item[]> {
    const out: Item[] = [];
    for (let i = 0; i < keys.length; i += 100) {
      const chunk = keys.slice(i, i + 100);
      if (chunk.length === 1) {
        const r = await this.internal('GetItem', { TableName: table, Key: chunk[0], ConsistentRead: true });
        if (r?.Item) out.push(r.Item as Item);
        continue;
      }
      let pending: Json | undefined = { [table]: { Keys: chunk, ConsistentRead: true } };
      for (let attempt = 0; pending && attempt < 10; attempt++) {
        const r = await this.internal('BatchGetItem', { RequestItems: pending });
        out.push(...(((r?.Responses as Record<string, Item[]> | undefined)?.[table]) ?? []));
        const left = r?.UnprocessedKeys as Json | undefined;
        pending = left && Object.keys(left).length > 0 ? left : undefined;
      }
    }
    return out;
  }

  /** The table's keys and global indexes. */
  shape(table: string): Promise<TableShape | undefined> {
    return this.describe(table).then((d) => d?.shape);
  }

  /** The table's key attribute names (what the stream capture and transactions need of its shape). */
  keyNames(table: string): Promise<readonly string[] | undefined> {
    return this.shape(table).then((s) => s?.keys);
  }

  /** The table's shape and capacity, from DescribeTable (cached while the table is settled). */
  describe(table: string): Promise<Described | undefined> {
    let p = this.described.get(table);
    if (!p) {
      p = this.internal('DescribeTable', { TableName: table }).then((r) => {
        if (!r) return undefined;
        const description = r.Table as Json & CapacityDescription;
        const capacity = this.capacity.describe(description, this.now());
        if (capacity) this.onProvisioned(table, capacity);
        return { shape: tableShape(description), capacity, settled: isSettled(description) };
      });
      this.described.set(table, p);
      void p.then((d) => {
        if (!d || !d.settled) this.described.delete(table);
      });
    }
    return p;
  }

  /** Synchronous, so a call to a table known to be on-demand costs one map lookup. */
  knownOnDemand(table: string): boolean {
    return this.capacity.known(table) === null;
  }

  /** Every provisioned table and index as last described. */
  provisioned(): Iterable<{ table: string; index?: string; read: number; write: number }> {
    return this.capacity.all();
  }

  /** After CreateTable, DeleteTable or UpdateTable: every table is described again before its next call. */
  forget(updated?: string): void {
    this.described.clear();
    this.capacity.forget();
    // New capacity holds from when the table is ACTIVE again, not from its next call:
    // describe it once dynalite has applied the update (its own timer runs first).
    if (updated) setTimeout(() => void this.describe(updated), 1).unref();
  }
}

const INTERNAL_AUTH = 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0';

function internalHeaders(operation: string): CallHeaders {
  return {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `${API}.${operation}`,
    authorization: INTERNAL_AUTH,
    'x-amz-date': '20260101T000000Z',
  };
}
