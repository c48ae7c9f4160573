import { availableParallelism } from 'node:os';
import { UserError } from '../../common/errors.ts';

/**
 * Each process here may hold at most 20,000 open files (the cap cannot be raised), one per
 * socket plus a few of its own: 18,000 clients per shard leaves room. Where the limit is lower,
 * a shard holds the limit less the same 2,000 of headroom. By default one shard per core, more
 * if the clients need them, never more shards than clients.
 */
export const MAX_CLIENTS_PER_SHARD = 18_000;
const FILES_HEADROOM = 2_000;

/** Clients one shard process may hold under an open-files limit (undefined: unknown, assume 20,000). */
export function clientsPerShard(openFilesPerProcess?: number): number {
  if (openFilesPerProcess === undefined) return MAX_CLIENTS_PER_SHARD;
  return Math.max(1, Math.min(MAX_CLIENTS_PER_SHARD, openFilesPerProcess - FILES_HEADROOM));
}

export function chooseShards(clients: number, requested?: number, openFilesPerProcess?: number): number {
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
  return Math.max(needed, Math.min(availableParallelism(), clients));
}
