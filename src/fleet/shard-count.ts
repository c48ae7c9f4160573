import { availableParallelism } from 'node:os';
import { UserError } from '../../common/errors.ts';
import { clientsPerShard } from '../contracts/harness-costs.ts';

/**
 * The most one shard takes by default before the load is spread over more, measured with
 * bench/harness-capacity on 2 cores shared with the server under test (bench/RESULTS.md,
 * "Harness capacity: where the tail came from"). One shard kept up at 30,000 deliveries/s (no
 * send slot late, p99 at the bare ws fleet's, a third of a core) where two were worse (p99 1.7×);
 * at 40,000/s it missed 2-6 % of its send slots in two runs of three. Up to there a second shard
 * only costs: each wakes for half the frames (1.19× the bare fleet's CPU per delivery at
 * 20,000/s against 0.99× for one), and it adds a process to the run queue.
 */
export const DELIVERIES_PER_SHARD = 30_000;
/**
 * Connects by the per-connect cost, not by a shard-count comparison: 0.236 ms of harness CPU
 * each, so 2,000/s is about half a core.
 */
export const CONNECTS_PER_SHARD = 2_000;

/** The most a scenario asks of its fleet at once (scenarios/planned-load.ts reads it from a scenario). */
export interface PlannedLoad {
  /** the busiest send phase's deliveries/s: its rate × the members a message reaches, on average over its senders */
  deliveriesPerSec: number;
  /** the fastest connect phase's rate, connections/s */
  connectsPerSec: number;
}

/**
 * Shards for `clients`: `requested` if it can hold them (clientsPerShard: the open-files limit);
 * by default one while the scenario's load fits one, else one per core (unknown load: one per
 * core); more if the clients need them, never more shards than clients.
 */
export function chooseShards(clients: number, requested?: number, openFilesPerProcess?: number, load?: PlannedLoad): number {
  const perShard = clientsPerShard(openFilesPerProcess);
  const needed = Math.ceil(clients / perShard);
  if (requested !== undefined) {
    if (requested < needed) {
      throw new UserError(
        `--shards: ${requested} shard(s) cannot hold ${clients} clients (at most ${perShard} per shard process, which may open ${openFilesPerProcess ?? 20_000} files)`,
      );
    }
    return Math.max(1, Math.min(requested, clients));
  }
  const forLoad = load
    ? Math.max(1, Math.ceil(load.deliveriesPerSec / DELIVERIES_PER_SHARD), Math.ceil(load.connectsPerSec / CONNECTS_PER_SHARD))
    : Infinity;
  return Math.max(needed, Math.min(availableParallelism(), clients, forLoad));
}
