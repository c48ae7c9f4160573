import { REQUEST_KINDS, type Attribution, type RouteColdStarts } from '../../contracts/attribution-schema.ts';
import type { LatencySummary, Results } from '../../contracts/results-schema.ts';

/**
 * What a run's page says about its latency against its invocations, computed once from the
 * results so that the console, summary.md and index.html render the same facts: which figure
 * leads (the stack's, host waits taken out, where the local host held anything back), the host's
 * hold, and cold against warm per request kind and per route. Pure; it shows what the run
 * measured and decides nothing.
 */

/** Which latency a figure is: the stack's (host waits taken out) or what the clients saw. */
export type Figure = 'stack' | 'client';
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** One latency as the page leads with it: the stack's first where the host held anything back, else the client's alone. */
export interface LatencyFigures {
  key: 'connect' | 'broadcast' | 'fanoutCompletion' | 'ack' | 'join';
  label: string;
  client: LatencySummary;
  /** present only where the host held something back (where it held nothing, the two are equal and one is shown) */
  stack?: LatencySummary;
}

/** The local host's hold on the invocations that served timed requests (attribution.stack). */
export interface HostHold {
  heldBack: number;
  invocations: number;
  /** the held-back invocations' waits */
  wait?: LatencySummary;
}

/** One request kind split by the invocation that served each request. */
export interface ColdWarmRow {
  kind: RequestKind;
  /** which latency the all/cold/warm summaries are: the stack's where the run has them split (like with like) */
  figure: Figure;
  all?: LatencySummary;
  cold?: LatencySummary;
  warm?: LatencySummary;
  /** cold p50 − warm p50 of the figures above */
  penaltyMs: number | null;
  /** timed requests not traced to an invocation: never counted warm */
  unattributed: number;
  /** the tail, of the same figure's latency of the traced requests */
  tailColdShare: number | null;
  p99Ms: number | null;
  p99WithoutColdMs: number | null;
}

/** A route's figures, of the latency `figure` names (its counts and Init Duration are the same either way). */
export type RouteRow = Omit<RouteColdStarts, 'stack'> & { figure: Figure };

export interface ColdWarmModel {
  source: Attribution['source'];
  accessLog?: Attribution['accessLog'];
  logGroup?: string;
  rows: ColdWarmRow[];
  /** per route, of the stack's latency where the run has it split (`figure`), else the client's */
  routes: RouteRow[];
  /** requests timed, traced, and why not the rest (largest reason first) */
  requests: { timed: number; attributed: number; unattributed: number; why: Array<[reason: string, requests: number]> };
  notes: string[];
  /** cold requests drawn on the latency-over-time charts, by kind */
  coldPoints: Record<RequestKind, number>;
}

export interface AttributionModel {
  /** the local host's hold (local emulator runs whose waits were read) */
  host?: HostHold;
  /** the host held something back: every headline figure gives the stack's first, the client's beside it */
  stackFirst: boolean;
  /** connect, broadcast, fan-out completion: the headline */
  headline: LatencyFigures[];
  /** the headline's and then the answers' latencies (ack, join), as the latency tables list them */
  latencies: LatencyFigures[];
  /** absent: results without attribution (older ones); the page then shows metrics.connectCold etc. as it always did */
  coldWarm?: ColdWarmModel;
}

const LABELS: Record<LatencyFigures['key'], string> = {
  connect: 'connect',
  broadcast: 'broadcast',
  fanoutCompletion: 'fan-out completion',
  ack: 'send ack',
  join: 'join',
};

export function attributionModel(r: Results): AttributionModel {
  const a = r.attribution;
  const stack = a?.stack;
  const host = stack ? { heldBack: stack.heldBack, invocations: stack.invocations, ...(stack.wait ? { wait: stack.wait } : {}) } : undefined;
  // where the host held nothing back the stack's figures equal the client's: one figure is shown
  const stackFirst = (stack?.heldBack ?? 0) > 0;
  const latencies = (['connect', 'broadcast', 'fanoutCompletion', 'ack', 'join'] as const).flatMap((key): LatencyFigures[] => {
    const client = r.metrics[key];
    if (!client) return [];
    const own = stackFirst ? stack?.[key] : undefined;
    return [{ key, label: LABELS[key], client, ...(own ? { stack: own } : {}) }];
  });
  return {
    ...(host ? { host } : {}),
    stackFirst,
    headline: latencies.filter((l) => l.key === 'connect' || l.key === 'broadcast' || l.key === 'fanoutCompletion'),
    latencies,
    ...(a ? { coldWarm: coldWarmModel(a, stackFirst) } : {}),
  };
}

function coldWarmModel(a: Attribution, stackFirst: boolean): ColdWarmModel {
  // like with like: where the host held anything back, the stack's cold against the stack's warm
  const rows = REQUEST_KINDS.flatMap((kind): ColdWarmRow[] => {
    const split = a[kind];
    if (!split) return [];
    const useStack = stackFirst && split.stack !== undefined;
    const f = useStack ? split.stack! : split;
    return [
      {
        kind,
        figure: useStack ? 'stack' : 'client',
        all: f.all,
        ...(f.cold ? { cold: f.cold } : {}),
        ...(f.warm ? { warm: f.warm } : {}),
        penaltyMs: f.penaltyMs,
        unattributed: split.unattributed,
        tailColdShare: f.tailColdShare,
        p99Ms: f.p99Ms,
        p99WithoutColdMs: f.p99WithoutColdMs,
      },
    ];
  });
  const routes = a.routes.map(({ stack, ...client }): RouteRow => (stackFirst && stack ? { ...client, ...stack, figure: 'stack' } : { ...client, figure: 'client' }));
  const coldPoints: Record<RequestKind, number> = { connect: 0, answer: 0, broadcast: 0, publish: 0 };
  for (const p of a.coldPoints) coldPoints[p.kind]++;
  return {
    source: a.source,
    ...(a.accessLog ? { accessLog: a.accessLog } : {}),
    ...(a.logGroup ? { logGroup: a.logGroup } : {}),
    rows,
    routes,
    requests: {
      timed: a.requests.timed,
      attributed: a.requests.attributed,
      unattributed: a.requests.unattributed,
      why: Object.entries(a.requests.why)
        .filter(([, n]) => n > 0)
        .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])),
    },
    notes: a.notes,
    coldPoints,
  };
}
