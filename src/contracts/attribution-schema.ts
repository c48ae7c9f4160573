import { z } from 'zod';
import { LatencySummary } from './latency-summary-schema.ts';

/**
 * results.json `attribution`: every request the clients timed, traced to the Lambda invocation
 * that served it, so that latency splits cold against warm for any stack, and (against the local
 * emulator) the host's wait for a slot is taken out of each request's latency.
 *
 * Sources: `access-log` (API Gateway's access log joined with the functions' REPORT lines, on any
 * target whose stage logs the variables the join needs) or `subprotocol` (the reference stack's
 * own cold flag on $connect's subprotocol and on each delivery; no per-route facts, no host wait).
 * The structure is the same whatever the source.
 *
 * Request kinds: `connect` (the handshake, served by $connect), `answer` (a frame the target
 * answers: join, createRoom, a send's ack; by the invocation of the frame's route) and `broadcast`
 * (a delivery, by the invocation that handled its message: the first hop only, see `notes`), and
 * `publish` (a publish phase's call through a stage of the stack's own HTTP or REST API, publish →
 * the API's answer, by the invocation that stage's access log names for it).
 */
export const REQUEST_KINDS = ['connect', 'answer', 'broadcast', 'publish'] as const;

/** One kind of request's latency, split by the invocation that served each. */
export const ColdWarmCore = z.object({
  /** every request of this kind the clients timed */
  all: LatencySummary,
  /** served by an invocation that was a cold start (its REPORT line has an Init Duration, or a SnapStart Restore Duration) */
  cold: LatencySummary.optional(),
  /** served by a warm invocation */
  warm: LatencySummary.optional(),
  /** timed requests the run could not trace to an invocation: never counted warm */
  unattributed: z.number().int().nonnegative(),
  /** cold p50 − warm p50, ms; null without both */
  penaltyMs: z.number().nullable(),
  /** of the slowest 1 % of the attributed requests, the share that was cold (0–1); null without any */
  tailColdShare: z.number().nullable(),
  /** p99 of the attributed requests, and of them without the cold ones, ms */
  p99Ms: z.number().nullable(),
  p99WithoutColdMs: z.number().nullable(),
});
export type ColdWarmCore = z.infer<typeof ColdWarmCore>;
/**
 * The client's latency (host waits included), and, against the local emulator, `stack`: the same
 * split of the stack's latency (each request's host wait taken out), so cold and warm compare like
 * with like where the host held warm requests back.
 */
export const ColdWarmSplit = ColdWarmCore.extend({ stack: ColdWarmCore.optional() });
export type ColdWarmSplit = z.infer<typeof ColdWarmSplit>;

/**
 * How Lambda initialized the environment that served a request, as AWS_LAMBDA_INITIALIZATION_TYPE
 * names it: on demand (an INIT on the first request's path), ahead for provisioned concurrency,
 * or restored from a SnapStart snapshot (a restore on the first request's path).
 */
export const INITIALIZATION_TYPES = ['on-demand', 'provisioned-concurrency', 'snap-start'] as const;
export type InitializationType = (typeof INITIALIZATION_TYPES)[number];

/** Of the requests one kind of environment served: how many, and how many paid its INIT or restore on the request path. */
export const EnvironmentServed = z.object({ served: z.number().int().nonnegative(), cold: z.number().int().nonnegative() });

/** Per route (and its function): how often it ran cold and what that cost its requests. */
export const RouteColdStarts = z.object({
  /** the route key: $connect, sendMessage, $default, … */
  route: z.string(),
  /** the request kind timed on this route */
  kind: z.enum(REQUEST_KINDS),
  /** the function that served it, where the target names it */
  functionName: z.string().optional(),
  /** requests of this kind on this route the clients timed and the run traced to an invocation */
  attributed: z.number().int().nonnegative(),
  cold: z.number().int().nonnegative(),
  /** cold / attributed (0–1) */
  coldRate: z.number().nullable(),
  coldP50Ms: z.number().nullable(),
  warmP50Ms: z.number().nullable(),
  /** cold p50 − warm p50 */
  penaltyMs: z.number().nullable(),
  /** the cold invocations' Init Duration, p50 (REPORT lines) */
  initP50Ms: z.number().nullable(),
  /**
   * of the cold requests, those served by a SnapStart environment restored for them (its REPORT's
   * Restore Duration: the restore is that cold start), and the restores' duration, p50 (absent: none)
   */
  restored: z.number().int().nonnegative().optional(),
  restoreP50Ms: z.number().optional(),
  /**
   * the attributed requests by how their environment was initialized (absent in results written
   * before it was kept): a provisioned environment's requests are warm, the spillover past them is
   * on demand
   */
  environments: z.partialRecord(z.enum(INITIALIZATION_TYPES), EnvironmentServed).optional(),
  tailColdShare: z.number().nullable(),
  p99Ms: z.number().nullable(),
  p99WithoutColdMs: z.number().nullable(),
  /** local emulator: the same figures of the stack's latency (host waits taken out) */
  stack: z
    .object({
      coldP50Ms: z.number().nullable(),
      warmP50Ms: z.number().nullable(),
      penaltyMs: z.number().nullable(),
      tailColdShare: z.number().nullable(),
      p99Ms: z.number().nullable(),
      p99WithoutColdMs: z.number().nullable(),
    })
    .optional(),
});
export type RouteColdStarts = z.infer<typeof RouteColdStarts>;

/** One step of a latency over time: its p50 and p99, ms, and how many requests it holds. */
export const StepLatency = z.object({ count: z.number().int().positive(), p50: z.number(), p99: z.number() });

/**
 * The stack's latency over time, for the report's latency charts: step k holds the requests that
 * completed in [startMs + k·stepMs, startMs + (k+1)·stepMs); null where none did. The step is the
 * run's 1 s interval, longer where a run has more than STACK_STEPS_MAX of them.
 */
export const StackOverTime = z.object({
  startMs: z.number(),
  stepMs: z.number().positive(),
  connect: z.array(StepLatency.nullable()),
  broadcast: z.array(StepLatency.nullable()),
});
export type StackOverTime = z.infer<typeof StackOverTime>;
export const STACK_STEPS_MAX = 600;

/** The stack's latency: each request's client latency less the host's wait for a slot (local emulator only). */
export const StackLatency = z.object({
  connect: LatencySummary.optional(),
  join: LatencySummary.optional(),
  ack: LatencySummary.optional(),
  broadcast: LatencySummary.optional(),
  fanoutCompletion: LatencySummary.optional(),
  /** the same split cold against warm, like with like */
  connectCold: LatencySummary.optional(),
  connectWarm: LatencySummary.optional(),
  broadcastCold: LatencySummary.optional(),
  broadcastWarm: LatencySummary.optional(),
  /** invocations serving timed requests that the host held back, and of how many */
  heldBack: z.number().int().nonnegative(),
  invocations: z.number().int().nonnegative(),
  /** the held-back invocations' waits, ms (absent: none held back) */
  wait: LatencySummary.optional(),
  /** connect and broadcast latency over the run, for the latency charts */
  overTime: StackOverTime.optional(),
});
export type StackLatency = z.infer<typeof StackLatency>;

/** A request served cold, for the latency-over-time picture (at most COLD_POINTS_MAX of them, the slowest kept). */
export const ColdPoint = z.object({
  kind: z.enum(REQUEST_KINDS),
  /** epoch ms the request was intended */
  at: z.number(),
  ms: z.number(),
  route: z.string().optional(),
});
export const COLD_POINTS_MAX = 2000;

export const Attribution = z.object({
  source: z.enum(['access-log', 'subprotocol']),
  /** access-log: how the stage's logging was had (`use` the stage's own, `enable` set for the run and put back) */
  accessLog: z.enum(['use', 'enable']).optional(),
  /** access-log: the log group read */
  logGroup: z.string().optional(),
  /** requests the clients timed (connects, answered frames, deliveries), how many were traced, and why not the rest */
  requests: z.object({
    timed: z.number().int().nonnegative(),
    attributed: z.number().int().nonnegative(),
    unattributed: z.number().int().nonnegative(),
    /** reason → requests, e.g. "no access-log line for the connection", "MESSAGE lines 3 ≠ frames 4 on the connection" */
    why: z.record(z.string(), z.number().int().nonnegative()),
  }),
  connect: ColdWarmSplit.optional(),
  answer: ColdWarmSplit.optional(),
  broadcast: ColdWarmSplit.optional(),
  publish: ColdWarmSplit.optional(),
  routes: z.array(RouteColdStarts),
  /** local emulator: latencies with the host's waits taken out (absent elsewhere, or when the waits could not be read) */
  stack: StackLatency.optional(),
  /** cold requests over time (COLD_POINTS_MAX at most) */
  coldPoints: z.array(ColdPoint),
  /** what the figures rest on and where they stop, one line each (e.g. deliveries attributed to their first hop only) */
  notes: z.array(z.string()),
});
export type Attribution = z.infer<typeof Attribution>;
