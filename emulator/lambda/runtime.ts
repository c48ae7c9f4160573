import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bundleFunctions } from './bundling/bundle.ts';
import { awsSdkV2Modules, bundledSdkModules, type SdkModules } from './bundling/bundled-sdk.ts';
import { UserError } from '../../common/errors.ts';
import { factsOf, runsInWorker, type NodeFunctionRuntime } from '../../common/lambda-runtimes.ts';
import { ConcurrencyLimits } from './pool/concurrency.ts';
import { createEnvironment, environmentSpec, updatedSpec, variantSpec, type SpecSources } from './environments/environment-specs.ts';
import { ephemeralStorageRoot } from './environments/ephemeral-storage.ts';
import type { OwnedTempDir } from '../owned-temp-dirs.ts';
import { EnvironmentPreparer } from './pool/env-preparer.ts';
import { streamName, type EnvironmentSpec, type ExecutionEnvironment, type ProcessEnvironmentSpec, type RunResult } from './environments/execution-environment.ts';
import { PythonSnapshot } from './environments/python-snapshot.ts';
import { LogForwarder } from './environments/log-forwarder.ts';
import { FunctionPool, type ColdGrant } from './pool/function-pool.ts';
import { LambdaFunction } from './pool/lambda-function.ts';
import { ProvisionedEnvironments } from './pool/provisioned-environments.ts';
import { TokenBucket } from './pool/token-bucket.ts';
import { refusals, unreservedMinimum } from './refusal.ts';
import { AwsApiError } from '../cloudwatch/aws-json.ts';
import { HostCapacity } from './pool/host-capacity.ts';
import { resolveHostRuntimes } from './runtimes/host-runtimes.ts';
import { functionLogGroup, resolveFunctionUpdate, resolveOptions, type FunctionConfig, type LambdaRuntimeOptions } from './options.ts';
import { billedDurationMs, initFailedLines } from './environments/report-line.ts';
import { platformLines } from './environments/platform-lines.ts';
import { INSIGHTS_LOG_GROUP, insightsRecord } from './environments/insights-record.ts';
import { OUTSIDE_NOTE } from './runtimes/package-boundary.ts';
import type { FunctionStats, FunctionUpdate, InvokeOptions, InvokeOutcome, LambdaRuntime, ProvisionedConcurrencyState, SnapshotState, ThrottleReason, VersionState } from './types.ts';
import type { MetricSink } from '../cloudwatch/types.ts';
import { stampReachIn } from '../probe-reach.ts';
import { reachHop } from '../../common/probe-reach-metric.ts';
import { LOCAL_HOST_METRIC, LOCAL_HOST_NAMESPACE, LOCAL_HOST_WAIT_LOG_GROUP, type HostWaitLine } from '../../common/local-host-metrics.ts';

export type { LambdaRuntimeOptions } from './options.ts';

const NAMESPACE = 'AWS/Lambda';
/** AWS publishes ConcurrentExecutions for the account too, with no dimensions. */
const ACCOUNT: Record<string, string> = {};

/**
 * Start the emulator's Lambda service: bundle every Node.js function once and find what runs the
 * others on this host, then run invocations in execution environments (worker threads for Node.js,
 * processes speaking the Runtime API for the rest) with Lambda's concurrency, scaling-rate,
 * cold-start, timeout and reaping behaviour, plus a host cap on live environments. See
 * emulator/README-lambda-runtime.md.
 */
export async function createLambdaRuntime(options: LambdaRuntimeOptions): Promise<LambdaRuntime> {
  const config = resolveOptions(options);
  const inWorker = (fn: FunctionConfig) => runsInWorker(fn.runtime ?? config.runtime);
  const bundled = config.functions.flatMap((fn) => (fn.code.kind === 'entry' ? [{ name: fn.name, entry: fn.code.entry, runtime: fn.runtime as NodeFunctionRuntime | undefined }] : []));
  for (const [i, fn] of config.functions.entries()) {
    if (fn.code.kind !== 'handler') continue;
    try {
      await access(fn.code.dir);
    } catch {
      throw new UserError(`lambda runtime: functions[${i}].code.dir: no such directory ${fn.code.dir}`);
    }
  }
  const processFunctions = config.functions.filter((fn) => !inWorker(fn));
  const commands = await resolveHostRuntimes(
    processFunctions.map((fn) => ({ label: `function ${fn.name}`, runtime: fn.runtime!, dir: fn.code.kind === 'handler' ? fn.code.dir : '', handler: fn.code.kind === 'handler' ? fn.code.handler : undefined })),
    options.log,
  );
  const hostRuntimes = new Map(processFunctions.map((fn, i) => [fn.name, commands[i]!]));
  // A stack of Python or custom-runtime functions alone bundles nothing.
  const workers = config.functions.filter(inWorker);
  const bundles = workers.length > 0 ? await bundleFunctions(bundled, config.runtime) : undefined;
  try {
    // Code as written finds what its runtime ships (bundled-sdk.ts): v3, or v2 for nodejs16.x and older.
    const sdkModules: SdkModules = {};
    for (const fn of workers) {
      if (!bundles || fn.code.kind !== 'handler') continue;
      const runtime = fn.runtime ?? config.runtime;
      const runtimeDir = dirname(bundles.workerPath);
      if (factsOf(runtime).ships === 'aws-sdk-v2') sdkModules['aws-sdk-v2'] ??= await awsSdkV2Modules(runtimeDir, runtime);
      else sdkModules['aws-sdk-v3'] ??= await bundledSdkModules(runtimeDir);
    }
    const runtime = new Runtime({ config, bundles, sdkModules, hostRuntimes, ...((options.outsidePackageLog ?? options.log) ? { log: options.outsidePackageLog ?? options.log } : {}) }, ephemeralStorageRoot());
    // the configuration's versions exist as CloudFormation leaves them: a SnapStart version once its snapshot is taken (or has failed)
    await Promise.all(runtime.functionNames().map((name) => runtime.snapshots(name)));
    return runtime;
  } catch (err) {
    await bundles?.dispose();
    throw err;
  }
}

/** What an errored invocation reports, in the order `failed` and `errored` take it. */
type ErrorArgs = [
  requestId: string,
  errorType: string,
  errorMessage: string,
  cold: boolean,
  durationMs: number,
  hostCapWaitMs: number,
  initDurationMs?: number,
];

class Runtime implements LambdaRuntime {
  private readonly functions = new Map<string, LambdaFunction>();
  /** Every version's pool, of every function (the host and the preparer see them all; a published version joins). */
  private readonly pools: FunctionPool[] = [];
  private readonly concurrency: ConcurrencyLimits<LambdaFunction>;
  private readonly host: HostCapacity;
  private readonly preparer: EnvironmentPreparer;
  private readonly metrics: MetricSink;
  private readonly reaper: NodeJS.Timeout;
  private readonly onIdleExit = (env: ExecutionEnvironment) => this.idleEnvironmentDied(env);
  /** SnapStart versions' snapshots, ended by close(). */
  private readonly takenSnapshots: PythonSnapshot[] = [];
  /** Every environment not yet terminated, so close() can stop busy and starting ones too. */
  private readonly environments = new Set<ExecutionEnvironment>();
  private readonly config: SpecSources['config'];
  /** Functions whose INIT failure on an import found outside their package stack.log has named. */
  private readonly saidOutside = new Set<string>();
  /** Invocations running now, all functions: the account-level ConcurrentExecutions. */
  private accountBusy = 0;
  private closed = false;

  private readonly sources: SpecSources;

  constructor(
    sources: Omit<SpecSources, 'tmpRoot'>,
    /** the environments' /tmp folders, removed when the runtime closes */
    private readonly tmp: OwnedTempDir,
  ) {
    this.sources = { ...sources, tmpRoot: tmp.path };
    const config = sources.config;
    this.config = config;
    this.metrics = config.metrics;
    let reserved = 0;
    for (const fn of config.functions) {
      reserved += fn.reservedConcurrency ?? 0;
      const latest = this.newPool(fn, environmentSpec(this.sources, fn), new TokenBucket(config.scalingRate.environments, config.scalingRate.perMs));
      this.functions.set(fn.name, new LambdaFunction(latest));
    }
    this.host = new HostCapacity(config.hostMaxEnvironments, this.pools, () => this.preparer.pump());
    this.concurrency = new ConcurrencyLimits(config.accountConcurrency, reserved, [...this.functions.values()], (fn) => this.heldAtHostAll(fn));
    this.preparer = new EnvironmentPreparer(this.pools, this.host, config.initConcurrency, (spec) => createEnvironment(spec, this.onIdleExit, this.environments));
    try {
      this.applyPublished(config.functions);
    } catch (err) {
      for (const snapshot of this.takenSnapshots) snapshot.close();
      tmp.remove();
      throw err;
    }
    const every = Math.max(20, Math.min(config.idleReapMs / 2, 30_000));
    this.reaper = setInterval(() => this.reap(), every);
    this.reaper.unref();
    this.preparer.pump(); // prepared environments start at once, whether or not prepared() is awaited
  }

  /**
   * The template's versions, aliases and provisioned concurrency, as CloudFormation creates them:
   * versions published in order, aliases pointed at them, then the allocations (started by the
   * first pump). A configuration Lambda would refuse is refused in its words, naming the field.
   */
  private applyPublished(functions: readonly FunctionConfig[]): void {
    functions.forEach((fn, i) => {
      const at = (field: string, declaredAt: string | undefined, apply: () => void): void => {
        try {
          apply();
        } catch (err) {
          if (err instanceof AwsApiError) throw new UserError(`${declaredAt ?? `lambda runtime: functions[${i}].${field}`}: ${err.message}`);
          throw err;
        }
      };
      for (const _ of fn.versions) this.publishVersion(fn.name);
      fn.aliases.forEach((a, j) => at(`aliases[${j}].version`, a.declaredAt, () => this.putAlias(fn.name, a.name, String(a.version))));
      fn.versions.forEach((v, j) => v.provisionedConcurrency && at(`versions[${j}].provisionedConcurrency`, v.declaredAt, () => this.allocate(fn.name, String(j + 1), v.provisionedConcurrency!)));
      fn.aliases.forEach((a, j) => a.provisionedConcurrency && at(`aliases[${j}].provisionedConcurrency`, a.declaredAt, () => this.allocate(fn.name, a.name, a.provisionedConcurrency!)));
    });
  }

  /** Resolves when every function has its prepared environments (start-up: every core may INIT). */
  prepared(): Promise<void> {
    return this.preparer.whenPrepared(availableParallelism());
  }

  async invoke(named: string, event: unknown, given: InvokeOptions = {}): Promise<InvokeOutcome> {
    // `name:qualifier`, as Lambda takes a partial ARN for FunctionName (an integration's or a mapping's qualified ARN)
    const [functionName, inName] = splitQualifier(named);
    const options = inName === undefined ? given : { ...given, qualifier: given.qualifier ?? inName };
    const lambda = this.functions.get(functionName);
    const pool = lambda?.resolve(options.qualifier);
    if (!lambda || !pool) throw refusals.notFound(this.arn(functionName, options.qualifier));
    // a SnapStart version is invoked once its snapshot is taken, as Lambda has it Active
    if (pool.spec.kind === 'process' && pool.spec.snapshot && pool.spec.snapshot.outcome === undefined) throw refusals.notActive('Pending');
    const fn = pool.config;
    if (fn.addedLatencyMs) await delay(fn.addedLatencyMs);
    if (this.closed) throw new Error('Lambda runtime is closed');
    const requestId = randomUUID();
    // what the host held back is stamped when the invocation began, as Invocations is: both then
    // fall in the same CloudWatch window (a wait that ends in the next run's window stays this run's)
    const invokedAt = Date.now();

    if (fn.forceThrottle && Math.random() < fn.forceThrottle) return this.throttled(pool, 'forced', requestId);
    const pc = pool.provisioned;
    const onProvisioned = pc !== undefined && pc.idle.length > 0;
    const denied = this.concurrency.check(lambda, onProvisioned);
    if (denied) return this.throttled(pool, denied, requestId);
    let env = onProvisioned ? pc.take() : pool.takeIdle();
    // Only a new environment needs a scaling token; one queued at a host cap gets an old one.
    if (!env && !this.wouldBeHeld(pool) && !pool.scaling.take()) return this.throttled(pool, 'scaling-rate', requestId);

    this.concurrency.acquire(lambda, onProvisioned);
    pool.busy++;
    this.accountBusy++;
    pool.counters.invocations++;
    this.put(pool.dimensions, 'Invocations', 1);
    if (pc) this.putProvisioned(pool, pc, onProvisioned);
    if (env) this.putConcurrency(lambda);

    let cold = false;
    let hostCapWaitMs = 0;
    let initDurationMs: number | undefined;
    if (!env) {
      const asked = performance.now();
      const pending = this.preparer.acquire(pool);
      this.putConcurrency(lambda); // once queued: a cold start held at a host cap is not counted
      const fromPrepared = 'kind' in pending;
      const grant = fromPrepared ? pending : await pending;
      const waitedMs = performance.now() - asked;
      if (grant.kind === 'closed') {
        return this.failed(lambda, pool, requestId, 'Runtime.ExitError', 'The Lambda runtime closed before an environment was free', false, 0, waitedMs);
      }
      if (grant.kind === 'init-failed') {
        pool.counters.coldStarts++;
        const { errorType, errorMessage, initMs } = grant.failure;
        this.logInitFailed(pool, requestId, grant);
        return this.failed(lambda, pool, requestId, errorType, errorMessage, true, 0, Math.max(0, waitedMs - initMs), initMs);
      }
      env = grant.env;
      if (grant.kind === 'warm') {
        hostCapWaitMs = waitedMs;
      } else {
        cold = true;
        // a SnapStart restore is no INIT: its REPORT bills Duration alone (the restore's billed part apart)
        initDurationMs = env.spec.initializationType === 'snap-start' ? undefined : env.initMs;
        pool.counters.coldStarts++;
        if (fromPrepared) {
          // INIT that ran before it was needed is charged now: the client waits as long as it took.
          pool.counters.preparedColdStarts++;
          await delay(env.initMs);
        } else {
          // Until an INIT for it was under way, the host held it back (INIT concurrency or the
          // host cap). Boot and INIT themselves are the cold start.
          hostCapWaitMs = grant.heldBackMs;
        }
      }
      if (hostCapWaitMs > 0) {
        pool.counters.hostCapWaits++;
        this.put(pool.dimensions, LOCAL_HOST_METRIC.heldBackMs, hostCapWaitMs, 'Milliseconds', LOCAL_HOST_NAMESPACE, invokedAt);
        this.logHostWait(pool, requestId, hostCapWaitMs);
      }
    }

    // the invocation starts in its environment now: the host's waits are behind it
    stampReachIn(this.metrics, reachHop.lambda(fn.name), event);
    const run = await env.run(requestId, event, options);
    return this.finish(lambda, pool, env, run, requestId, cold, hostCapWaitMs, initDurationMs, onProvisioned ? pc! : undefined);
  }

  /**
   * What Lambda publishes for a version with provisioned concurrency, under the alias or version
   * configured (`Resource`): each invocation counted as served by a provisioned environment or
   * spilled over to on-demand ones, and the provisioned environments busy, as a count and a share
   * of those allocated.
   */
  private putProvisioned(pool: FunctionPool, pc: ProvisionedEnvironments, served: boolean): void {
    const dimensions = { FunctionName: pool.config.name, Resource: `${pool.config.name}:${pc.qualifier}` };
    if (served) {
      pool.counters.provisionedInvocations++;
      this.put(dimensions, 'ProvisionedConcurrencyInvocations', 1);
    } else {
      pool.counters.spilloverInvocations++;
      this.put(dimensions, 'ProvisionedConcurrencySpilloverInvocations', 1);
    }
    this.put(dimensions, 'ProvisionedConcurrentExecutions', pc.busy);
    if (pc.allocated > 0) this.put(dimensions, 'ProvisionedConcurrencyUtilization', pc.busy / pc.allocated, 'None');
  }

  /** A function's ARN, qualified when a qualifier is named (how Lambda's errors name it). */
  private arn(name: string, qualifier?: string): string {
    return `arn:aws:lambda:${this.config.region}:${this.config.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
  }

  /**
   * The emulator's own line for an invocation the host held back, keyed by its request ID (the one
   * its REPORT line carries), in a log group of the emulator's own, one stream per function.
   */
  private logHostWait(pool: FunctionPool, requestId: string, hostWaitMs: number): void {
    const line: HostWaitLine = { requestId, functionName: pool.config.name, hostWaitMs: Math.round(hostWaitMs * 10) / 10 };
    pool.spec.logs.append(LOCAL_HOST_WAIT_LOG_GROUP, pool.config.name, { timestamp: Date.now(), message: JSON.stringify(line) });
  }

  /** ConcurrentExecutions as AWS counts them: per function and for the account (no dimensions). */
  private putConcurrency(lambda: LambdaFunction): void {
    this.put(lambda.latest.dimensions, 'ConcurrentExecutions', this.concurrency.running(lambda));
    this.put(ACCOUNT, 'ConcurrentExecutions', this.accountBusy - this.concurrency.held());
  }

  /**
   * A function's invocations queued at a host cap: cold starts beyond the INITs under way and
   * beyond the environments the host will still start for the function. They wait for one of its
   * environments to free up, outside Lambda's concurrency accounting (see concurrency.ts). Those
   * within that room wait only for an INIT slot: on AWS they would be in INIT, and they count.
   */
  private heldAtHost(pool: FunctionPool): number {
    const queued = pool.coldWaiters.length - pool.preparing;
    return queued <= 0 ? 0 : Math.max(0, queued - this.room(pool));
  }

  /** A function's invocations queued at a host cap, over all its versions. */
  private heldAtHostAll(lambda: LambdaFunction): number {
    let n = 0;
    for (const pool of lambda.pools()) n += this.heldAtHost(pool);
    return n;
  }

  /** Whether a cold start of `pool` arriving now would be queued at a host cap. */
  private wouldBeHeld(pool: FunctionPool): boolean {
    return pool.prepared.length === 0 && pool.coldWaiters.length - pool.preparing + 1 > this.room(pool);
  }

  /** How many more environments the host will start for `pool`: its cap's room and the host's. */
  private room(pool: FunctionPool): number {
    return Math.max(0, Math.min(pool.hostCap - pool.live, this.host.max - this.host.liveEnvironments));
  }

  functionNames(): string[] {
    return [...this.functions.keys()];
  }

  functionConfig(name: string, qualifier?: string): FunctionConfig | undefined {
    return this.functions.get(name)?.resolve(qualifier)?.config;
  }

  async updateFunction(name: string, update: FunctionUpdate): Promise<void> {
    // published versions keep the configuration they were published with: only $LATEST changes
    const pool = this.functions.get(name)?.latest;
    if (!pool) throw new Error(`Function not found: ${name}`);
    if (this.closed) throw new Error('Lambda runtime is closed');
    const fn = resolveFunctionUpdate(pool.config, update);
    const spec = updatedSpec(this.sources, pool.spec, fn);
    // As on AWS, warm environments run the old configuration and are retired: the next
    // invocations are cold. Busy ones finish their invocation on it first (see finish()).
    for (const env of pool.reconfigure(fn, spec)) this.retire(pool, env);
    // Lambda provisions the new configuration before the update counts as done: here that is
    // the function's prepared environments, INIT run under the new memory size and variables.
    await this.preparer.whenPoolPrepared(pool);
  }

  stats(): Record<string, FunctionStats> {
    const out: Record<string, FunctionStats> = {};
    for (const [name, lambda] of this.functions) out[name] = sumStats(lambda.pools().map((pool) => pool.stats()));
    return out;
  }

  publishVersion(name: string): string {
    const lambda = this.lambdaNamed(name);
    const { latest } = lambda;
    const pool = lambda.publish((version) => this.newPool(latest.config, this.publishedSpec(latest.spec, version), latest.scaling));
    return pool.version;
  }

  /**
   * A published version's environments: on demand, or, where SnapStart applies to published
   * versions (a Python function here), restored from the snapshot its INIT takes now.
   */
  private publishedSpec(spec: EnvironmentSpec, version: string): EnvironmentSpec {
    if (spec.kind !== 'process' || spec.fn.snapStart !== 'PublishedVersions') return variantSpec(spec, version, 'on-demand');
    const snapped = variantSpec(spec, version, 'snap-start') as ProcessEnvironmentSpec;
    const snapshot = new PythonSnapshot(snapped);
    this.takenSnapshots.push(snapshot);
    return { ...snapped, snapshot };
  }

  versions(name: string): string[] {
    return [...(this.functions.get(name)?.versions.keys() ?? [])];
  }

  putAlias(name: string, alias: string, version: string): void {
    const lambda = this.lambdaNamed(name);
    if (version !== '$LATEST' && !lambda.versions.has(version)) throw refusals.notFound(this.arn(name, version));
    const before = lambda.resolve(alias);
    const pc = before?.provisioned;
    if (pc && pc.qualifier === alias && version !== before!.version) {
      // Lambda moves an alias's provisioned concurrency to the version it now names
      if (version === '$LATEST') throw refusals.unpublished();
      this.deallocate(before!);
      lambda.aliases.set(alias, version);
      this.allocate(name, alias, pc.requested);
      this.preparer.pump();
      return;
    }
    lambda.aliases.set(alias, version);
  }

  aliases(name: string): Record<string, string> {
    return Object.fromEntries(this.functions.get(name)?.aliases ?? []);
  }

  deleteAlias(name: string, alias: string): void {
    const lambda = this.lambdaNamed(name);
    const pool = lambda.resolve(alias);
    if (!pool || !lambda.aliases.has(alias)) throw refusals.aliasNotFound(this.arn(name, alias));
    if (pool.provisioned?.qualifier === alias) this.deallocate(pool);
    lambda.aliases.delete(alias);
  }

  putProvisionedConcurrency(name: string, qualifier: string, requested: number): void {
    this.allocate(name, qualifier, requested);
    this.preparer.pump();
  }

  deleteProvisionedConcurrency(name: string, qualifier: string): void {
    const pool = this.configuredPool(name, qualifier);
    this.deallocate(pool);
  }

  provisionedConcurrency(name: string, qualifier: string): ProvisionedConcurrencyState {
    return stateOf(this.configuredPool(name, qualifier).provisioned!);
  }

  provisionedConcurrencyConfigs(name: string): Array<{ qualifier: string } & ProvisionedConcurrencyState> {
    const lambda = this.lambdaNamed(name);
    return lambda.pools().flatMap((pool) => (pool.provisioned ? [{ qualifier: pool.provisioned.qualifier, ...stateOf(pool.provisioned) }] : []));
  }

  async whenProvisioned(name: string): Promise<void> {
    const lambda = this.lambdaNamed(name);
    await Promise.all(lambda.pools().map((pool) => this.preparer.whenPoolPrepared(pool)));
  }

  versionState(name: string, version: string): VersionState {
    const pool = this.versionNamed(this.lambdaNamed(name), version);
    const snapshot = pool.spec.kind === 'process' ? pool.spec.snapshot : undefined;
    if (!snapshot) return { state: 'Active' };
    const taken = snapshot.outcome;
    if (taken === undefined) return { state: 'Pending' };
    // Lambda's code for a function whose own code failed (its INIT, here a before-snapshot hook too)
    return taken.ok ? { state: 'Active' } : { state: 'Failed', reasonCode: 'FunctionError', reason: `${taken.errorType}: ${taken.errorMessage}` };
  }

  async snapshots(name: string): Promise<SnapshotState[]> {
    const pools = [...this.lambdaNamed(name).versions.values()];
    const taken = await Promise.all(pools.map(async (pool) => (pool.spec.kind === 'process' && pool.spec.snapshot ? { version: pool.version, ...(await pool.spec.snapshot.ready) } : undefined)));
    return taken.filter((s) => s !== undefined);
  }

  /** A function of the runtime, or Lambda's refusal naming it. */
  private lambdaNamed(name: string): LambdaFunction {
    const lambda = this.functions.get(name);
    if (!lambda) throw refusals.notFound(this.arn(name));
    return lambda;
  }

  /** The version an alias or version names, or Lambda's refusal naming it. */
  private versionNamed(lambda: LambdaFunction, qualifier: string): FunctionPool {
    const pool = lambda.resolve(qualifier);
    if (!pool) throw refusals.notFound(this.arn(lambda.name, qualifier));
    return pool;
  }

  /** The version whose provisioned concurrency `qualifier` configured, or the refusal Lambda gives. */
  private configuredPool(name: string, qualifier: string): FunctionPool {
    const lambda = this.lambdaNamed(name);
    const pool = this.versionNamed(lambda, qualifier);
    if (pool.provisioned?.qualifier !== qualifier) throw refusals.noConfig();
    return pool;
  }

  /**
   * Provisioned concurrency on an alias or a version, checked as Lambda checks it: on a published
   * version only, one configuration per version (an alias's or the version's own), within the
   * function's reserved concurrency, and leaving the account its unreserved minimum. The
   * environments start at the next pump.
   */
  private allocate(name: string, qualifier: string, requested: number): void {
    const lambda = this.lambdaNamed(name);
    const pool = this.versionNamed(lambda, qualifier);
    if (pool.version === '$LATEST') throw refusals.unpublished();
    if (pool.spec.initializationType === 'snap-start') throw refusals.snapStartProvisioned();
    const current = pool.provisioned;
    if (current && current.qualifier !== qualifier) throw refusals.versionAlreadyProvisioned();
    const others = lambda.provisionedRequested - (current?.requested ?? 0);
    const reserved = lambda.reservedConcurrency;
    if (reserved !== undefined && others + requested > reserved) throw refusals.aboveReserved();
    const minimum = unreservedMinimum(this.config.accountConcurrency);
    if (reserved === undefined && this.concurrency.unreservedLimit - (requested - (current?.requested ?? 0)) < minimum) throw refusals.belowUnreservedMinimum(minimum);
    if (current) {
      current.requested = requested;
      current.failure = undefined;
      for (const env of current.surplus()) this.retireProvisioned(current, env);
    } else {
      pool.provisioned = new ProvisionedEnvironments(variantSpec(pool.spec, pool.version, 'provisioned-concurrency'), requested, qualifier);
    }
    this.concurrency.allocationsChanged();
  }

  /** A version's provisioned concurrency removed: its free environments end now, busy ones when they finish. */
  private deallocate(pool: FunctionPool): void {
    const pc = pool.provisioned;
    if (!pc) return;
    pool.provisioned = undefined;
    this.concurrency.allocationsChanged();
    for (const env of pc.idle.splice(0)) this.retireProvisioned(pc, env);
  }

  private retireProvisioned(pc: ProvisionedEnvironments, env: ExecutionEnvironment): void {
    pc.live--;
    env.retire();
    this.host.slotFreed();
  }

  /** A version's pool, known to the host and the preparer. */
  private newPool(fn: FunctionConfig, spec: EnvironmentSpec, scaling: TokenBucket): FunctionPool {
    const pool = new FunctionPool(fn, spec, scaling, fn.preparedEnvironments ?? this.config.preparedPerFunction, this.config.hostEnvironmentsPerCore);
    this.pools.push(pool);
    return pool;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.reaper);
    this.preparer.close();
    for (const pool of this.pools) {
      pool.live -= pool.idle.length + pool.prepared.length;
      pool.idle.length = 0;
      pool.prepared.length = 0;
      if (pool.provisioned) pool.provisioned.live -= pool.provisioned.idle.splice(0).length;
    }
    await Promise.all([...this.environments].map((env) => env.terminate()));
    for (const snapshot of this.takenSnapshots) snapshot.close();
    this.tmp.remove();
    await this.sources.bundles?.dispose();
  }

  private finish(
    lambda: LambdaFunction,
    pool: FunctionPool,
    env: ExecutionEnvironment,
    run: RunResult,
    requestId: string,
    cold: boolean,
    hostCapWaitMs: number,
    initDurationMs: number | undefined,
    /** the provisioned concurrency whose environment served it */
    served: ProvisionedEnvironments | undefined,
  ): InvokeOutcome {
    this.release(lambda, pool, served !== undefined);
    this.put(pool.dimensions, 'Duration', run.durationMs, 'Milliseconds');
    this.writeInsights(pool, env, run, requestId, initDurationMs);
    const gone = run.kind !== 'done' || run.exits === true; // timed out, crashed, or its runtime exited after answering
    if (served) this.settleProvisioned(pool, served, env, gone);
    else if (gone) {
      pool.live--;
      if (!this.closed) this.host.slotFreed();
    } else if (this.closed) void env.terminate();
    else if (!pool.isCurrent(env)) this.retire(pool, env); // its configuration was replaced meanwhile
    else this.preparer.release(env, pool);
    if (run.kind === 'done') {
      if (run.ok) {
        return {
          kind: 'ok',
          result: run.result,
          cold,
          durationMs: run.durationMs,
          billedDurationMs: billedDurationMs(run.durationMs, initDurationMs),
          ...(initDurationMs !== undefined ? { initDurationMs } : {}),
          hostCapWaitMs,
          requestId,
        };
      }
      return this.errored(pool, requestId, run.errorType ?? 'Error', run.errorMessage ?? '', cold, run.durationMs, hostCapWaitMs, initDurationMs);
    }
    if (run.kind === 'timeout') {
      pool.counters.timeouts++;
      const seconds = pool.config.timeoutSeconds.toFixed(2);
      return this.errored(pool, requestId, 'Sandbox.Timedout', `Task timed out after ${seconds} seconds`, cold, run.durationMs, hostCapWaitMs, initDurationMs);
    }
    return this.errored(pool, requestId, 'Runtime.ExitError', run.errorMessage, cold, run.durationMs, hostCapWaitMs, initDurationMs);
  }

  /**
   * The invocation's own START, END and REPORT lines when its INIT failed, in the failed
   * environment's stream (a fresh one when none started), as Lambda writes them: a harness that
   * counts REPORT lines finds every invocation. After the environment's last lines (a process's
   * INIT_REPORT is written on the next turn).
   */
  private logInitFailed(pool: FunctionPool, requestId: string, grant: Extract<ColdGrant, { kind: 'init-failed' }>): void {
    this.sayOutsidePackage(pool, grant.failure.errorType, grant.failure.errorMessage);
    const { logs, metrics } = pool.spec;
    const log = new LogForwarder(logs, metrics, functionLogGroup(pool.config), grant.logStream ?? streamName(randomBytes(16).toString('hex')));
    const lines = initFailedLines(requestId, grant.failure.initMs, pool.config, grant.failure.errorType, platformLines(pool.config));
    setImmediate(() => {
      for (const line of lines) log.line(line);
    });
  }

  /**
   * An import the function's code found only outside its package (a project's node_modules, the
   * host's site-packages): it passes nowhere but here, so the stack's own log says so once per
   * function, in the words of the error's first line (package-boundary.ts, python-bootstrap.py).
   */
  private sayOutsidePackage(pool: FunctionPool, errorType: string, errorMessage: string): void {
    const first = errorMessage.split('\n')[0]!;
    if (errorType !== 'Runtime.ImportModuleError' || !OUTSIDE_NOTE.test(first) || this.saidOutside.has(pool.config.name)) return;
    this.saidOutside.add(pool.config.name);
    this.sources.log?.(`stack: function ${pool.config.name}: INIT fails with ${errorType}, as on Lambda: ${first}`);
  }

  /** Lambda Insights' record of an invocation that ran, in the environment's stream of `/aws/lambda-insights`. */
  private writeInsights(pool: FunctionPool, env: ExecutionEnvironment, run: RunResult, requestId: string, initDurationMs: number | undefined): void {
    if (this.config.lambdaInsights === 'layer' && !pool.config.lambdaInsights) return;
    const { logs, metrics } = pool.spec;
    const fn = env.spec.fn; // the configuration it ran with
    const fields = {
      functionName: fn.name,
      version: env.spec.version,
      requestId,
      durationMs: run.durationMs,
      memoryMB: fn.memoryMB,
      timedOut: run.kind === 'timeout',
      ...(initDurationMs !== undefined ? { initDurationMs } : {}),
      ...(run.cpuMs !== undefined ? { cpuMs: run.cpuMs } : {}),
      ...(run.maxMemoryUsedMB !== undefined ? { maxMemoryUsedMB: run.maxMemoryUsedMB } : {}),
    };
    new LogForwarder(logs, metrics, INSIGHTS_LOG_GROUP, env.logStream).line(insightsRecord(fields, Date.now()));
  }

  /**
   * A provisioned environment after an invocation: free again; retired when the allocation it
   * belongs to was removed or shrunk meanwhile; replaced (by the next pump) when it died.
   */
  private settleProvisioned(pool: FunctionPool, pc: ProvisionedEnvironments, env: ExecutionEnvironment, gone: boolean): void {
    if (gone) {
      pc.busy--;
      pc.live--;
      if (!this.closed) this.host.slotFreed();
    } else if (this.closed) {
      pc.busy--;
      void env.terminate();
    } else if (pool.provisioned !== pc) {
      pc.busy--;
      this.retireProvisioned(pc, env);
    } else if (pc.release(env) === 'surplus') this.retireProvisioned(pc, env);
  }

  /** An invocation that failed before running (INIT failed, or the runtime closed). */
  private failed(lambda: LambdaFunction, pool: FunctionPool, ...error: ErrorArgs): InvokeOutcome {
    this.release(lambda, pool, false);
    return this.errored(pool, ...error);
  }

  private release(lambda: LambdaFunction, pool: FunctionPool, provisioned: boolean): void {
    this.concurrency.release(lambda, provisioned);
    pool.busy--;
    this.accountBusy--;
  }

  private errored(pool: FunctionPool, ...[requestId, errorType, errorMessage, cold, durationMs, hostCapWaitMs, initDurationMs]: ErrorArgs): InvokeOutcome {
    pool.counters.errors++;
    this.put(pool.dimensions, 'Errors', 1);
    return {
      kind: 'error',
      errorType,
      errorMessage,
      cold,
      durationMs,
      requestId,
      hostCapWaitMs,
      ...(initDurationMs !== undefined ? { initDurationMs } : {}),
    };
  }

  private throttled(pool: FunctionPool, reason: ThrottleReason, requestId: string): InvokeOutcome {
    pool.counters.throttles++;
    this.put(pool.dimensions, 'Throttles', 1);
    return { kind: 'throttled', reason, requestId };
  }

  private put(dimensions: Record<string, string>, name: string, value: number, unit = 'Count', namespace = NAMESPACE, timestamp = Date.now()): void {
    this.metrics.put({ namespace, name, dimensions, value, unit, timestamp });
  }

  /** A live, idle environment that must not serve again: it exits, its host slot freed. */
  private retire(pool: FunctionPool, env: ExecutionEnvironment): void {
    pool.live--;
    env.retire();
    this.host.slotFreed();
  }

  private reap(): void {
    const cutoff = performance.now() - this.config.idleReapMs;
    for (const pool of this.pools) {
      while (pool.idle.length > 0 && pool.idle[0].lastUsedAt < cutoff) {
        this.retire(pool, pool.idle.shift() as ExecutionEnvironment);
      }
    }
  }

  private idleEnvironmentDied(env: ExecutionEnvironment): void {
    for (const pool of this.pools) {
      const pc = pool.provisioned;
      const i = pc ? pc.idle.indexOf(env) : -1;
      if (pc && i >= 0) {
        pc.idle.splice(i, 1);
        pc.live--;
      } else if (pool.removeIdle(env)) pool.live--;
      else continue;
      if (!this.closed) this.host.slotFreed(); // a provisioned one is replaced at once
      return;
    }
  }
}

/** What every version of a function shares: how its environments run, the host CPU they used (one account, spec.cpu). */
const SHARED_STATS = new Set<keyof FunctionStats>(['runsIn', 'hostCpuInitMs', 'hostCpuInvokeMs']);

/** A function's stats over all its versions: the counts added. */
function sumStats(all: FunctionStats[]): FunctionStats {
  const [first, ...rest] = all as [FunctionStats, ...FunctionStats[]];
  const sum = { ...first };
  for (const s of rest) {
    for (const key of Object.keys(sum) as Array<keyof FunctionStats>) {
      if (!SHARED_STATS.has(key)) (sum[key] as number) += s[key] as number;
    }
  }
  return sum;
}

/** `fn:live` → [`fn`, `live`]; `fn` → [`fn`, undefined]. A function's name has no colon. */
function splitQualifier(name: string): [string, string | undefined] {
  const i = name.indexOf(':');
  return i < 0 ? [name, undefined] : [name.slice(0, i), name.slice(i + 1)];
}

function stateOf(pc: ProvisionedEnvironments): ProvisionedConcurrencyState {
  return { requested: pc.requested, allocated: pc.allocated, available: pc.idle.length, status: pc.status, ...(pc.failure ? { statusReason: pc.failure } : {}) };
}
