import { z } from 'zod';
import { RunExplanation } from '../../contracts/verdict-schema.ts';

/**
 * compare.json — one comparison: the same scenario run N times at each value of one swept
 * parameter, reduced to medians over the repeats with their spread, and a recommendation that
 * fits the parameter. Lambda memory (`Comparison`, the first kind: files without `parameter` are
 * memory comparisons) or a sweep of room size, payload or deployed variants (`SweepComparison`).
 * `CompareFile` reads either. Bump COMPARE_SCHEMA_VERSION on any incompatible change.
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
export const LatencyMetric = z.enum(['duration', 'broadcast-p50', 'broadcast-p99', 'connect-p50', 'connect-p99', 'fanout-p50', 'fanout-p99']);
export type LatencyMetric = z.infer<typeof LatencyMetric>;

/** Short names, for sentences. */
export const LATENCY_METRIC_SHORT: Record<LatencyMetric, string> = {
  duration: 'mean Duration',
  'broadcast-p50': 'broadcast p50',
  'broadcast-p99': 'broadcast p99',
  'connect-p50': 'connect p50',
  'connect-p99': 'connect p99',
  'fanout-p50': 'fan-out completion p50',
  'fanout-p99': 'fan-out completion p99',
};

export const LATENCY_METRIC_LABELS: Record<LatencyMetric, string> = {
  duration: 'Lambda Duration (mean of the compared functions)',
  'broadcast-p50': 'broadcast p50',
  'broadcast-p99': 'broadcast p99',
  'connect-p50': 'connect p50',
  'connect-p99': 'connect p99',
  'fanout-p50': 'fan-out completion p50 (a send to its last delivery)',
  'fanout-p99': 'fan-out completion p99 (a send to its last delivery)',
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
  /** send to the last member's delivery (absent from older files) */
  fanoutP50Ms: Q.optional(),
  fanoutP99Ms: Q.optional(),
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
  /**
   * the local host's wait in each latency figure (by LatencyMetric name), over the repeats: what
   * the host, not the size, put into it (host-waits.ts); absent against AWS and in older files
   */
  hostWaitMs: z.record(z.string(), MedianRange).optional(),
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
  /** saturated harness, missing metrics, the local host's holding back … (the run still counts) */
  warnings: z.array(z.string()),
  /** the local host's warnings among them, as the run's own summary says them (absent: none, or older files) */
  hostWarnings: z.array(z.string()).optional(),
  /** the run's failed checks and why, from its own evidence (absent: every check passed, or older comparisons) */
  why: RunExplanation.optional(),
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

/** Whose latency the figures are: the stack's (the local host's waits taken out) or the client's. */
export const FigureKind = z.enum(['stack', 'client']);

/**
 * A latency figure the local host decided: between two sizes its waits differ by more than the
 * figure does, so which size is faster on it says more of the host than of the size.
 */
export const HostDecided = z.object({
  metric: LatencyMetric,
  /** the two sizes, MB */
  between: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  /** |figure(a) − figure(b)|, medians, ms */
  differenceMs: z.number(),
  /** |host wait(a) − host wait(b)|, medians, ms */
  hostWaitDifferenceMs: z.number(),
  /** one sentence */
  line: z.string(),
});
export type HostDecided = z.infer<typeof HostDecided>;

export const Comparison = z.object({
  schemaVersion: z.literal(COMPARE_SCHEMA_VERSION),
  kind: z.literal('fanout-bench/compare'),
  /** what was swept (absent from older files, which are all memory comparisons) */
  parameter: z.literal('memory').optional(),
  tool: z.object({ name: z.string(), version: z.string() }),
  createdAt: z.string(),
  scenario: z.object({ name: z.string(), description: z.string().optional() }),
  target: z.object({ kind: z.enum(['local', 'remote']), url: z.string() }).nullable(),
  /** the functions whose memory was set to each size */
  functions: z.array(z.string()).min(1),
  /** repeats asked for per size */
  repeat: z.number().int().positive(),
  latencyMetric: LatencyMetric,
  /**
   * whose the latency figures are: the stack's where every counted run has them (the local
   * emulator; the host's waits taken out), else the client's (absent from older files: the client's)
   */
  latencyFigure: FigureKind.optional(),
  /** latency figures the local host decided (absent: none, or older files); nothing is recommended on them */
  hostDecided: z.array(HostDecided).optional(),
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

/** What a sweep varies: members per room, the payload's bytes, the deployed variant, one function's provisioned concurrency or its SnapStart. */
export const SweptParameter = z.enum(['room-size', 'payload', 'targets', 'provisioned', 'snapstart']);
export type SweptParameter = z.infer<typeof SweptParameter>;

/**
 * A room-size sweep keeps one of two things the same at every size: the deliveries per second
 * (the send rate falls as rooms grow: rate × members is the scenario's) or the clients and the
 * send rate (deliveries per second grow with the rooms). The clients are the scenario's in both.
 */
export const HoldConstant = z.enum(['deliveries', 'clients']);
export type HoldConstant = z.infer<typeof HoldConstant>;

/** What one point of a sweep ran: the load as the scenario was changed for it, and where. */
export const PointSetting = z.object({
  clients: z.number().int().positive(),
  rooms: z.number().int().positive(),
  membersPerRoom: z.number().positive(),
  /** the send phases' rate, messages per second */
  messagesPerSecond: z.number().nonnegative(),
  /** messagesPerSecond × membersPerRoom */
  deliveriesPerSecond: z.number().nonnegative(),
  payloadBytes: z.number().int().nonnegative(),
  /** the variant's target (`--targets`), as given */
  target: z.string(),
  /** targets: the local stack's knobs of the variant */
  knobs: z.record(z.string(), z.unknown()).optional(),
  architecture: z.enum(['x86_64', 'arm64']),
  /**
   * provisioned: the function's provisioned concurrency at this point (0: none), on which alias or
   * version, and what the allocation costs a month (30 days) at list prices (null: the prices have
   * no provisioned rates; 0 environments: $0)
   */
  provisioned: z
    .object({
      function: z.string(),
      qualifier: z.string(),
      environments: z.number().int().nonnegative(),
      memoryMB: z.number().int().positive(),
      monthlyUsd: z.number().nonnegative().nullable(),
    })
    .optional(),
  /**
   * snapstart: the function's SnapStart at this point, the alias its route invokes and the version
   * it named while measured, and what the version's snapshot cache costs a month (30 days) at list
   * prices (null: the prices have no SnapStart rates; off: $0); the restores are in the run's estimate
   */
  snapStart: z
    .object({
      function: z.string(),
      alias: z.string(),
      version: z.string(),
      on: z.boolean(),
      memoryMB: z.number().int().positive(),
      monthlyUsd: z.number().nonnegative().nullable(),
    })
    .optional(),
});
export type PointSetting = z.infer<typeof PointSetting>;

/**
 * Whose a missed SLO is. `stack`: the harness kept up, so what failed is the system's.
 * `harness-and-stack`: the harness was saturated and more failed: the latencies judged include
 * the harness's own delay, so a latency miss may be partly the harness's. (A point whose only
 * failure was a saturated harness met its SLOs: see verdict/slo-met.ts.)
 */
export const MissedBy = z.enum(['stack', 'harness-and-stack']);
export type MissedBy = z.infer<typeof MissedBy>;

/**
 * Whether a point met the SLO: its verdict over the counted repeats (their medians, as `run
 * --repeat` judges) held — every threshold (the scenario's and `--threshold`) and the built-in
 * checks, a saturated harness aside (verdict/slo-met.ts, as `search` judges a step). `failed`
 * names what did not pass (on a met point, the harness's check); `missedBy` says whose a miss is
 * (absent when it met, and from files written before it was).
 */
export const PointSlo = z.object({
  met: z.boolean(),
  failed: z.array(z.string()),
  missedBy: MissedBy.optional(),
  /** one sentence on the point, for every report: that the harness was saturated there, and what that means for the verdict */
  note: z.string().optional(),
});
export type PointSlo = z.infer<typeof PointSlo>;

/** The run's whole cost estimate per million deliveries received, by service. */
export const PointCosts = z.object({
  lambda: Q,
  apiGateway: Q,
  dataTransfer: Q,
  dynamodb: Q,
});
export type PointCosts = z.infer<typeof PointCosts>;

export const PointResult = SizeResult.omit({ memoryMB: true }).extend({
  /** the swept value on the x axis: members per room, payload bytes, or the variant's place (1, 2 …); a grid's point: its room size */
  x: z.number(),
  /** a grid's point (`--targets` with `--room-size`): the variant it measured, at the room size `setting.membersPerRoom` (absent elsewhere) */
  variant: z.string().optional(),
  /** how the page names the point: "50 members", "4,096 B", the variant's name */
  label: z.string(),
  setting: PointSetting,
  /** null: no repeat counted */
  slo: PointSlo.nullable(),
  costs: PointCosts,
  /**
   * provisioned, snapstart: the requests of the route the function serves, over the counted repeats: how many
   * the run traced to an invocation, how many of them were cold, and the route's p99 (the median
   * of the repeats'; the stack's where the sweep's latencies are, `latencyFigure`); absent where no
   * repeat traced that route
   */
  coldStarts: z.object({ route: z.string(), attributed: z.number().int().nonnegative(), cold: z.number().int().nonnegative(), p99Ms: z.number().nullable() }).optional(),
});
export type PointResult = z.infer<typeof PointResult>;

export const PointPick = z.object({
  label: z.string(),
  x: z.number(),
  /** the whole estimate per million deliveries */
  costPerMillionDeliveries: z.number().nullable(),
  latencyMs: z.number().nullable(),
});
export type PointPick = z.infer<typeof PointPick>;

/**
 * The sweep's recommendation. room-size and payload: the largest value whose point met the SLO
 * (`largest-within-slo`), with the first larger one that did not; provisioned: the fewest
 * environments whose point met it (`fewest-within-slo`: each costs its allocation, busy or not),
 * with the largest fewer that did not (`firstFailing`); snapstart: off where it met the SLO, else on
 * where that did (`off-unless-needed`: SnapStart bills its cache and restores); targets: the cheapest variant
 * that met it (`cheapest-within-slo`), ties (within 1 %) to the faster; a grid
 * (`cheapest-per-room-size`): that at each room size, the pick the largest size's and the reason
 * the grid's sentence (`grid`).
 */
export const SweepRecommendation = z.object({
  rule: z.enum(['largest-within-slo', 'cheapest-within-slo', 'cheapest-per-room-size', 'fewest-within-slo', 'off-unless-needed']),
  pick: PointPick.nullable(),
  runnerUp: PointPick.nullable(),
  /** room-size, payload: the smallest value above the pick that did not meet the SLO; provisioned: the largest below it that did not; snapstart: off, where on is the pick */
  firstFailing: PointPick.extend({ failed: z.array(z.string()) }).nullable(),
  /** targets: the pick and the runner-up overlap in cost over their repeats */
  withinSpread: z.boolean(),
  /** one sentence: why this point */
  reason: z.string(),
});
export type SweepRecommendation = z.infer<typeof SweepRecommendation>;

/** Room sizes over which one variant is recommended (null: none met the SLO there). */
export const GridSpan = z.object({
  variant: z.string().nullable(),
  /** the span's smallest and largest room sizes, members */
  from: z.number().int().positive(),
  to: z.number().int().positive(),
});
export type GridSpan = z.infer<typeof GridSpan>;

/**
 * `compare --targets … --room-size …`: the variants side by side at each room size. The points
 * are its cells (room size ascending, the variants in the order given, each with `variant`); at
 * each size the recommendation a targets comparison makes among them; over the grid, which
 * variant up to which size.
 */
export const Grid = z.object({
  /** ascending */
  roomSizes: z.array(z.number().int().positive()).min(2),
  /** in the order given */
  variants: z.array(z.string()).min(2),
  bySize: z.array(z.object({ roomSize: z.number().int().positive(), recommendation: SweepRecommendation })),
  /** ascending; consecutive sizes with the same pick are one span */
  spans: z.array(GridSpan).min(1),
  /** one sentence: which variant up to which size, and why the pick changes */
  line: z.string(),
});
export type Grid = z.infer<typeof Grid>;

export const SweepComparison = Comparison.omit({ parameter: true, sizes: true, excluded: true, recommendations: true }).extend({
  parameter: SweptParameter,
  /** room-size: what stayed the same at every size */
  holdConstant: HoldConstant.optional(),
  /** the threshold expressions every point was judged by (the built-in checks besides) */
  slo: z.array(z.string()),
  /** ascending by x (targets: in the order given) */
  points: z.array(PointResult).min(1),
  /** points no repeat of which counted, and why */
  excluded: z.array(z.object({ label: z.string(), reason: z.string() })),
  recommendation: SweepRecommendation,
  /** targets at several room sizes (absent from every other comparison, and older files) */
  grid: Grid.optional(),
});
export type SweepComparison = z.infer<typeof SweepComparison>;

/** Any compare.json: a memory comparison (also those written before sweeps) or a sweep. */
export const CompareFile = z.union([Comparison, SweepComparison]);
export type CompareFile = z.infer<typeof CompareFile>;

export const isSweep = (c: CompareFile): c is SweepComparison => 'points' in c;
