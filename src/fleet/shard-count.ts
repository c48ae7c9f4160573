import { availableParallelism } from 'node:os';
import { UserError } from '../errors.ts';

/**
 * Each process here may hold at most 20,000 open files (the cap cannot be raised), one per
 * socket plus a few of its own: 18,000 clients per shard leaves room. By default one shard per
 * core, more if the clients need them, never more shards than clients.
 */
export const MAX_CLIENTS_PER_SHARD = 18_000;

export function chooseShards(clients: number, requested?: number): number {
  const needed = Math.ceil(clients / MAX_CLIENTS_PER_SHARD);
  if (requested !== undefined) {
    if (requested < needed) {
      throw new UserError(
        `--shards: ${requested} shard(s) cannot hold ${clients} clients (at most ${MAX_CLIENTS_PER_SHARD} per shard process, which may open 20,000 files)`,
      );
    }
    return Math.max(1, Math.min(requested, clients));
  }
  return Math.max(needed, Math.min(availableParallelism(), clients));
}
