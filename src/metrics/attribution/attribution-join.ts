import { INITIALIZATION_TYPES, type Attribution, type InitializationType } from '../../contracts/attribution-schema.ts';
import type { TracedCompletions, TracedDeliveries, TracedPublishes, TracedRequests } from '../measurement/request-trace.ts';
import { FRAME_JOIN, FRAME_SEND, TRACE_CONNECT, TRACE_FRAME } from '../measurement/trace-records.ts';
import { AccessLineStore, CONN_TWICE, INV_COLD, INV_NO_REPORT, INV_WARM } from './access-line-store.ts';
import type { AccessLine, ApiRequestLine } from './access-log-format.ts';
import { ANSWER_ACK, ANSWER_JOIN, ANSWER_OTHER, AttributionTally, KIND_ANSWER, KIND_BROADCAST, KIND_CONNECT, KIND_PUBLISH } from './attribution-tally.ts';
import {
  R_DROPPED,
  R_LINES_NOT_FRAMES,
  R_NO_CONNECT_LINE,
  R_NO_INTEGRATION,
  R_NO_PUBLISH_LINE,
  R_NO_REPORT,
  R_NO_RUN_USER_AGENT,
  R_NO_SEND_FRAME,
  R_TIED,
  R_TWO_CONNECT_LINES,
} from './unattributed-reasons.ts';

/**
 * Every request the clients timed, traced to the Lambda invocation that served it: the run's own
 * trace (trace-records.ts) joined with API Gateway's access log and the functions' REPORT lines.
 *
 * A CONNECT line's User-Agent names the client connection behind a connection ID; on that
 * connection the MESSAGE lines in requestTimeEpoch order are the client's frames in wire order;
 * each line's `integration.requestId` is its invocation, whose REPORT line says cold or warm. A
 * delivery goes to the invocation that handled its message. Whatever cannot be traced this way
 * is counted under its reason and never guessed. A publish through a stage of the stack's own
 * HTTP or REST API goes to the invocation its stage's line names, found by the API's request ID its
 * answer carried, and so do its deliveries.
 *
 * Feed it in order: every access line of the window (`addAccessLine`), then the REPORT facts of
 * the invocations it `wants`, then (local emulator) the host's waits, then `finish`.
 */
export interface JoinOptions {
  runId: string;
  source: { accessLog: 'use' | 'enable'; logGroup: string };
  /** route key → function name, where the target names them */
  routeFunctions?: Record<string, string>;
  /** local emulator: take host waits out */
  local: boolean;
  /** the run's start and end (epoch ms): the stack's latency over time is stepped over it (local emulator) */
  window?: { startMs: number; endMs: number };
  /** the publishes through a stage of the stack's own API, given where that stage's log is read */
  publishes?: TracedPublishes;
}

export interface InvocationFacts {
  /** it paid a cold start on the request path: an INIT, or a SnapStart restore */
  cold: boolean;
  initDurationMs?: number;
  /** a SnapStart environment restored for it (its REPORT's Restore Duration) */
  restoreDurationMs?: number;
  functionName?: string;
  /** how its environment was initialized (default on demand) */
  environment?: InitializationType;
}

const TWO_32 = 2 ** 32;

export class AttributionJoin {
  private readonly lines: AccessLineStore;
  private readonly publishIds: Set<string>;

  constructor(
    private readonly requests: TracedRequests,
    private readonly deliveries: TracedDeliveries,
    private readonly completions: TracedCompletions,
    private readonly o: JoinOptions,
  ) {
    this.lines = new AccessLineStore(o.runId);
    this.publishIds = new Set(o.publishes?.apiRequestId);
  }

  /** A line of a publish route's stage, any order: lines of requests that are not the run's publishes are ignored. */
  addRequestLine(line: ApiRequestLine): void {
    if (this.publishIds.has(line.requestId)) this.lines.addRequest(line);
  }

  /** Every line of the window, any order, any run's: lines of other runs (or without the run's User-Agent) are ignored. */
  addAccessLine(line: AccessLine): void {
    this.lines.add(line);
  }

  /** After the access lines: is this invocation one a line of the run's connections named? */
  wants(requestId: string): boolean {
    const inv = this.invOf(requestId);
    return inv !== undefined && this.lines.invWanted[inv] === 1;
  }

  /** An invocation's REPORT line: cold (it has an Init Duration or a Restore Duration) or warm. */
  addInvocation(requestId: string, facts: InvocationFacts): void {
    const inv = this.invOf(requestId);
    if (inv === undefined) return;
    this.lines.invState[inv] = facts.cold ? INV_COLD : INV_WARM;
    this.lines.invInitMs[inv] = facts.initDurationMs ?? Number.NaN;
    this.lines.invRestoreMs[inv] = facts.restoreDurationMs ?? Number.NaN;
    this.lines.invEnvironment[inv] = INITIALIZATION_TYPES.indexOf(facts.environment ?? 'on-demand');
    if (facts.functionName !== undefined) this.lines.invFunction[inv] = this.lines.functionOf(facts.functionName);
  }

  /** The emulator's host-wait line for an invocation (local only): how long the host held it back. */
  addHostWait(requestId: string, hostWaitMs: number): void {
    const inv = this.invOf(requestId);
    if (inv === undefined || !(hostWaitMs > 0)) return;
    this.lines.invWaitMs[inv] = Math.max(this.lines.invWaitMs[inv], hostWaitMs);
  }

  finish(): { attribution: Attribution; histograms: Record<string, string> } {
    const lines = this.lines;
    lines.seal();
    const req = this.requests;
    const tally = new AttributionTally(lines, this.o.local, this.o.window);
    tally.untraced(R_DROPPED, req.dropped + this.deliveries.dropped);

    // Each row's connection (or −1 − why it has none), and each connection's frames.
    const rowConn = new Int32Array(req.count);
    const frames = new Uint32Array(lines.connCount);
    const lastFrame = new Uint32Array(lines.connCount);
    // a run none of whose CONNECT lines carried its User-Agent says so, rather than "no line" per connection
    const noConnect = -1 - (lines.runConnects === 0 ? R_NO_RUN_USER_AGENT : R_NO_CONNECT_LINE);
    for (let i = 0; i < req.count; i++) {
      const c = lines.connOf(req.client[i], req.connection[i]);
      rowConn[i] = c >= 0 ? c : c === CONN_TWICE ? -1 - R_TWO_CONNECT_LINES : noConnect;
      if (c >= 0 && req.kind[i] === TRACE_FRAME) {
        frames[c]++;
        if (req.frame[i] > lastFrame[c]) lastFrame[c] = req.frame[i];
      }
    }
    const tied = this.tiedLines();

    // Connects and frames: each to its line's invocation. Send frames are kept by message key for their deliveries.
    const rowInv = new Int32Array(req.count);
    const sendRow = new Map<number, number>();
    for (let i = 0; i < req.count; i++) {
      const c = rowConn[i];
      let inv: number;
      if (c < 0) inv = c;
      else if (req.kind[i] === TRACE_CONNECT) inv = this.invocation(lines.connInv[c]);
      else {
        const count = lines.start[c + 1] - lines.start[c];
        const n = req.frame[i];
        // the n-th MESSAGE line is frame n only where the connection's lines and frames are as many
        if (count !== frames[c] || lastFrame[c] !== count || n < 1) inv = -1 - R_LINES_NOT_FRAMES;
        else {
          const m = lines.order[lines.start[c] + n - 1];
          inv = tied[m] === 1 ? -1 - R_TIED : this.invocation(lines.msgInv[m]);
        }
      }
      rowInv[i] = inv;
      const kind = req.kind[i];
      if (kind === TRACE_FRAME && req.what[i] === FRAME_SEND && req.slot[i] >= 0) sendRow.set(req.shard[i] * TWO_32 + req.slot[i], i);
      const done = req.doneMs[i];
      if (done <= 0) continue;
      const clientUs = (done - req.intendedMs[i]) * 1000;
      if (kind === TRACE_CONNECT) tally.request(KIND_CONNECT, ANSWER_OTHER, clientUs, req.intendedMs[i], inv);
      else if (kind === TRACE_FRAME) {
        const what = req.what[i];
        tally.request(KIND_ANSWER, what === FRAME_JOIN ? ANSWER_JOIN : what === FRAME_SEND ? ANSWER_ACK : ANSWER_OTHER, clientUs, req.intendedMs[i], inv);
      }
    }

    // Publishes: each to the invocation its stage's line names, kept by message key for their deliveries.
    const pub = this.o.publishes;
    const publishRow = new Map<number, number>();
    const publishInv = new Int32Array(pub?.count ?? 0);
    if (pub) {
      tally.untraced(R_DROPPED, pub.dropped);
      for (let i = 0; i < pub.count; i++) {
        const line = lines.requestInv(pub.apiRequestId[i]!);
        publishInv[i] = line === undefined ? -1 - R_NO_PUBLISH_LINE : this.invocation(line);
        publishRow.set(pub.messageKey[i]!, i);
        tally.request(KIND_PUBLISH, ANSWER_OTHER, pub.latencyUs[i]!, pub.intendedMs[i]!, publishInv[i]);
      }
    }

    // Deliveries: to the invocation that handled their message (its send frame's, or its publish's), the first hop only.
    const del = this.deliveries;
    for (let i = 0; i < del.count; i++) {
      const key = del.messageKey[i];
      const row = sendRow.get(key);
      const p = row === undefined ? publishRow.get(key) : undefined;
      if (row !== undefined) tally.request(KIND_BROADCAST, ANSWER_OTHER, del.latencyUs[i], req.intendedMs[row], rowInv[row]);
      else if (p !== undefined) tally.request(KIND_BROADCAST, ANSWER_OTHER, del.latencyUs[i], pub!.intendedMs[p]!, publishInv[p]);
      else tally.request(KIND_BROADCAST, ANSWER_OTHER, del.latencyUs[i], Number.NaN, -1 - R_NO_SEND_FRAME);
    }
    if (this.o.local) {
      const comp = this.completions;
      for (let i = 0; i < comp.count; i++) {
        const row = sendRow.get(comp.messageKey[i]);
        const p = row === undefined ? publishRow.get(comp.messageKey[i]) : undefined;
        tally.completion(comp.completionUs[i], row !== undefined ? rowInv[row] : p !== undefined ? publishInv[p] : -1);
      }
    }
    return tally.finish(this.o.source, this.o.routeFunctions);
  }

  // `wants(id)` then `addInvocation(id)`: the second finds the first's answer without hashing the ID again
  private lastId: string | undefined;
  private lastInv: number | undefined;

  private invOf(requestId: string): number | undefined {
    this.lines.seal();
    if (requestId !== this.lastId) {
      this.lastId = requestId;
      this.lastInv = this.lines.invOf(requestId);
    }
    return this.lastInv;
  }

  /** A line's invocation, or −1 − why it has none. */
  private invocation(inv: number): number {
    if (inv < 0) return -1 - R_NO_INTEGRATION;
    if (this.lines.invState[inv] === INV_NO_REPORT) return -1 - R_NO_REPORT;
    return inv;
  }

  /**
   * MESSAGE lines that share a requestTimeEpoch on their connection cannot be put in wire order.
   * Where the tied lines' invocations say the same (cold or warm, route, function, host wait) the
   * order changes nothing; where they differ, every tied line is left unattributed.
   */
  private tiedLines(): Uint8Array {
    const lines = this.lines;
    const tied = new Uint8Array(lines.msgCount);
    const { start, order, msgEpoch, msgInv, msgRoute } = lines;
    const local = this.o.local;
    const same = (a: number, b: number) => {
      const ia = msgInv[a];
      const ib = msgInv[b];
      if (msgRoute[a] !== msgRoute[b] || (ia < 0) !== (ib < 0)) return false;
      if (ia < 0) return true;
      return (
        lines.invState[ia] === lines.invState[ib] &&
        lines.invFunction[ia] === lines.invFunction[ib] &&
        (!local || lines.invWaitMs[ia] === lines.invWaitMs[ib])
      );
    };
    for (let c = 0; c < lines.connCount; c++) {
      const to = start[c + 1];
      for (let i = start[c]; i + 1 < to; ) {
        let j = i + 1;
        while (j < to && msgEpoch[order[j]] === msgEpoch[order[i]]) j++;
        if (j - i > 1) {
          let differ = false;
          for (let k = i + 1; k < j && !differ; k++) differ = !same(order[i], order[k]);
          if (differ) for (let k = i; k < j; k++) tied[order[k]] = 1;
        }
        i = j;
      }
    }
    return tied;
  }
}
