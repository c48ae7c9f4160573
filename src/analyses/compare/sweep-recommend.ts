import { fmtInt, fmtMs, fmtUsd } from '../../number-format.ts';
import { LATENCY_METRIC_SHORT, type LatencyMetric, type PointPick, type PointResult, type SweepRecommendation, type SweptParameter } from './compare-schema.ts';
import { rangesOverlap } from './median-range.ts';
import { tied } from './recommend.ts';

/**
 * A sweep's recommendation, fitted to what it swept:
 * - room-size, payload: the largest value whose point met the SLO, and the first value above it
 *   that did not (where fan-out in one invocation, or the payload, stops meeting it);
 * - provisioned: the fewest provisioned environments whose point met the SLO (each is paid for
 *   allocated, busy or not), and the largest fewer that did not;
 * - snapstart: off where it met the SLO, else on where that did (SnapStart bills its cache and
 *   restores): the same rule, off being the fewer;
 * - targets: the cheapest variant that met the SLO (the whole estimate per million deliveries),
 *   a tie within 1 % going to the faster (the sweep's latency), then to the one given first.
 * A point with no counted repeat, or none judged, cannot be picked. A miss with the harness
 * saturated too says so: part of its latency was the harness's.
 */
export function recommendSweep(parameter: SweptParameter, points: readonly PointResult[], latencyMetric: LatencyMetric): SweepRecommendation {
  const judged = points.filter((p) => p.status !== 'excluded' && p.slo !== null);
  const met = judged.filter((p) => p.slo!.met);
  if (parameter === 'targets') return cheapest(judged, met, latencyMetric);
  if (parameter === 'provisioned' || parameter === 'snapstart') return fewest(parameter, judged, met, latencyMetric);
  return largest(parameter, judged, met, latencyMetric);
}

function pickOf(p: PointResult): PointPick {
  return { label: p.label, x: p.x, costPerMillionDeliveries: p.metrics.totalCostPerMillionDeliveries?.median ?? null, latencyMs: p.metrics.latencyMs?.median ?? null };
}

function figures(p: PointResult, metric: LatencyMetric): string {
  const parts: string[] = [];
  if (p.metrics.latencyMs) parts.push(`${LATENCY_METRIC_SHORT[metric]} ${fmtMs(p.metrics.latencyMs.median)}`);
  if (p.metrics.totalCostPerMillionDeliveries) parts.push(`${fmtUsd(p.metrics.totalCostPerMillionDeliveries.median)} per million deliveries`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** What a point missed, and that the harness was saturated too when it was (see PointSlo). */
function failedText(p: PointResult): string {
  const what = p.slo && p.slo.failed.length > 0 ? p.slo.failed.join('; ') : 'its verdict failed';
  if (p.slo?.missedBy === 'harness-and-stack') return `${what} — with the harness saturated too: its own delay is in those latencies`;
  return what;
}

function largest(parameter: SweptParameter, judged: PointResult[], met: PointResult[], metric: LatencyMetric): SweepRecommendation {
  const what = parameter === 'room-size' ? 'room size' : 'payload';
  const byX = [...judged].sort((a, b) => a.x - b.x);
  const ok = [...met].sort((a, b) => a.x - b.x);
  const pick = ok.at(-1) ?? null;
  const runnerUp = ok.length > 1 ? ok.at(-2)! : null;
  const firstFailing = byX.find((p) => !p.slo!.met && (pick === null || p.x > pick.x)) ?? null;
  const base = {
    rule: 'largest-within-slo' as const,
    pick: pick ? pickOf(pick) : null,
    runnerUp: runnerUp ? pickOf(runnerUp) : null,
    firstFailing: firstFailing ? { ...pickOf(firstFailing), failed: firstFailing.slo!.failed } : null,
    withinSpread: false,
  };
  if (judged.length === 0) return { ...base, reason: `no ${what} could be judged: no repeat counted` };
  if (!pick) return { ...base, reason: `no ${what} met the SLO; already ${firstFailing!.label} did not: ${failedText(firstFailing!)}.` };
  let reason = `${pick.label} is the largest ${what} that met the SLO${figures(pick, metric)}`;
  reason += firstFailing ? `; ${firstFailing.label} did not: ${failedText(firstFailing)}.` : `; no larger ${what} was measured.`;
  const below = byX.filter((p) => p.x < pick.x && !p.slo!.met);
  if (below.length > 0) reason += ` ${below.map((p) => p.label).join(', ')}, smaller, did not meet it: the boundary is within the noise, or not where size alone sets it.`;
  return { ...base, reason };
}

/** "$connect 0 of 6 cold, its p99 14.8 ms" (the route the function serves), and what the allocation (or the snapshot's cache) costs a month. */
function coldFigures(p: PointResult): string {
  const parts: string[] = [];
  const c = p.coldStarts;
  if (c) parts.push(`${c.route} ${fmtInt(c.cold)} of ${fmtInt(c.attributed)} cold${c.p99Ms !== null ? `, its p99 ${fmtMs(c.p99Ms)}` : ''}`);
  const provisioned = p.setting.provisioned?.monthlyUsd;
  if (provisioned !== undefined && provisioned !== null) parts.push(`${fmtUsd(provisioned)} a month allocated`);
  const cached = p.setting.snapStart?.on ? p.setting.snapStart.monthlyUsd : null;
  if (cached !== null) parts.push(`${fmtUsd(cached)} a month cached`);
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** provisioned: the fewest environments that met the SLO; snapstart: off where it met it, else on (x 0 and 1). */
function fewest(parameter: 'provisioned' | 'snapstart', judged: PointResult[], met: PointResult[], metric: LatencyMetric): SweepRecommendation {
  const needed = parameter === 'provisioned' ? 'provisioned concurrency' : 'SnapStart';
  const byX = [...judged].sort((a, b) => a.x - b.x);
  const [pick = null, runnerUp = null] = [...met].sort((a, b) => a.x - b.x);
  const firstFailing = [...byX].reverse().find((p) => !p.slo!.met && (pick === null || p.x < pick.x)) ?? null;
  const base = {
    rule: parameter === 'provisioned' ? ('fewest-within-slo' as const) : ('off-unless-needed' as const),
    pick: pick ? pickOf(pick) : null,
    runnerUp: runnerUp ? pickOf(runnerUp) : null,
    firstFailing: firstFailing ? { ...pickOf(firstFailing), failed: firstFailing.slo!.failed } : null,
    withinSpread: false,
  };
  if (judged.length === 0) return { ...base, reason: 'no setting could be judged: no repeat counted' };
  if (!pick) {
    const most = byX.at(-1)!;
    return { ...base, reason: `no setting met the SLO; even ${most.label} did not${coldFigures(most)}: ${failedText(most)}.` };
  }
  let reason =
    pick.x === 0
      ? `${pick.label} met the SLO${coldFigures(pick)}${figures(pick, metric)}: at this load the route needs no ${needed}`
      : `${pick.label} is the ${parameter === 'provisioned' ? 'fewest' : 'setting'} that met the SLO${coldFigures(pick)}${figures(pick, metric)}`;
  reason += firstFailing ? `; ${firstFailing.label} did not${coldFigures(firstFailing)}: ${failedText(firstFailing)}.` : pick.x === 0 ? '.' : `; no ${parameter === 'provisioned' ? 'fewer' : 'other setting'} was measured.`;
  const above = byX.filter((p) => p.x > pick.x && !p.slo!.met);
  if (above.length > 0) reason += ` ${above.map((p) => p.label).join(', ')}, more, did not meet it: the boundary is within the noise, or not where ${needed} alone sets it.`;
  return { ...base, reason };
}

function cheapest(judged: PointResult[], met: PointResult[], metric: LatencyMetric): SweepRecommendation {
  const base = { rule: 'cheapest-within-slo' as const, firstFailing: null };
  if (judged.length === 0) return { ...base, pick: null, runnerUp: null, withinSpread: false, reason: 'no variant could be judged: no repeat counted' };
  const priced = met.filter((p) => p.metrics.totalCostPerMillionDeliveries !== null);
  if (priced.length === 0) {
    const reason =
      met.length === 0
        ? `no variant met the SLO: ${judged.map((p) => `${p.label}: ${failedText(p)}`).join('; ')}.`
        : `no variant that met the SLO has a cost estimate (${met.map((p) => p.label).join(', ')}).`;
    return { ...base, pick: null, runnerUp: null, withinSpread: false, reason };
  }
  const cost = (p: PointResult) => p.metrics.totalCostPerMillionDeliveries!.median;
  const latency = (p: PointResult) => p.metrics.latencyMs?.median ?? Infinity;
  const best = (list: PointResult[]) => {
    const low = Math.min(...list.map(cost));
    const tiedOnCost = list.filter((p) => tied(cost(p), low));
    const fast = Math.min(...tiedOnCost.map(latency));
    return tiedOnCost.find((p) => latency(p) === fast) ?? tiedOnCost[0]!;
  };
  const pick = best(priced);
  const rest = priced.filter((p) => p !== pick);
  const runnerUp = rest.length > 0 ? best(rest) : null;
  const withinSpread = runnerUp !== null && rangesOverlap(pick.metrics.totalCostPerMillionDeliveries!, runnerUp.metrics.totalCostPerMillionDeliveries!);
  let reason = `${pick.label} is the cheapest variant that met the SLO${figures(pick, metric)}`;
  reason += runnerUp ? `; next is ${runnerUp.label}${figures(runnerUp, metric)}.` : '; no other variant met it.';
  if (runnerUp && tied(cost(pick), cost(runnerUp))) reason += ` The two tie on cost within 1 %: ${pick.label} is the faster.`;
  if (withinSpread) reason += ' Their repeats overlap in cost: the difference is within the noise.';
  const failing = judged.filter((p) => !p.slo!.met);
  if (failing.length > 0) reason += ` Did not meet the SLO: ${failing.map((p) => `${p.label} (${failedText(p)})`).join('; ')}.`;
  return { ...base, pick: pickOf(pick), runnerUp: runnerUp ? pickOf(runnerUp) : null, withinSpread, reason };
}
