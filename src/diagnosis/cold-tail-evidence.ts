import type { ColdWarmCore } from '../contracts/attribution-schema.ts';
import type { Results } from '../contracts/results-schema.ts';
import { holds } from '../contracts/threshold.ts';
import { LATENCY_METRICS, lookupMetric } from '../contracts/metric-catalogue.ts';
import { fmtInt, fmtMs, fmtShare } from '../number-format.ts';
import { CLIENT_PREFIX, KIND_OF, KIND_WORDS, type CrossedLatency, type Kind, type LatencyName } from './local-host-waits.ts';

/**
 * Cold starts as the cause of a latency's tail: where most of the slowest 1 % of a kind of request
 * (connects, answers, deliveries) were served by a cold invocation (results.attribution, every
 * request traced to its invocation), a crossed p99, p99.9 or max of that kind is theirs. The
 * console's cold/warm block said it while the verdict's why said nothing explained the crossing.
 * Read on the figure the threshold judged (the stack's, host waits taken out, or the client's);
 * a latency judged as the clients timed it (no threshold) on every kind, the client's figure. A p50 or p90 is not the tail's: no line.
 */

/** At least this share of the slowest 1 % cold: the cold starts make the tail. */
export const COLD_TAIL_SHARE = 0.5;
/** The statistics the slowest 1 % decides. */
const TAIL_STATS = new Set(['p99', 'p999', 'max']);
/** A split of cold against warm holds only one side: cold starts are not what made it cross. */
const SPLIT = new Set<LatencyName>(['connectCold', 'connectWarm', 'broadcastCold', 'broadcastWarm']);

/**
 * No share: the slowest 1 % being cold says what the tail is made of, not how much of a crossing
 * it accounts for; ranked in LIMIT_FACTORS' order, after the host and the harness, whose waits
 * and delay can make an invocation cold as well as slow.
 */
export interface ColdTailFinding {
  line: string;
}

interface Asked {
  kind: Kind;
  figure: 'stack' | 'client';
  /** the threshold, where one was crossed on this kind's p99: whether the p99 without the cold ones keeps to it */
  p99Limit?: { op: CrossedLatency['op']; limit: number };
}

export function coldTailEvidence(r: Results, crossed: readonly CrossedLatency[], asTimed: boolean): ColdTailFinding[] {
  const a = r.attribution;
  if (!a) return [];
  const asked = new Map<Kind, Asked>();
  if (asTimed) for (const kind of ['connect', 'answer', 'broadcast'] as const) asked.set(kind, { kind, figure: 'client' });
  for (const t of crossed) {
    const client = t.metric.startsWith(CLIENT_PREFIX);
    const [l, stat] = (client ? t.metric.slice(CLIENT_PREFIX.length) : t.metric).split('.') as [string, string | undefined];
    if (!Object.hasOwn(LATENCY_METRICS, l) || stat === undefined || !TAIL_STATS.has(stat) || SPLIT.has(l as LatencyName)) continue;
    const m = lookupMetric(`${l}.${stat}`);
    const figure = client || 'problem' in m || m.figures?.of(r) !== 'stack' ? 'client' : 'stack';
    const kind = KIND_OF[l as LatencyName];
    if (!asked.has(kind)) asked.set(kind, { kind, figure, ...(stat === 'p99' && t.limit !== null ? { p99Limit: { op: t.op, limit: t.limit } } : {}) });
  }
  const out: ColdTailFinding[] = [];
  for (const x of asked.values()) {
    const split = a[x.kind];
    const core: ColdWarmCore | undefined = x.figure === 'stack' ? split?.stack : split;
    if (!split || !core || core.tailColdShare === null || core.tailColdShare < COLD_TAIL_SHARE || !split.cold) continue;
    const words = KIND_WORDS[x.kind];
    const without = core.p99WithoutColdMs;
    const within = x.p99Limit && without !== null ? holds(without, x.p99Limit.op, x.p99Limit.limit) : undefined;
    const keeps = within === undefined ? '' : within ? ', within the limit' : ', still over the limit';
    const whose = x.figure === 'stack' ? "the stack's" : "the client's";
    out.push({
      line:
        `cold starts made the tail: ${fmtShare(core.tailColdShare)} of the slowest 1 % of ${words} were served by a cold invocation ` +
        `(${fmtInt(split.cold.count)} of ${fmtInt(split.all.count)} ${words} cold; ${whose} cold p50 ${fmtMs(core.cold?.p50)} against warm p50 ${fmtMs(core.warm?.p50)}); ` +
        `p99 of the traced ${words} ${fmtMs(core.p99Ms)}, ${fmtMs(without)} without the cold ones${keeps}`,
    });
  }
  return out;
}
