import type { CallAnswer } from './call-answer.ts';
import type { Admission, ThrottleEvent } from './capacity-admission.ts';
import { READS, type ConsumedUnits, type DataOperation, type TableUse } from './consumed-units.ts';
import type { TableCapacity } from './provisioned-capacity.ts';
import { errorType } from './transact-write-items.ts';
import { stampReachIn } from '../probe-reach.ts';
import { reachHop } from '../../common/probe-reach-metric.ts';
import type { MetricSink } from '../cloudwatch/types.ts';

/**
 * What the front publishes of its calls, in AWS/DynamoDB's names and dimensions (and the probes'
 * reach, in their own namespace): one place for every datum, so each metric is worded once
 * whichever path (a data-plane call, a transaction, the throttle fault, provisioned capacity)
 * produced it.
 */

type Json = Record<string, unknown>;

/** A call metered here: the data plane and TransactWriteItems. */
export type MeteredOperation = DataOperation | 'TransactWriteItems';

/** DynamoDB publishes ProvisionedRead/WriteCapacityUnits now and then; here at most once a minute. */
const PROVISIONED_METRIC_EVERY_MS = 60_000;

/** Where the front's metrics go: one datum per call and dimension set, as DynamoDB emits them (AWS/DynamoDB unless `namespace` says otherwise). */
export interface MeterSink {
  put(metric: string, unit: 'Count' | 'Milliseconds', value: number, dimensions: Record<string, string>, namespace?: string): void;
}

export class TableMetrics {
  private provisionedPublishedAt = -Infinity;
  private readonly reachSink: MetricSink;

  constructor(
    private readonly sink: MeterSink,
    /** prices a failed conditional write, which still consumed units */
    private readonly units: ConsumedUnits,
  ) {
    this.reachSink = { put: (d) => sink.put(d.name, 'Milliseconds', d.value, d.dimensions, d.namespace) };
  }

  recordSuccess(operation: MeteredOperation, response: Json, uses: ReadonlyMap<string, TableUse>, latencyMs: number): void {
    const sink = this.sink;
    for (const [table, use] of uses) {
      sink.put('SuccessfulRequestLatency', 'Milliseconds', latencyMs, { TableName: table, Operation: operation });
      if (use.read > 0) sink.put('ConsumedReadCapacityUnits', 'Count', use.read, { TableName: table });
      if (use.write > 0) sink.put('ConsumedWriteCapacityUnits', 'Count', use.write, { TableName: table });
      for (const [index, u] of use.indexes) {
        if (u.read > 0) sink.put('ConsumedReadCapacityUnits', 'Count', u.read, { TableName: table, GlobalSecondaryIndexName: index });
        if (u.write > 0) sink.put('ConsumedWriteCapacityUnits', 'Count', u.write, { TableName: table, GlobalSecondaryIndexName: index });
      }
      if (operation === 'Query' || operation === 'Scan') {
        sink.put('ReturnedItemCount', 'Count', Number(response.Count ?? 0), { TableName: table, Operation: operation });
      }
    }
  }

  /** Publishes what a failed call means; returns the write units it still consumed (a failed condition). */
  async recordFailure(operation: DataOperation, request: Json, tables: readonly string[], answer: CallAnswer): Promise<number> {
    if (answer.status >= 500 || errorType(answer.body) !== 'ConditionalCheckFailedException') {
      this.recordError(operation, tables, answer.status);
      return 0;
    }
    const table = String(request.TableName ?? '');
    this.sink.put('ConditionalCheckFailedRequests', 'Count', 1, { TableName: table });
    const units = await this.units.failedWriteUnits(operation, request);
    this.sink.put('ConsumedWriteCapacityUnits', 'Count', units, { TableName: table });
    return units;
  }

  /** An error answer: SystemErrors per table (5xx), else UserErrors, which DynamoDB counts per account and region. */
  recordError(operation: MeteredOperation, tables: readonly string[], status: number): void {
    if (status >= 500) for (const table of tables) this.sink.put('SystemErrors', 'Count', 1, { TableName: table, Operation: operation });
    else this.sink.put('UserErrors', 'Count', 1, {});
  }

  /** The throttle fault answered the call: ThrottledRequests and its throttle events, per table (and the index a Query or Scan reads). */
  recordThrottle(operation: MeteredOperation, request: Json, tables: readonly string[]): void {
    const sink = this.sink;
    const isRead = READS.has(operation);
    const indexName = (operation === 'Query' || operation === 'Scan') && typeof request.IndexName === 'string' ? request.IndexName : undefined;
    for (const table of tables) {
      sink.put('ThrottledRequests', 'Count', 1, { TableName: table, Operation: operation });
      const events = eventsOf(operation, request, table);
      const dims: Record<string, string> = indexName ? { TableName: table, GlobalSecondaryIndexName: indexName } : { TableName: table };
      sink.put(isRead ? 'ReadThrottleEvents' : 'WriteThrottleEvents', 'Count', events, dims);
    }
  }

  /**
   * Capacity refused the call, or a part of a batch: ThrottledRequests once for a refused call
   * (a batch only when no item got through), and one Read/WriteThrottleEvents per table or index
   * event that lacked capacity, under TableName (the table's) or TableName and
   * GlobalSecondaryIndexName (an index's), as DynamoDB publishes them.
   */
  recordCapacityThrottle(operation: DataOperation, admission: Admission): void {
    const sink = this.sink;
    const counts = new Map<string, { event: ThrottleEvent; n: number }>();
    for (const e of admission.events) {
      const key = `${e.read}\u0000${e.table}\u0000${e.index ?? ''}`;
      const c = counts.get(key);
      if (c) c.n++;
      else counts.set(key, { event: e, n: 1 });
    }
    for (const { event: e, n } of counts.values()) {
      const dims: Record<string, string> = e.index === undefined ? { TableName: e.table } : { TableName: e.table, GlobalSecondaryIndexName: e.index };
      sink.put(e.read ? 'ReadThrottleEvents' : 'WriteThrottleEvents', 'Count', n, dims);
    }
    if (admission.refused) for (const table of new Set(admission.events.map((e) => e.table))) sink.put('ThrottledRequests', 'Count', 1, { TableName: table, Operation: operation });
  }

  /** ProvisionedRead/WriteCapacityUnits of every provisioned table and index (`all`, read only when due), at most once a minute. */
  publishProvisioned(now: number, all: Iterable<{ table: string; index?: string; read: number; write: number }>): void {
    if (now - this.provisionedPublishedAt < PROVISIONED_METRIC_EVERY_MS) return;
    this.provisionedPublishedAt = now;
    for (const p of all) this.publishUnits(p.table, p.index, p.read, p.write);
  }

  /** A table just described (created, updated): its figures at once, then with the others. */
  publishProvisionedOf(table: string, capacity: TableCapacity): void {
    this.publishUnits(table, undefined, capacity.table.read.unitsPerSecond, capacity.table.write.unitsPerSecond);
    for (const [index, p] of capacity.indexes) this.publishUnits(table, index, p.read.unitsPerSecond, p.write.unitsPerSecond);
  }

  /**
   * A write served: the reach of the probes in what it wrote, per table (../probe-reach.ts). Here,
   * on this thread, the stack's thread pays only for the datums, which ride the metric batch.
   */
  stampWrites(operation: MeteredOperation, request: Json): void {
    const now = Date.now();
    for (const [table, written] of writesOf(operation, request)) if (table) stampReachIn(this.reachSink, reachHop.dynamodb(table), written, now);
  }

  private publishUnits(table: string, index: string | undefined, read: number, write: number): void {
    const dims: Record<string, string> = index === undefined ? { TableName: table } : { TableName: table, GlobalSecondaryIndexName: index };
    this.sink.put('ProvisionedReadCapacityUnits', 'Count', read, dims);
    this.sink.put('ProvisionedWriteCapacityUnits', 'Count', write, dims);
  }
}

/** Throttle events of one table: a batch counts one per item, anything else one. */
function eventsOf(operation: MeteredOperation, request: Json, table: string): number {
  const items = (request.RequestItems ?? {}) as Record<string, unknown>;
  if (operation === 'BatchWriteItem') return Array.isArray(items[table]) ? (items[table] as unknown[]).length : 1;
  if (operation === 'BatchGetItem') {
    const keys = (items[table] as { Keys?: unknown[] } | undefined)?.Keys;
    return Array.isArray(keys) ? keys.length : 1;
  }
  return 1;
}

/** What a write call wrote, by table: a batch's request items, a transaction's puts and updates, else the request itself. */
function writesOf(operation: MeteredOperation, request: Json): Array<[string, unknown]> {
  if (operation === 'BatchWriteItem') return Object.entries((request.RequestItems ?? {}) as Json);
  if (operation === 'TransactWriteItems') {
    return ((request.TransactItems ?? []) as Json[]).flatMap((t) => [t.Put, t.Update].filter((w): w is Json => typeof w === 'object' && w !== null).map((w) => [String(w.TableName ?? ''), w] as [string, unknown]));
  }
  return [[String(request.TableName ?? ''), request]];
}
