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

/** How Lambda initialized an environment, as AWS_LAMBDA_INITIALIZATION_TYPE names it. */
export type InitializationType = 'on-demand' | 'provisioned-concurrency' | 'snap-start';

/** What UpdateFunctionConfiguration may change in the emulator. */
export interface FunctionUpdate {
  memoryMB?: number;
  timeoutSeconds?: number;
  /** The function's whole set of variables (it replaces the previous set). */
  environment?: Record<string, string>;
  /** The function's whole LoggingConfig (it replaces the previous one). */
  logging?: FunctionLogging;
  /** SnapStart.ApplyOn: the versions published from now on are snapshotted (PublishedVersions) or not (None) */
  snapStart?: 'PublishedVersions' | 'None';
}

/** What an invocation carries besides its event: Invoke's ClientContext, for synchronous invocations only, as Lambda passes it. */
export interface InvokeOptions {
  /** the JSON the caller sent base64-encoded in X-Amz-Client-Context, decoded (the runtime's Lambda-Runtime-Client-Context) */
  clientContext?: string;
  /**
   * The alias or version the caller named (Invoke's Qualifier, an integration URI's or a mapping's
   * qualified ARN): the version that runs, and the end of the handler's invokedFunctionArn.
   * Absent or `$LATEST`: the unpublished function.
   */
  qualifier?: string;
}

/** A provisioned concurrency configuration as GetProvisionedConcurrencyConfig reports it. */
export interface ProvisionedConcurrencyState {
  requested: number;
  /** environments INIT'd, free or busy */
  allocated: number;
  /** of those, free now */
  available: number;
  status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  statusReason?: string;
}

/** A version's State, and why where it is not Active (GetFunctionConfiguration's StateReason and StateReasonCode). */
export type VersionState = { state: 'Active' } | { state: 'Pending' } | { state: 'Failed'; reason: string; reasonCode: string };

/** A SnapStart version's snapshot: its INIT at publish, taken or failed. */
export type SnapshotState = { version: string; initMs: number } & ({ ok: true } | { ok: false; errorType: string; errorMessage: string });

export interface LambdaRuntime {
  /** `functionName` may carry its qualifier (`fn:live`, `fn:3`), as Lambda's FunctionName takes it. */
  invoke(functionName: string, event: unknown, options?: InvokeOptions): Promise<InvokeOutcome>;
  functionNames(): string[];
  /** A function's current configuration (of `$LATEST`, or of the version or alias `qualifier` names); undefined for an unknown name or qualifier. */
  functionConfig(functionName: string, qualifier?: string): FunctionConfig | undefined;
  /**
   * Apply a new configuration, as UpdateFunctionConfiguration does: the next invocations get
   * environments of the new one (cold: idle and prepared environments are retired at once),
   * invocations in flight finish on the old one. Resolves when the function's prepared
   * environments of the new configuration are ready. Throws for an unknown function.
   */
  updateFunction(functionName: string, update: FunctionUpdate): Promise<void>;
  /** Publish `$LATEST` as a new version (its configuration now); returns the version's number. Throws AwsApiError (Lambda's refusals) for an unknown function. */
  publishVersion(functionName: string): string;
  /** A function's published versions, oldest first. */
  versions(functionName: string): string[];
  /** Create an alias or point it at another version (its provisioned concurrency moves with it). */
  putAlias(functionName: string, alias: string, version: string): void;
  /** A function's aliases and the version each names. */
  aliases(functionName: string): Record<string, string>;
  /** Delete an alias, and the provisioned concurrency configured on it. */
  deleteAlias(functionName: string, alias: string): void;
  /**
   * Configure provisioned concurrency on an alias or a published version, refused in Lambda's
   * words (AwsApiError) where Lambda refuses it; its environments start at once (the status says
   * when they are all allocated: `whenProvisioned`).
   */
  putProvisionedConcurrency(functionName: string, qualifier: string, requested: number): void;
  deleteProvisionedConcurrency(functionName: string, qualifier: string): void;
  provisionedConcurrency(functionName: string, qualifier: string): ProvisionedConcurrencyState;
  /** Every provisioned concurrency configuration of a function: the alias or version it is on, and its state. */
  provisionedConcurrencyConfigs(functionName: string): Array<{ qualifier: string } & ProvisionedConcurrencyState>;
  /** Resolves when every version of the function has its provisioned environments (or cannot have them). */
  whenProvisioned(functionName: string): Promise<void>;
  /**
   * A published version's State as Lambda reports it: a SnapStart version is Pending while its
   * snapshot is taken, then Active, or Failed when INIT failed; any other version is Active.
   */
  versionState(functionName: string, version: string): VersionState;
  /** The function's SnapStart versions' snapshots, once each is taken or has failed (none without SnapStart). */
  snapshots(functionName: string): Promise<SnapshotState[]>;
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
  /** Provisioned environments allocated (INIT done), over all its versions; not in `live`. */
  provisioned: number;
  /** Invocations a provisioned environment served (warm: its INIT ran at allocation). */
  provisionedInvocations: number;
  /** Invocations of a version with provisioned concurrency that found none free: on-demand environments served them. */
  spilloverInvocations: number;
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
