/**
 * The emulator's own account of its host, published beside the AWS metrics in a namespace of its
 * own so that a run can tell the stack's latency from the host's queueing. AWS has nothing like
 * it: on AWS every environment has its own CPU, locally they share the harness's cores. The
 * emulator publishes these (emulator/host-meter.ts, the Lambda runtime); the harness
 * pulls them (src/metrics/local-host.ts says what they mean for a run).
 *
 * - `HostBusyPercent` (no dimensions), once a second: how busy all the host's cores were, 0–100.
 * - `StackCpuMs` (no dimensions), once a second: CPU milliseconds the stack's process used.
 * - `HeldBackMs` (FunctionName), per invocation the host held back: how long it waited at a host
 *   cap or for INIT concurrency where AWS would have started an environment at once.
 */
export const LOCAL_HOST_NAMESPACE = 'FanoutBench/LocalHost';
export const LOCAL_HOST_METRIC = {
  hostBusyPercent: 'HostBusyPercent',
  stackCpuMs: 'StackCpuMs',
  heldBackMs: 'HeldBackMs',
} as const;

/**
 * The emulator's own log of what the host held back, per Lambda invocation: one JSON line per
 * invocation that waited for a host slot (INIT concurrency or the host cap), in a log group of
 * the emulator's own, never an AWS one, so a run reads it only from the local emulator. A line:
 * `{"requestId":"<the invocation's request ID, as its REPORT line>","functionName":"…","hostWaitMs":782.4}`.
 * An invocation with no line waited for nothing.
 */
export const LOCAL_HOST_WAIT_LOG_GROUP = '/fanout-bench/emulator/host-waits';
export interface HostWaitLine {
  requestId: string;
  functionName: string;
  hostWaitMs: number;
}
