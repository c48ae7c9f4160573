import { functionEnvironmentCap } from './function-environment-cap.ts';
import type { TokenBucket } from './token-bucket.ts';
import type { ProvisionedEnvironments } from './provisioned-environments.ts';
import type { EnvironmentSpec, ExecutionEnvironment, StartFailure } from '../environments/execution-environment.ts';
import type { FunctionConfig } from '../options.ts';
import type { FunctionStats } from '../types.ts';

/** A cold invocation waiting for an environment (see env-preparer.ts). */
export interface ColdWaiter {
  pool: FunctionPool;
  seq: number;
  enqueuedAt: number;
  /** When an INIT that will serve it was under way (unset while the host holds it back). */
  coveredAt?: number;
  resolve(grant: ColdGrant): void;
}

/**
 * What a cold invocation gets: an environment whose INIT is done, a warm one freed while the host
 * held the cold start back, the INIT failure, or nothing (the runtime is closing).
 */
export type ColdGrant =
  | { kind: 'prepared'; env: ExecutionEnvironment; heldBackMs: number }
  | { kind: 'warm'; env: ExecutionEnvironment }
  | { kind: 'init-failed'; failure: StartFailure; /** the failed environment's, when one started */ logStream?: string }
  | { kind: 'closed' };

/** Until a function has started an environment once, what a cold waiter is expected to wait. */
const DEFAULT_EXPECTED_STARTUP_MS = 150;

/**
 * One version's environments and counters (`$LATEST`, or a published version: an environment
 * runs one version). Idle environments form a stack: the most recently used is reused first (so
 * surplus environments age out and get reaped), and idle[0] is the least recently used. Prepared
 * environments have run INIT but no invocation yet: the next cold start takes one (still a cold
 * start, with that INIT's duration). Provisioned environments, where the version has provisioned
 * concurrency, serve before any of those (provisioned-environments.ts).
 */
export class FunctionPool {
  readonly idle: ExecutionEnvironment[] = [];
  readonly prepared: ExecutionEnvironment[] = [];
  /** Oldest first; short (a burst's worth), so an array. */
  readonly coldWaiters: ColdWaiter[] = [];
  /** The version's provisioned concurrency, when it has some. */
  provisioned: ProvisionedEnvironments | undefined;
  /** Reused for every data point this function emits. */
  readonly dimensions: Record<string, string>;
  /** Environments alive: idle, busy, prepared and starting. */
  live = 0;
  busy = 0;
  /** Environments running INIT now. */
  preparing = 0;
  /** The last successful start-up (worker boot + INIT), ms: what a cold start takes on this host. */
  lastStartupMs: number | undefined;
  /** The last INIT failed: prepare no spares until an invocation's INIT succeeds again. */
  initFailing = false;
  readonly counters: Omit<FunctionStats, 'live' | 'busy' | 'prepared' | 'provisioned' | 'runsIn' | 'hostCpuInitMs' | 'hostCpuInvokeMs'> = {
    coldStarts: 0,
    preparedColdStarts: 0,
    invocations: 0,
    provisionedInvocations: 0,
    spilloverInvocations: 0,
    throttles: 0,
    errors: 0,
    timeouts: 0,
    hostCapWaits: 0,
    hostCapEvictions: 0,
  };

  constructor(
    /** The current configuration; replaced by `reconfigure`. */
    public config: FunctionConfig,
    /** What new environments are created from; replaced by `reconfigure`. */
    public spec: EnvironmentSpec,
    /** The function's scaling rate: one bucket for all its versions, as Lambda scales a function. */
    readonly scaling: TokenBucket,
    /** Prepared environments kept ready for this function's next cold starts. */
    readonly preparedTarget: number,
    /** Host cap on live environments per core at a full vCPU share (0: none). */
    private readonly environmentsPerCore = 0,
  ) {
    this.dimensions = { FunctionName: config.name };
  }

  /** The version its environments run: `$LATEST`, or a published version's number. */
  get version(): string {
    return this.spec.version;
  }

  /** The host's cap on this function's live environments at its current memory size. */
  get hostCap(): number {
    return functionEnvironmentCap(this.config.memoryMB, this.environmentsPerCore);
  }

  /** No new environment of this function until one of its own is gone or frees up. */
  get atHostCap(): boolean {
    return this.live >= this.hostCap;
  }

  /** How long a cold start of this function takes on this host (boot + INIT), as last measured. */
  get expectedStartupMs(): number {
    return this.lastStartupMs ?? DEFAULT_EXPECTED_STARTUP_MS;
  }

  /**
   * A new configuration (UpdateFunctionConfiguration): environments created from now on use it.
   * Returns the idle and prepared environments, which run the old one, for the caller to retire;
   * busy and starting ones are retired when they finish (`isCurrent` is then false).
   */
  reconfigure(config: FunctionConfig, spec: EnvironmentSpec): ExecutionEnvironment[] {
    this.config = config;
    this.spec = spec;
    return [...this.idle.splice(0), ...this.prepared.splice(0)];
  }

  /** Whether an environment runs the current configuration (else it must not serve again). */
  isCurrent(env: ExecutionEnvironment): boolean {
    return env.spec === this.spec;
  }

  takeIdle(): ExecutionEnvironment | undefined {
    return this.idle.pop();
  }

  putIdle(env: ExecutionEnvironment): void {
    this.idle.push(env);
  }

  removeIdle(env: ExecutionEnvironment): boolean {
    return remove(this.idle, env) || remove(this.prepared, env);
  }

  stats(): FunctionStats {
    return {
      live: this.live,
      busy: this.busy,
      prepared: this.prepared.length,
      provisioned: this.provisioned?.allocated ?? 0,
      ...this.counters,
      runsIn: this.spec.kind,
      hostCpuInitMs: this.spec.cpu.initMs,
      hostCpuInvokeMs: this.spec.cpu.invokeMs,
    };
  }
}

function remove(list: ExecutionEnvironment[], env: ExecutionEnvironment): boolean {
  const i = list.indexOf(env);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}
