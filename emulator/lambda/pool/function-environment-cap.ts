import { availableParallelism } from 'node:os';
import { cpuShare } from '../environments/cpu-share.ts';

/** The per-function cap never goes below this: a burst's first few cold starts stay as on AWS. */
const MIN_FUNCTION_CAP = 4;

/**
 * The host's cores, read once: the cap is asked for on every invocation, admission check and
 * INIT scheduling, and availableParallelism() is a system call each time (about 2 % of the main
 * thread's CPU in a profiled queued fan-out, bench/queued-fanout).
 */
const HOST_CORES = availableParallelism();

/**
 * The host cap on one function's live environments: `perCore` environments per core at a full
 * vCPU share, so more for small memory sizes, whose environments spend most of an invocation
 * blocked by the CPU-share model or waiting on I/O. Not an AWS quota. Beyond what the cores can
 * keep busy, another environment adds no throughput on this host, only cost: each new one
 * compiles the SDK's hot paths again (about a second of CPU over its first invocations, measured
 * in bench/RESULTS.md), so on a saturated host every extra cold start made invocations slower,
 * which raised concurrency and called for more environments. Infinity when `perCore` is 0.
 */
export function functionEnvironmentCap(memoryMB: number, perCore: number, cores = HOST_CORES): number {
  if (perCore === 0) return Infinity;
  return Math.max(MIN_FUNCTION_CAP, Math.ceil((perCore * cores) / cpuShare(memoryMB)));
}
