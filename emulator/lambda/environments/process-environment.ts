import type { InvokeOptions } from '../types.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { trackEnvironmentProcess } from './environment-processes.ts';
import {
  initLimitMs,
  initTimedOut,
  RESTORE_LIMIT_MS,
  restoreTimedOut,
  streamName,
  terminatedInit,
  terminatedRun,
  type ExecutionEnvironment,
  type ProcessEnvironmentSpec,
  type RunResult,
  type RunUsage,
  type Snapshot,
  type StartFailure,
  type StartResult,
} from './execution-environment.ts';
import { LogForwarder } from './log-forwarder.ts';
import { ProcessCpuThrottle, processScheduleOf } from './process-cpu-share.ts';
import { ProcessFreeze } from './process-freeze.ts';
import { ProcessMemoryLimit, residentPeakMB } from './process-memory.ts';
import { EphemeralStorage } from './ephemeral-storage.ts';
import { exitedLines, timedOutLines, type ColdStart, type PlatformLines } from './report-line.ts';
import { initOnRequestPath, platformLines } from './platform-lines.ts';
import { functionLogGroup } from '../options.ts';
import { PendingResult } from './pending-result.ts';
import { MAX_PAYLOAD_BYTES, RuntimeApiServer, type Invocation } from '../runtimes/runtime-api-server.ts';

/** How long a runtime that reported its INIT error may take to exit by itself before it is killed. */
const INIT_ERROR_GRACE_MS = 1_000;

type State = 'starting' | 'idle' | 'busy' | 'dead';

/**
 * An execution environment of a runtime that is not Node.js: a process started with Lambda's
 * variables (AWS_LAMBDA_RUNTIME_API naming this environment's own Runtime API server), speaking
 * the Runtime API as on Lambda. INIT lasts from the process's start to its first /next
 * (`Init Duration`); between invocations, and after INIT, the process (and any it started) is
 * stopped (process-freeze.ts); during one, its CPU time is stretched to the memory size's share
 * (process-cpu-share.ts). Its stdout and stderr are the log stream; the START, END and REPORT lines
 * are the platform's, written here, with Max Memory Used from the process's peak resident memory.
 * A timed-out environment is killed; one whose process exits is dead and never reused.
 * A SnapStart version's environment is not started but restored from the version's snapshot
 * (python-snapshot.ts): its cold start is the restore, from the request for it to the first /next
 * (`Restore Duration`, with `Billed Restore Duration` from the fork on), not an INIT.
 */
export class ProcessEnvironment implements ExecutionEnvironment {
  readonly id = randomBytes(16).toString('hex');
  readonly logStream: string;
  initMs = 0;
  startupMs = 0;
  lastUsedAt = performance.now();
  private readonly createdAt = performance.now();
  private state: State = 'starting';
  private api: RuntimeApiServer | undefined;
  private child: ChildProcess | undefined;
  private pid = 0;
  /** What keeps the stack's event loop waiting for the process: the child and its pipes, or a restored one's output. */
  private handles: Array<{ ref(): unknown; unref(): unknown }> = [];
  /** When a restored process's fork returned (its Billed Restore Duration runs from there). */
  private forkedAt: number | undefined;
  private untrack: (() => void) | undefined;
  private freeze: ProcessFreeze | undefined;
  private throttle: ProcessCpuThrottle | undefined;
  private memory: ProcessMemoryLimit | undefined;
  private readonly stdout: LogForwarder;
  private readonly stderr: LogForwarder;
  /** START, END, REPORT and INIT_REPORT in the function's log format (Text or JSON, its SystemLogLevel) */
  private readonly platform: PlatformLines;
  private readonly arn: string;
  private spawnedAt = 0;
  private intentional = false;
  private exited: Promise<void> = Promise.resolve();
  private readonly init = new PendingResult<StartResult>();
  private readonly invocation = new PendingResult<RunResult>();
  private runId = '';
  private runStartedAt = 0;
  /** An invocation given while the runtime had not yet asked for the next one: delivered when it does. */
  private queued: Invocation | undefined;
  /** INIT's duration, or the restore's, until the first invocation's REPORT line carries it. */
  private pendingCold: ColdStart = {};
  private maxMemoryUsedMB = 0;
  private cpuSeen = 0;
  /** The process's CPU time when the running invocation was delivered (Lambda Insights' cpu_total_time). */
  private runCpuStart: number | undefined;

  constructor(
    readonly spec: ProcessEnvironmentSpec,
    private readonly onIdleExit: (env: ExecutionEnvironment) => void,
    /** Live environments; this one leaves it when its process has ended. */
    private readonly registry: Set<ExecutionEnvironment>,
  ) {
    registry.add(this);
    const group = functionLogGroup(spec.fn);
    this.logStream = streamName(this.id, spec.version);
    this.stdout = new LogForwarder(spec.logs, spec.metrics, group, this.logStream);
    this.stderr = new LogForwarder(spec.logs, spec.metrics, group, this.logStream);
    this.platform = platformLines(spec.fn, spec);
    this.arn = `arn:aws:lambda:${spec.region}:${spec.accountId}:function:${spec.fn.name}`;
  }

  start(): Promise<StartResult> {
    const snapshot = this.spec.snapshot;
    // a SnapStart environment's restore begins once its version's snapshot is taken (INIT at publish)
    return snapshot ? snapshot.ready.then((taken) => (taken.ok ? this.begin(snapshot) : this.notTaken(taken))) : this.begin();
  }

  private begin(snapshot?: Snapshot): Promise<StartResult> {
    if (this.state === 'dead') return Promise.resolve(terminatedInit(0));
    // INIT counts from the environment's creation; a restore from here (the snapshot was waited for)
    const from = snapshot ? performance.now() : this.createdAt;
    const result = this.init.begin(snapshot ? RESTORE_LIMIT_MS : initLimitMs(this.spec.fn), () => {
      const ms = performance.now() - from;
      this.platformLine(snapshot ? this.platform.restoreReport(ms, 'timeout') : this.platform.initReport(ms, 'timeout'));
      this.init.settle(snapshot ? restoreTimedOut(ms) : initTimedOut(ms, this.spec.fn));
      void this.terminate();
    });
    void this.launch();
    return result;
  }

  /** The version's INIT failed: each of its invocations fails with INIT's error, as one whose INIT failed on demand does. */
  private notTaken(failure: StartFailure): StartResult {
    this.state = 'dead';
    this.registry.delete(this);
    return { ...failure, initMs: 0 };
  }

  run(requestId: string, event: unknown, options: InvokeOptions = {}): Promise<RunResult> {
    if (this.state === 'dead') {
      return Promise.resolve({ kind: 'crash', errorMessage: `RequestId: ${requestId} Error: Runtime exited before the invocation`, durationMs: 0 });
    }
    const timeoutMs = this.spec.fn.timeoutSeconds * 1000;
    const inv: Invocation = {
      requestId,
      deadlineMs: Date.now() + timeoutMs,
      invokedFunctionArn: options.qualifier ? `${this.arn}:${options.qualifier}` : this.arn,
      traceId: traceId(),
      body: JSON.stringify(event) ?? 'null',
      ...(options.clientContext !== undefined ? { clientContext: options.clientContext } : {}),
    };
    this.state = 'busy';
    this.runId = requestId;
    const result = this.invocation.begin(timeoutMs, () => this.timedOut());
    // The runtime may still be between its answer and its next /next: the invocation waits for it, as on Lambda.
    if (this.api?.waiting) this.dispatch(inv);
    else this.queued = inv;
    return result;
  }

  markIdle(): void {
    if (this.state === 'busy') this.state = 'idle';
    this.lastUsedAt = performance.now();
  }

  /** Killed as it is, frozen: nothing it left pending runs, as a reaped environment on Lambda. */
  retire(): void {
    if (this.state === 'dead') return;
    this.intentional = true;
    this.state = 'dead';
    this.kill();
  }

  terminate(): Promise<void> {
    this.intentional = true;
    this.state = 'dead';
    if (this.init.pending) this.init.settle(terminatedInit(performance.now() - this.createdAt));
    if (this.invocation.pending) this.endRun(terminatedRun(this.runId, this.runStartedAt > 0 ? performance.now() - this.runStartedAt : 0));
    this.kill();
    if (this.pid === 0) this.registry.delete(this);
    // Waited for: the process and its pipes hold the event loop until they are gone (idle ones do not).
    for (const h of this.handles) h.ref();
    return this.exited;
  }

  private async launch(): Promise<void> {
    try {
      this.api = await RuntimeApiServer.listen({
        next: () => this.onNext(),
        response: (id, body, tooLarge) => this.onAnswer(id, () => answerOf(body, tooLarge)),
        error: (id, body, type) => this.onAnswer(id, () => errorOf(body, type)),
        initError: (body, type) => this.onInitError(body, type),
      });
    } catch (err) {
      this.init.settle({ ok: false, initMs: 0, errorType: 'Runtime.ExitError', errorMessage: `Error: could not start an execution environment: ${String(err)}` });
      this.registry.delete(this);
      return;
    }
    if (this.state === 'dead') {
      this.api.close();
      this.registry.delete(this);
      return;
    }
    // its own /tmp, gone with its process
    const storage = new EphemeralStorage(this.spec.tmpRoot);
    if (this.spec.snapshot) return this.restore(this.spec.snapshot, storage);
    const env = { ...this.spec.env, AWS_LAMBDA_RUNTIME_API: this.api.address, AWS_LAMBDA_LOG_STREAM_NAME: this.logStream, ...storage.environment };
    this.platformLine(this.platform.initStart());
    this.spawnedAt = performance.now();
    const child = spawn(this.spec.command, this.spec.args, { cwd: this.spec.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('close', () => {
        storage.remove();
        resolve();
      });
      child.once('error', (err: Error & { code?: string }) => {
        if (child.pid !== undefined) return;
        storage.remove();
        // Not started at all (no such file, not executable): what Lambda reports for a bootstrap it cannot run.
        this.intentional = true;
        this.state = 'dead';
        this.platformLine(this.platform.initReport(performance.now() - this.spawnedAt, 'error', 'Runtime.InvalidEntrypoint'));
        this.init.settle({ ok: false, initMs: 0, errorType: 'Runtime.InvalidEntrypoint', errorMessage: `Error: ${err.message}` });
        this.gone();
        resolve();
      });
    });
    if (child.pid === undefined) return;
    child.once('exit', (code, sig) => this.onExit(code, sig));
    this.attach(child.pid, [child, child.stdout as Socket, child.stderr as Socket]);
    (child.stdout as Socket).setEncoding('utf8').on('data', (chunk: string) => this.stdout.push(chunk));
    (child.stderr as Socket).setEncoding('utf8').on('data', (chunk: string) => this.stderr.push(chunk));
  }

  /** A SnapStart environment: a fork of the version's snapshot (taken: start() waited for it). */
  private async restore(snapshot: Snapshot, storage: EphemeralStorage): Promise<void> {
    const fail = (failure: StartFailure) => {
      storage.remove();
      this.intentional = true;
      this.state = 'dead';
      this.init.settle(failure);
      this.gone();
    };
    this.platformLine(this.platform.restoreStart());
    this.spawnedAt = performance.now();
    let restored;
    try {
      // no AWS_LAMBDA_LOG_STREAM_NAME: Lambda does not set it for SnapStart functions
      restored = await snapshot.restore({ AWS_LAMBDA_RUNTIME_API: this.api!.address, ...storage.environment });
    } catch (err) {
      return fail({ ok: false, initMs: 0, errorType: 'Runtime.ExitError', errorMessage: `Error: ${(err as Error).message}` });
    }
    this.forkedAt = Math.min(performance.now(), this.forkedAt ?? Infinity);
    const { output } = restored;
    this.exited = new Promise((resolve) => output.once('close', () => (storage.remove(), resolve())));
    void restored.exited.then(({ code, signal }) => setImmediate(() => this.onExit(code, signal)));
    this.attach(restored.pid, [output]);
    output.setEncoding('utf8').on('data', (chunk: string) => this.stdout.push(chunk));
    output.resume();
    if ((this.state as State) === 'dead') this.kill(); // terminated while it was being restored
  }

  /** The process runs: what stops, throttles, measures and outlives it is wired to it. */
  private attach(pid: number, handles: Array<{ ref(): unknown; unref(): unknown }>): void {
    this.pid = pid;
    this.untrack = trackEnvironmentProcess(pid);
    this.freeze = new ProcessFreeze(pid);
    if (this.spec.cpuThrottle) this.throttle = new ProcessCpuThrottle(pid, this.spec.fn.memoryMB);
    this.memory = new ProcessMemoryLimit(pid, this.spec.fn.memoryMB, () => this.outOfMemory());
    this.memory.watch();
    this.handles = handles;
    // Idle environments must not keep the stack alive; pending invocations hold timers that do.
    for (const h of handles) h.unref();
  }

  private onNext(): void {
    if (this.state === 'starting' && this.init.pending) {
      // INIT is over: from the process's start to its first /next, as Lambda measures it.
      const now = performance.now();
      this.initMs = now - this.spawnedAt;
      if (this.spec.snapshot) {
        this.platformLine(this.platform.restoreReport(this.initMs, 'success'));
        this.pendingCold = { restoreDurationMs: this.initMs, billedRestoreDurationMs: now - Math.min(this.forkedAt ?? this.spawnedAt, now) };
      } else {
        const initDurationMs = initOnRequestPath(this.spec.initializationType, this.initMs, (line) => this.platformLine(line), this.platform);
        if (initDurationMs !== undefined) this.pendingCold = { initDurationMs };
      }
      this.startupMs = now - this.createdAt;
      if (this.overMemory()) return;
      this.spec.cpu.initMs += this.cpuSinceLastSeen();
      this.state = 'idle';
      this.pauseProcess();
      this.init.settle({ ok: true, initMs: this.initMs });
      return;
    }
    const queued = this.queued;
    this.queued = undefined;
    if (queued && this.state === 'busy') this.dispatch(queued);
    else this.pauseProcess(); // frozen until the next invocation
  }

  private dispatch(inv: Invocation): void {
    this.freeze?.thaw();
    this.memory?.watch();
    this.platformLine(this.platform.start(inv.requestId));
    this.runStartedAt = performance.now();
    this.runCpuStart = processScheduleOf(this.pid)?.cpuMs;
    this.throttle?.begin();
    this.api!.deliver(inv);
  }

  /** The runtime answered the invocation (a result or an error). */
  private onAnswer(requestId: string, outcome: () => Pick<Extract<RunResult, { kind: 'done' }>, 'ok' | 'result' | 'errorType' | 'errorMessage'>): void {
    if (requestId !== this.runId || !this.invocation.pending) return;
    const owedMs = this.throttle?.end() ?? 0;
    const answered = performance.now();
    // After the output the runtime wrote before answering (another pipe, read in the same turn),
    // and after the CPU share still owed.
    const finish = () => {
      if (requestId !== this.runId || !this.invocation.pending) return; // timed out meanwhile
      const durationMs = answered - this.runStartedAt + owedMs;
      if (this.overMemory()) return;
      this.spec.cpu.invokeMs += this.cpuSinceLastSeen();
      const cold = this.takeCold();
      const o = outcome();
      this.stdout.flush();
      this.stderr.flush();
      this.platformLine(this.platform.end(requestId, o.ok ? 'success' : 'error', o.errorType));
      this.platformLine(this.platform.report({ requestId, durationMs, memoryMB: this.spec.fn.memoryMB, maxMemoryUsedMB: this.maxMemoryUsedMB, ...cold }, o.ok ? undefined : (o.errorType ?? 'Unhandled')));
      this.endRun({ kind: 'done', ...o, durationMs, ...cold, ...this.usage() });
    };
    if (owedMs >= 1) setTimeout(finish, owedMs);
    else setImmediate(finish);
  }

  private onInitError(body: Buffer, typeHeader: string | undefined): void {
    if (!this.init.pending) return;
    const initMs = performance.now() - this.spawnedAt;
    const { errorType, errorMessage } = errorOf(body, typeHeader);
    const failure: StartFailure = { ok: false, initMs, errorType: errorType ?? 'Runtime.Unknown', errorMessage: errorMessage ?? '' };
    setImmediate(() => {
      this.stdout.flush();
      this.stderr.flush();
      this.platformLine((this.spec.snapshot ? this.platform.restoreReport : this.platform.initReport)(initMs, 'error', failure.errorType));
    });
    this.init.settle(failure);
    // The runtime exits by itself after reporting (Lambda's do); one that does not is ended.
    this.intentional = true;
    this.state = 'dead';
    setTimeout(() => this.kill(), INIT_ERROR_GRACE_MS).unref();
  }

  private timedOut(): void {
    this.throttle?.dispose();
    for (const line of timedOutLines(this.runId, this.spec.fn, this.maxMemoryUsedMB, this.takeCold(), new Date(), this.platform)) this.stdout.line(line);
    this.endRun({ kind: 'timeout', durationMs: this.spec.fn.timeoutSeconds * 1000, ...this.usage() });
    void this.terminate();
  }

  private onExit(code: number | null, sig: NodeJS.Signals | null): void {
    this.stdout.flush();
    this.stderr.flush();
    this.gone();
    if (this.intentional) return;
    const wasIdle = this.state === 'idle';
    this.intentional = true;
    this.state = 'dead';
    const reason = sig ? `signal: ${SIGNAL_WORDS[sig] ?? sig}` : `exit status ${code}`;
    if (this.init.pending) {
      const initMs = performance.now() - this.spawnedAt;
      // 126/127 from the launcher: the bootstrap could not be executed at all
      const errorType = code === 126 || code === 127 ? 'Runtime.InvalidEntrypoint' : 'Runtime.ExitError';
      this.platformLine(this.platform.initReport(initMs, 'error', errorType));
      this.init.settle({ ok: false, initMs, errorType, errorMessage: `Error: Runtime exited with error: ${reason}` });
    } else if (this.invocation.pending) {
      const durationMs = this.runStartedAt > 0 ? performance.now() - this.runStartedAt : 0;
      const id = this.runId;
      const message = `RequestId: ${id} Error: Runtime exited with error: ${reason}`;
      this.stdout.line(message);
      this.stdout.line('Runtime.ExitError');
      for (const line of exitedLines(id, durationMs, this.spec.fn, this.maxMemoryUsedMB, this.takeCold(), this.platform)) this.stdout.line(line);
      this.endRun({ kind: 'crash', errorMessage: message, durationMs });
    } else if (wasIdle) {
      this.onIdleExit(this);
    }
  }

  /** A platform line its SystemLogLevel kept. */
  private platformLine(line: string | undefined): void {
    if (line !== undefined) this.stdout.line(line);
  }

  /** The process has ended (or never started): nothing of it is left to stop or serve. */
  private gone(): void {
    this.untrack?.();
    this.untrack = undefined;
    this.memory?.pause();
    this.throttle?.dispose();
    this.api?.close();
    this.registry.delete(this);
  }

  /** Frozen between invocations: it neither runs nor grows. */
  private pauseProcess(): void {
    this.freeze?.freeze();
    this.memory?.pause();
  }

  /**
   * Max Memory Used so far (the process's peak resident memory); past the size, a peak the reads
   * while it ran came too late for (between two reads, it answered) kills it as the limit would
   * have: true, and onExit reports it.
   */
  private overMemory(): boolean {
    this.maxMemoryUsedMB = Math.max(this.maxMemoryUsedMB, residentPeakMB(this.pid) ?? 0);
    if (this.maxMemoryUsedMB <= this.spec.fn.memoryMB) return false;
    this.outOfMemory();
    return true;
  }

  /** Past its memory size: killed as Lambda's sandbox is, and reported by onExit as a runtime killed by a signal. */
  private outOfMemory(): void {
    this.maxMemoryUsedMB = this.spec.fn.memoryMB;
    this.freeze?.kill();
  }

  private kill(): void {
    this.memory?.pause();
    this.throttle?.dispose();
    this.freeze?.kill();
    this.api?.close();
  }

  /** INIT's or the restore's duration for the first invocation's REPORT line (however it ends), once. */
  private takeCold(): ColdStart {
    const cold = this.pendingCold;
    this.pendingCold = {};
    return cold;
  }

  private cpuSinceLastSeen(): number {
    const now = processScheduleOf(this.pid)?.cpuMs ?? this.cpuSeen;
    const delta = now - this.cpuSeen;
    this.cpuSeen = now;
    return delta;
  }

  /** The CPU the process used since the invocation was delivered, and its peak memory. */
  private usage(): RunUsage {
    const now = processScheduleOf(this.pid)?.cpuMs;
    const cpuMs = now !== undefined && this.runCpuStart !== undefined ? now - this.runCpuStart : undefined;
    return { ...(cpuMs !== undefined ? { cpuMs } : {}), maxMemoryUsedMB: this.maxMemoryUsedMB };
  }

  /** The invocation's outcome; one not yet delivered to the runtime is dropped with it. */
  private endRun(r: RunResult): void {
    this.queued = undefined;
    this.invocation.settle(r);
  }
}

/** How Lambda words a runtime killed by a signal (Go's names: "signal: killed"). */
const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGINT: 'interrupt',
  SIGHUP: 'hangup',
};

function answerOf(body: Buffer, tooLarge: boolean): Pick<Extract<RunResult, { kind: 'done' }>, 'ok' | 'result' | 'errorType' | 'errorMessage'> {
  if (tooLarge) {
    return { ok: false, errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).` };
  }
  const text = body.toString('utf8');
  try {
    return { ok: true, result: JSON.parse(text) as unknown };
  } catch {
    return { ok: true, result: text }; // Lambda passes any bytes on; the caller decides what they are
  }
}

/** An error as a runtime reports it: Lambda's `{errorMessage, errorType, stackTrace}`, else the header's type. */
function errorOf(body: Buffer, typeHeader: string | undefined): { ok: false; errorType: string; errorMessage: string } {
  let parsed: { errorType?: unknown; errorMessage?: unknown } | undefined;
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const errorType = typeof parsed?.errorType === 'string' ? parsed.errorType : (typeHeader ?? 'Unhandled');
  const errorMessage = typeof parsed?.errorMessage === 'string' ? parsed.errorMessage : '';
  return { ok: false, errorType, errorMessage };
}

/** An X-Ray trace header as Lambda hands one to each invocation (not sampled: nothing collects traces here). */
function traceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}
