import { z } from 'zod';

/**
 * results.json's `hopLatency`: the delivery latency split by hop, from the local emulator's account
 * of how far each message had come (common/probe-reach-metric.ts, FanoutBench/Path ProbeReachMs
 * over the run's CloudWatch window). A hop's *reach* is the time from a message's intended send
 * to its passing that hop; the hops are ordered by their p50 reach, and the split ends with the
 * deliveries themselves (the run's delivery latency, measured by the clients). Absent: not a
 * local target (AWS has no such metric), or no message carried a probe past a hop.
 */
const ms = z.number().nonnegative().nullable();

export const HopReach = z.object({
  /** `gateway:<routeKey>`, `sqs:<queue>`, `sns:<topic>`, `events:<bus>`, `dynamodb:<table>`, `lambda:<function>`, `@connections` */
  hop: z.string(),
  /** the probes stamped there (a batch's records each once, every @connections post once) */
  count: z.number().int().nonnegative(),
  /** ms from the intended send to the hop, p50 and p99 of its stamps */
  p50Ms: ms,
  p99Ms: ms,
  /** its p50 less the previous hop's (the first hop: from the send); null where either is unknown */
  stepMs: z.number().nullable(),
});
export type HopReach = z.infer<typeof HopReach>;

export const HopLatency = z.object({
  hops: z.array(HopReach),
  /** the deliveries: the run's delivery latency (results.metrics.broadcast, or a publish phase's), last in the split */
  delivered: z.object({
    count: z.number().int().nonnegative(),
    p50Ms: ms,
    p99Ms: ms,
    stepMs: z.number().nullable(),
  }),
  /** what could not be read (a failed pull) */
  notes: z.array(z.string()).optional(),
});
export type HopLatency = z.infer<typeof HopLatency>;
