import type { HostFacts } from './host-facts.ts';
import { clientsPerShard, MAX_SHARDS_PER_CORE, MB_PARENT, MB_PER_1000_CLIENTS, MB_PER_SHARD } from '../contracts/harness-costs.ts';
import { clientsPerSourceAddress } from './source-address.ts';
import type { TargetSpec } from '../contracts/target-spec.ts';
import { fmtInt, fmtMemoryMB } from '../number-format.ts';

/**
 * Whether this machine can hold the fleet a run asks for, estimated from the harness's own
 * measured costs before anything starts. A typo (`clients: 1e6`, `--shards 1000`) is refused with
 * one line saying the limit and why, instead of forking dozens of processes and swapping; the
 * `--ignore-host-limits` flag runs it anyway.
 *
 * The harness's costs are the measured ones of src/contracts/harness-costs.ts (bench/RESULTS.md).
 *
 * A local stack sizes itself to the host: its Lambda environments (about 26 MB of RSS each) are
 * capped by `hostMaxEnvironments`, by default what 30 % of the host's memory holds at 32 MB each
 * (16 to 256). It is counted at that cap plus its own base, since a busy run fills it (measured:
 * 3.7 GB peak with 4,000 clients sending, against a 7.1 GB cap on a 24 GB host); a scenario's
 * `target.hostMaxEnvironments` lowers it.
 */
export const MB_LOCAL_STACK_BASE = 150;
export const MB_PER_ENVIRONMENT = 32;
/** Files the local stack keeps for itself (servers, DynamoDB, CloudWatch, logs) besides client sockets. */
const LOCAL_STACK_FILES_HEADROOM = 1_000;

export interface FleetAsk {
  clients: number;
  shards: number;
  /** the run's target, parsed: a local stack's memory and open files count too; a URL's host decides the source addresses */
  target: TargetSpec;
  /** a local stack's cap on Lambda environments, when the scenario sets one */
  hostMaxEnvironments?: number;
  /** how to name the client count in a message: "--clients" or "my.yaml: clients" */
  clientsField: string;
  /** the scenario's file (or "built-in scenario x"), to name its target.hostMaxEnvironments */
  scenarioSource: string;
  /** `--shards`, when given (`shards` is then this, or fewer when there are fewer clients) */
  shardsRequested?: number;
}

/** What a memory estimate needs to know of a fleet. */
export interface MemoryAsk {
  clients: number;
  shards: number;
  /** the harness starts the target's stack on this host: its memory counts too */
  localStack: boolean;
  hostMaxEnvironments?: number;
}

const MB = 2 ** 20;

/** The local stack's cap on Lambda environments: the scenario's, or the emulator's default for this host. */
export function localStackEnvironments(totalMemoryBytes: number, hostMaxEnvironments?: number): number {
  return hostMaxEnvironments ?? Math.max(16, Math.min(256, Math.floor((totalMemoryBytes * 0.3) / (MB_PER_ENVIRONMENT * MB))));
}

/** A local stack's memory at its environment cap, in MB (0 for a remote target). */
export function localStackMB(ask: MemoryAsk, totalMemoryBytes: number): number {
  if (!ask.localStack) return 0;
  return MB_LOCAL_STACK_BASE + localStackEnvironments(totalMemoryBytes, ask.hostMaxEnvironments) * MB_PER_ENVIRONMENT;
}

/** The harness's (and a local stack's) estimated memory for a fleet, in MB. */
export function estimatedMemoryMB(ask: MemoryAsk, totalMemoryBytes: number): number {
  const harness = MB_PARENT + ask.shards * MB_PER_SHARD + (ask.clients / 1000) * MB_PER_1000_CLIENTS;
  return harness + localStackMB(ask, totalMemoryBytes);
}

/** The first limit the fleet would break on this host, as one line; undefined if it fits. */
export function fleetLimitIssue(ask: FleetAsk, host: HostFacts): string | undefined {
  const { clients, shards } = ask;
  const maxShards = host.cores * MAX_SHARDS_PER_CORE;
  const perShard = clientsPerShard(host.openFilesPerProcess);
  if (shards > maxShards) {
    const why = `${host.cores} core(s) drive at most ${maxShards} shard processes (${MAX_SHARDS_PER_CORE} per core, the most measured to hold every client; each adds ~${MB_PER_SHARD} MB)`;
    if (ask.shardsRequested !== undefined) return `--shards: ${ask.shardsRequested}: ${why}`;
    return `${ask.clientsField}: ${clients} clients need ${shards} shard processes (${fmtInt(perShard)} clients each, as a process may open ${fmtInt(host.openFilesPerProcess ?? 20_000)} files): ${why}, so this host holds at most ${fmtInt(maxShards * perShard)} clients`;
  }

  const memoryAsk = { ...ask, localStack: ask.target.startsLocalStack };
  const needMB = estimatedMemoryMB(memoryAsk, host.totalMemoryBytes);
  const stackMB = localStackMB(memoryAsk, host.totalMemoryBytes);
  const haveMB = host.availableMemoryBytes / MB;
  if (needMB > haveMB) {
    const have = `this host has ${fmtMemoryMB(haveMB)} available`;
    if (needMB - stackMB > haveMB) {
      // each client with its share of a full shard's baseline, after the parent and the stack
      const holds = Math.max(0, Math.floor((haveMB - MB_PARENT - stackMB) / (MB_PER_1000_CLIENTS / 1000 + MB_PER_SHARD / perShard)));
      return `${ask.clientsField}: ${clients} clients need about ${fmtMemoryMB(needMB - stackMB)} of memory for the harness (${MB_PER_1000_CLIENTS} MB per 1,000 clients, ${MB_PER_SHARD} MB per shard process, ${MB_PARENT} MB for the parent)${stackMB > 0 ? ` and ${fmtMemoryMB(stackMB)} for the local stack` : ''}; ${have}, enough for about ${fmtInt(holds)} clients`;
    }
    // the harness fits: the local stack at its environment cap is what does not
    const envs = localStackEnvironments(host.totalMemoryBytes, ask.hostMaxEnvironments);
    return `${ask.scenarioSource}: target.hostMaxEnvironments: a local stack at ${envs} Lambda environments (${MB_PER_ENVIRONMENT} MB each) needs about ${fmtMemoryMB(stackMB)}, with the harness ${fmtMemoryMB(needMB)}; ${have}: set fewer`;
  }

  if (ask.target.startsLocalStack && host.openFilesPerProcess !== undefined) {
    const max = host.openFilesPerProcess - LOCAL_STACK_FILES_HEADROOM;
    if (clients > max) {
      return `${ask.clientsField}: ${clients} clients: the local stack is one process, which may open ${fmtInt(host.openFilesPerProcess)} files (one per client socket): it holds at most ${fmtInt(max)} clients; run a bigger fleet against a deployed stack`;
    }
  }

  // Against anything but a 127.x address (where clients spread over source addresses, as they do
  // to a local stack), every connection to the target takes one ephemeral port of a single source address.
  const target = ask.target;
  if (!target.startsLocalStack && host.localPorts !== undefined && clients > host.localPorts) {
    if (clientsPerSourceAddress(target.kind === 'url' ? target.hostname : undefined, clients) === 0) {
      const hostName = target.kind === 'url' ? target.hostname : target.spec;
      return `${ask.clientsField}: ${clients} connections to ${hostName} need ${fmtInt(clients)} local ports, but one source address has ${fmtInt(host.localPorts)} (net.ipv4.ip_local_port_range)`;
    }
  }
  return undefined;
}
