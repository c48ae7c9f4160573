import type { FunctionConfig, FunctionLogging } from './options.ts';

/** What the gateway needs from the Lambda runtime: invoke a function by name, get an outcome. */

export type ThrottleReason =
  | 'reserved-concurrency' // the function's reserved concurrency is in use
  | 'account-concurrency' // the account's concurrency limit is in use
  | 'scaling-rate' // new environments beyond 1,000 per 10 s per function
  | 'forced'; // the forceThrottle fault knob (not an AWS limit)

export type InvokeOutcome =
  | {
      kind: 'ok';
      /** What the handler returned (for API Gateway routes: { statusCode, body, headers }). */
      result: unknown;
      cold: boolean;
      durationMs: number;
      billedDurationMs: number;
      initDurationMs?: number;
      /** Time spent waiting for a free environment because of the host cap (not an AWS quota). */
      hostCapWaitMs: number;
      requestId: string;
    }
  | {
      kind: 'error';
      errorType: string;
      errorMessage: string;
      cold: boolean;
      durationMs: number;
      requestId: string;
      /** Time spent waiting for a free environment because of the host cap (not an AWS quota). */
      hostCapWaitMs: number;
      initDurationMs?: number;
    }
  | { kind: 'throttled'; reason: ThrottleReason; requestId: string };

/** What UpdateFunctionConfiguration may change in the emulator. */
export interface FunctionUpdate {
  memoryMB?: number;
  timeoutSeconds?: number;
  /** The function's whole set of variables (it replaces the previous set). */
  environment?: Record<string, string>;
  /** The function's whole LoggingConfig (it replaces the previous one). */
  logging?: FunctionLogging;
}

/** What an invocation carries besides its event: Invoke's ClientContext, for synchronous invocations only, as Lambda passes it. */
export interface InvokeOptions {
  /** the JSON the caller sent base64-encoded in X-Amz-Client-Context, decoded (the runtime's Lambda-Runtime-Client-Context) */
  clientContext?: string;
}

export interface LambdaRuntime {
  invoke(functionName: string, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome>;
  functionNames(): string[];
  /** A function's current configuration; undefined for an unknown name. */
  functionConfig(functionName: string): FunctionConfig | undefined;
  /**
   * Apply a new configuration, as UpdateFunctionConfiguration does: the next invocations get
   * environments of the new one (cold: idle and prepared environments are retired at once),
   * invocations in flight finish on the old one. Resolves when the function's prepared
   * environments of the new configuration are ready. Throws for an unknown function.
   */
  updateFunction(functionName: string, update: FunctionUpdate): Promise<void>;
  /** Live and busy environments per function, for tests and the stack's status. */
  stats(): Record<string, FunctionStats>;
  /** Resolves when every function has its prepared environments (or cannot have them). */
  prepared(): Promise<void>;
  close(): Promise<void>;
}

export interface FunctionStats {
  /** Environments alive: idle, busy, prepared and starting. */
  live: number;
  busy: number;
  /** Environments whose INIT ran before they were needed, waiting for a cold start. */
  prepared: number;
  coldStarts: number;
  /** Cold starts served by a prepared environment (INIT charged to the invocation). */
  preparedColdStarts: number;
  invocations: number;
  throttles: number;
  /** Invocations that ended in an error outcome (handler error, timeout, crash, init failure). */
  errors: number;
  /** Invocations that ended in Sandbox.Timedout. */
  timeouts: number;
  /**
   * Invocations the host held back (not an AWS quota): a cold start that waited longer than its
   * environment's own start-up, for INIT concurrency or the host cap.
   */
  hostCapWaits: number;
  /** Idle environments of this function terminated early to make room under the host cap. */
  hostCapEvictions: number;
  /** Where its environments run: threads of the stack process (Node.js), or processes of their own (Runtime API). */
  runsIn: 'worker' | 'process';
  /** Host CPU its environments used for start-up (worker boot, or the process) + INIT, ms (0 where unreadable). */
  hostCpuInitMs: number;
  /** Host CPU its environments' threads used after INIT (invocations, idle timers, GC), ms. */
  hostCpuInvokeMs: number;
}
