import type { Results } from '../contracts/results-schema.ts';
import type { ThresholdResult } from '../contracts/verdict-schema.ts';
import { holds } from '../contracts/threshold.ts';
import { LATENCY_METRICS, lookupMetric, readFigure, type Metric } from '../contracts/metric-catalogue.ts';
import { fmtInt, fmtValue } from '../number-format.ts';

/**
 * Whether the local host's held-back invocations are a cause of a crossed latency threshold. The
 * client's figure holds each request's wait for a host slot; the stack's figure (results
 * .attribution.stack, what thresholds judge where the run has it) takes it out, so there the waits
 * cause nothing, except in the requests the run could not trace to an invocation, which count at
 * the client's latency, wait included. The test is the stack's own figure, the traced requests'
 * with their waits taken out: where it stays within the limit and the judged figure did not, the
 * waits made the difference and the limit is the host's; where it crosses too, the stack crossed
 * on its own and the waits are not named. A core the host was too busy to give is in both figures
 * (only slot waits are taken out): that is not weighed here.
 */

/** A latency threshold a run crossed, as its verdict keeps it. */
export type CrossedLatency = Pick<ThresholdResult, 'metric' | 'op' | 'limit'>;

/** What a crossed latency says of the host's held-back waits. */
export interface WaitsInLatency {
  /** the waits are in the judged figure and made it cross (or may have: the stack's own figure is not known) */
  cause: boolean;
  /** why, where the judged figure is more than the client's as timed: said after the host's lines */
  said?: string;
  /** the stack's own figure stayed within the limit: the waits alone crossed it, and nothing in the stack did */
  stackWithin?: true;
}

export type LatencyName = keyof typeof LATENCY_METRICS;
export type Kind = 'connect' | 'answer' | 'broadcast';

/** The attribution's request kind each latency is timed on (fan-out completion: the deliveries'). */
export const KIND_OF: Record<LatencyName, Kind> = {
  connect: 'connect',
  connectCold: 'connect',
  connectWarm: 'connect',
  join: 'answer',
  ack: 'answer',
  broadcast: 'broadcast',
  broadcastCold: 'broadcast',
  broadcastWarm: 'broadcast',
  fanoutCompletion: 'broadcast',
};
export const KIND_WORDS: Record<Kind, string> = { connect: 'connects', answer: 'answers', broadcast: 'deliveries' };
/** Split cold against warm: only traced requests are in them. */
const TRACED_ONLY = new Set<LatencyName>(['connectCold', 'connectWarm', 'broadcastCold', 'broadcastWarm']);

export const CLIENT_PREFIX = 'client.';

export function waitsInLatency(r: Results, t: CrossedLatency): WaitsInLatency {
  const asTimed = { cause: true };
  const client = t.metric.startsWith(CLIENT_PREFIX);
  const [l, stat] = (client ? t.metric.slice(CLIENT_PREFIX.length) : t.metric).split('.') as [string, string | undefined];
  // not a latency with a stack figure (a function's Duration, a count): as before, as timed
  if (!Object.hasOwn(LATENCY_METRICS, l) || stat === undefined || stat === 'count' || t.limit === null) return asTimed;
  const m = lookupMetric(`${l}.${stat}`);
  if ('problem' in m || m.figures?.of(r) !== 'stack') return asTimed;
  const own = ownStackFigure(r, m, l as LatencyName, stat);
  const untraced = untracedOf(r, KIND_OF[l as LatencyName]);
  // the judged figure was the stack's with untraced requests at the client's latency: how the waits are still in it
  const through = !client && untraced.n > 0
    ? `${fmtInt(untraced.n)} of ${fmtInt(untraced.of)} ${KIND_WORDS[KIND_OF[l as LatencyName]]} could not be traced to their invocation and count in the stack's figure at the client's latency, wait included`
    : undefined;
  if (own === undefined) return through ? { cause: true, said: through } : asTimed;
  if (!holds(own.value, t.op, t.limit)) return { cause: false };
  const whose = own.tracedOnly ? `the traced ${KIND_WORDS[KIND_OF[l as LatencyName]]}' own ${m.label}` : `the stack's own ${m.label}`;
  const within = `${whose} ${fmtValue(own.value, m.unit)} is within the limit (${t.op} ${fmtValue(t.limit, m.unit)}): the host's waits crossed it, not the stack`;
  return { cause: true, said: through ? `${through}; ${within}` : within, stackWithin: true };
}

/** The requests of a kind the run could not trace to an invocation, and of how many (the whole run's where the kind has no split). */
function untracedOf(r: Results, kind: Kind): { n: number; of: number } {
  const a = r.attribution;
  const split = a?.[kind];
  if (split) return { n: split.unattributed, of: split.all.count };
  return { n: a?.requests.unattributed ?? 0, of: a?.requests.timed ?? 0 };
}

/**
 * The stack's figure of the traced requests alone, host waits taken out: the judged stack figure
 * where every request of its kind was traced (or it is a cold/warm split, traced by definition);
 * for p99 of connects and deliveries, the attribution's own p99 of the traced ones; else unknown.
 */
function ownStackFigure(r: Results, m: Metric, l: LatencyName, stat: string): { value: number; tracedOnly: boolean } | undefined {
  const kind = KIND_OF[l];
  const untraced = untracedOf(r, kind).n;
  if (untraced === 0 || TRACED_ONLY.has(l)) {
    const x = readFigure(m, r, 'stack');
    return 'value' in x ? { value: x.value, tracedOnly: false } : undefined;
  }
  const p99 = (l === 'connect' || l === 'broadcast') && stat === 'p99' ? r.attribution?.[kind]?.stack?.p99Ms : undefined;
  return p99 === undefined || p99 === null ? undefined : { value: p99, tracedOnly: true };
}
