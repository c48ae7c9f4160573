import { z } from 'zod';

/**
 * AWS's metric timing, emulated (`stack up --aws-metrics [--aws-metrics-lag <d>]`). By default
 * the emulator's CloudWatch answers at once and at any period, which suits a local run. On AWS:
 *
 * - The services publish standard-resolution metrics: one data point per minute. GetMetricData
 *   with a high-resolution period (1, 5, 10, 20, 30 s) on such a metric answers no data points
 *   rather than an error; with 60 s or a multiple, whole minutes.
 * - A minute is published after it ends, and later still: Lambda and API Gateway about a minute
 *   after (so 1–2 min after the event), DynamoDB and metrics extracted from logs (EMF, custom
 *   namespaces) later (2–3 min). ListMetrics shows a metric only once its first minute is
 *   published (AWS says up to 15 min for a new metric; the emulator shows it with its data).
 *
 * The lag given (default 60 s) is the Lambda / API Gateway lag; DynamoDB and every other
 * namespace get twice it. `--aws-metrics-lag 5s` publishes Lambda and API Gateway minutes 5 s
 * after they end, DynamoDB and EMF 10 s after. Log events (REPORT lines, FilterLogEvents) stay
 * immediate.
 */

/** The Lambda / API Gateway lag after a minute ends, when none is given. */
export const DEFAULT_AWS_METRICS_LAG_MS = 60_000;

/** Namespaces AWS publishes soonest; every other namespace waits twice the lag. */
const FAST_NAMESPACES = new Set(['AWS/Lambda', 'AWS/ApiGateway']);
const SLOW_FACTOR = 2;

const MINUTE_MS = 60_000;

/** What the store needs to know to publish data as CloudWatch would. */
export interface MetricPublication {
  /** The shortest period answered; a shorter (valid) one answers no data points. */
  readonly minPeriodSeconds: number;
  /** Epoch ms: data of `namespace` before it is published at `now`, data from it on is not yet. */
  publishedBefore(namespace: string, now: number): number;
}

/** Publication with AWS's timing: whole minutes, each after the lag of its metric family. */
export function awsMetricPublication(lagMs: number = DEFAULT_AWS_METRICS_LAG_MS): MetricPublication {
  return {
    minPeriodSeconds: 60,
    publishedBefore(namespace, now) {
      const lag = FAST_NAMESPACES.has(namespace) ? lagMs : lagMs * SLOW_FACTOR;
      // A minute [t, t + 60 s) is published once t + 60 s + lag has passed.
      return Math.floor((now - lag) / MINUTE_MS) * MINUTE_MS;
    },
  };
}

/** "5s", "90s", "2m", "1500ms", or a number of seconds: a duration in ms. */
export function parseLag(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

/** At most an hour: the store keeps 3 hours of data, and a harness waits minutes, not hours. */
const MAX_LAG_MS = 3_600_000;

/** `awsMetrics.lag` in the stack's config: a duration (a number is seconds), in ms. */
export const AwsMetricsLag = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? Math.round(v * 1000) : parseLag(v);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0 || ms > MAX_LAG_MS) {
      ctx.addIssue({ code: 'custom', message: 'a duration from 0 to 1h, such as 5s, 90s, 2m or 1500ms (a number is seconds)' });
      return z.NEVER;
    }
    return ms;
  });

/** `awsMetrics` in the stack's config (emulator/config.ts): whether AWS's timing is on, and its lag in ms. */
export interface AwsMetricsConfig {
  enabled: boolean;
  lag?: number;
}

/** The store's publication for a stack's config: undefined (at once) unless AWS timing is on. */
export function metricPublicationOf(config: AwsMetricsConfig): MetricPublication | undefined {
  return config.enabled ? awsMetricPublication(config.lag ?? DEFAULT_AWS_METRICS_LAG_MS) : undefined;
}
