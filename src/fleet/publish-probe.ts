import { encodeProbe } from '../../common/probe-text.ts';

/**
 * How a publish is named in its probe, so its deliveries are matched as a client's messages' are:
 * its origin is one past the last shard (the shards' origins are 0 … shards − 1: the ledger and
 * every shard's tally keep it apart from theirs), its sender one past the last client (no client's
 * id: a receiver's order window for the publisher is its own), and its sequence number its slot.
 */
export function publishOrigin(shards: number): number {
  return shards;
}

export function publisherId(clients: number): number {
  return clients;
}

/** The probe of publish `slot` of a run with `shards` shards and `clients` clients, intended at `intended` (epoch ms). */
export function publishProbe(slot: number, intended: number, shards: number, clients: number): string {
  return encodeProbe({ origin: publishOrigin(shards), slot, sender: publisherId(clients), seq: slot, intended }, 0);
}
