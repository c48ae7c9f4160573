import { parseClientUserAgent } from '../../contracts/client-user-agent.ts';
import type { AccessLine, ApiRequestLine } from './access-log-format.ts';

/**
 * The access-log lines of a run's window and the invocations they name, held as columns (typed
 * arrays that grow by doubling) with strings interned once: a million MESSAGE lines are a few
 * arrays of numbers, not a million objects. Connection IDs, request IDs and route keys become
 * small integers; CONNECT lines of the run are kept by the client connection their User-Agent
 * names (others are dropped on arrival); MESSAGE lines are kept until `seal()` groups them by
 * connection in requestTimeEpoch order. An HTTP or REST API stage's lines (a publish route's) are
 * kept by API Gateway's request ID, for the publishes whose answers carried it.
 */

/** Invocation facts (REPORT lines). */
export const INV_NO_REPORT = 0;
export const INV_WARM = 1;
export const INV_COLD = 2;

/** `connOf` for a client connection no CONNECT line named, or two did. */
export const CONN_NONE = -1;
export const CONN_TWICE = -2;

const TWO_16 = 65536;

type Column = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

function grow<T extends Column>(from: T, need: number): T {
  if (need <= from.length) return from;
  let rows = Math.max(from.length, 1024);
  while (rows < need) rows *= 2;
  const next = new (from.constructor as new (n: number) => T)(rows);
  next.set(from as never);
  return next;
}

/** The key a client connection goes by: the client and which of its connections (the User-Agent's numbers). */
export function clientConnectionKey(client: number, connection: number): number {
  return client * TWO_16 + connection;
}

export class AccessLineStore {
  // connections, by connection ID
  private readonly connIds = new Map<string, number>();
  connCount = 0;
  /** the CONNECT line's invocation (-1: none named), route */
  connInv = new Int32Array(0);
  connRoute = new Uint16Array(0);
  /** client connection key → connection (CONN_TWICE when two CONNECT lines named it) */
  private readonly byClient = new Map<number, number>();
  /** CONNECT lines that carried the run's User-Agent */
  runConnects = 0;

  // invocations, by request ID
  private readonly invIds = new Map<string, number>();
  invCount = 0;
  /** INV_NO_REPORT | INV_WARM | INV_COLD */
  invState = new Uint8Array(0);
  invInitMs = new Float64Array(0);
  /** a SnapStart restore's duration (NaN: none) */
  invRestoreMs = new Float64Array(0);
  /** how its environment was initialized: an index of INITIALIZATION_TYPES */
  invEnvironment = new Uint8Array(0);
  /** the host's wait for a slot (local emulator), ms; 0: none */
  invWaitMs = new Float64Array(0);
  /** function name index + 1 (0: none named) */
  invFunction = new Uint16Array(0);
  /** route of the line that named it */
  invRoute = new Uint16Array(0);
  /** named by a line of the run's connections */
  invWanted = new Uint8Array(0);
  /** free bits for the join (counted once per kind, per stack) */
  invFlags = new Uint8Array(0);

  /** an HTTP or REST API request's ID → its invocation (-1: its line named none) */
  private readonly apiRequests = new Map<string, number>();

  // route keys and function names
  private readonly routeIds = new Map<string, number>();
  readonly routeNames: string[] = [];
  private readonly functionIds = new Map<string, number>();
  readonly functionNames: string[] = [];

  // MESSAGE lines
  msgCount = 0;
  msgConn = new Uint32Array(0);
  msgEpoch = new Float64Array(0);
  msgInv = new Int32Array(0);
  msgRoute = new Uint16Array(0);

  // after seal(): each connection's MESSAGE lines, in requestTimeEpoch order
  /** connection → its first line in `order`; its lines are order[start[c] .. start[c + 1]) */
  start = new Uint32Array(0);
  order = new Uint32Array(0);
  sealed = false;

  constructor(private readonly runId: string) {}

  add(line: AccessLine): void {
    if (this.sealed) throw new Error('access line added after the join began');
    if (line.eventType === 'CONNECT') {
      // only the run's own clients: another run's lines, a browser's, a line without a User-Agent are ignored
      const ua = parseClientUserAgent(line.userAgent, this.runId);
      if (ua === undefined) return;
      this.runConnects++;
      const c = this.conn(line.connectionId);
      const key = clientConnectionKey(ua.client, ua.connection);
      const had = this.byClient.get(key);
      // one client connection, two CONNECT lines: which one it was cannot be known, so neither is used
      this.byClient.set(key, had === undefined ? c : CONN_TWICE);
      const route = this.route(line.routeKey);
      this.connRoute[c] = route;
      this.connInv[c] = line.integrationRequestId === undefined ? -1 : this.inv(line.integrationRequestId, route);
    } else if (line.eventType === 'MESSAGE') {
      const i = this.msgCount++;
      if (i >= this.msgConn.length) {
        this.msgConn = grow(this.msgConn, i + 1);
        this.msgEpoch = grow(this.msgEpoch, i + 1);
        this.msgInv = grow(this.msgInv, i + 1);
        this.msgRoute = grow(this.msgRoute, i + 1);
      }
      const route = this.route(line.routeKey);
      this.msgConn[i] = this.conn(line.connectionId);
      this.msgEpoch[i] = line.requestTimeEpoch;
      this.msgRoute[i] = route;
      this.msgInv[i] = line.integrationRequestId === undefined ? -1 : this.inv(line.integrationRequestId, route);
    }
  }

  /** A line of a publish route's stage, for a publish of the run (the join asks only those): its invocation is wanted. */
  addRequest(line: ApiRequestLine): void {
    if (this.sealed) throw new Error('access line added after the join began');
    const inv = line.integrationRequestId === undefined ? -1 : this.inv(line.integrationRequestId, this.route(line.route));
    if (inv >= 0) this.invWanted[inv] = 1;
    this.apiRequests.set(line.requestId, inv);
  }

  /** The invocation an HTTP or REST API request's line named (-1: none), undefined when no line named the request. */
  requestInv(requestId: string): number | undefined {
    return this.apiRequests.get(requestId);
  }

  /** The connection a client connection's CONNECT line named: CONN_NONE or CONN_TWICE when not one. */
  connOf(client: number, connection: number): number {
    return this.byClient.get(clientConnectionKey(client, connection)) ?? CONN_NONE;
  }

  /** The invocation a request ID names, if a line named it. */
  invOf(requestId: string): number | undefined {
    return this.invIds.get(requestId);
  }

  functionOf(name: string): number {
    let f = this.functionIds.get(name);
    if (f === undefined) {
      f = this.functionNames.length;
      this.functionNames.push(name);
      this.functionIds.set(name, f);
    }
    return f + 1;
  }

  /**
   * Ends the lines: groups each connection's MESSAGE lines in requestTimeEpoch order (a counting
   * sort by connection, then each connection's few lines by time, arrival order kept on ties), and
   * marks the invocations the run's connections named, the only ones whose REPORT lines matter.
   */
  seal(): void {
    if (this.sealed) return;
    this.sealed = true;
    const conns = this.connCount;
    const ours = new Uint8Array(conns);
    for (const c of this.byClient.values()) {
      if (c < 0) continue;
      ours[c] = 1;
      if (this.connInv[c] >= 0) this.invWanted[this.connInv[c]] = 1;
    }
    // a connection named twice keeps its lines out of the wanted set but still groups them
    const start = new Uint32Array(conns + 1);
    for (let i = 0; i < this.msgCount; i++) start[this.msgConn[i] + 1]++;
    for (let c = 0; c < conns; c++) start[c + 1] += start[c];
    const next = start.slice(0, conns);
    const order = new Uint32Array(this.msgCount);
    for (let i = 0; i < this.msgCount; i++) {
      const c = this.msgConn[i];
      order[next[c]++] = i;
      if (ours[c] && this.msgInv[i] >= 0) this.invWanted[this.msgInv[i]] = 1;
    }
    const epoch = this.msgEpoch;
    for (let c = 0; c < conns; c++) {
      const from = start[c];
      const to = start[c + 1];
      if (to - from < 2) continue;
      if (to - from <= 32) {
        // insertion sort: stable, and a connection's lines arrive nearly in order
        for (let i = from + 1; i < to; i++) {
          const v = order[i];
          const t = epoch[v];
          let j = i - 1;
          while (j >= from && epoch[order[j]] > t) {
            order[j + 1] = order[j];
            j--;
          }
          order[j + 1] = v;
        }
      } else {
        const part = Array.from(order.subarray(from, to)).sort((a, b) => epoch[a] - epoch[b] || a - b);
        order.set(part, from);
      }
    }
    this.start = start;
    this.order = order;
  }

  private conn(id: string): number {
    let c = this.connIds.get(id);
    if (c === undefined) {
      c = this.connCount++;
      this.connIds.set(id, c);
      if (c >= this.connInv.length) {
        this.connInv = grow(this.connInv, c + 1);
        this.connRoute = grow(this.connRoute, c + 1);
      }
      this.connInv[c] = -1;
    }
    return c;
  }

  private inv(requestId: string, route: number): number {
    let v = this.invIds.get(requestId);
    if (v === undefined) {
      v = this.invCount++;
      this.invIds.set(requestId, v);
      if (v >= this.invState.length) {
        this.invState = grow(this.invState, v + 1);
        this.invInitMs = grow(this.invInitMs, v + 1);
        this.invRestoreMs = grow(this.invRestoreMs, v + 1);
        this.invEnvironment = grow(this.invEnvironment, v + 1);
        this.invWaitMs = grow(this.invWaitMs, v + 1);
        this.invFunction = grow(this.invFunction, v + 1);
        this.invRoute = grow(this.invRoute, v + 1);
        this.invWanted = grow(this.invWanted, v + 1);
        this.invFlags = grow(this.invFlags, v + 1);
      }
    }
    this.invRoute[v] = route;
    return v;
  }

  private route(key: string): number {
    let r = this.routeIds.get(key);
    if (r === undefined) {
      r = this.routeNames.length;
      this.routeNames.push(key);
      this.routeIds.set(key, r);
    }
    return r;
  }
}
