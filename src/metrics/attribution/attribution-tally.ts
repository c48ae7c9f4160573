import { COLD_POINTS_MAX, INITIALIZATION_TYPES, REQUEST_KINDS, type Attribution, type RouteColdStarts, type StackLatency } from '../../contracts/attribution-schema.ts';
import { encodeHistogram, newHistogram, type Histogram } from '../measurement/histogram.ts';
import { summarize } from '../measurement/latency-summary.ts';
import { INV_COLD, type AccessLineStore } from './access-line-store.ts';
import { LatencySteps, stepsOf } from './latency-steps.ts';
import { coldWarmSplit, tailFigures } from './cold-warm-split.ts';
import { SlowestCold } from './slowest-cold.ts';
import { WHY } from './unattributed-reasons.ts';

/**
 * What the join adds up, one timed request at a time, into histograms (never arrays of samples):
 * per request kind all / cold / warm, per route and kind cold / warm and the cold invocations'
 * Init Duration, the reasons for what it could not attribute, the slowest cold requests, and
 * (local emulator) each latency with the serving invocation's host wait taken out.
 */

export const KIND_CONNECT = 0;
export const KIND_ANSWER = 1;
export const KIND_BROADCAST = 2;
/** a publish through a stage of the stack's own HTTP or REST API (its call, publish → the API's answer) */
export const KIND_PUBLISH = 3;
/** REQUEST_KINDS' indexes */
const KINDS = REQUEST_KINDS;

/** An answer's frame, for the stack's join and ack figures. */
export const ANSWER_OTHER = 0;
export const ANSWER_JOIN = 1;
export const ANSWER_ACK = 2;

/** invFlags bits: an invocation's Init Duration counted for kind k (1 << k); counted among the stack's invocations. */
const FLAG_STACK = 1 << KINDS.length;

const STACK_FIGURES = ['connect', 'join', 'ack', 'broadcast', 'fanoutCompletion', 'connectCold', 'connectWarm', 'broadcastCold', 'broadcastWarm'] as const;
type StackFigure = (typeof STACK_FIGURES)[number];

interface RouteTally {
  route: number;
  kind: number;
  cold: Histogram;
  warm: Histogram;
  init: Histogram;
  /** of the cold requests, those a SnapStart restore served, and the restores' durations (each invocation once) */
  restored: number;
  restore: Histogram;
  /** by INITIALIZATION_TYPES index: the requests each kind of environment served, and of them the cold */
  served: [number, number, number];
  coldServed: [number, number, number];
  /** local emulator: the same, of the stack's latency */
  stackCold: Histogram | undefined;
  stackWarm: Histogram | undefined;
  functionIndex: number;
}

const us = (ms: number) => Math.max(0, Math.round(ms * 1000));

export class AttributionTally {
  // every timed request is in one of these three; `all` is their sum, made once at the end
  private readonly unattributedH = KINDS.map(() => newHistogram());
  private readonly cold = KINDS.map(() => newHistogram());
  private readonly warm = KINDS.map(() => newHistogram());
  private readonly timed = KINDS.map(() => 0);
  private readonly unattributed = KINDS.map(() => 0);
  private readonly why = new Float64Array(WHY.length);
  private readonly routes = new Map<number, RouteTally>();
  private readonly slowest = new SlowestCold(COLD_POINTS_MAX);
  private readonly stack: Record<StackFigure, Histogram> | undefined;
  /** local emulator: per kind, the stack's latency split as the client's is (cold, warm, not attributed) */
  private readonly stackSplit: { cold: Histogram[]; warm: Histogram[]; unattributed: Histogram[] } | undefined;
  private readonly wait = newHistogram();
  private stackInvocations = 0;
  private heldBack = 0;
  private attributedDeliveries = 0;
  /** local emulator, given the run's window: the stack's connect and broadcast latency over time */
  private readonly overTime: { startMs: number; connect: LatencySteps; broadcast: LatencySteps } | undefined;

  constructor(
    private readonly lines: AccessLineStore,
    private readonly local: boolean,
    window?: { startMs: number; endMs: number },
  ) {
    this.stack = local ? (Object.fromEntries(STACK_FIGURES.map((f) => [f, newHistogram()])) as Record<StackFigure, Histogram>) : undefined;
    const perKind = () => KINDS.map(() => newHistogram());
    this.stackSplit = local ? { cold: perKind(), warm: perKind(), unattributed: perKind() } : undefined;
    if (local && window) {
      const { stepMs, count } = stepsOf(window);
      this.overTime = { startMs: window.startMs, connect: new LatencySteps(window.startMs, stepMs, count), broadcast: new LatencySteps(window.startMs, stepMs, count) };
    }
  }

  /** Requests the run timed but cannot place (the trace store's bound): counted, never split. */
  untraced(reason: number, n: number): void {
    this.why[reason] += n;
  }

  /**
   * One timed request: its kind, its client latency (µs), when it was intended, and the
   * invocation that served it, or (below 0) −1 − the reason it has none.
   */
  request(kind: number, answer: number, clientUs: number, atMs: number, inv: number): void {
    const v = Math.max(0, Math.round(clientUs));
    this.timed[kind]++;
    const lines = this.lines;
    let waitMs = 0;
    let cold = false;
    let r: RouteTally | undefined;
    if (inv < 0) {
      // never labelled warm: counted apart, under its reason
      this.unattributed[kind]++;
      this.unattributedH[kind].recordValue(v);
      this.why[-1 - inv]++;
    } else {
      cold = lines.invState[inv] === INV_COLD;
      (cold ? this.cold : this.warm)[kind].recordValue(v);
      if (kind === KIND_BROADCAST) this.attributedDeliveries++;
      const route = lines.invRoute[inv];
      r = this.routeTally(route, kind);
      (cold ? r.cold : r.warm).recordValue(v);
      if (r.functionIndex === 0 && lines.invFunction[inv] !== 0) r.functionIndex = lines.invFunction[inv];
      const restored = cold && Number.isFinite(lines.invRestoreMs[inv]);
      if (restored) r.restored++;
      const environment = lines.invEnvironment[inv]!;
      r.served[environment]!++;
      if (cold) r.coldServed[environment]!++;
      // the cold invocations' Init (or Restore) Duration, each invocation once per route and kind (a message's many deliveries, one INIT)
      const bit = 1 << kind;
      if (cold && (lines.invFlags[inv] & bit) === 0) {
        lines.invFlags[inv] |= bit;
        if (Number.isFinite(lines.invInitMs[inv])) r.init.recordValue(us(lines.invInitMs[inv]));
        if (restored) r.restore.recordValue(us(lines.invRestoreMs[inv]));
      }
      if (cold) this.slowest.offer(v, atMs, kind, route);
      waitMs = lines.invWaitMs[inv];
    }
    const stack = this.stack;
    if (stack === undefined) return;
    if (inv >= 0 && (lines.invFlags[inv] & FLAG_STACK) === 0) {
      lines.invFlags[inv] |= FLAG_STACK;
      this.stackInvocations++;
      if (waitMs > 0) {
        this.heldBack++;
        this.wait.recordValue(us(waitMs));
      }
    }
    // the stack's latency: the client's less the serving invocation's wait for a host slot, never
    // below 0 nor above the client's (a request not traced to an invocation keeps the client's)
    const own = Math.min(v, Math.max(0, v - us(waitMs)));
    const split = this.stackSplit!;
    if (inv < 0) split.unattributed[kind].recordValue(own);
    else {
      (cold ? split.cold : split.warm)[kind].recordValue(own);
      (cold ? r!.stackCold : r!.stackWarm)!.recordValue(own);
    }
    if (kind === KIND_CONNECT) {
      stack.connect.recordValue(own);
      if (inv >= 0) (cold ? stack.connectCold : stack.connectWarm).recordValue(own);
      // placed when it completed, as the client's intervals place it
      this.overTime?.connect.record(atMs + v / 1000, own);
    } else if (kind === KIND_BROADCAST) {
      stack.broadcast.recordValue(own);
      if (inv >= 0) (cold ? stack.broadcastCold : stack.broadcastWarm).recordValue(own);
      this.overTime?.broadcast.record(atMs + v / 1000, own);
    } else if (answer === ANSWER_JOIN) stack.join.recordValue(own);
    else if (answer === ANSWER_ACK) stack.ack.recordValue(own);
  }

  /** A message's fan-out completion (µs), less the wait of the invocation that handled the message (local emulator). */
  completion(completionUs: number, inv: number): void {
    if (this.stack === undefined) return;
    const v = Math.max(0, Math.round(completionUs));
    const waitMs = inv >= 0 ? this.lines.invWaitMs[inv] : 0;
    this.stack.fanoutCompletion.recordValue(Math.min(v, Math.max(0, v - us(waitMs))));
  }

  finish(source: { accessLog: 'use' | 'enable'; logGroup: string }, routeFunctions: Record<string, string> | undefined): { attribution: Attribution; histograms: Record<string, string> } {
    const lines = this.lines;
    const why: Record<string, number> = {};
    let unattributed = 0;
    WHY.forEach((reason, i) => {
      if (this.why[i] > 0) why[reason] = this.why[i];
      unattributed += this.why[i];
    });
    const timed = this.timed.reduce((a, b) => a + b, 0) + this.why[0];
    const attribution: Attribution = {
      source: 'access-log',
      accessLog: source.accessLog,
      logGroup: source.logGroup,
      requests: { timed, attributed: timed - unattributed, unattributed, why },
      routes: this.routeRows(routeFunctions),
      coldPoints: this.slowest.points().map((p) => ({ kind: KINDS[p.kind], at: p.atMs, ms: p.us / 1000, route: lines.routeNames[p.route] })),
      notes: [],
    };
    const all = KINDS.map((_, k) => {
      const h = newHistogram();
      h.add(this.unattributedH[k]);
      h.add(this.cold[k]);
      h.add(this.warm[k]);
      return h;
    });
    const split = this.stackSplit;
    KINDS.forEach((kind, k) => {
      if (this.timed[k] === 0) return;
      const figures = coldWarmSplit(all[k], this.cold[k], this.warm[k], this.unattributed[k]);
      if (split !== undefined) {
        const stackAll = newHistogram();
        for (const h of [split.unattributed[k], split.cold[k], split.warm[k]]) stackAll.add(h);
        figures.stack = coldWarmSplit(stackAll, split.cold[k], split.warm[k], this.unattributed[k]);
        stackAll.destroy();
      }
      attribution[kind] = figures;
    });
    if (this.attributedDeliveries > 0) attribution.notes.push('deliveries attributed to the invocation that handled their message (first hop only)');
    const histograms: Record<string, string> = {};
    const keep = (name: string, h: Histogram) => {
      const e = encodeHistogram(h);
      if (e !== null) histograms[name] = e;
    };
    KINDS.forEach((kind, k) => {
      keep(`attribution.${kind}`, all[k]);
      keep(`attribution.${kind}.cold`, this.cold[k]);
      keep(`attribution.${kind}.warm`, this.warm[k]);
    });
    if (this.stack !== undefined) {
      const stack: StackLatency = { heldBack: this.heldBack, invocations: this.stackInvocations };
      for (const f of STACK_FIGURES) {
        if (this.stack[f].totalCount > 0) stack[f] = summarize(this.stack[f]);
        keep(`stack.${f}`, this.stack[f]);
      }
      if (this.wait.totalCount > 0) stack.wait = summarize(this.wait);
      keep('stack.wait', this.wait);
      const t = this.overTime;
      if (t) stack.overTime = { startMs: t.startMs, stepMs: t.connect.stepMs, connect: t.connect.summaries(), broadcast: t.broadcast.summaries() };
      attribution.stack = stack;
      attribution.notes.push(
        unattributed > 0
          ? "stack latency: each request's client latency less its invocation's wait for a host slot; requests not traced to an invocation count at the client's latency"
          : "stack latency: each request's client latency less its invocation's wait for a host slot",
      );
    }
    return { attribution, histograms };
  }

  private routeTally(route: number, kind: number): RouteTally {
    const key = route * KINDS.length + kind;
    let r = this.routes.get(key);
    if (r === undefined) {
      const local = this.stackSplit !== undefined;
      r = { route, kind, cold: newHistogram(), warm: newHistogram(), init: newHistogram(), restored: 0, restore: newHistogram(), served: [0, 0, 0], coldServed: [0, 0, 0], stackCold: local ? newHistogram() : undefined, stackWarm: local ? newHistogram() : undefined, functionIndex: 0 };
      this.routes.set(key, r);
    }
    return r;
  }

  private routeRows(routeFunctions: Record<string, string> | undefined): RouteColdStarts[] {
    const names = this.lines.routeNames;
    return [...this.routes.values()]
      .sort((a, b) => a.kind - b.kind || names[a.route].localeCompare(names[b.route]))
      .map((r): RouteColdStarts => {
        const route = names[r.route];
        const attributed = r.cold.totalCount + r.warm.totalCount;
        const functionName = routeFunctions?.[route] ?? (r.functionIndex > 0 ? this.lines.functionNames[r.functionIndex - 1] : undefined);
        const tail = tailFigures(r.cold, r.warm);
        return {
          route,
          kind: KINDS[r.kind],
          ...(functionName !== undefined ? { functionName } : {}),
          attributed,
          cold: r.cold.totalCount,
          coldRate: attributed > 0 ? r.cold.totalCount / attributed : null,
          coldP50Ms: r.cold.totalCount > 0 ? summarize(r.cold).p50 : null,
          warmP50Ms: r.warm.totalCount > 0 ? summarize(r.warm).p50 : null,
          penaltyMs: tail.penaltyMs,
          initP50Ms: r.init.totalCount > 0 ? summarize(r.init).p50 : null,
          ...(r.restored > 0 ? { restored: r.restored, restoreP50Ms: summarize(r.restore).p50 } : {}),
          environments: Object.fromEntries(INITIALIZATION_TYPES.flatMap((type, i) => (r.served[i]! > 0 ? [[type, { served: r.served[i]!, cold: r.coldServed[i]! }]] : []))),
          tailColdShare: tail.tailColdShare,
          p99Ms: tail.p99Ms,
          p99WithoutColdMs: tail.p99WithoutColdMs,
          ...(r.stackCold !== undefined && r.stackWarm !== undefined ? { stack: stackRow(r.stackCold, r.stackWarm) } : {}),
        };
      });
  }
}

/** A route's figures of the stack's latency (local emulator). */
function stackRow(cold: Histogram, warm: Histogram): NonNullable<RouteColdStarts['stack']> {
  return {
    coldP50Ms: cold.totalCount > 0 ? summarize(cold).p50 : null,
    warmP50Ms: warm.totalCount > 0 ? summarize(warm).p50 : null,
    ...tailFigures(cold, warm),
  };
}
