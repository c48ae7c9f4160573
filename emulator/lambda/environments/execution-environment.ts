import type { Socket } from 'node:net';
import type { InitializationType, InvokeOptions } from '../types.ts';
import type { BundleCodeCache } from '../bundling/code-cache.ts';
import type { LogSink, MetricSink } from '../../cloudwatch/types.ts';
import type { FunctionConfig } from '../options.ts';
import { timeoutMessage } from './report-line.ts';
import type { WorkerInit, WorkerMessage } from '../runtimes/worker-protocol.ts';

/**
 * What the pool (function-pool.ts, env-preparer.ts, host-capacity.ts, runtime.ts) knows of an
 * execution environment, whatever runs it: a worker thread of the stack for Node.js
 * (worker-environment.ts), a process speaking the Runtime API for every other runtime
 * (process-environment.ts). Concurrency, throttles, host caps, prepared environments, reaping,
 * metrics and the outcome of an invocation are the pool's, one code path for both.
 */
export interface ExecutionEnvironment {
  /** The function's configuration when the environment was created: kept for life (an update retires it). */
  readonly spec: EnvironmentSpec;
  /** INIT's duration once it has run: what a cold start on this environment costs. */
  readonly initMs: number;
  /** Start-up (thread or process) + INIT, as the runtime saw it. */
  readonly startupMs: number;
  /** performance.now() when the environment last became idle. */
  readonly lastUsedAt: number;
  /** Its log stream in the function's log group (`YYYY/MM/DD/[<version>]<id>`). */
  readonly logStream: string;
  /** Run INIT; resolves once it has finished or failed. */
  start(): Promise<StartResult>;
  /** Run one invocation; the environment must be idle. */
  run(requestId: string, event: unknown, options?: InvokeOptions): Promise<RunResult>;
  /** After an invocation: idle again (the caller decides where it goes). */
  markIdle(): void;
  /** An idle environment that will not serve again (reaped, evicted, replaced): it ends, running nothing it left pending. */
  retire(): void;
  /** Stop it now; a pending INIT or invocation (only when the runtime closes) ends as an error. */
  terminate(): Promise<void>;
}

interface SpecBase {
  fn: FunctionConfig;
  /** The version its environments run: `$LATEST`, or a published version's number (their variables, log streams and START lines say it). */
  version: string;
  /** How its environments are initialized: on demand, or ahead for provisioned concurrency. */
  initializationType: InitializationType;
  /** Environment variables without AWS_LAMBDA_LOG_STREAM_NAME (set per environment). */
  env: Record<string, string>;
  cpuThrottle: boolean;
  region: string;
  accountId: string;
  logs: LogSink;
  metrics: MetricSink;
  /** Host CPU the function's environments used, ms: the host's accounting. */
  cpu: { initMs: number; invokeMs: number };
  /** where each environment makes its own /tmp (ephemeral-storage.ts) */
  tmpRoot: string;
}

/** A Node.js function: a worker thread of the stack process. */
export interface WorkerEnvironmentSpec extends SpecBase {
  kind: 'worker';
  /** What the worker loads: the function's bundle, or its code as written. */
  code: WorkerInit['code'];
  workerPath: string;
  /** Endpoint prefix → local base URL (aws-endpoint-redirect.ts). */
  awsEndpoints: Record<string, string>;
  /** A bundle's V8 code cache (shared across configurations: same bundle); none for code as written. */
  codeCache?: BundleCodeCache;
  /** Node's module compile cache, for code as written. */
  compileCacheDir?: string;
}

/** Any other runtime: a process (the Python bootstrap, a custom runtime's `bootstrap`) speaking the Runtime API. */
export interface ProcessEnvironmentSpec extends SpecBase {
  kind: 'process';
  /** The executable and its arguments (host-runtimes.ts). */
  command: string;
  args: string[];
  /** The code directory: Lambda's task root, and the process's working directory. */
  cwd: string;
  /** A SnapStart version's snapshot (python-snapshot.ts): its environments are restored from it, not started. */
  snapshot?: Snapshot;
}

/** What a SnapStart environment is restored from: INIT run once, at publish. */
export interface Snapshot {
  /** INIT's outcome: the snapshot is taken, or INIT (or a before-snapshot hook) failed. */
  readonly ready: Promise<StartResult>;
  /** `ready`'s outcome once it has one, read where an answer cannot wait (a version's State) */
  readonly outcome: StartResult | undefined;
  /** A new process restored from it, with these variables set; rejects when the snapshot is gone. */
  restore(env: Record<string, string>): Promise<RestoredProcess>;
}

/** A process restored from a snapshot: its id, its output (stdout and stderr, one stream), and how it ended. */
export interface RestoredProcess {
  pid: number;
  output: Socket;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export type EnvironmentSpec = WorkerEnvironmentSpec | ProcessEnvironmentSpec;

export type StartResult = { ok: true; initMs: number } | StartFailure;
export type StartFailure = { ok: false; initMs: number; errorType: string; errorMessage: string };

export type RunResult = (
  // the worker's answer without its own bookkeeping: one shape for both kinds of environment
  | ({ kind: 'done' } & Omit<Extract<WorkerMessage, { t: 'done' }>, 't' | 'id' | 'maxMemoryUsedMB' | 'cpuMs'>)
  | { kind: 'timeout'; durationMs: number }
  | { kind: 'crash'; errorMessage: string; durationMs: number }
) &
  RunUsage;

/** What the environment used in the invocation, however it ended (Lambda Insights' record); absent where unknown. */
export interface RunUsage {
  /** CPU time of the environment's thread or process during the invocation, ms. */
  cpuMs?: number;
  maxMemoryUsedMB?: number;
}

/** On-demand INIT may take 10 s; Lambda then retries it inside the invoke, under the function timeout. */
export const INIT_LIMIT_MS = 10_000;

/** How long INIT may run before it is timed out: INIT_LIMIT_MS, then the function's timeout. */
export function initLimitMs(fn: FunctionConfig): number {
  return INIT_LIMIT_MS + fn.timeoutSeconds * 1000;
}

/** INIT past initLimitMs, as Lambda reports it. */
export function initTimedOut(initMs: number, fn: FunctionConfig): StartFailure {
  return { ok: false, initMs, errorType: 'Sandbox.Timedout', errorMessage: timeoutMessage(fn.timeoutSeconds) };
}

/** A SnapStart restore (the runtime's load and the after-restore hooks) may take 10 s. */
export const RESTORE_LIMIT_MS = 10_000;

/** A restore past RESTORE_LIMIT_MS, as Lambda's Invoke reports it. */
export function restoreTimedOut(restoreMs: number): StartFailure {
  return { ok: false, initMs: restoreMs, errorType: 'SnapStartTimeoutException', errorMessage: "Lambda couldn't restore the snapshot within the timeout limit." };
}

/** What an environment stopped by the emulator (terminate()) owes: INIT and the invocation end as Lambda's runtime exit. */
export function terminatedInit(initMs: number): StartFailure {
  return { ok: false, initMs, errorType: 'Runtime.ExitError', errorMessage: 'Error: Runtime exited with error: environment terminated' };
}
export function terminatedRun(requestId: string, durationMs: number): RunResult {
  return { kind: 'crash', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: environment terminated`, durationMs };
}

/** A log stream's name as Lambda makes it: `YYYY/MM/DD/[<version>]<32 hex>` (`[$LATEST]`, `[3]`). */
export function streamName(id: string, version = '$LATEST', now = new Date()): string {
  const y = now.getUTCFullYear();
  const m = String(now.getUTCMonth() + 1).padStart(2, '0');
  const d = String(now.getUTCDate()).padStart(2, '0');
  return `${y}/${m}/${d}/[${version}]${id}`;
}
