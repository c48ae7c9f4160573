import { bucketValue } from './value-buckets.ts';
import type { SecondBucket } from './second-bucket.ts';

/** The CloudWatch statistics the emulator answers: the five basic ones and percentiles pNN(.N…). */
export type Statistic =
  | { kind: 'SampleCount' | 'Average' | 'Sum' | 'Minimum' | 'Maximum' }
  | { kind: 'percentile'; percentile: number };

const BASIC = new Set(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);
const PERCENTILE = /^p(\d{1,2}(?:\.\d{1,10})?|100)$/;

/** Parse a Stat string; undefined when it is not one the emulator supports. */
export function parseStatistic(stat: string): Statistic | undefined {
  if (BASIC.has(stat)) return { kind: stat as 'Sum' };
  const m = PERCENTILE.exec(stat);
  if (!m) return undefined;
  const percentile = Number(m[1]);
  return percentile <= 100 ? { kind: 'percentile', percentile } : undefined;
}

/** Seconds merged into one period: exact aggregates, and bucket counts only when a percentile is asked. */
export class PeriodAggregate {
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  private readonly buckets: Map<number, number> | null;

  constructor(withPercentiles: boolean) {
    this.buckets = withPercentiles ? new Map() : null;
  }

  add(second: SecondBucket): void {
    this.sum += second.sum;
    this.count += second.count;
    if (second.min < this.min) this.min = second.min;
    if (second.max > this.max) this.max = second.max;
    const buckets = this.buckets;
    if (buckets) second.forEachBucket((key, count) => buckets.set(key, (buckets.get(key) ?? 0) + count));
  }

  value(stat: Statistic): number {
    switch (stat.kind) {
      case 'SampleCount':
        return this.count;
      case 'Sum':
        return this.sum;
      case 'Average':
        return this.sum / this.count;
      case 'Minimum':
        return this.min;
      case 'Maximum':
        return this.max;
      case 'percentile':
        return this.percentile(stat.percentile);
    }
  }

  /** HDR's rule: the smallest bucket whose cumulative count reaches ceil(p% of all), clamped to min..max. */
  private percentile(p: number): number {
    if (!this.buckets) throw new Error('PeriodAggregate built without percentiles');
    const target = Math.max(1, Math.ceil((p / 100) * this.count - 1e-9));
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const key of keys) {
      seen += this.buckets.get(key) ?? 0;
      if (seen >= target) return Math.min(this.max, Math.max(this.min, bucketValue(key)));
    }
    return this.max;
  }
}
