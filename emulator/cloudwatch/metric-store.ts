import { servedPeriodSec } from '../../common/cloudwatch-resolution.ts';
import type { MetricPublication } from './aws-timing.ts';
import { SecondBucket } from './second-bucket.ts';
import { parseStatistic, PeriodAggregate } from './statistic.ts';
import type { MetricDatum, MetricSink } from './types.ts';

/** CloudWatch keeps sub-minute (high-resolution) data points for 3 hours; so does the store. */
export const DEFAULT_RETENTION_MS = 3 * 60 * 60 * 1000;
/** CloudWatch accepts data points up to 2 hours in the future. */
const MAX_FUTURE_MS = 2 * 60 * 60 * 1000;

export interface MetricIdentity {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

export interface MetricFilter {
  namespace?: string;
  metricName?: string;
  /** Every listed dimension must be present; with a value, it must also match. */
  dimensions?: Array<{ name: string; value?: string }>;
}

export interface SeriesQuery {
  namespace: string;
  metricName: string;
  /** Exact dimension set, as CloudWatch matches it (omitted = the metric without dimensions). */
  dimensions?: Record<string, string>;
  /** Only data put with this unit; omitted = all units. */
  unit?: string;
  /** SampleCount | Average | Sum | Minimum | Maximum | pNN | pNN.N… */
  stat: string;
  /** 1, 5, 10, 20, 30 or a multiple of 60. */
  periodSeconds: number;
  /** epoch ms, inclusive */
  startTime: number;
  /** epoch ms, exclusive */
  endTime: number;
}

export interface SeriesPoint {
  /** epoch ms: the start of the period */
  timestamp: number;
  value: number;
}

/** A query the store cannot answer (bad statistic or period); the endpoint maps it to a 400. */
export class MetricQueryError extends Error {
  override name = 'MetricQueryError';
}

export interface MetricStoreOptions {
  /**
   * How long data points are kept; default 3 h (CloudWatch's high-resolution retention). Longer
   * (tests of old data) keeps them, served only at the periods CloudWatch serves data that old.
   */
  retentionMs?: number;
  now?: () => number;
  /**
   * When data becomes visible to queries and ListMetrics, and the shortest period answered
   * (aws-timing.ts); default: at once, at any valid period.
   */
  publication?: MetricPublication;
}

interface Series {
  identity: MetricIdentity;
  unit: string;
  /** Ascending by second; the newest is the one still open. */
  seconds: SecondBucket[];
}

/** A valid Period: CloudWatch allows 1, 5, 10, 20, 30 s (high resolution) or any multiple of 60. */
export function isValidPeriod(period: number): boolean {
  return Number.isInteger(period) && period > 0 && (period % 60 === 0 || [1, 5, 10, 20, 30].includes(period));
}

/** Keys of frozen dimension sets, which the gateway reuses for every datum (they cannot change). */
const frozenKeys = new WeakMap<Record<string, string>, string>();

function dimensionKey(dimensions: Record<string, string>): string {
  if (!Object.isFrozen(dimensions)) return computeDimensionKey(dimensions);
  let key = frozenKeys.get(dimensions);
  if (key === undefined) frozenKeys.set(dimensions, (key = computeDimensionKey(dimensions)));
  return key;
}

function computeDimensionKey(dimensions: Record<string, string>): string {
  const names = Object.keys(dimensions);
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]}=${dimensions[names[0]]}`;
  names.sort();
  let key = '';
  for (const name of names) key += `${name}=${dimensions[name]}\u0001`;
  return key;
}

/**
 * The emulator's CloudWatch metric store. Each series (namespace, metric name, exact dimension
 * set, unit) keeps one bucket per second: sum, count, min, max and HDR bucket counts, so any
 * period aggregates exactly for Sum/Average/Minimum/Maximum/SampleCount and percentiles come
 * from merged bucket counts (never from averaged percentiles). Memory: a few dozen bytes per
 * series-second plus ~12 bytes per distinct value bucket; data older than the retention is
 * dropped.
 */
export class MetricStore implements MetricSink {
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly publication: MetricPublication | undefined;
  /** namespace \0 metricName → dimension key → unit → series */
  private readonly metrics = new Map<string, Map<string, Map<string, Series>>>();
  private dropped = 0;

  constructor(options: MetricStoreOptions = {}) {
    this.retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.now = options.now ?? Date.now;
    this.publication = options.publication;
  }

  /** Data points rejected: not finite, or timestamp outside the retention / future window. */
  get droppedDatums(): number {
    return this.dropped;
  }

  put(datum: MetricDatum): void {
    const now = this.now();
    const { value, timestamp } = datum;
    if (!Number.isFinite(value) || !(timestamp >= now - this.retentionMs && timestamp <= now + MAX_FUTURE_MS)) {
      this.dropped++;
      return;
    }
    const series = this.seriesFor(datum);
    const second = Math.floor(timestamp / 1000);
    const seconds = series.seconds;
    const last = seconds[seconds.length - 1];
    if (last !== undefined && last.second === second) {
      last.add(value);
      return;
    }
    if (last === undefined || second > last.second) {
      last?.compact();
      const bucket = new SecondBucket(second);
      bucket.add(value);
      seconds.push(bucket);
      this.trim(series, now);
      return;
    }
    // Out of order (EMF timestamps, late lines): find or insert the second.
    const i = lowerBound(seconds, second);
    if (seconds[i]?.second === second) {
      seconds[i].add(value);
    } else {
      const bucket = new SecondBucket(second);
      bucket.add(value);
      seconds.splice(i, 0, bucket);
    }
  }

  /**
   * Metrics with data in the retention window, sorted by namespace, name, dimensions; with a
   * publication, only those whose first data point is published.
   */
  listMetrics(filter: MetricFilter = {}): MetricIdentity[] {
    const out: Array<{ key: string; identity: MetricIdentity }> = [];
    this.pruneAll();
    const now = this.now();
    for (const [nameKey, byDims] of this.metrics) {
      const [namespace, metricName] = nameKey.split('\u0000');
      if (filter.namespace !== undefined && filter.namespace !== namespace) continue;
      if (filter.metricName !== undefined && filter.metricName !== metricName) continue;
      const publishedBefore = this.publication?.publishedBefore(namespace, now) ?? Infinity;
      for (const [dimKey, byUnit] of byDims) {
        const first = [...byUnit.values()].find((series) => series.seconds.length > 0 && series.seconds[0].second * 1000 < publishedBefore);
        if (!first) continue;
        const dims = first.identity.dimensions;
        const matches = (filter.dimensions ?? []).every((f) =>
          f.value === undefined ? f.name in dims : dims[f.name] === f.value,
        );
        if (matches) out.push({ key: `${nameKey}\u0000${dimKey}`, identity: first.identity });
      }
    }
    out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return out.map((o) => o.identity);
  }

  /**
   * One statistic over periods, ascending by time; periods without data are omitted (as
   * CloudWatch does). Periods start at startTime rounded down to the period (sub-minute periods)
   * or to the minute (periods of 60 s and more), as CloudWatch rounds StartTime. With a
   * publication, only published data counts, and a period shorter than it serves answers nothing.
   * Without one (the per-second mode, which AWS has no counterpart of: its Lambda, API Gateway
   * and DynamoDB metrics are per minute) a period of 60 s or more starts at the second asked, so
   * one whole-window datapoint covers exactly a measurement's window and two measurements a few
   * seconds apart do not count each other's work. Old data is served as CloudWatch serves it
   * (common/cloudwatch-resolution.ts): a StartTime more than 3 hours, 15 days or 63 days ago
   * answers only a Period that is a multiple of 60, 300 or 3600 s, from StartTime rounded down to
   * that; any other Period answers no data points, as AWS does (not an error).
   */
  query(q: SeriesQuery): SeriesPoint[] {
    const stat = parseStatistic(q.stat);
    if (!stat) {
      throw new MetricQueryError(
        `Stat "${q.stat}" is not supported: use SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99 or p99.9`,
      );
    }
    if (!isValidPeriod(q.periodSeconds)) {
      throw new MetricQueryError(`Period ${q.periodSeconds} must be 1, 5, 10, 20, 30 or a multiple of 60`);
    }
    const period = q.periodSeconds;
    if (this.publication && period < this.publication.minPeriodSeconds) return [];
    const now = this.now();
    const served = servedPeriodSec(q.startTime, now);
    if (period % served !== 0) return [];
    const endTime = Math.min(q.endTime, this.publication?.publishedBefore(q.namespace, now) ?? Infinity);
    // the per-second mode's start to the second is for fresh data; older data is rounded as AWS does
    const align = period < 60 ? period : Math.max(served, this.publication ? 60 : 1);
    const startSec = Math.floor(Math.floor(q.startTime / 1000) / align) * align;
    const cutoff = Math.floor((now - this.retentionMs) / 1000);
    const byUnit = this.metrics
      .get(`${q.namespace}\u0000${q.metricName}`)
      ?.get(dimensionKey(q.dimensions ?? {}));
    if (!byUnit) return [];

    const periods = new Map<number, PeriodAggregate>();
    const withPercentiles = stat.kind === 'percentile';
    for (const series of byUnit.values()) {
      if (q.unit !== undefined && series.unit !== q.unit) continue;
      const seconds = series.seconds;
      for (let i = lowerBound(seconds, Math.max(startSec, cutoff)); i < seconds.length; i++) {
        const bucket = seconds[i];
        if (bucket.second * 1000 >= endTime) break;
        const periodStart = startSec + Math.floor((bucket.second - startSec) / period) * period;
        let agg = periods.get(periodStart);
        if (!agg) {
          agg = new PeriodAggregate(withPercentiles);
          periods.set(periodStart, agg);
        }
        agg.add(bucket);
      }
    }
    const points: SeriesPoint[] = [];
    for (const [periodStart, agg] of periods) points.push({ timestamp: periodStart * 1000, value: agg.value(stat) });
    points.sort((a, b) => a.timestamp - b.timestamp);
    return points;
  }

  /** Forget everything (between runs). */
  clear(): void {
    this.metrics.clear();
    this.dropped = 0;
  }

  private seriesFor(datum: MetricDatum): Series {
    const nameKey = `${datum.namespace}\u0000${datum.name}`;
    let byDims = this.metrics.get(nameKey);
    if (!byDims) {
      byDims = new Map();
      this.metrics.set(nameKey, byDims);
    }
    const dimKey = dimensionKey(datum.dimensions);
    let byUnit = byDims.get(dimKey);
    if (!byUnit) {
      byUnit = new Map();
      byDims.set(dimKey, byUnit);
    }
    const unit = datum.unit ?? 'None';
    let series = byUnit.get(unit);
    if (!series) {
      series = {
        identity: { namespace: datum.namespace, metricName: datum.name, dimensions: { ...datum.dimensions } },
        unit,
        seconds: [],
      };
      byUnit.set(unit, series);
    }
    return series;
  }

  private trim(series: Series, now: number): void {
    const cutoff = Math.floor((now - this.retentionMs) / 1000);
    const seconds = series.seconds;
    let n = 0;
    while (n < seconds.length && seconds[n].second < cutoff) n++;
    if (n > 0) seconds.splice(0, n);
  }

  private pruneAll(): void {
    const now = this.now();
    for (const [nameKey, byDims] of this.metrics) {
      for (const [dimKey, byUnit] of byDims) {
        for (const [unit, series] of byUnit) {
          this.trim(series, now);
          if (series.seconds.length === 0) byUnit.delete(unit);
        }
        if (byUnit.size === 0) byDims.delete(dimKey);
      }
      if (byDims.size === 0) this.metrics.delete(nameKey);
    }
  }
}

/** First index whose second is >= target. */
function lowerBound(seconds: SecondBucket[], target: number): number {
  let lo = 0;
  let hi = seconds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seconds[mid].second < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
