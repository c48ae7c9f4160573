import { z } from 'zod';

/**
 * compare.json — one comparison of Lambda memory sizes: the same scenario run N times at each
 * size, reduced to medians over the repeats with their spread, and a recommendation per
 * strategy. Bump COMPARE_SCHEMA_VERSION on any incompatible change.
 */
export const COMPARE_SCHEMA_VERSION = 1;

/** A quantity over the included repeats of one size: the median and the spread (min–max). */
export const MedianRange = z.object({
  median: z.number(),
  min: z.number(),
  max: z.number(),
  /** repeats that had this quantity */
  n: z.number().int().positive(),
});
export type MedianRange = z.infer<typeof MedianRange>;

/** Null: no included repeat had the quantity (no CloudWatch data, no deliveries …). */
const Q = MedianRange.nullable();

/** What the latency axis of the comparison (speed strategy, chart) is. */
export const LatencyMetric = z.enum(['duration', 'broadcast-p50', 'broadcast-p99', 'connect-p50', 'connect-p99']);
export type LatencyMetric = z.infer<typeof LatencyMetric>;

/** Short names, for sentences. */
export const LATENCY_METRIC_SHORT: Record<LatencyMetric, string> = {
  duration: 'mean Duration',
  'broadcast-p50': 'broadcast p50',
  'broadcast-p99': 'broadcast p99',
  'connect-p50': 'connect p50',
  'connect-p99': 'connect p99',
};

export const LATENCY_METRIC_LABELS: Record<LatencyMetric, string> = {
  duration: 'Lambda Duration (mean of the compared functions)',
  'broadcast-p50': 'broadcast p50',
  'broadcast-p99': 'broadcast p99',
  'connect-p50': 'connect p50',
  'connect-p99': 'connect p99',
};

/** One compared function at one size. */
export const FunctionAtSize = z.object({
  invocations: Q,
  durationP50Ms: Q,
  durationP99Ms: Q,
  /** Σ Duration ÷ invocations */
  durationMeanMs: Q,
  initP50Ms: Q,
  initP99Ms: Q,
  /** cold starts ÷ invocations (REPORT lines with Init Duration) */
  coldStartShare: Q,
  /** where Duration came from in the included repeats: REPORT lines, else CloudWatch metrics */
  durationSource: z.enum(['report-lines', 'cloudwatch', 'mixed', 'none']),
});
export type FunctionAtSize = z.infer<typeof FunctionAtSize>;

export const SizeMetrics = z.object({
  broadcastP50Ms: Q,
  broadcastP99Ms: Q,
  connectP50Ms: Q,
  connectP99Ms: Q,
  /** the compared functions together: Σ Duration ÷ Σ invocations */
  durationMeanMs: Q,
  /** cold starts ÷ invocations over the compared functions */
  coldStartShare: Q,
  /** Σ INIT ÷ cold starts over the compared functions */
  initMeanMs: Q,
  /** Duration × memory of the compared functions (INIT excluded, as in results.lambda) */
  gbSeconds: Q,
  gbSecondsPer1000Deliveries: Q,
  /** the compared functions' Lambda bill per million deliveries: requests + billed Duration × memory + INIT where billed */
  lambdaCostPerMillionDeliveries: Q,
  /** the run's whole estimate (Lambda, API Gateway, DynamoDB) per million deliveries */
  totalCostPerMillionDeliveries: Q,
  deliveriesReceived: Q,
  deliveriesLost: Q,
  /** sends answered with an error or never answered (a size too small may time out) */
  sendsFailed: Q,
  /** the value the recommendation ranks on (the comparison's latency metric) */
  latencyMs: Q,
});
export type SizeMetrics = z.infer<typeof SizeMetrics>;

export const RunRef = z.object({
  /** 1-based repeat number at this size */
  repeat: z.number().int().positive(),
  runId: z.string().nullable(),
  /** the run's directory, relative to the comparison's own (where index.html links to it) */
  dir: z.string().nullable(),
  /** completed, interrupted, failed; `no-results` when the run produced none */
  status: z.string(),
  included: z.boolean(),
  /** why the run is left out of the medians */
  excludedBecause: z.string().optional(),
  /** saturated harness, missing metrics … (the run still counts) */
  warnings: z.array(z.string()),
});
export type RunRef = z.infer<typeof RunRef>;

export const SizeResult = z.object({
  memoryMB: z.number().int().positive(),
  /** ok: every repeat counted; partial: some were left out; excluded: none counted */
  status: z.enum(['ok', 'partial', 'excluded']),
  runs: z.array(RunRef),
  metrics: SizeMetrics,
  /** by compared function name */
  functions: z.record(z.string(), FunctionAtSize),
  /** where the compared functions' Lambda cost came from (cost-model sources), weakest over the repeats */
  costSource: z.enum(['report-lines', 'cloudwatch', 'client', 'assumption']).nullable(),
});
export type SizeResult = z.infer<typeof SizeResult>;

export const Strategy = z.enum(['cost', 'speed', 'balanced']);
export type Strategy = z.infer<typeof Strategy>;

export const Candidate = z.object({
  memoryMB: z.number().int().positive(),
  costPerMillionDeliveries: z.number(),
  latencyMs: z.number(),
  /** balanced only: weight × cost ÷ max cost + (1 − weight) × latency ÷ max latency */
  score: z.number().optional(),
});
export type Candidate = z.infer<typeof Candidate>;

export const Recommendation = z.object({
  strategy: Strategy,
  /** balanced: 0 = fastest only … 1 = cheapest only (as in AWS Lambda Power Tuning); null otherwise */
  weight: z.number().min(0).max(1).nullable(),
  /** null: no size could be ranked (see `reason`) */
  pick: Candidate.nullable(),
  /** the next best size on the same ranking */
  runnerUp: Candidate.nullable(),
  /**
   * the pick and the runner-up overlap on the deciding quantity over their repeats: the order
   * between them is within the noise
   */
  withinSpread: z.boolean(),
  /** one sentence: why this size */
  reason: z.string(),
  /** sizes left out of this ranking, and why */
  skipped: z.array(z.object({ memoryMB: z.number().int().positive(), reason: z.string() })),
});
export type Recommendation = z.infer<typeof Recommendation>;

export const Comparison = z.object({
  schemaVersion: z.literal(COMPARE_SCHEMA_VERSION),
  kind: z.literal('fanout-bench/compare'),
  tool: z.object({ name: z.string(), version: z.string() }),
  createdAt: z.string(),
  scenario: z.object({ name: z.string(), description: z.string().optional() }),
  target: z.object({ kind: z.enum(['local', 'remote']), url: z.string() }).nullable(),
  /** the functions whose memory was set to each size */
  functions: z.array(z.string()).min(1),
  /** repeats asked for per size */
  repeat: z.number().int().positive(),
  latencyMetric: LatencyMetric,
  pricing: z.object({
    asOf: z.string(),
    region: z.string(),
    architecture: z.enum(['x86_64', 'arm64']),
    requestsPerMillion: z.number(),
    gbSecond: z.number(),
    initBilled: z.boolean(),
  }),
  /** ascending by memory */
  sizes: z.array(SizeResult).min(1),
  /** sizes no repeat of which counted, and why (also in `sizes` with status excluded) */
  excluded: z.array(z.object({ memoryMB: z.number().int().positive(), reason: z.string() })),
  recommendations: z.array(Recommendation),
  /** how to read the numbers: what cost includes, tie rules, emulator caveats */
  notes: z.array(z.string()),
});
export type Comparison = z.infer<typeof Comparison>;
