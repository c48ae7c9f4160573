/** Messages between the runtime (main thread) and an execution environment's worker. */

import type { SeenRequest } from '../../../common/unserved-calls.ts';
import type { FunctionLogging } from '../options.ts';
import type { InitializationType } from '../types.ts';
import type { HandlerModuleOptions } from './handler-module.ts';

/** workerData: what the worker needs to boot. */
export interface WorkerInit {
  /**
   * A bundle (the `entry` kind: CommonJS, `handler` export), or code as written: its folder, its
   * Handler, where its packages may be found, and the ESM hook (environment-specs.ts).
   */
  code: { kind: 'bundle'; path: string } | ({ kind: 'handler' } & HandlerModuleOptions);
  functionName: string;
  /** the version the environment runs and how it was initialized (its platform lines say them) */
  version: string;
  initializationType: InitializationType;
  memoryMB: number;
  region: string;
  accountId: string;
  logGroupName: string;
  logStreamName: string;
  /** LoggingConfig: the platform lines' format and SystemLogLevel (the console's come from its variables) */
  logging?: FunctionLogging;
  /** Stretch CPU time to the memory size's CPU share (see cpu-share.ts). */
  cpuThrottle: boolean;
  /** V8 code cache for the bundle, written by an earlier environment of this runtime (see worker.ts). */
  codeCache?: Uint8Array;
  /** Node's module compile cache for code as written (bundling/code-cache.ts). */
  compileCacheDir?: string;
  /** Endpoint prefix → local base URL, for code that names AWS hosts (aws-endpoint-redirect.ts). */
  awsEndpoints: Record<string, string>;
  /** The freeze cell (freeze.ts): the worker blocks on it between invocations and after INIT. */
  freeze: SharedArrayBuffer;
}

/** Main → worker: run one invocation. */
export interface InvokeRequest {
  id: string;
  event: unknown;
  /** epoch ms when the invocation times out (context.getRemainingTimeInMillis). */
  deadline: number;
  /** Lambda-Runtime-Client-Context: the JSON an Invoke's ClientContext carried */
  clientContext?: string;
  /** the alias or version the caller named (context.invokedFunctionArn ends with it) */
  qualifier?: string;
}

/** Worker → main. */
export type WorkerMessage =
  /**
   * What the environment wrote to stdout/stderr (its log stream), posted at once on the port the
   * answers use: in order with them, and nothing left buffered in a stream when it freezes.
   */
  | { t: 'log'; text: string }
  /** A call the function made to an AWS endpoint the emulator does not serve (aws-endpoint-redirect.ts), refused: for the emulator's record. */
  | { t: 'unserved'; request: SeenRequest; at: number }
  /** Sent during INIT when the environment compiled without a usable code cache: one for the next ones. */
  | { t: 'code-cache'; data: Uint8Array }
  | {
      t: 'ready';
      initMs: number;
      maxMemoryUsedMB: number;
      /** CPU the thread used so far (worker boot + INIT), ms; 0 where it cannot be read. */
      cpuMs: number;
      /** The thread's Linux thread id: the main thread reads its CPU per invocation (Lambda Insights); absent where unknown. */
      tid?: number;
    }
  | { t: 'init-error'; initMs: number; errorType: string; errorMessage: string }
  | {
      t: 'done';
      id: string;
      ok: boolean;
      result?: unknown;
      errorType?: string;
      errorMessage?: string;
      durationMs: number;
      /** Set on the environment's first invocation (the cold one). */
      initDurationMs?: number;
      maxMemoryUsedMB: number;
      /** CPU the thread used since its previous message, ms (0 where it cannot be read). */
      cpuMs: number;
      /**
       * The runtime exits after this answer, as AWS's Node.js runtime does after an uncaught
       * exception or unhandled rejection failed the invocation: the environment serves no more.
       */
      exits?: boolean;
    };
