import { z } from 'zod';
import { LatencySummary } from './latency-summary-schema.ts';

/**
 * One 1-second interval of the run as the run recorder merges it from the shards' reports,
 * streamed to intervals.ndjson while running and kept in results.json (results-schema.ts).
 */
export const IntervalRecord = z.object({
  /** interval start, epoch ms */
  t: z.number(),
  /** seconds since the run started */
  elapsedSec: z.number(),
  /**
   * the interval's length when it is not the run's 1 s (results from an Artillery run: its
   * 10-second periods); absent: up to the next interval's start
   */
  periodMs: z.number().nonnegative().optional(),
  phase: z.string(),
  openClients: z.number().int(),
  connects: z.number().int(),
  sent: z.number().int(),
  delivered: z.number().int(),
  errors: z.number().int(),
  connect: LatencySummary.optional(),
  broadcast: LatencySummary.optional(),
  fanoutCompletion: LatencySummary.optional(),
  /** max event-loop lag seen by any shard in this interval */
  eventLoopLagMs: z.number(),
  /** harness CPU over all shards, in cores (1.0 = one core busy) */
  cpuCores: z.number(),
  /** sends that left later than their slot allowed */
  missedSlots: z.number().int().optional(),
  /** deliveries of messages a cold sendMessage environment handled */
  deliveredCold: z.number().int().optional(),
  /** event-loop lag p99 of the worst shard in this interval */
  eventLoopLagP99Ms: z.number().optional(),
  /** CPU of the busiest shard, in cores */
  shardCpuMaxCores: z.number().optional(),
  /**
   * messages sent and not settled at the end of this interval: waiting for their ack or, within
   * the loss timeout, for deliveries (not counted received or lost yet)
   */
  pendingMessages: z.number().int().nonnegative().optional(),
  /** clients the server closed that set out to reconnect (a scenario's `reconnect`), and clients back as members */
  wentAway: z.number().int().nonnegative().optional(),
  reconnects: z.number().int().nonnegative().optional(),
});
export type IntervalRecord = z.infer<typeof IntervalRecord>;
