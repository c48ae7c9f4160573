import type { CostSource } from '../../contracts/cost-schema.ts';
import { headroomAt } from './headroom.ts';
import { planCost, plannedTraffic, type PriceBasis, type TrafficInput } from './monthly-cost.ts';
import type { PlanLimits } from './plan-limits.ts';
import { GrowthAxis, headroomKey, type FirstBreak, type Growth, type GrowthPoint, type Headroom, type PlanTraffic, type WorkModel } from './plan-schema.ts';

/**
 * The first limit to break: the planned peak grown along each axis (as `search` does) by a
 * geometric series of factors up to maxFactor, each point's monthly cost and every limit's share;
 * then, for each limit, the factor where its share first reaches 1, found exactly by bisection
 * between the points (each share grows with the factor). A limit already passed at the peak breaks
 * at a factor under 1, found by shrinking the traffic; one the axis does not move (a size, the
 * session, a room's own load as rooms grow in number) and that is passed is passed at every scale.
 */

export const GROWTH_MAX_FACTOR = 1_000;
/** points from the peak to maxFactor (a few per doubling) */
export const GROWTH_STEPS = 30;

export interface GrowthInput {
  model: WorkModel;
  /** the planned peak */
  peak: TrafficInput;
  /** a session was given (the connection lifetime applies); a run's own traffic has none */
  sessionGiven: boolean;
  limits: PlanLimits;
  price: PriceBasis & { connectionSource: CostSource };
  /** the axis grown first (--grow) */
  first: GrowthAxis;
  maxFactor?: number;
  steps?: number;
  /** only these limits (e.g. a queued path's: PATH_LIMIT_IDS); default every one */
  only?: (h: Headroom) => boolean;
}

/**
 * The peak grown by `factor` along `axis`:
 * - connections: more rooms of the same size, each as busy; connects/s and messages/s grow with them;
 * - roomSize: the same rooms, fuller (as a room-size search fills them): the connections and
 *   connects/s grow with the room size, messages/s stay (so each reaches more members), and a room
 *   is never larger than the connections;
 * - messagesPerS: the same rooms talking faster.
 */
export function grownTraffic(peak: TrafficInput, axis: GrowthAxis, factor: number): TrafficInput {
  const connects = peak.connectsPerS !== undefined ? { connectsPerS: peak.connectsPerS * factor } : {};
  switch (axis) {
    case 'connections':
      return { ...peak, connections: peak.connections * factor, messagesPerS: peak.messagesPerS * factor, ...connects };
    case 'roomSize':
      return { ...peak, roomSize: peak.roomSize * factor, connections: peak.connections * factor, ...connects };
    case 'messagesPerS':
      return { ...peak, messagesPerS: peak.messagesPerS * factor };
  }
}

/** The smallest factor an axis shrinks to: one room (connections), rooms of one (roomSize). */
function lowestFactor(peak: TrafficInput, axis: GrowthAxis, maxFactor: number): number {
  const floor = 1 / maxFactor;
  if (axis === 'connections') return Math.min(1, Math.max(floor, peak.roomSize / peak.connections));
  if (axis === 'roomSize') return Math.min(1, Math.max(floor, 1 / peak.roomSize));
  return floor;
}

const BISECTIONS = 60;

interface Evaluated {
  traffic: PlanTraffic;
  headroom: Headroom[];
}

/** The traffic along every axis, the one grown first first. */
export function growTraffic(input: GrowthInput): Growth[] {
  const { peak } = input;
  if (!(peak.connections > 0 && peak.roomSize > 0)) return [];
  const axes = [input.first, ...GrowthAxis.options.filter((a) => a !== input.first)];
  return axes.map((axis) => growAlong(input, axis));
}

/** The first of `input.only`'s limits to break along the axis grown first (null: none up to maxFactor, or no traffic to grow). */
export function firstBreakAlong(input: GrowthInput): FirstBreak | null {
  const { peak } = input;
  if (!(peak.connections > 0 && peak.roomSize > 0)) return null;
  return growAlong(input, input.first).firstBreak;
}

function growAlong(input: GrowthInput, axis: GrowthAxis): Growth {
  const maxFactor = input.maxFactor ?? GROWTH_MAX_FACTOR;
  const steps = input.steps ?? GROWTH_STEPS;
  const lowest = lowestFactor(input.peak, axis, maxFactor);
  const at = (factor: number): Evaluated => {
    const traffic = plannedTraffic(input.model, grownTraffic(input.peak, axis, factor));
    if (!input.sessionGiven) delete traffic.sessionSec;
    const headroom = headroomAt(input.model, traffic, input.limits);
    return { traffic, headroom: input.only ? headroom.filter(input.only) : headroom };
  };
  const cost = (traffic: PlanTraffic) => planCost(input.model, traffic, input.price).totals.total;
  const point = (factor: number, e: Evaluated = at(factor)): GrowthPoint => ({
    factor,
    traffic: { connections: e.traffic.connections, roomSize: e.traffic.roomSize, messagesPerS: e.traffic.messagesPerS },
    monthlyCost: cost(e.traffic),
    shares: Object.fromEntries(e.headroom.map((h) => [headroomKey(h), h.share])),
  });

  const factors = Array.from({ length: steps + 1 }, (_, i) => (i === steps ? maxFactor : maxFactor ** (i / steps)));
  const evaluated = factors.map((f) => ({ f, e: at(f) }));
  const peakHeadroom = evaluated[0]!.e.headroom;

  // each limit's break: the least factor where its share reaches 1
  const shareOf = (e: Evaluated, key: string) => e.headroom.find((h) => headroomKey(h) === key)?.share ?? 0;
  const bisect = (key: string, below: number, above: number): number => {
    // share(below) < 1 <= share(above)
    for (let i = 0; i < BISECTIONS; i++) {
      const mid = Math.sqrt(below * above);
      if (mid <= below || mid >= above) break;
      if (shareOf(at(mid), key) >= 1) above = mid;
      else below = mid;
    }
    return above;
  };
  // a limit passed at the peak breaks below it: shrink by halves to where it is not
  const breaks: Array<{ h: Headroom; factor: number } | { h: Headroom; everyScale: true }> = [];
  for (const h of peakHeadroom.filter((x) => x.share >= 1)) {
    const key = headroomKey(h);
    let above = 1;
    let found: number | undefined;
    while (above > lowest) {
      const below = Math.max(lowest, above / 2);
      if (shareOf(at(below), key) < 1) {
        found = bisect(key, below, above);
        break;
      }
      above = below;
    }
    breaks.push(found === undefined ? { h, everyScale: true } : { h, factor: found });
  }
  // else the first point where a share reaches 1, bisected for the limits that reach it there
  if (breaks.length === 0) {
    const reached = peakHeadroom.map((h) => ({ h, i: evaluated.findIndex((x) => shareOf(x.e, headroomKey(h)) >= 1) })).filter((x) => x.i > 0);
    const soonest = Math.min(...reached.map((x) => x.i));
    for (const { h, i } of reached.filter((x) => x.i === soonest)) breaks.push({ h, factor: bisect(headroomKey(h), evaluated[i - 1]!.f, evaluated[i]!.f) });
  }

  const first = breaks.sort((a, b) => {
    const ea = 'everyScale' in a;
    const eb = 'everyScale' in b;
    if (ea || eb) return ea && eb ? b.h.share - a.h.share : ea ? -1 : 1;
    return a.factor - b.factor;
  })[0];
  let firstBreak: FirstBreak | null = null;
  if (first) {
    const factor = 'everyScale' in first ? 1 : first.factor;
    const e = at(factor);
    const h = e.headroom.find((x) => headroomKey(x) === headroomKey(first.h)) ?? first.h;
    firstBreak = {
      axis,
      limit: h.limit,
      ...(h.scope !== undefined ? { scope: h.scope } : {}),
      label: h.label,
      factor,
      traffic: { connections: e.traffic.connections, roomSize: e.traffic.roomSize, messagesPerS: e.traffic.messagesPerS },
      monthlyCost: cost(e.traffic),
      moves: h.moves,
      ...('everyScale' in first ? { atEveryScale: true as const } : {}),
    };
  }

  // below the peak too when the first break is there, so the curves reach it
  const shrink: number[] = [];
  if (firstBreak && !firstBreak.atEveryScale && firstBreak.factor < 1) {
    const from = Math.max(lowest, firstBreak.factor / 2);
    const n = 10;
    for (let i = 0; i < n; i++) shrink.push(from * (1 / from) ** (i / n));
  }
  const points = [...shrink.map((f) => point(f)), ...evaluated.map(({ f, e }) => point(f, e))];
  return { axis, points, firstBreak, maxFactor };
}
