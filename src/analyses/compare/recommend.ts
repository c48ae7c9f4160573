import { LATENCY_METRIC_LABELS, LATENCY_METRIC_SHORT, type Candidate, type HostDecided, type LatencyMetric, type Recommendation, type SizeResult, type MedianRange, type Strategy } from './compare-schema.ts';
import { rangesOverlap } from './median-range.ts';
import { fmtInt, fmtMs, fmtPercent, fmtUsd } from '../../number-format.ts';

/**
 * The recommendation for one strategy, in the spirit of AWS Lambda Power Tuning's analyzer:
 * - cost: the lowest cost per million deliveries;
 * - speed: the lowest latency;
 * - balanced(weight): the lowest weight × cost ÷ highest cost + (1 − weight) × latency ÷ highest
 *   latency over the ranked sizes (weight 1 = cost only, 0 = latency only, as Power Tuning has it).
 * Unlike Power Tuning, cost here is the compared functions' whole Lambda bill — requests and
 * INIT included — per million deliveries, not Duration × memory per invocation.
 *
 * A size is ranked when it has both a cost and a latency (every strategy needs both, for its
 * tie-break); the others are listed as skipped. Ranks medians over the repeats. Two values within
 * TIE_TOLERANCE of each other tie; a tie goes to the other quantity (cost → faster, speed →
 * cheaper, balanced → cheaper at weight ≤ 0.5, else faster), then to the smaller size. Balanced
 * weights 1 and 0 therefore pick exactly what cost and speed pick.
 *
 * A latency the local host decided (host-decided.ts) is recommended on by no strategy: speed and
 * balanced pick nothing and say why; cost ranks on cost alone, a tie going to the smaller size.
 */
export const TIE_TOLERANCE = 0.01;

interface Ranked {
  size: SizeResult;
  cost: MedianRange;
  latency: MedianRange;
  score: number;
}

export function recommend(
  sizes: readonly SizeResult[],
  strategy: Strategy,
  latencyMetric: LatencyMetric,
  balancedWeight = 0.5,
  decided?: HostDecided,
): Recommendation {
  const weight = strategy === 'cost' ? 1 : strategy === 'speed' ? 0 : Math.min(1, Math.max(0, balancedWeight));
  const skipped: Recommendation['skipped'] = [];
  if (decided && strategy !== 'cost') {
    return {
      strategy,
      weight: strategy === 'balanced' ? weight : null,
      skipped,
      pick: null,
      runnerUp: null,
      withinSpread: false,
      reason: `No recommendation: ${strategy === 'speed' ? 'speed ranks' : 'balanced weighs'} ${LATENCY_METRIC_SHORT[latencyMetric]}, and ${withoutVerdict(decided.line)}.`,
    };
  }
  const ranked: Ranked[] = [];
  for (const size of sizes) {
    const cost = size.metrics.lambdaCostPerMillionDeliveries;
    const latency = size.metrics.latencyMs;
    if (size.status === 'excluded') skipped.push({ memoryMB: size.memoryMB, reason: 'no run counted (see excluded)' });
    else if (!cost) skipped.push({ memoryMB: size.memoryMB, reason: 'no Lambda cost: no invocations of the compared functions or no deliveries' });
    else if (!latency) skipped.push({ memoryMB: size.memoryMB, reason: `no ${LATENCY_METRIC_LABELS[latencyMetric]}` });
    else ranked.push({ size, cost, latency, score: 0 });
  }
  const base = { strategy, weight: strategy === 'balanced' ? weight : null, skipped };
  if (ranked.length === 0) {
    return { ...base, pick: null, runnerUp: null, withinSpread: false, reason: 'no size could be ranked' };
  }

  const maxCost = Math.max(...ranked.map((r) => r.cost.median));
  const maxLatency = Math.max(...ranked.map((r) => r.latency.median));
  for (const r of ranked) {
    r.score = weight * (maxCost > 0 ? r.cost.median / maxCost : 0) + (1 - weight) * (maxLatency > 0 ? r.latency.median / maxLatency : 0);
  }
  const primary = (r: Ranked) => (strategy === 'cost' ? r.cost.median : strategy === 'speed' ? r.latency.median : r.score);
  // a latency the host decided breaks no tie: the smaller size takes it
  const secondary = (r: Ranked) => (decided ? 0 : weight > 0.5 ? r.latency.median : r.cost.median);

  const pick = best(ranked, primary, secondary);
  const rest = ranked.filter((r) => r !== pick);
  const runnerUp = rest.length > 0 ? best(rest, primary, secondary) : null;
  const withinSpread =
    runnerUp !== null &&
    (weight === 0 || rangesOverlap(pick.cost, runnerUp.cost)) &&
    (weight === 1 || rangesOverlap(pick.latency, runnerUp.latency));
  const hostNote = decided ? ` Its latency is not weighed: ${withoutVerdict(decided.line)}.` : '';
  return {
    ...base,
    pick: candidate(pick, strategy),
    runnerUp: runnerUp ? candidate(runnerUp, strategy) : null,
    withinSpread,
    reason: reasonFor(strategy, weight, latencyMetric, pick, runnerUp, primary, withinSpread, decided !== undefined) + hostNote,
  };
}

/** A host-decided line without its closing "nothing is recommended on it", for a sentence of its own. */
const withoutVerdict = (line: string) => line.replace(/: nothing is recommended on it$/, '');

export function tied(a: number, b: number): boolean {
  return Math.abs(a - b) <= TIE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/** The best by `primary` (ties within tolerance), then `secondary` (ditto), then the smaller size. */
function best(list: Ranked[], primary: (r: Ranked) => number, secondary: (r: Ranked) => number): Ranked {
  const lowest = Math.min(...list.map(primary));
  const first = list.filter((r) => tied(primary(r), lowest));
  const lowest2 = Math.min(...first.map(secondary));
  const second = first.filter((r) => tied(secondary(r), lowest2));
  return second.reduce((a, b) => (b.size.memoryMB < a.size.memoryMB ? b : a));
}

function candidate(r: Ranked, strategy: Strategy): Candidate {
  return {
    memoryMB: r.size.memoryMB,
    costPerMillionDeliveries: r.cost.median,
    latencyMs: r.latency.median,
    ...(strategy === 'balanced' ? { score: round(r.score, 4) } : {}),
  };
}

function reasonFor(
  strategy: Strategy,
  weight: number,
  metric: LatencyMetric,
  pick: Ranked,
  next: Ranked | null,
  primary: (r: Ranked) => number,
  withinSpread: boolean,
  hostDecided = false,
): string {
  const mb = (r: Ranked) => `${fmtInt(r.size.memoryMB)} MB`;
  const cost = (r: Ranked) => `${fmtUsd(r.cost.median)} per million deliveries`;
  const lat = (r: Ranked) => `${fmtMs(r.latency.median)} ${LATENCY_METRIC_SHORT[metric]}`;
  const what = strategy === 'cost' ? cost : strategy === 'speed' ? lat : (r: Ranked) => `score ${round(r.score, 3)} (${cost(r)}, ${lat(r)})`;
  const claim =
    strategy === 'cost' ? 'has the lowest Lambda cost' : strategy === 'speed' ? 'is the fastest' : `has the best balance at weight ${weight} (1 = cost only, 0 = speed only)`;
  if (!next) return `${mb(pick)} ${claim}: ${what(pick)}; it is the only size that could be ranked.`;
  let text: string;
  if (tied(primary(pick), primary(next))) {
    const by = strategy === 'cost' || (strategy === 'balanced' && weight > 0.5) ? `faster (${lat(pick)} vs ${lat(next)})` : `cheaper (${cost(pick)} vs ${cost(next)})`;
    const sameOther =
      hostDecided || (strategy === 'cost' || (strategy === 'balanced' && weight > 0.5) ? tied(pick.latency.median, next.latency.median) : tied(pick.cost.median, next.cost.median));
    text = `${mb(pick)} and ${mb(next)} tie within ${TIE_TOLERANCE * 100} % (${what(pick)}; ${what(next)}); ${mb(pick)} is ${sameOther ? 'the smaller' : by}.`;
  } else {
    const more = primary(pick) > 0 ? ` (+${fmtPercent(((primary(next) - primary(pick)) / primary(pick)) * 100)})` : '';
    text = `${mb(pick)} ${claim}: ${what(pick)}; next is ${mb(next)}: ${what(next)}${more}.`;
  }
  if (withinSpread) text += ` Their repeats overlap: the difference is within the noise.`;
  return text;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
