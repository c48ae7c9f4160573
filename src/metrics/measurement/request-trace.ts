import { DELIVERY_RECORD_WIDTH, TRACE_RECORD_WIDTH } from './trace-records.ts';

/**
 * The run's store of every request the fleet timed (the shards' TRACE and DELIVERY records,
 * trace-records.ts) and of every complete message's fan-out completion (the delivery ledger's),
 * for the attribution join (src/metrics/attribution). Columns are typed arrays that grow by
 * doubling, so a million requests cost tens of bytes each and no object apiece. Each kind of
 * record has a bound: past it the store keeps nothing more of that kind and counts what it could
 * not hold (`dropped`), so the join can say how many it could not attribute and why.
 */

/** One row per TRACE record, in arrival order (the arrays may be longer than `count`: read up to it). */
export interface TracedRequests {
  readonly count: number;
  /** TRACE_CONNECT or TRACE_FRAME */
  readonly kind: Uint8Array;
  readonly shard: Uint16Array;
  readonly client: Uint32Array;
  readonly connection: Uint16Array;
  readonly frame: Uint32Array;
  /** a FRAME_* kind (0 for a handshake) */
  readonly what: Uint8Array;
  readonly intendedMs: Float64Array;
  /** epoch ms it opened or was answered; 0: none timed */
  readonly doneMs: Float64Array;
  /** a send's slot, -1 for anything else */
  readonly slot: Int32Array;
  /** records past the bound, not stored */
  readonly dropped: number;
}

/** One row per unique delivery. */
export interface TracedDeliveries {
  readonly count: number;
  /** origin shard * 2**32 + slot (a send frame's key: its shard * 2**32 + its slot; messageKey()) */
  readonly messageKey: Float64Array;
  readonly latencyUs: Uint32Array;
  readonly dropped: number;
}

/** One row per complete message: its fan-out completion (send → its last member's delivery). */
export interface TracedCompletions {
  readonly count: number;
  /** as TracedDeliveries.messageKey */
  readonly messageKey: Float64Array;
  readonly completionUs: Uint32Array;
  readonly dropped: number;
}

/**
 * One row per publish a stage of the stack's own HTTP or REST API accepted: API Gateway's request
 * ID for it (its access-log line names the invocation), its message's key (its deliveries'), when
 * it was intended, its call latency.
 */
export interface TracedPublishes {
  readonly count: number;
  readonly apiRequestId: readonly string[];
  readonly messageKey: readonly number[];
  readonly intendedMs: readonly number[];
  readonly latencyUs: readonly number[];
  readonly dropped: number;
}

export interface RequestTraceBounds {
  requests: number;
  deliveries: number;
  completions: number;
}

/**
 * 8 million requests (34 bytes a row: 272 MB at most), 32 million deliveries and 8 million
 * completions (12 bytes a row: 384 and 96 MB at most): a launch-scale run's minutes of load.
 */
export const DEFAULT_TRACE_BOUNDS: RequestTraceBounds = { requests: 8_000_000, deliveries: 32_000_000, completions: 8_000_000 };

const INITIAL_ROWS = 1024;
const MAX_U16 = 0xffff;
const MAX_U32 = 0xffffffff;
const TWO_32 = 2 ** 32;

/** The key a message goes by in the trace: the shard that sent it and its slot there. */
export function messageKey(originShard: number, slot: number): number {
  return originShard * TWO_32 + slot;
}

type Column = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/** A typed array `rows` long holding `from`'s first `used` rows. */
function grown<T extends Column>(from: T, rows: number, used: number): T {
  const next = new (from.constructor as new (n: number) => T)(rows);
  next.set(from.subarray(0, used) as never);
  return next;
}

/** Capacity for `need` rows: doubled until it fits, never past `bound`. */
function capacityFor(have: number, need: number, bound: number): number {
  let rows = Math.max(have, INITIAL_ROWS);
  while (rows < need) rows *= 2;
  return Math.min(rows, bound);
}

function clampU32(v: number): number {
  return v <= 0 ? 0 : v >= MAX_U32 ? MAX_U32 : Math.round(v);
}

export class RequestTrace {
  private readonly bounds: RequestTraceBounds;

  private reqCount = 0;
  private reqDropped = 0;
  private kind = new Uint8Array(0);
  private shard = new Uint16Array(0);
  private client = new Uint32Array(0);
  private connection = new Uint16Array(0);
  private frame = new Uint32Array(0);
  private what = new Uint8Array(0);
  private intendedMs = new Float64Array(0);
  private doneMs = new Float64Array(0);
  private slot = new Int32Array(0);

  private delCount = 0;
  private delDropped = 0;
  private delKey = new Float64Array(0);
  private delUs = new Uint32Array(0);

  private compCount = 0;
  private compDropped = 0;
  private compKey = new Float64Array(0);
  private compUs = new Uint32Array(0);

  // a publish phase's rate is the harness's own, a few per second to thousands: plain arrays
  private readonly pubIds: string[] = [];
  private readonly pubKey: number[] = [];
  private readonly pubIntended: number[] = [];
  private readonly pubUs: number[] = [];
  private pubDropped = 0;

  constructor(bounds: Partial<RequestTraceBounds> = {}) {
    this.bounds = { ...DEFAULT_TRACE_BOUNDS, ...bounds };
  }

  /** One shard's TRACE records of a flush (TRACE_RECORD_WIDTH numbers each). */
  addTrace(shard: number, records: Float64Array): void {
    const n = Math.floor(records.length / TRACE_RECORD_WIDTH);
    if (n === 0) return;
    const room = this.ensureRequests(this.reqCount + n);
    const take = Math.min(n, room);
    this.reqDropped += n - take;
    let row = this.reqCount;
    for (let r = 0, i = 0; r < take; r++, i += TRACE_RECORD_WIDTH, row++) {
      this.kind[row] = records[i];
      this.shard[row] = shard;
      this.client[row] = records[i + 1];
      this.connection[row] = Math.min(records[i + 2], MAX_U16);
      this.frame[row] = records[i + 3];
      this.what[row] = records[i + 4];
      this.intendedMs[row] = records[i + 5];
      this.doneMs[row] = records[i + 6];
      this.slot[row] = records[i + 7];
    }
    this.reqCount = row;
  }

  /** A flush's DELIVERY records (DELIVERY_RECORD_WIDTH numbers each: origin shard, slot, latency µs). */
  addDeliveries(records: Float64Array): void {
    const n = Math.floor(records.length / DELIVERY_RECORD_WIDTH);
    if (n === 0) return;
    const room = this.ensureDeliveries(this.delCount + n);
    const take = Math.min(n, room);
    this.delDropped += n - take;
    let row = this.delCount;
    for (let r = 0, i = 0; r < take; r++, i += DELIVERY_RECORD_WIDTH, row++) {
      this.delKey[row] = records[i] * TWO_32 + records[i + 1];
      this.delUs[row] = clampU32(records[i + 2]);
    }
    this.delCount = row;
  }

  /** A complete message's fan-out completion (the delivery ledger's), by its messageKey(). */
  addCompletion(key: number, completionUs: number): void {
    if (this.compCount >= this.compKey.length) {
      const bound = this.bounds.completions;
      if (this.compCount >= bound) {
        this.compDropped++;
        return;
      }
      const rows = capacityFor(this.compKey.length, this.compCount + 1, bound);
      this.compKey = grown(this.compKey, rows, this.compCount);
      this.compUs = grown(this.compUs, rows, this.compCount);
    }
    this.compKey[this.compCount] = key;
    this.compUs[this.compCount] = clampU32(completionUs);
    this.compCount++;
  }

  /** A publish the API accepted, by API Gateway's request ID for it (bounded as requests are). */
  addPublish(apiRequestId: string, key: number, intendedMs: number, latencyUs: number): void {
    if (this.pubIds.length >= this.bounds.requests) {
      this.pubDropped++;
      return;
    }
    this.pubIds.push(apiRequestId);
    this.pubKey.push(key);
    this.pubIntended.push(intendedMs);
    this.pubUs.push(clampU32(latencyUs));
  }

  publishes(): TracedPublishes {
    return { count: this.pubIds.length, apiRequestId: this.pubIds, messageKey: this.pubKey, intendedMs: this.pubIntended, latencyUs: this.pubUs, dropped: this.pubDropped };
  }

  requests(): TracedRequests {
    return {
      count: this.reqCount,
      kind: this.kind,
      shard: this.shard,
      client: this.client,
      connection: this.connection,
      frame: this.frame,
      what: this.what,
      intendedMs: this.intendedMs,
      doneMs: this.doneMs,
      slot: this.slot,
      dropped: this.reqDropped,
    };
  }

  deliveries(): TracedDeliveries {
    return { count: this.delCount, messageKey: this.delKey, latencyUs: this.delUs, dropped: this.delDropped };
  }

  completions(): TracedCompletions {
    return { count: this.compCount, messageKey: this.compKey, completionUs: this.compUs, dropped: this.compDropped };
  }

  /** Grows the request columns toward `need` rows; returns how many more rows they hold. */
  private ensureRequests(need: number): number {
    const have = this.kind.length;
    if (need > have && have < this.bounds.requests) {
      const rows = capacityFor(have, need, this.bounds.requests);
      const used = this.reqCount;
      this.kind = grown(this.kind, rows, used);
      this.shard = grown(this.shard, rows, used);
      this.client = grown(this.client, rows, used);
      this.connection = grown(this.connection, rows, used);
      this.frame = grown(this.frame, rows, used);
      this.what = grown(this.what, rows, used);
      this.intendedMs = grown(this.intendedMs, rows, used);
      this.doneMs = grown(this.doneMs, rows, used);
      this.slot = grown(this.slot, rows, used);
    }
    return this.kind.length - this.reqCount;
  }

  private ensureDeliveries(need: number): number {
    const have = this.delKey.length;
    if (need > have && have < this.bounds.deliveries) {
      const rows = capacityFor(have, need, this.bounds.deliveries);
      this.delKey = grown(this.delKey, rows, this.delCount);
      this.delUs = grown(this.delUs, rows, this.delCount);
    }
    return this.delKey.length - this.delCount;
  }
}
