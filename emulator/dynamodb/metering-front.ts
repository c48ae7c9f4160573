import { admit, release, type Admission, type TableInfo, type ThrottleEvent } from './capacity-admission.ts';
import { indexWriteUnits, readUnits, tableShape, writeUnits, type TableShape } from './capacity.ts';
import type { IamAuthorizer, RolePrincipal } from '../iam/iam-authorizer.ts';
import { dynamoDbAccess } from './dynamodb-access.ts';
import { errorAnswer, neverRejecting, requestId, type Answerer, type CallAnswer, type CallHeaders } from './call-answer.ts';
import { inProcessCall, type RequestListener } from './in-process-call.ts';
import { itemSize, type Item } from './item-size.ts';
import { isSettled, ProvisionedCapacity, type CapacityBucket, type CapacityDescription } from './provisioned-capacity.ts';
import type { ItemChange } from './streams/item-change.ts';
import { KeyLocks } from './streams/key-locks.ts';
import { StreamCapture, type WriteCapture } from './streams/stream-capture.ts';
import { streamFields, type StreamSpec } from './streams/stream-spec.ts';
import { errorType, transactWriteItems } from './transact-write-items.ts';
import { stampReachIn } from '../probe-reach.ts';
import { reachHop } from '../../common/probe-reach-metric.ts';
import type { MetricSink } from '../cloudwatch/types.ts';

/**
 * The DynamoDB endpoint the functions reach: a thin front over dynalite (called in-process, same
 * thread) that meters every data-plane call the way DynamoDB does and publishes what AWS
 * publishes in AWS/DynamoDB. It asks dynalite for `ReturnConsumedCapacity: INDEXES` on every call
 * (and hands the caller only what it asked for), takes dynalite's table units, which follow
 * DynamoDB's rules, and adds what dynalite leaves out: write units on global secondary indexes,
 * the units of a failed conditional write, and the one-step minimum of a Query or Scan that
 * evaluates nothing. For the index units it needs the item before the write: PutItem and
 * DeleteItem ask for `ReturnValues: ALL_OLD` (stripped again), BatchWriteItem and UpdateItem on a
 * table with a global index read the items first (and UpdateItem after), in-process.
 *
 * The throttle fault (faults.dynamodbThrottleShare) answers that share of data-plane calls with
 * DynamoDB's 400 ProvisionedThroughputExceededException before they reach dynalite.
 *
 * A table in provisioned mode (and each of its global indexes) throttles as DynamoDB does
 * (provisioned-capacity.ts, capacity-admission.ts): a call its capacity cannot take is answered
 * ProvisionedThroughputExceededException without reaching dynalite, a batch hands back what did
 * not fit, and the units each call consumed are taken from its buckets. A call to an on-demand
 * table pays one map lookup for this once its table was described.
 *
 * A table with a stream (options.streams) has every write that changed an item captured
 * (streams/stream-capture.ts) and its DescribeTable answer carries the stream, which dynalite
 * does not keep. TransactWriteItems, which dynalite lacks, is served here (transact-write-items.ts).
 */

export type DataOperation = 'GetItem' | 'BatchGetItem' | 'Query' | 'Scan' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

const READS = new Set<string>(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
const WRITES = new Set<string>(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
const TABLE_CHANGES = new Set<string>(['CreateTable', 'DeleteTable', 'UpdateTable']);
const API = 'DynamoDB_20120810';
const THROTTLE_MESSAGE =
  'Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly.';
/** DynamoDB's messages when a table's provisioned capacity, or a global index's, is exceeded. */
export const TABLE_THROTTLE_MESSAGE =
  'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.';
export const INDEX_THROTTLE_MESSAGE =
  'The level of configured provisioned throughput for one or more global secondary indexes of the table was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary indexes with the UpdateTable API';
/** DynamoDB publishes ProvisionedRead/WriteCapacityUnits now and then; here at most once a minute. */
const PROVISIONED_METRIC_EVERY_MS = 60_000;

/** Where the front's metrics go: one datum per call and dimension set, as DynamoDB emits them (AWS/DynamoDB unless `namespace` says otherwise). */
export interface MeterSink {
  put(metric: string, unit: 'Count' | 'Milliseconds', value: number, dimensions: Record<string, string>, namespace?: string): void;
}

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

export interface FrontIam {
  authorizer: IamAuthorizer;
  /** session token (X-Amz-Security-Token) → the function and its role */
  principals: ReadonlyMap<string, RolePrincipal>;
  region: string;
  /** a function's first denial of an action on a resource: one line for the stack's log */
  onFirstDenial(line: string): void;
}

export interface FrontCounters {
  /** data-plane calls received */
  calls: number;
  /** of them, answered ProvisionedThroughputExceededException (the throttle fault or provisioned capacity) */
  throttled: number;
}

/** Units one call consumed on one table: the table itself and each global index. */
interface TableUse {
  read: number;
  write: number;
  indexes: Map<string, { read: number; write: number }>;
}

type Json = Record<string, unknown>;

export class MeteringFront {
  readonly counters: FrontCounters = { calls: 0, throttled: 0 };
  private readonly described = new Map<string, Promise<Described | undefined>>();
  private readonly capacity = new ProvisionedCapacity();
  private provisionedPublishedAt = -Infinity;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly capture: StreamCapture | undefined;
  /** items held across a read and a write: a stream table's writes, transactions */
  private readonly locks = new KeyLocks();

  constructor(private readonly options: MeteringFrontOptions) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => performance.now());
    const streams = options.streams;
    this.capture =
      streams && streams.specs.length > 0
        ? new StreamCapture(streams.specs, { keyNames: (t) => this.shape(t).then((s) => s?.keys), readItems: (t, keys) => this.readItems(t, keys) }, (c) => streams.post(c), this.locks)
        : undefined;
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
    const denied = this.options.iam && this.authorize(this.options.iam, headers, operation, body);
    if (denied) return denied;
    if (operation === 'TransactWriteItems') {
      const request = parseObject(body);
      return request ? this.transactCall(request) : inProcessCall(this.options.dynalite, headers, body);
    }
    if (!READS.has(operation) && !WRITES.has(operation)) {
      const answer = await inProcessCall(this.options.dynalite, headers, body);
      if (TABLE_CHANGES.has(operation)) {
        this.described.clear();
        this.capacity.forget();
        // New capacity holds from when the table is ACTIVE again, not from its next call:
        // describe it once dynalite has applied the update (its own timer runs first).
        const table = operation === 'UpdateTable' && answer.status === 200 ? tableNameOf(body) : undefined;
        if (table) setTimeout(() => void this.describe(table), 1).unref();
      }
      if (this.capture && (operation === 'DescribeTable' || operation === 'CreateTable') && answer.status === 200) return this.withStream(answer);
      return answer;
    }
    let request: Json;
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      request = parsed as Json;
    } catch {
      return inProcessCall(this.options.dynalite, headers, body); // dynalite answers the SerializationException
    }
    return this.dataCall(operation as DataOperation, headers, request);
  }

  private async dataCall(operation: DataOperation, headers: CallHeaders, request: Json): Promise<CallAnswer> {
    this.counters.calls++;
    const tables = tablesOf(operation, request);
    const share = this.options.throttleShare;
    if (share > 0 && this.random() < share) {
      this.counters.throttled++;
      this.recordThrottle(operation, request, tables);
      return errorAnswer(400, 'ProvisionedThroughputExceededException', THROTTLE_MESSAGE);
    }

    // Provisioned tables only: a table known to be on-demand costs a map lookup here.
    let provisioned: Map<string, TableInfo> | undefined;
    let admission: Admission | undefined;
    for (const table of tables) {
      if (this.capacity.known(table) === null) continue;
      const d = await this.describe(table);
      if (d?.capacity) (provisioned ??= new Map()).set(table, { capacity: d.capacity, shape: d.shape });
    }
    if (provisioned) {
      const now = this.now();
      this.publishProvisioned(now);
      admission = admit(operation, request, provisioned, now);
      if (admission.events.length > 0) this.recordCapacityThrottle(operation, admission);
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
    const before = await this.itemsBefore(operation, request);
    const started = this.now();
    const answer = await inProcessCall(this.options.dynalite, headers, JSON.stringify(request));
    const latencyMs = this.now() - started;

    if (answer.status !== 200) {
      const units = await this.recordFailure(operation, request, tables, answer);
      if (admission && provisioned) {
        // A failed conditional write still consumed its units; any other failure consumed none.
        const table = String(request.TableName ?? '');
        if (units > 0) settle(admission, provisioned, new Map([[table, { read: 0, write: units, indexes: new Map() }]]), this.now());
        else release(admission, this.now());
      }
      return answer;
    }
    const response = JSON.parse(answer.body) as Json;
    const uses = await this.consumption(operation, request, response, before);
    if (capture) await capture.record(response);
    this.recordSuccess(operation, response, uses, latencyMs);
    if (WRITES.has(operation)) this.stampWrites(operation === 'BatchWriteItem' ? Object.entries((request.RequestItems ?? {}) as Json) : [[String(request.TableName ?? ''), request]]);
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
   * A write served: the reach of the probes in what it wrote, per table (../probe-reach.ts). Here,
   * on this thread, the stack's thread pays only for the datums, which ride the metric batch.
   */
  private stampWrites(writes: ReadonlyArray<[string, unknown]>): void {
    const now = Date.now();
    for (const [table, written] of writes) if (table) stampReachIn(this.reachSink, reachHop.dynamodb(table), written, now);
  }

  private readonly reachSink: MetricSink = { put: (d) => this.options.sink.put(d.name, 'Milliseconds', d.value, d.dimensions, d.namespace) };

  /**
   * TransactWriteItems (transact-write-items.ts): two write units per 1 KB of each item, published
   * per table as DynamoDB does; a stream table's changes captured. Provisioned capacity does not
   * admit or refuse a transaction here.
   */
  private async transactCall(request: Json): Promise<CallAnswer> {
    this.counters.calls++;
    const sink = this.options.sink;
    const operation = 'TransactWriteItems';
    const share = this.options.throttleShare;
    if (share > 0 && this.random() < share) {
      this.counters.throttled++;
      for (const table of transactTables(request)) {
        sink.put('ThrottledRequests', 'Count', 1, { TableName: table, Operation: operation });
        sink.put('WriteThrottleEvents', 'Count', 1, { TableName: table });
      }
      return errorAnswer(400, 'ProvisionedThroughputExceededException', THROTTLE_MESSAGE);
    }
    const asked = request.ReturnConsumedCapacity;
    const started = this.now();
    const outcome = await transactWriteItems(request, {
      call: (op, body) => inProcessCall(this.options.dynalite, internalHeaders(op), JSON.stringify(body)),
      keyNames: (t) => this.shape(t).then((s) => s?.keys),
      readItems: (t, keys) => this.readItems(t, keys),
      locks: this.locks,
      error: errorAnswer,
      written: (writes) => {
        for (const w of writes) if (w.kind !== 'ConditionCheck') this.capture?.changed(w.table, w.keyNames, w.old, w.next);
      },
    });
    const latencyMs = this.now() - started;
    if (!outcome.ok) {
      if (outcome.answer.status >= 500) for (const table of transactTables(request)) sink.put('SystemErrors', 'Count', 1, { TableName: table, Operation: operation });
      else sink.put('UserErrors', 'Count', 1, {});
      return outcome.answer;
    }
    this.stampWrites(((request.TransactItems ?? []) as Json[]).flatMap((t) => [t.Put, t.Update].filter((w): w is Json => typeof w === 'object' && w !== null).map((w) => [String(w.TableName ?? ''), w] as [string, unknown])));
    const units = new Map<string, number>();
    for (const w of outcome.writes) units.set(w.table, (units.get(w.table) ?? 0) + w.units);
    for (const [table, u] of units) {
      sink.put('SuccessfulRequestLatency', 'Milliseconds', latencyMs, { TableName: table, Operation: operation });
      sink.put('ConsumedWriteCapacityUnits', 'Count', u, { TableName: table });
    }
    const response: Json = {};
    if (asked === 'TOTAL' || asked === 'INDEXES') response.ConsumedCapacity = [...units].map(([table, u]) => consumedCapacity(table, { read: 0, write: u, indexes: new Map() }, asked, false));
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

  /**
   * A call from a function's session is asked of IAM for each action and resource it needs (every
   * table of a batch); the first denied is DynamoDB's 400 AccessDeniedException in AWS's words. In
   * `report` mode the call goes on, recorded. A call with no function's session is not checked.
   */
  private authorize(iam: FrontIam, headers: CallHeaders, operation: string, body: string): CallAnswer | undefined {
    const token = headers['x-amz-security-token'];
    const principal = typeof token === 'string' ? iam.principals.get(token) : undefined;
    if (!principal || operation === '') return undefined;
    let request: Json;
    try {
      request = JSON.parse(body) as Json;
    } catch {
      return undefined; // dynalite answers the SerializationException
    }
    const account = iam.authorizer.accountId;
    let refusal: CallAnswer | undefined;
    for (const { action, resource } of dynamoDbAccess(operation, request ?? {}, (t) => `arn:aws:dynamodb:${iam.region}:${account}:table/${t}`)) {
      const decision = iam.authorizer.authorize(principal, action, resource);
      if (decision.allowed) continue;
      const message = iam.authorizer.denialMessage(principal, action, resource, decision.reason);
      if (decision.first) iam.onFirstDenial(`iam: ${decision.enforced ? 'denied' : 'would deny (report)'}: ${message}`);
      if (decision.enforced && !refusal) refusal = errorAnswer(400, 'AccessDeniedException', message);
    }
    return refusal;
  }

  /** What the index units need to know about items before a write (see the class comment). */
  private async itemsBefore(operation: DataOperation, request: Json): Promise<Before> {
    const out: Before = { strippedOld: false, batchOld: new Map() };
    if (!WRITES.has(operation)) return out;
    if (operation === 'BatchWriteItem') {
      for (const [table, writes] of Object.entries(batchWrites(request))) {
        const shape = await this.shape(table);
        if (!shape || shape.globalIndexes.length === 0) continue;
        const keys = writes.map((w) => (w.PutRequest?.Item ? keyOf(w.PutRequest.Item, shape) : w.DeleteRequest?.Key)).filter((k): k is Item => !!k);
        const old = new Map<string, Item>();
        for (const item of await this.readItems(table, keys)) old.set(keyString(keyOf(item, shape)), item);
        out.batchOld.set(table, old);
      }
      return out;
    }
    const shape = await this.shape(String(request.TableName ?? ''));
    if (!shape || shape.globalIndexes.length === 0) return out;
    if (operation === 'UpdateItem') {
      const key = request.Key as Item | undefined;
      out.updateOld = { item: key ? (await this.readItems(shape.name, [key]))[0] : undefined };
    } else if (request.ReturnValues === undefined || request.ReturnValues === 'NONE') {
      request.ReturnValues = 'ALL_OLD';
      out.strippedOld = true;
    }
    return out;
  }

  /** Units per table for a successful call: dynalite's table units plus what it leaves out. */
  private async consumption(operation: DataOperation, request: Json, response: Json, before: Before): Promise<Map<string, TableUse>> {
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
      const globalIndex = indexName !== undefined && (await this.shape(table))?.globalIndexes.some((g) => g.name === indexName);
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
        const shape = old && (await this.shape(table));
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
    const shape = await this.shape(table);
    if (!shape || shape.globalIndexes.length === 0) return;
    if (operation === 'PutItem') add(table, shape, response.Attributes as Item | undefined, request.Item as Item);
    else if (operation === 'DeleteItem') add(table, shape, response.Attributes as Item | undefined, undefined);
    else if (operation === 'UpdateItem' && before.updateOld) {
      const [next] = await this.readItems(table, [request.Key as Item]);
      add(table, shape, before.updateOld.item, next);
    }
  }

  private recordSuccess(operation: DataOperation, response: Json, uses: Map<string, TableUse>, latencyMs: number): void {
    const sink = this.options.sink;
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
  private async recordFailure(operation: DataOperation, request: Json, tables: string[], answer: CallAnswer): Promise<number> {
    const sink = this.options.sink;
    if (answer.status >= 500) {
      for (const table of tables) sink.put('SystemErrors', 'Count', 1, { TableName: table, Operation: operation });
      return 0;
    }
    if (errorType(answer.body) !== 'ConditionalCheckFailedException') {
      sink.put('UserErrors', 'Count', 1, {});
      return 0;
    }
    // A failed conditional write still consumes write units: the larger of the item there and
    // the item it would have written (an UpdateItem's result is unknown here: the one there).
    const table = String(request.TableName ?? '');
    sink.put('ConditionalCheckFailedRequests', 'Count', 1, { TableName: table });
    const written = operation === 'PutItem' ? (request.Item as Item | undefined) : undefined;
    const shape = written ? await this.shape(table) : undefined;
    const key = written ? (shape ? keyOf(written, shape) : undefined) : (request.Key as Item | undefined);
    const [existing] = key ? await this.readItems(table, [key]) : [];
    const units = writeUnits(Math.max(existing ? itemSize(existing) : 0, written ? itemSize(written) : 0));
    sink.put('ConsumedWriteCapacityUnits', 'Count', units, { TableName: table });
    return units;
  }

  private recordThrottle(operation: DataOperation, request: Json, tables: string[]): void {
    const sink = this.options.sink;
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
  private recordCapacityThrottle(operation: DataOperation, admission: Admission): void {
    const sink = this.options.sink;
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

  /** ProvisionedRead/WriteCapacityUnits of every provisioned table and index, at most once a minute. */
  private publishProvisioned(now: number): void {
    if (now - this.provisionedPublishedAt < PROVISIONED_METRIC_EVERY_MS) return;
    this.provisionedPublishedAt = now;
    for (const p of this.capacity.all()) this.publishUnits(p.table, p.index, p.read, p.write);
  }

  /** A table just described (created, updated): its figures at once, then with the others. */
  private publishProvisionedOf(table: string, capacity: TableInfo['capacity']): void {
    this.publishUnits(table, undefined, capacity.table.read.unitsPerSecond, capacity.table.write.unitsPerSecond);
    for (const [index, p] of capacity.indexes) this.publishUnits(table, index, p.read.unitsPerSecond, p.write.unitsPerSecond);
  }

  private publishUnits(table: string, index: string | undefined, read: number, write: number): void {
    const dims: Record<string, string> = index === undefined ? { TableName: table } : { TableName: table, GlobalSecondaryIndexName: index };
    this.options.sink.put('ProvisionedReadCapacityUnits', 'Count', read, dims);
    this.options.sink.put('ProvisionedWriteCapacityUnits', 'Count', write, dims);
  }

  /** The table's keys and global indexes, from DescribeTable (in-process, cached). */
  private shape(table: string): Promise<TableShape | undefined> {
    return this.describe(table).then((d) => d?.shape);
  }

  /** The table's shape and capacity, from DescribeTable (in-process, cached while the table is ACTIVE). */
  private describe(table: string): Promise<Described | undefined> {
    let p = this.described.get(table);
    if (!p) {
      p = this.internal('DescribeTable', { TableName: table }).then((r) => {
        if (!r) return undefined;
        const description = r.Table as Json & CapacityDescription;
        const capacity = this.capacity.describe(description, this.now());
        if (capacity) this.publishProvisionedOf(table, capacity);
        return { shape: tableShape(description), capacity, settled: isSettled(description) };
      });
      this.described.set(table, p);
      void p.then((d) => {
        if (!d || !d.settled) this.described.delete(table);
      });
    }
    return p;
  }

  /** Strongly consistent reads of the front's own (not metered). Missing items are left out. */
  private async readItems(table: string, keys: Item[]): Promise<Item[]> {
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

  private async internal(operation: string, request: Json): Promise<Json | undefined> {
    const answer = await inProcessCall(this.options.dynalite, internalHeaders(operation), JSON.stringify(request));
    return answer.status === 200 ? (JSON.parse(answer.body) as Json) : undefined;
  }
}

interface Described {
  shape: TableShape;
  /** null: on-demand */
  capacity: TableInfo['capacity'] | null;
  /** the table and its indexes ACTIVE (not being updated): safe to keep */
  settled: boolean;
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

interface Before {
  /** ReturnValues: ALL_OLD was added by the front: take Attributes out of the answer */
  strippedOld: boolean;
  /** BatchWriteItem on tables with global indexes: table → key → the item as it was */
  batchOld: Map<string, Map<string, Item>>;
  /** UpdateItem on a table with global indexes: the item as it was (undefined: none) */
  updateOld?: { item: Item | undefined };
}

type BatchWrites = Record<string, Array<{ PutRequest?: { Item?: Item }; DeleteRequest?: { Key?: Item } }>>;

function batchWrites(request: Json): BatchWrites {
  const out: BatchWrites = {};
  const items = request.RequestItems;
  if (!items || typeof items !== 'object') return out;
  for (const [table, writes] of Object.entries(items as Record<string, unknown>)) if (Array.isArray(writes)) out[table] = writes;
  return out;
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
  try {
    const name = (JSON.parse(body) as Json).TableName;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

function tablesOf(operation: DataOperation, request: Json): string[] {
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const items = request.RequestItems;
    return items && typeof items === 'object' ? Object.keys(items) : [];
  }
  return typeof request.TableName === 'string' ? [request.TableName] : [];
}

/** Throttle events of one table: a batch counts one per item, anything else one. */
function eventsOf(operation: DataOperation, request: Json, table: string): number {
  const items = (request.RequestItems ?? {}) as Record<string, unknown>;
  if (operation === 'BatchWriteItem') return Array.isArray(items[table]) ? (items[table] as unknown[]).length : 1;
  if (operation === 'BatchGetItem') {
    const keys = (items[table] as { Keys?: unknown[] } | undefined)?.Keys;
    return Array.isArray(keys) ? keys.length : 1;
  }
  return 1;
}

function keyOf(item: Item, shape: TableShape): Item {
  const key: Item = {};
  for (const k of shape.keys) if (item[k] !== undefined) key[k] = item[k];
  return key;
}

function keyString(key: Item): string {
  return JSON.stringify(Object.keys(key).sort().map((k) => [k, key[k]]));
}

/** ConsumedCapacity as the caller asked for it (TOTAL: the sum; INDEXES: table and each index). */
function consumedCapacity(table: string, use: TableUse, asked: 'TOTAL' | 'INDEXES', isRead: boolean): Json {
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

const INTERNAL_AUTH = 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0';

function internalHeaders(operation: string): CallHeaders {
  return {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `${API}.${operation}`,
    authorization: INTERNAL_AUTH,
    'x-amz-date': '20260101T000000Z',
  };
}
