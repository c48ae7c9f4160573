import { admit, release, type Admission, type TableInfo, type ThrottleEvent } from './capacity-admission.ts';
import { errorAnswer, neverRejecting, requestId, type Answerer, type CallAnswer, type CallHeaders } from './call-answer.ts';
import { consumedCapacity, ConsumedUnits, READS, WRITES, type DataOperation, type TableUse } from './consumed-units.ts';
import { API, DynaliteTables } from './dynalite-tables.ts';
import { authorizeCall, type FrontIam } from './front-iam.ts';
import { inProcessCall, type RequestListener } from './in-process-call.ts';
import type { CapacityBucket } from './provisioned-capacity.ts';
import type { ItemChange } from './streams/item-change.ts';
import { KeyLocks } from './streams/key-locks.ts';
import { StreamCapture, type WriteCapture } from './streams/stream-capture.ts';
import { streamFields, type StreamSpec } from './streams/stream-spec.ts';
import { TableMetrics, type MeterSink } from './table-metrics.ts';
import { transactWriteItems } from './transact-write-items.ts';

/**
 * The DynamoDB endpoint the functions reach: a thin front over dynalite (called in-process, same
 * thread) that decides what becomes of each call. IAM first (front-iam.ts); then, for a
 * data-plane call, the throttle fault (faults.dynamodbThrottleShare answers that share with
 * DynamoDB's 400 ProvisionedThroughputExceededException before dynalite), provisioned capacity
 * (capacity-admission.ts: a call a provisioned table or index cannot take is refused, a batch
 * hands back what did not fit, and the units each call consumed are taken from its buckets; a
 * call to an on-demand table pays one map lookup once its table was described), dynalite, and
 * the units it consumed (consumed-units.ts) published as AWS does (table-metrics.ts).
 *
 * A table with a stream (options.streams) has every write that changed an item captured
 * (streams/stream-capture.ts) and its DescribeTable answer carries the stream, which dynalite
 * does not keep. TransactWriteItems, which dynalite lacks, is served here (transact-write-items.ts).
 */

const TABLE_CHANGES = new Set<string>(['CreateTable', 'DeleteTable', 'UpdateTable']);
const THROTTLE_MESSAGE =
  'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly.';
/** DynamoDB's messages when a table's provisioned capacity, or a global index's, is exceeded. */
export const TABLE_THROTTLE_MESSAGE =
  'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.';
export const INDEX_THROTTLE_MESSAGE =
  'The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API';

export interface MeteringFrontOptions {
  dynalite: RequestListener;
  sink: MeterSink;
  /** share 0..1 of data-plane calls answered with ProvisionedThroughputExceededException */
  throttleShare: number;
  random?: () => number;
  now?: () => number;
  /** IAM (target.iam enforce or report): who a session token is, and the one question asked of every call a function makes */
  iam?: FrontIam;
  /** the stream-enabled tables, and where their items' changes go */
  streams?: { specs: StreamSpec[]; post(changes: ItemChange[]): void };
}

export interface FrontCounters {
  /** data-plane calls received */
  calls: number;
  /** of them, answered ProvisionedThroughputExceededException (the throttle fault or provisioned capacity) */
  throttled: number;
}

type Json = Record<string, unknown>;

export class MeteringFront {
  readonly counters: FrontCounters = { calls: 0, throttled: 0 };
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly tables: DynaliteTables;
  private readonly units: ConsumedUnits;
  private readonly metrics: TableMetrics;
  private readonly capture: StreamCapture | undefined;
  /** items held across a read and a write: a stream table's writes, transactions */
  private readonly locks = new KeyLocks();

  constructor(private readonly options: MeteringFrontOptions) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => performance.now());
    this.tables = new DynaliteTables(options.dynalite, this.now, (table, capacity) => this.metrics.publishProvisionedOf(table, capacity));
    this.units = new ConsumedUnits(this.tables);
    this.metrics = new TableMetrics(options.sink, this.units);
    const streams = options.streams;
    this.capture = streams && streams.specs.length > 0 ? new StreamCapture(streams.specs, this.tables, (c) => streams.post(c), this.locks) : undefined;
  }

  /** Sends the stream changes not yet sent (the thread is closing). */
  flushStreams(): void {
    this.capture?.flush();
  }

  /** One call, end to end: what the caller gets back (a failure is DynamoDB's InternalServerError). */
  readonly answer: Answerer = neverRejecting((headers, body) => this.decide(headers, body));

  private async decide(headers: CallHeaders, body: string): Promise<CallAnswer> {
    const target = String(headers['x-amz-target'] ?? '');
    const operation = target.startsWith(`${API}.`) ? target.slice(API.length + 1) : '';
    const denied = this.options.iam && authorizeCall(this.options.iam, headers, operation, body);
    if (denied) return denied;
    if (operation === 'TransactWriteItems') {
      const request = parseObject(body);
      return request ? this.transactCall(request) : inProcessCall(this.options.dynalite, headers, body);
    }
    if (!READS.has(operation) && !WRITES.has(operation)) {
      const answer = await inProcessCall(this.options.dynalite, headers, body);
      if (TABLE_CHANGES.has(operation)) this.tables.forget(operation === 'UpdateTable' && answer.status === 200 ? tableNameOf(body) : undefined);
      if (this.capture && (operation === 'DescribeTable' || operation === 'CreateTable') && answer.status === 200) return this.withStream(answer);
      return answer;
    }
    const request = parseObject(body);
    if (!request) return inProcessCall(this.options.dynalite, headers, body); // dynalite answers the SerializationException
    return this.dataCall(operation as DataOperation, headers, request);
  }

  private async dataCall(operation: DataOperation, headers: CallHeaders, request: Json): Promise<CallAnswer> {
    this.counters.calls++;
    const tables = tablesOf(operation, request);
    if (this.faultThrottles()) {
      this.metrics.recordThrottle(operation, request, tables);
      return errorAnswer(400, 'ProvisionedThroughputExceededException', THROTTLE_MESSAGE);
    }

    // Provisioned tables only: a table known to be on-demand costs a map lookup here.
    let provisioned: Map<string, TableInfo> | undefined;
    let admission: Admission | undefined;
    for (const table of tables) {
      if (this.tables.knownOnDemand(table)) continue;
      const d = await this.tables.describe(table);
      if (d?.capacity) (provisioned ??= new Map()).set(table, { capacity: d.capacity, shape: d.shape });
    }
    if (provisioned) {
      const now = this.now();
      this.metrics.publishProvisioned(now, this.tables.provisioned());
      admission = admit(operation, request, provisioned, now);
      if (admission.events.length > 0) this.metrics.recordCapacityThrottle(operation, admission);
      if (admission.refused) {
        this.counters.throttled++;
        return throttledAnswer(admission.events);
      }
    }

    // A stream table's write: its items' images asked for or read (the keys held until it is done).
    let capture: WriteCapture | undefined;
    try {
      capture = this.capture && WRITES.has(operation) ? await this.capture.begin(operation, request) : undefined;
    } catch (err) {
      if (admission) release(admission, this.now());
      throw err;
    }
    try {
      return await this.served(operation, headers, request, tables, admission, provisioned, capture);
    } finally {
      capture?.release();
    }
  }

  /** The throttle fault's draw: true (counted) when this call is answered ProvisionedThroughputExceededException. */
  private faultThrottles(): boolean {
    const share = this.options.throttleShare;
    if (!(share > 0 && this.random() < share)) return false;
    this.counters.throttled++;
    return true;
  }

  /** The call dynalite serves, metered; a stream table's changes recorded. */
  private async served(
    operation: DataOperation,
    headers: CallHeaders,
    request: Json,
    tables: string[],
    admission: Admission | undefined,
    provisioned: Map<string, TableInfo> | undefined,
    capture: WriteCapture | undefined,
  ): Promise<CallAnswer> {
    const asked = request.ReturnConsumedCapacity;
    request.ReturnConsumedCapacity = 'INDEXES';
    const before = await this.units.itemsBefore(operation, request);
    const started = this.now();
    const answer = await inProcessCall(this.options.dynalite, headers, JSON.stringify(request));
    const latencyMs = this.now() - started;

    if (answer.status !== 200) {
      const units = await this.metrics.recordFailure(operation, request, tables, answer);
      if (admission && provisioned) {
        // A failed conditional write still consumed its units; any other failure consumed none.
        const table = String(request.TableName ?? '');
        if (units > 0) settle(admission, provisioned, new Map([[table, { read: 0, write: units, indexes: new Map() }]]), this.now());
        else release(admission, this.now());
      }
      return answer;
    }
    const response = JSON.parse(answer.body) as Json;
    const uses = await this.units.consumption(operation, request, response, before);
    if (capture) await capture.record(response);
    this.metrics.recordSuccess(operation, response, uses, latencyMs);
    if (WRITES.has(operation)) this.metrics.stampWrites(operation, request);
    if (admission && provisioned) {
      settle(admission, provisioned, uses, this.now());
      if (admission.unprocessed) mergeUnprocessed(operation, response, admission.unprocessed);
    }

    if (before.strippedOld) delete response.Attributes;
    if (asked === 'TOTAL' || asked === 'INDEXES') {
      const shaped = [...uses].map(([table, use]) => consumedCapacity(table, use, asked, READS.has(operation)));
      response.ConsumedCapacity = operation === 'BatchGetItem' || operation === 'BatchWriteItem' ? shaped : shaped[0];
    } else {
      delete response.ConsumedCapacity;
    }
    return { status: 200, headers: answer.headers, body: JSON.stringify(response) };
  }

  /**
   * TransactWriteItems (transact-write-items.ts): two write units per 1 KB of each item, published
   * per table as DynamoDB does; a stream table's changes captured. Provisioned capacity does not
   * admit or refuse a transaction here.
   */
  private async transactCall(request: Json): Promise<CallAnswer> {
    this.counters.calls++;
    const operation = 'TransactWriteItems';
    if (this.faultThrottles()) {
      this.metrics.recordThrottle(operation, request, transactTables(request));
      return errorAnswer(400, 'ProvisionedThroughputExceededException', THROTTLE_MESSAGE);
    }
    const asked = request.ReturnConsumedCapacity;
    const started = this.now();
    const outcome = await transactWriteItems(request, {
      call: (op, body) => this.tables.call(op, body),
      keyNames: (t) => this.tables.keyNames(t),
      readItems: (t, keys) => this.tables.readItems(t, keys),
      locks: this.locks,
      error: errorAnswer,
      written: (writes) => {
        for (const w of writes) if (w.kind !== 'ConditionCheck') this.capture?.changed(w.table, w.keyNames, w.old, w.next);
      },
    });
    const latencyMs = this.now() - started;
    if (!outcome.ok) {
      this.metrics.recordError(operation, transactTables(request), outcome.answer.status);
      return outcome.answer;
    }
    this.metrics.stampWrites(operation, request);
    const uses = new Map<string, TableUse>();
    for (const w of outcome.writes) {
      const use = uses.get(w.table) ?? { read: 0, write: 0, indexes: new Map() };
      use.write += w.units;
      uses.set(w.table, use);
    }
    this.metrics.recordSuccess(operation, {}, uses, latencyMs);
    const response: Json = {};
    if (asked === 'TOTAL' || asked === 'INDEXES') response.ConsumedCapacity = [...uses].map(([table, use]) => consumedCapacity(table, use, asked, false));
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId() }, body: JSON.stringify(response) };
  }

  /** DescribeTable's (CreateTable's) answer for a stream table, with its stream as DynamoDB describes it. */
  private withStream(answer: CallAnswer): CallAnswer {
    const response = JSON.parse(answer.body) as Json;
    const table = (response.Table ?? response.TableDescription) as Json | undefined;
    const spec = typeof table?.TableName === 'string' ? this.capture!.streamOf(table.TableName) : undefined;
    if (!table || !spec) return answer;
    Object.assign(table, streamFields(spec));
    return { ...answer, body: JSON.stringify(response) };
  }
}

/** Takes from each bucket what the call consumed beyond what its admission reserved. */
function settle(admission: Admission, tables: ReadonlyMap<string, TableInfo>, uses: Map<string, TableUse>, now: number): void {
  const actual = new Map<CapacityBucket, number>();
  const add = (bucket: CapacityBucket | undefined, units: number) => {
    if (bucket && units > 0) actual.set(bucket, (actual.get(bucket) ?? 0) + units);
  };
  for (const [table, use] of uses) {
    const capacity = tables.get(table)?.capacity;
    if (!capacity) continue;
    add(capacity.table.read, use.read);
    add(capacity.table.write, use.write);
    for (const [name, u] of use.indexes) {
      add(capacity.indexes.get(name)?.read, u.read);
      add(capacity.indexes.get(name)?.write, u.write);
    }
  }
  for (const bucket of new Set([...actual.keys(), ...admission.reserved.keys()])) {
    bucket.take((actual.get(bucket) ?? 0) - (admission.reserved.get(bucket) ?? 0), now);
  }
  admission.reserved.clear();
}

/** A partly admitted batch: what capacity held back joins what dynalite left unprocessed. */
function mergeUnprocessed(operation: DataOperation, response: Json, held: Json): void {
  const field = operation === 'BatchWriteItem' ? 'UnprocessedItems' : 'UnprocessedKeys';
  const out = { ...((response[field] ?? {}) as Json) };
  for (const [table, entry] of Object.entries(held)) {
    const there = out[table];
    if (operation === 'BatchWriteItem') out[table] = [...(Array.isArray(there) ? there : []), ...(entry as unknown[])];
    else {
      const e = entry as Json & { Keys: unknown[] };
      out[table] = there ? { ...(there as Json), Keys: [...(((there as Json).Keys as unknown[]) ?? []), ...e.Keys] } : e;
    }
  }
  response[field] = out;
}

/** ProvisionedThroughputExceededException with DynamoDB's message and ThrottlingReasons. */
function throttledAnswer(events: ThrottleEvent[]): CallAnswer {
  const onlyIndexWrites = events.length > 0 && events.every((e) => e.index !== undefined && !e.read);
  const reasons = [...new Map(events.map((e) => [`${e.reason} ${e.resource}`, { reason: e.reason, resource: e.resource }])).values()];
  return errorAnswer(400, 'ProvisionedThroughputExceededException', onlyIndexWrites ? INDEX_THROTTLE_MESSAGE : TABLE_THROTTLE_MESSAGE, { ThrottlingReasons: reasons });
}

function parseObject(body: string): Json | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** The tables a transaction names. */
function transactTables(request: Json): string[] {
  const tables = new Set<string>();
  for (const entry of Array.isArray(request.TransactItems) ? (request.TransactItems as Json[]) : []) {
    for (const body of Object.values(entry ?? {})) {
      const table = (body as Json | undefined)?.TableName;
      if (typeof table === 'string') tables.add(table);
    }
  }
  return [...tables];
}

function tableNameOf(body: string): string | undefined {
  const name = parseObject(body)?.TableName;
  return typeof name === 'string' ? name : undefined;
}

function tablesOf(operation: DataOperation, request: Json): string[] {
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const items = request.RequestItems;
    return items && typeof items === 'object' ? Object.keys(items) : [];
  }
  return typeof request.TableName === 'string' ? [request.TableName] : [];
}
