/**
 * What the harness costs a host, measured on the project's 2-core machine (Node 20) and recorded in
 * bench/RESULTS.md: the run check's estimate (src/fleet/fleet-limits.ts) and the plan's load hosts
 * (src/analyses/plan/load-hosts.ts) read these one figures.
 *
 * - Memory: "Launch scale: reads into one buffer" (2026-11-26): 6 shards held 100,000 open clients
 *   at a peak of 714–730 MB in eight rounds; an empty shard process of the packed install
 *   (compiled) holds ~60 MB (~40 MB more where a checkout runs its TypeScript through tsx), so the
 *   clients take (730 − 6 × 60) ÷ 100 ≈ 3.7 MB per 1,000; the parent held 135 MB in 4,000-client
 *   runs.
 * - CPU: the same section, 0.077–0.105 CPU-s per 10,000 deliveries at 100,000 clients (6 shards;
 *   0.075–0.093 with one shard at 2,000), 0.10 covering all but the worst round; "Harness
 *   capacity" (2026-11-22), 0.257 ms of harness CPU per connect.
 * - Open files: a process here may open 20,000 files, so a shard holds 18,000 clients
 *   (src/fleet/shard-count.ts), and past 18,000 a core the fleet adds shards. "Launch scale:
 *   the ceiling" (2026-11-26): 600,000 clients on 34 shards (17 a core) held with every delivery
 *   accounted for; CPU per delivery against one shard's grew from 1.11× at 3 shards a core to
 *   1.27× at 6, 1.5× at 8.5–11.5 and 1.84× at 17.
 * - Ports: one source address to one destination address and port has the ephemeral range, Linux's
 *   default 32768–60999: 28,232 connections.
 */
export const HARNESS_COSTS_SOURCE = 'bench/RESULTS.md, "Launch scale: reads into one buffer" and "Launch scale: the ceiling" (2026-11-26), and "Harness capacity" (2026-11-22)';

/** Shard RSS per 1,000 open clients, on top of the empty shard processes. */
export const MB_PER_1000_CLIENTS = 3.7;
/** An empty shard process's RSS (the packed install's compiled build). */
export const MB_PER_SHARD = 60;
/** The parent process (merging, writing). */
export const MB_PARENT = 135;
/** Harness CPU-seconds per 10,000 deliveries, at 100,000 clients over 6 shards. */
export const CPU_S_PER_10K_DELIVERIES = 0.1;
/** Harness CPU per connect, ms. */
export const CPU_MS_PER_CONNECT = 0.257;
/** Open files a process may have on the machine measured (soft and hard limit alike). */
export const OPEN_FILES_MEASURED = 20_000;
/**
 * The shard processes a core the plan sizes a load host for: up to here CPU per delivery stays
 * near the figure above (1.11× one shard's at 3 a core, 1.27× at 6); a host packed denser still
 * holds its clients but spends more CPU on each delivery.
 */
export const SHARDS_PER_CORE = 4;
/** The most shard processes a core was measured to drive holding every client (600,000 on 2 cores): a run asking for more is refused. */
export const MAX_SHARDS_PER_CORE = 17;
/** Connections one source address holds to one destination address and port: Linux's default ephemeral range. */
export const EPHEMERAL_PORTS = 28_232;

/**
 * Each process here may hold at most 20,000 open files (the cap cannot be raised), one per socket
 * plus a few of its own: 18,000 clients per shard leaves room. Where the limit is lower, a shard
 * holds the limit less the same 2,000 of headroom.
 */
export const MAX_CLIENTS_PER_SHARD = 18_000;
export const FILES_HEADROOM = 2_000;

/** Clients one shard process may hold under an open-files limit (undefined: unknown, assume 20,000). */
export function clientsPerShard(openFilesPerProcess?: number): number {
  if (openFilesPerProcess === undefined) return MAX_CLIENTS_PER_SHARD;
  return Math.max(1, Math.min(MAX_CLIENTS_PER_SHARD, openFilesPerProcess - FILES_HEADROOM));
}
