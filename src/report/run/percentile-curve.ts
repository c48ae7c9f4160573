import { decodeHistogram, valuesAtPercentiles } from '../../metrics/measurement/histogram.ts';

/**
 * Latency distributions on a "nines" axis: x = -log10(1 - p), so 0 is p0, 1 is p90, 2 is p99,
 * 3 is p99.9. All curves share one x grid (so none has gaps); each stops where its own count
 * stops resolving (x = log10(count)), ending at its maximum.
 */
export interface PercentileCurves {
  /** nines, ascending */
  x: number[];
  /** milliseconds per x; null beyond the curve's resolution */
  curves: Array<{ key: string; count: number; values: Array<number | null> }>;
}

const STEP = 0.05;
const MAX_NINES = 6;
const round2 = (n: number) => Math.round(n * 100) / 100;

/** From base64 compressed HDR histograms (µs), by name. Empty histograms are left out. */
export function percentileCurves(histograms: Record<string, string>): PercentileCurves {
  const all = Object.entries(histograms).map(([key, encoded]) => ({ key, h: decodeHistogram(encoded) }));
  try {
    const decoded = all.filter(({ h }) => h.totalCount > 0);
    const ends = decoded.map(({ h }) => round2(Math.min(MAX_NINES, Math.log10(h.totalCount))));
    const grid = new Set<number>(ends);
    const top = Math.max(0, ...ends);
    for (let k = 0; k * STEP < top; k++) grid.add(round2(k * STEP));
    const x = [...grid].sort((a, b) => a - b);
    const curves = decoded.map(({ key, h }, i) => {
      const inside = x.filter((nines) => nines < ends[i]!);
      const us = valuesAtPercentiles(h, inside.map((nines) => 100 * (1 - 10 ** -nines)));
      return {
        key,
        count: h.totalCount,
        values: x.map((nines, k) => (nines > ends[i]! ? null : (nines === ends[i] ? h.maxValue : us[k]!) / 1000)),
      };
    });
    return { x, curves };
  } finally {
    for (const { h } of all) h.destroy();
  }
}
