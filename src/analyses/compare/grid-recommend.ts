import { fmtNum, fmtUsd } from '../../number-format.ts';
import type { Grid, GridSpan, LatencyMetric, PointResult, SweepRecommendation } from './compare-schema.ts';
import { tied } from './recommend.ts';
import { recommendSweep } from './sweep-recommend.ts';

/**
 * A grid's recommendation (`compare --targets … --room-size …`): at each room size, the one a
 * targets comparison makes among the variants measured there (the cheapest that met the SLO, a
 * tie within 1 % to the faster); over the grid, which variant up to which size, in one sentence
 * that says why the pick changes where it does (the previous one missed the SLO there, or cost
 * more). The comparison's own recommendation is the largest size's, its reason that sentence.
 */
export function recommendGrid(points: readonly PointResult[], variants: readonly string[], metric: LatencyMetric): { grid: Grid; recommendation: SweepRecommendation } {
  const roomSizes = [...new Set(points.map((p) => p.setting.membersPerRoom))].sort((a, b) => a - b);
  const at = (size: number) => points.filter((p) => p.setting.membersPerRoom === size);
  const bySize = roomSizes.map((roomSize) => ({ roomSize, recommendation: recommendSweep('targets', at(roomSize), metric) }));
  const pickAt = (k: number) => {
    const label = bySize[k]!.recommendation.pick?.label;
    return label === undefined ? null : (at(roomSizes[k]!).find((p) => p.label === label)?.variant ?? null);
  };
  const spans: GridSpan[] = [];
  roomSizes.forEach((size, k) => {
    const variant = pickAt(k);
    const last = spans.at(-1);
    if (last && last.variant === variant) last.to = size;
    else spans.push({ variant, from: size, to: size });
  });
  const line = gridLine(spans, at, roomSizes);
  const largest = bySize.at(-1)!.recommendation;
  return {
    grid: { roomSizes, variants: [...variants], bySize, spans, line },
    recommendation: { ...largest, rule: 'cheapest-per-room-size', reason: line },
  };
}

const rooms = (n: number) => `rooms of ${fmtNum(n)}`;

function gridLine(spans: readonly GridSpan[], at: (size: number) => PointResult[], sizes: readonly number[]): string {
  const range = `${rooms(sizes[0]!)} to ${fmtNum(sizes.at(-1)!)}`;
  if (spans.length === 1) {
    const only = spans[0]!;
    return only.variant === null
      ? `no variant met the SLO at any room size measured (${range}); at ${fmtNum(only.from)}: ${missesAt(at(only.from))}.`
      : `${only.variant} at every room size measured (${range}): the cheapest variant that met the SLO at each.`;
  }
  const parts = spans.map((s, i) => {
    const who = s.variant ?? 'none met the SLO';
    const where = i === 0 ? `up to ${rooms(s.to)}` : i === spans.length - 1 ? `from ${fmtNum(s.from)}` : s.from === s.to ? `at ${fmtNum(s.from)}` : `from ${fmtNum(s.from)} to ${fmtNum(s.to)}`;
    return i === 0 ? `${who} ${where}` : `${who} ${where}: ${whyChange(spans[i - 1]!, s, at(s.from))}`;
  });
  return `${parts.join('; ')}.`;
}

/** Why the pick at `next.from` is not the previous span's. */
function whyChange(prev: GridSpan, next: GridSpan, cells: readonly PointResult[]): string {
  if (next.variant === null) return missesAt(cells);
  const picked = cells.find((p) => p.variant === next.variant)!;
  if (prev.variant === null) return `${next.variant} is the cheapest that met it there`;
  const before = cells.find((p) => p.variant === prev.variant);
  if (!before || before.status === 'excluded' || !before.slo) return `${prev.variant} was not measured there`;
  if (!before.slo.met) return `${prev.variant} missed the SLO there (${missed(before)})`;
  const cost = (p: PointResult) => p.metrics.totalCostPerMillionDeliveries?.median;
  const a = cost(before);
  const b = cost(picked);
  if (a === undefined) return `${prev.variant} met it there but has no cost estimate`;
  if (b !== undefined && tied(a, b)) return `the two tie on cost there within 1 % (${fmtUsd(b)} per million deliveries) and ${next.variant} is the faster`;
  return `${next.variant} is cheaper there (${fmtUsd(b)} against ${prev.variant}'s ${fmtUsd(a)} per million deliveries)`;
}

function missed(p: PointResult): string {
  const what = p.slo!.failed.length > 0 ? p.slo!.failed.join('; ') : 'its verdict failed';
  return p.slo!.missedBy === 'harness-and-stack' ? `${what}, with the harness saturated too` : what;
}

/** What each variant did at one room size where none was picked: "direct missed it (…), queued missed it (…)". */
function missesAt(cells: readonly PointResult[]): string {
  return cells.map((p) => `${p.variant} ${p.slo ? (p.slo.met ? 'met it but has no cost estimate' : `missed it (${missed(p)})`) : 'was not judged'}`).join(', ');
}
