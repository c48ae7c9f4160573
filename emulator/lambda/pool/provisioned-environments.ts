import type { EnvironmentSpec, ExecutionEnvironment } from '../environments/execution-environment.ts';

/** Where an allocation stands, as GetProvisionedConcurrencyConfig says it. */
export type ProvisionedStatus = 'IN_PROGRESS' | 'READY' | 'FAILED';

/**
 * One version's provisioned concurrency: environments INIT'd ahead (off any request's path, with
 * AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency) that serve the version's invocations
 * first, warm; an invocation that finds none free spills over to the version's on-demand
 * environments, with their cold starts. They are never reaped, never evicted by the host, and
 * replaced when one dies. They count against the host's memory cap, not against the function's
 * per-core cap: the emulator cannot choose to run fewer of them than the template allocates.
 */
export class ProvisionedEnvironments {
  /** Ready and free: the most recently used serves next. */
  readonly idle: ExecutionEnvironment[] = [];
  /** Environments alive: free, busy and starting. */
  live = 0;
  starting = 0;
  busy = 0;
  /** Why the allocation failed (`FUNCTION_ERROR_INIT_FAILURE`, the host's room), once it has. */
  failure: string | undefined;

  constructor(
    /** What its environments are created from: the version's spec, initialized for provisioned concurrency. */
    readonly spec: EnvironmentSpec,
    /** ProvisionedConcurrentExecutions requested. */
    public requested: number,
    /** The alias or version whose configuration allocated it (the metrics' `Resource`). */
    readonly qualifier: string,
  ) {}

  /** Environments allocated: INIT done, free or busy. */
  get allocated(): number {
    return this.live - this.starting;
  }

  /** How many more to start now. */
  get deficit(): number {
    return this.failure ? 0 : Math.max(0, this.requested - this.live);
  }

  get status(): ProvisionedStatus {
    if (this.failure) return 'FAILED';
    return this.allocated >= this.requested ? 'READY' : 'IN_PROGRESS';
  }

  /** A free environment for an invocation, if there is one. */
  take(): ExecutionEnvironment | undefined {
    const env = this.idle.pop();
    if (env) this.busy++;
    return env;
  }

  /** An invocation it served has finished: free again, unless the allocation shrank meanwhile. */
  release(env: ExecutionEnvironment): 'kept' | 'surplus' {
    this.busy--;
    env.markIdle();
    if (this.live > this.requested) return 'surplus';
    this.idle.push(env);
    return 'kept';
  }

  /** Environments beyond what is requested now (a smaller allocation): the free ones go at once. */
  surplus(): ExecutionEnvironment[] {
    return this.idle.splice(0, Math.min(Math.max(0, this.live - this.requested), this.idle.length));
  }
}
