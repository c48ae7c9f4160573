import { encodeHistogram, newHistograms, type Histogram } from './histogram.ts';

/**
 * A shard's latency histograms for the current interval. The shard records into them and ships
 * them (encoded) at every flush, then starts afresh; the parent merges intervals into phase and
 * run totals. Deliveries are recorded once, as cold or warm: `broadcast` is their merge. Connects
 * are recorded as `connect`, and again as cold or warm when the target said which. `reconnect`:
 * from the server's close to being a member again (backoff, connect and re-join).
 */
export const SHARD_METRICS = ['connect', 'connectCold', 'connectWarm', 'join', 'ack', 'broadcastCold', 'broadcastWarm', 'reconnect'] as const;
export type ShardMetric = (typeof SHARD_METRICS)[number];
export type EncodedHistograms = Partial<Record<ShardMetric, string>>;

export class ShardIntervalRecorder {
  private readonly h: Record<ShardMetric, Histogram> = newHistograms(SHARD_METRICS);

  /** `us`: whole microseconds, already clamped at 0. */
  record(metric: ShardMetric, us: number): void {
    this.h[metric].recordValue(us);
  }

  get(metric: ShardMetric): Histogram {
    return this.h[metric];
  }

  /** Encodes the non-empty histograms and resets all of them. */
  drain(): EncodedHistograms {
    const out: EncodedHistograms = {};
    for (const m of SHARD_METRICS) {
      const enc = encodeHistogram(this.h[m]);
      if (enc) out[m] = enc;
      this.h[m].reset();
    }
    return out;
  }
}
