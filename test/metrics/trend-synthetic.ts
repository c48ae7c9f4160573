import { seededRandom } from '../../src/random.ts';
import type { Results } from '../../src/contracts/results-schema.ts';
import type { ReadRun } from '../../src/analyses/trend/build-trend.ts';
import { buildResults } from '../report/fixtures.ts';

/**
 * Nightly runs made up from the report tests' realistic run: one a day, each its own commit,
 * every noisy metric (latencies, Duration, cost, CPU) scaled by `level(night)` and by Gaussian
 * noise of `noise` (relative standard deviation), work counts left as they are.
 */
export interface SyntheticOptions {
  nights: number;
  /** the multiplier of the noisy metrics' true level on a night (1 = unchanged) */
  level: (night: number) => number;
  noise: number;
  seed: number;
  /**
   * as a `--repeat 3` run records them: broadcast p50 of three repeats (±3 % around the value) in
   * the verdict, and a threshold `broadcast.p99 < 250ms`
   */
  repeats?: boolean;
}

export const commitOf = (night: number) => night.toString(16).padStart(4, '0').repeat(10);

export function syntheticRuns(o: SyntheticOptions): ReadRun[] {
  const random = seededRandom(o.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(1e-12, random()))) * Math.cos(2 * Math.PI * random());
  const base = buildResults();
  return Array.from({ length: o.nights }, (_, night) => {
    const r: Results = structuredClone(base);
    const f = () => o.level(night) * (1 + o.noise * gauss());
    const day = new Date(Date.UTC(2026, 0, 1 + night, 3, 23)).toISOString();
    r.runId = `nightly-${String(night).padStart(2, '0')}`;
    r.startedAt = day;
    r.provenance = { source: 'github-actions', commit: commitOf(night), ref: 'main' };
    for (const s of [r.metrics.broadcast, r.metrics.connect, r.metrics.fanoutCompletion]) {
      const k = f();
      s.p50 *= k;
      s.p99 *= k * (1 + o.noise * gauss());
      s.p90 *= k;
      s.mean *= k;
    }
    if (r.cost) r.cost.perMillionDeliveries = (r.cost.perMillionDeliveries ?? 0) * f();
    for (const rep of Object.values(r.cloudwatch!.reports)) if (rep.duration) rep.duration.mean *= f();
    r.harness.cpuSeconds *= f();
    if (o.repeats) {
      const p50 = r.metrics.broadcast.p50;
      r.verdict = {
        outcome: 'pass',
        summary: 'passed',
        checks: [],
        thresholds: [
          {
            expression: 'broadcast.p99 < 250ms',
            source: '--threshold',
            metric: 'broadcast.p99',
            unit: 'ms',
            noisy: true,
            op: '<',
            limit: 250,
            observed: r.metrics.broadcast.p99,
            baseline: null,
            outcome: 'pass',
            detail: '',
          },
        ],
        repeats: { runIds: [1, 2, 3].map((k) => `${r.runId}-repeat-${k}`), values: { 'broadcast.p50': [p50 * 0.97, p50, p50 * 1.03] } },
        notes: [],
      };
    }
    return { file: `history/${r.runId}/results.json`, results: r };
  });
}
