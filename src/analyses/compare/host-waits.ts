import type { LatencySummary, Results } from '../../contracts/results-schema.ts';
import { localHostWarnings } from '../../diagnosis/local-host-text.ts';
import { fmtInt, fmtSignificant } from '../../number-format.ts';
import { partOfWhole, partOfWholeText } from '../../part-of-whole.ts';
import { lookupMetric, readFigure, type Metric } from '../../contracts/metric-catalogue.ts';
import type { LatencyMetric } from './compare-schema.ts';

/**
 * What the local host's waits for a slot did to one run's latency figures, so that a comparison
 * can tell a difference the variants made from one the host made. Against AWS there are none.
 *
 * A figure's host wait is, best first: the client's figure less the stack's (results.attribution
 * .stack: the waits taken out of that very figure); else the held-back invocations' waits
 * (attribution.stack.wait) at the point of their distribution that figure's percentile falls on,
 * given the share held back; else, for results without attribution, the same from the local
 * host's held-back totals of the functions serving the figure's route (results.cloudwatch
 * .localHost, what the run's evidence reads). Mean Duration has none: it starts after the wait.
 */

/** Which route's function serves each kind of latency (reference stack's routes; any function where none matches). */
const ROUTE_OF: Record<'connect' | 'broadcast' | 'fanout', string> = { connect: '$connect', broadcast: 'sendMessage', fanout: 'sendMessage' };

const STAT_Q: Record<'p50' | 'p99', number> = { p50: 0.5, p99: 0.99 };

const STACK_FIELD: Record<'connect' | 'broadcast' | 'fanout', 'connect' | 'broadcast' | 'fanoutCompletion'> = {
  connect: 'connect',
  broadcast: 'broadcast',
  fanout: 'fanoutCompletion',
};

/** The host's wait in a run's figure, ms; 0: it held nothing back there; null: nothing tells (no host data). */
export function hostWaitMs(r: Results, metric: LatencyMetric): number | null {
  if (metric === 'duration') return 0;
  const [kind, stat] = metric.split('-') as ['connect' | 'broadcast' | 'fanout', 'p50' | 'p99'];
  const stack = r.attribution?.stack;
  if (stack) {
    // both figures as the metric catalogue reads them: the waits taken out of this very figure
    const m = lookupMetric(`${STACK_FIELD[kind]}.${stat}`) as Metric;
    const own = readFigure(m, r, 'stack');
    const client = readFigure(m, r, 'client');
    if ('value' in own && 'value' in client) return Math.max(0, client.value - own.value);
    if (stack.heldBack === 0 || !stack.wait) return 0;
    return waitAt(STAT_Q[stat], stack.heldBack / Math.max(1, stack.invocations), summaryPoints(stack.wait));
  }
  const host = r.cloudwatch?.status === 'unavailable' ? undefined : r.cloudwatch?.localHost;
  if (!host) return null;
  const fns = r.config.target.functions?.functions ?? [];
  const onRoute = fns.filter((f) => f.route === ROUTE_OF[kind]).map((f) => f.name);
  const waited = Object.keys(host.heldBack).filter((fn) => (onRoute.length > 0 ? onRoute.includes(fn) : fns.find((f) => f.name === fn)?.route !== '$disconnect'));
  let worst = 0;
  for (const fn of waited) {
    const held = host.heldBack[fn];
    const invocations = r.cloudwatch?.lambda[fn]?.invocations ?? 0;
    // waits are counted where they ended, invocations where they began: the count can exceed them
    const share = invocations > 0 ? Math.min(1, held.count / invocations) : 1;
    const points: Array<[number, number]> = [];
    if (held.p50Ms !== null) points.push([0.5, held.p50Ms]);
    if (held.p99Ms !== null) points.push([0.99, held.p99Ms]);
    if (held.maxMs !== null) points.push([1, held.maxMs]);
    if (points.length > 0) worst = Math.max(worst, waitAt(STAT_Q[stat], share, points));
  }
  return worst;
}

function summaryPoints(s: LatencySummary): Array<[number, number]> {
  return [
    [0, s.min],
    [0.5, s.p50],
    [0.9, s.p90],
    [0.99, s.p99],
    [0.999, s.p999],
    [1, s.max],
  ];
}

/**
 * The q-quantile of every invocation's wait, when a share `held` of them waited with the given
 * quantiles and the rest waited 0: 0 below 1 − held, else the waits' quantile at 1 − (1 − q) ÷
 * held, interpolated between the known points.
 */
export function waitAt(q: number, held: number, points: ReadonlyArray<readonly [number, number]>): number {
  if (held <= 0 || q <= 1 - held) return 0;
  const inner = Math.min(1, Math.max(0, 1 - (1 - q) / Math.min(1, held)));
  if (inner <= points[0][0]) return points[0][1];
  for (let k = 1; k < points.length; k++) {
    const [q1, v1] = points[k];
    if (inner <= q1) {
      const [q0, v0] = points[k - 1];
      return q1 === q0 ? v1 : v0 + ((v1 - v0) * (inner - q0)) / (q1 - q0);
    }
  }
  return points[points.length - 1][1];
}

const ms = (v: number) => `${v >= 100 ? fmtInt(Math.round(v)) : fmtSignificant(v)} ms`;

/**
 * Each way the local host held a run back, one line each, as the run's own pages say it: from the
 * stack's account of the invocations serving timed requests where the run has one ("local host
 * held back 197 of 200 invocations serving timed requests (wait p50 782 ms, p99 1,040 ms); its
 * cores averaged 99 %"), else the host's warnings its summary prints. None on AWS or when the host
 * kept up.
 */
export function hostWarnings(r: Results): string[] {
  const stack = r.attribution?.stack;
  const busy = r.cloudwatch?.status === 'unavailable' ? null : (r.cloudwatch?.localHost?.hostBusyAvgPercent ?? null);
  if (stack) {
    if (stack.heldBack === 0) return [];
    // a count over its whole is said as such, never clamped into a plausible "200 of 200"
    const held = partOfWhole(stack.heldBack, stack.invocations, { part: 'held back', whole: 'invocations serving timed requests' });
    const wait = stack.wait ? ` (wait p50 ${ms(stack.wait.p50)}, p99 ${ms(stack.wait.p99)})` : '';
    const cores = busy === null ? '' : `; its cores averaged ${Math.round(busy)} %`;
    if (held.disagree) return [`local host held back invocations serving timed requests${wait}${cores}; ${held.disagree}`];
    return [`local host held back ${partOfWholeText(held)} invocations serving timed requests${wait}${cores}`];
  }
  return localHostWarnings(r);
}
