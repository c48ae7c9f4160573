import type { InvokeOptions } from '../types.ts';
import { Worker } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LogForwarder } from './log-forwarder.ts';
import { PROFILING_FLAGS } from '../bundling/profiling.ts';
import { EphemeralStorage } from './ephemeral-storage.ts';
import { exitedLines, timedOutLines, type PlatformLines } from './report-line.ts';
import { platformLines } from './platform-lines.ts';
import { functionLogGroup } from '../options.ts';
import { FreezeControl } from './freeze.ts';
import { ThreadCpuReader } from './cpu-share.ts';
import {
  initLimitMs,
  initTimedOut,
  streamName,
  terminatedInit,
  terminatedRun,
  type ExecutionEnvironment,
  type RunResult,
  type RunUsage,
  type StartResult,
  type WorkerEnvironmentSpec,
} from './execution-environment.ts';
import { PendingResult } from './pending-result.ts';
import { postUnservedCall } from './unserved-call-post.ts';
import type { InvokeRequest, WorkerInit, WorkerMessage } from '../runtimes/worker-protocol.ts';

/** Runtime, SDK and module overhead outside the V8 old generation, kept out of the heap limit. */
const NON_HEAP_MB = 48;
const MIN_HEAP_MB = 64;
/** How long a retired environment may take to exit by itself before it is terminated. */
const RETIRE_GRACE_MS = 5_000;

type State = 'starting' | 'idle' | 'busy' | 'dead';

/** The heap limit a worker gets for a memory size (the rest is runtime overhead). */
export function heapLimitMB(memoryMB: number): number {
  return Math.max(MIN_HEAP_MB, memoryMB - NON_HEAP_MB);
}

/**
 * A Node.js execution environment: one worker thread, one invocation at a time. The worker's
 * stdout and stderr are its log stream. A timed-out or crashed environment is dead and never reused.
 */
export class WorkerEnvironment implements ExecutionEnvironment {
  readonly id = randomBytes(16).toString('hex');
  readonly logStream: string;
  state: State = 'starting';
  /** INIT's duration once it has run: what a cold start on this environment costs. */
  initMs = 0;
  /** Worker boot + INIT, as the runtime saw it. */
  startupMs = 0;
  private wasReady = false;
  /** performance.now() when the environment last became idle. */
  lastUsedAt = performance.now();
  private readonly worker: Worker;
  /** Frozen between invocations and after INIT (freeze.ts): thawed to run, or to exit. */
  private readonly freeze = new FreezeControl();
  private readonly log: LogForwarder;
  /** its own /tmp, gone with it */
  private readonly storage: EphemeralStorage;
  /** the platform lines written from this side (timeouts, crashes), in the function's log format */
  private readonly platform: PlatformLines;
  private maxMemoryUsedMB = 0;
  /** the posts of its calls to endpoints the emulator does not serve still on their way to the record */
  private readonly unservedPosts = new Set<Promise<void>>();
  private intentional = false;
  private readonly init = new PendingResult<StartResult>();
  /** performance.now() when the worker was created. */
  readonly createdAt = performance.now();
  private readonly invocation = new PendingResult<RunResult>();
  private runId = '';
  private runStartedAt = 0;
  /** INIT's duration until the first invocation has run: its REPORT line carries it, however it ends. */
  private pendingInitMs: number | undefined;
  /** The running invocation's Init Duration, when it is the environment's first. */
  private runInitMs: number | undefined;
  /** The worker thread's CPU time (from its Linux id), and when the running invocation began (Lambda Insights' cpu_total_time). */
  private cpu: ThreadCpuReader | undefined;
  private runCpuStart: number | undefined;

  /**
   * `spec` is the function's configuration when this environment was created: it keeps it for
   * life (a configuration update retires it). `onIdleExit` is told when the worker dies while
   * idle (nothing else would notice).
   */
  constructor(
    readonly spec: WorkerEnvironmentSpec,
    private readonly onIdleExit: (env: ExecutionEnvironment) => void,
    /** Live environments; this one leaves it when it stops. */
    private readonly registry: Set<ExecutionEnvironment>,
  ) {
    registry.add(this);
    const fn = spec.fn;
    const logGroupName = functionLogGroup(fn);
    this.logStream = streamName(this.id, spec.version);
    this.log = new LogForwarder(spec.logs, spec.metrics, logGroupName, this.logStream);
    this.platform = platformLines(fn, spec);
    this.storage = new EphemeralStorage(spec.tmpRoot);
    const workerData: WorkerInit = {
      code: spec.code,
      functionName: fn.name,
      version: spec.version,
      initializationType: spec.initializationType,
      memoryMB: fn.memoryMB,
      region: spec.region,
      accountId: spec.accountId,
      logGroupName,
      logStreamName: this.logStream,
      ...(fn.logging ? { logging: fn.logging } : {}),
      cpuThrottle: spec.cpuThrottle,
      codeCache: spec.codeCache?.cache,
      ...(spec.compileCacheDir ? { compileCacheDir: spec.compileCacheDir } : {}),
      awsEndpoints: spec.awsEndpoints,
      freeze: this.freeze.buffer,
    };
    this.worker = new Worker(spec.workerPath, {
      workerData,
      env: { ...spec.env, AWS_LAMBDA_LOG_STREAM_NAME: this.logStream, ...this.storage.environment },
      execArgv: PROFILING_FLAGS,
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: heapLimitMB(fn.memoryMB) },
    });
    // Idle environments must not keep the process alive; pending invocations hold timers that do.
    this.worker.unref();
    this.worker.stdout.setEncoding('utf8');
    this.worker.stderr.setEncoding('utf8');
    this.worker.stdout.on('data', (chunk: string) => this.log.push(chunk));
    this.worker.stderr.on('data', (chunk: string) => this.log.push(chunk));
    this.worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    this.worker.on('error', (err: Error & { code?: string }) => {
      // Lambda reports the whole memory size as used when a function runs out of memory.
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') this.maxMemoryUsedMB = fn.memoryMB;
      this.died(`${err.name}: ${err.message}`);
    });
    this.worker.on('exit', (code: number) => {
      this.cpu?.close();
      this.log.flush();
      this.storage.remove();
      this.died(`exit status ${code}`);
    });
  }

  /** Wait for INIT (module import) to finish. */
  start(): Promise<StartResult> {
    return this.init.begin(initLimitMs(this.spec.fn), () => {
      const initMs = performance.now() - this.createdAt;
      this.platformLine(this.platform.initReport(initMs, 'timeout'));
      this.init.settle(initTimedOut(initMs, this.spec.fn));
      void this.terminate();
    });
  }

  /** Run one invocation; the environment must be idle. */
  run(requestId: string, event: unknown, options: InvokeOptions = {}): Promise<RunResult> {
    const timeoutMs = this.spec.fn.timeoutSeconds * 1000;
    const request: InvokeRequest = {
      id: requestId,
      event,
      deadline: Date.now() + timeoutMs,
      ...(options.clientContext !== undefined ? { clientContext: options.clientContext } : {}),
      ...(options.qualifier !== undefined ? { qualifier: options.qualifier } : {}),
    };
    if (this.state === 'dead') {
      return Promise.resolve({ kind: 'crash', errorMessage: `RequestId: ${requestId} Error: Runtime exited before the invocation`, durationMs: 0 });
    }
    this.state = 'busy';
    this.runId = requestId;
    this.runStartedAt = performance.now();
    this.runInitMs = this.pendingInitMs;
    this.pendingInitMs = undefined;
    this.runCpuStart = this.cpu?.read();
    const result = this.invocation.begin(timeoutMs, () => this.timedOut());
    try {
      // Delivered once the worker thaws: it wakes, and its event loop receives the message.
      this.worker.postMessage(request);
      this.freeze.thaw();
    } catch (err) {
      this.invocation.settle({ kind: 'done', ok: false, errorType: 'InvalidRequestContentException', errorMessage: String(err), durationMs: 0 });
      this.state = 'idle';
    }
    return result;
  }

  /** Mark the environment idle after an invocation (the caller decides where it goes). */
  markIdle(): void {
    if (this.state === 'busy') this.state = 'idle';
    this.lastUsedAt = performance.now();
  }

  /**
   * Stop an idle environment that will not serve again (reaped, evicted, or of a replaced
   * configuration) the way a worker ends by itself, so the output it wrote last (its last REPORT
   * line, which travels apart from the 'done' message) reaches the log first: terminate() would
   * drop it. It stays in the registry until it has exited, so close() still stops it.
   */
  retire(): void {
    if (this.state === 'dead') return;
    this.intentional = true;
    this.state = 'dead';
    const timer = setTimeout(() => void this.worker.terminate().catch(() => undefined), RETIRE_GRACE_MS);
    timer.unref();
    this.worker.once('exit', () => {
      clearTimeout(timer);
      this.registry.delete(this);
    });
    // A frozen environment is not thawed to run what it left pending: it exits, as a reaped
    // environment on Lambda is gone with it.
    this.freeze.exit();
  }

  /** Stop the worker. A pending INIT or invocation (only when the runtime closes) ends as an error. */
  terminate(): Promise<void> {
    this.intentional = true;
    this.state = 'dead';
    this.registry.delete(this);
    if (this.init.pending) this.init.settle(terminatedInit(performance.now() - this.createdAt));
    if (this.invocation.pending) this.invocation.settle(terminatedRun(this.runId, performance.now() - this.runStartedAt));
    if (PROFILING_FLAGS.length > 0 && this.wasReady) return this.exitForProfile();
    this.freeze.exit(); // a frozen thread wakes (and exits) rather than waiting to be interrupted
    return this.worker.terminate().then(
      () => undefined,
      () => undefined,
    );
  }

  /** A terminated thread writes no CPU profile: when profiling, let it exit by itself first. */
  private async exitForProfile(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.freeze.exit();
    const timer = setTimeout(() => void this.worker.terminate().catch(() => undefined), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private onMessage(m: WorkerMessage): void {
    switch (m.t) {
      case 'log':
        this.log.push(m.text);
        return;
      case 'unserved': {
        const posted = postUnservedCall(this.spec.awsEndpoints, { function: this.spec.fn.name, at: m.at, request: m.request });
        this.unservedPosts.add(posted);
        void posted.then(() => this.unservedPosts.delete(posted));
        return;
      }
      case 'code-cache':
        this.spec.codeCache?.update(m.data);
        return;
      case 'ready':
        this.state = 'idle';
        this.maxMemoryUsedMB = m.maxMemoryUsedMB;
        this.wasReady = true;
        this.cpu?.close();
        this.cpu = m.tid === undefined ? undefined : new ThreadCpuReader(m.tid);
        this.initMs = m.initMs;
        // the worker wrote a provisioned INIT's report itself (initOnRequestPath)
        this.pendingInitMs = this.spec.initializationType === 'on-demand' ? m.initMs : undefined;
        this.spec.cpu.initMs += m.cpuMs;
        this.startupMs = performance.now() - this.createdAt;
        this.init.settle({ ok: true, initMs: m.initMs });
        return;
      case 'init-error': {
        this.init.settle({ ok: false, initMs: m.initMs, errorType: m.errorType, errorMessage: m.errorMessage });
        // Let the worker end by itself so its last lines (the error, INIT_REPORT) are flushed.
        this.intentional = true;
        this.state = 'dead';
        this.registry.delete(this);
        setTimeout(() => void this.worker.terminate().catch(() => undefined), 2_000).unref();
        return;
      }
      case 'done': {
        this.spec.cpu.invokeMs += m.cpuMs;
        if (m.id !== this.runId) return;
        this.maxMemoryUsedMB = m.maxMemoryUsedMB;
        const usage = this.usage();
        const settle = () => this.invocation.settle({
          kind: 'done',
          ok: m.ok,
          result: m.result,
          errorType: m.errorType,
          errorMessage: m.errorMessage,
          durationMs: m.durationMs,
          initDurationMs: m.initDurationMs,
          ...(m.exits ? { exits: true } : {}),
          ...usage,
        });
        // the calls it made to endpoints the emulator does not serve are in the record before it is answered
        if (this.unservedPosts.size > 0) void Promise.all(this.unservedPosts).then(settle);
        else settle();
        if (m.exits) {
          // the worker ends by itself (its last lines flushed); nothing more to report when it does
          this.intentional = true;
          this.state = 'dead';
          this.registry.delete(this);
          setTimeout(() => void this.worker.terminate().catch(() => undefined), 2_000).unref();
        }
        return;
      }
    }
  }

  private timedOut(): void {
    for (const line of timedOutLines(this.runId, this.spec.fn, this.maxMemoryUsedMB, { initDurationMs: this.runInitMs }, new Date(), this.platform)) this.log.line(line);
    const durationMs = this.spec.fn.timeoutSeconds * 1000;
    const usage = this.usage();
    // one thread runs at most a CPU ms per ms: what the read counts past the deadline (this timer
    // fires late on a busy host) is not the invocation's
    this.invocation.settle({ kind: 'timeout', durationMs, ...usage, ...(usage.cpuMs !== undefined ? { cpuMs: Math.min(usage.cpuMs, durationMs) } : {}) });
    void this.terminate();
  }

  /** The CPU the thread used since the invocation began (read from here, so also while it is stuck), and its peak memory. */
  private usage(): RunUsage {
    const now = this.cpu?.read();
    const cpuMs = now !== undefined && this.runCpuStart !== undefined ? now - this.runCpuStart : undefined;
    return { ...(cpuMs !== undefined ? { cpuMs } : {}), maxMemoryUsedMB: this.maxMemoryUsedMB };
  }

  /** A platform line its SystemLogLevel kept. */
  private platformLine(line: string | undefined): void {
    if (line !== undefined) this.log.line(line);
  }

  private died(reason: string): void {
    if (this.intentional) return;
    const wasIdle = this.state === 'idle';
    this.intentional = true; // report once ('error' is followed by 'exit')
    this.state = 'dead';
    this.registry.delete(this);
    this.log.flush();
    if (this.init.pending) {
      const initMs = performance.now() - this.createdAt;
      this.platformLine(this.platform.initReport(initMs, 'error', 'Runtime.ExitError'));
      this.init.settle({ ok: false, initMs, errorType: 'Runtime.ExitError', errorMessage: `Error: Runtime exited with error: ${reason}` });
    } else if (this.invocation.pending) {
      const durationMs = performance.now() - this.runStartedAt;
      const id = this.runId;
      for (const line of exitedLines(id, durationMs, this.spec.fn, this.maxMemoryUsedMB, { initDurationMs: this.runInitMs }, this.platform)) this.log.line(line);
      this.invocation.settle({ kind: 'crash', errorMessage: `RequestId: ${id} Error: Runtime exited with error: ${reason}`, durationMs });
    } else if (wasIdle) {
      this.onIdleExit(this);
    }
    void this.worker.terminate().catch(() => undefined);
  }

}
