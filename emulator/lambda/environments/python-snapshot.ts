import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { trackEnvironmentProcess } from './environment-processes.ts';
import { initLimitMs, initTimedOut, streamName, terminatedInit, type ProcessEnvironmentSpec, type RestoredProcess, type Snapshot, type StartResult } from './execution-environment.ts';
import { LogForwarder } from './log-forwarder.ts';
import { PendingResult } from './pending-result.ts';
import { platformLines } from './platform-lines.ts';
import { functionLogGroup } from '../options.ts';

type Exit = Awaited<RestoredProcess['exited']>;

/**
 * SnapStart for a Python function's published version. Lambda runs the version's INIT once, when
 * it is published (the handler's module imported, then the `@register_before_snapshot` hooks),
 * takes a snapshot of the initialized environment, and starts each new environment of the version
 * by restoring that snapshot. Here the snapshot is a process: the Python bootstrap runs INIT and
 * the hooks, then waits; each restore is a fork of it (python-bootstrap.py, "SnapStart"), which
 * runs the `@register_after_restore` hooks and serves as an environment (process-environment.ts).
 * What restored environments share on Lambda they share here: memory as INIT left it, `random`'s
 * state, ids drawn at INIT, sockets INIT opened. The INIT writes to a log stream of its own in the
 * function's log group, with Lambda's INIT_REPORT; AWS_LAMBDA_LOG_GROUP_NAME and
 * AWS_LAMBDA_LOG_STREAM_NAME are not set, as Lambda does not set them for SnapStart functions.
 */
export class PythonSnapshot implements Snapshot {
  /** INIT's outcome: the snapshot is taken, or INIT (or a before-snapshot hook) failed. */
  readonly ready: Promise<StartResult>;
  outcome: StartResult | undefined;
  private readonly init = new PendingResult<StartResult>();
  private readonly child: ChildProcess;
  private readonly control: Socket;
  private logServer: Server | undefined;
  private logPort: Promise<number>;
  private readonly out: LogForwarder;
  private readonly restores = new Map<string, { pid?: number; output?: Socket; done: (p: RestoredProcess) => void; fail: (e: Error) => void }>();
  private readonly exits = new Map<number, (e: Exit) => void>();
  private readonly startedAt = performance.now();
  private closed = false;

  constructor(private readonly spec: ProcessEnvironmentSpec) {
    const lines = platformLines(spec.fn, spec);
    this.out = new LogForwarder(spec.logs, spec.metrics, functionLogGroup(spec.fn), streamName(randomBytes(16).toString('hex'), spec.version));
    const line = (l: string | undefined) => l !== undefined && this.out.line(l);
    this.ready = this.init.begin(initLimitMs(spec.fn), () => {
      const initMs = performance.now() - this.startedAt;
      line(lines.initReport(initMs, 'timeout'));
      this.init.settle(initTimedOut(initMs, spec.fn));
      this.close();
    });
    const { AWS_LAMBDA_LOG_GROUP_NAME: _group, ...env } = spec.env;
    line(lines.initStart());
    this.child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: { ...env, _FANOUT_BENCH_SNAPSHOT_FD: '3' }, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    this.control = this.child.stdio[3] as Socket;
    const untrack = this.child.pid !== undefined ? trackEnvironmentProcess(this.child.pid) : () => undefined;
    for (const stream of [this.child.stdout!, this.child.stderr!]) stream.setEncoding('utf8').on('data', (chunk: string) => this.out.push(chunk));
    createInterface({ input: this.control }).on('line', (l) => this.heard(l, lines, line));
    this.child.once('error', (err) => this.failed({ ok: false, initMs: 0, errorType: 'Runtime.InvalidEntrypoint', errorMessage: `Error: ${err.message}` }));
    this.child.once('exit', (code, sig) => {
      untrack();
      this.out.flush();
      const reason = sig ? `signal: ${sig}` : `exit status ${code}`;
      this.failed({ ok: false, initMs: performance.now() - this.startedAt, errorType: 'Runtime.ExitError', errorMessage: `Error: Runtime exited with error: ${reason}` });
      // the restored environments die with it (their parent-death signal)
      for (const resolve of this.exits.values()) resolve({ code: null, signal: 'SIGKILL' });
      this.exits.clear();
    });
    this.child.unref();
    for (const s of [this.child.stdout, this.child.stderr, this.control] as Socket[]) s.unref();
    this.logPort = this.listenForOutput();
    void this.ready.then((r) => (this.outcome = r));
  }

  /**
   * A new environment restored from the snapshot, with these variables set (its Runtime API, its
   * /tmp): resolves once the fork runs and its output is connected; rejects when the snapshot is gone.
   */
  async restore(env: Record<string, string>): Promise<RestoredProcess> {
    const port = await this.logPort;
    if (this.closed) throw new Error('the snapshot is gone');
    const id = randomBytes(8).toString('hex');
    return new Promise((done, fail) => {
      this.restores.set(id, { done, fail });
      this.control.write(`${JSON.stringify({ restore: id, env, logs: port })}\n`);
    });
  }

  /** The snapshot process and its output server end; environments restored from it end with it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.init.pending) this.init.settle(terminatedInit(performance.now() - this.startedAt));
    this.child.kill('SIGKILL');
    this.logServer?.close();
    for (const r of this.restores.values()) r.fail(new Error('the snapshot is gone'));
    this.restores.clear();
  }

  private heard(text: string, lines: ReturnType<typeof platformLines>, line: (l: string | undefined) => void): void {
    const m = JSON.parse(text) as { ready?: true; initError?: { errorType: string; errorMessage: string }; restored?: string; pid?: number; exited?: number; code?: number | null; signal?: NodeJS.Signals | null };
    if (m.ready) {
      const initMs = performance.now() - this.startedAt;
      this.out.flush();
      line(lines.initReport(initMs, 'success'));
      this.init.settle({ ok: true, initMs });
    } else if (m.initError) {
      const initMs = performance.now() - this.startedAt;
      this.out.flush();
      line(lines.initReport(initMs, 'error', m.initError.errorType));
      this.failed({ ok: false, initMs, errorType: m.initError.errorType, errorMessage: m.initError.errorMessage });
    } else if (m.restored !== undefined) {
      const r = this.restores.get(m.restored);
      if (r) {
        r.pid = m.pid!;
        this.settleRestore(m.restored);
      }
    } else if (m.exited !== undefined) {
      this.exits.get(m.exited)?.({ code: m.code ?? null, signal: m.signal ?? null });
      this.exits.delete(m.exited);
    }
  }

  private failed(result: Extract<StartResult, { ok: false }>): void {
    if (this.init.pending) this.init.settle(result);
    this.close();
  }

  /** One server for every restored environment's output: a connection's first line names the restore. */
  private async listenForOutput(): Promise<number> {
    const server = createServer((socket) => {
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        const nl = head.indexOf(10);
        if (nl < 0) return;
        socket.off('data', onData);
        socket.pause();
        const id = head.subarray(0, nl).toString('latin1');
        if (nl + 1 < head.length) socket.unshift(head.subarray(nl + 1));
        const r = this.restores.get(id);
        if (!r) return socket.destroy();
        r.output = socket;
        this.settleRestore(id);
      };
      socket.on('data', onData);
    });
    this.logServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref();
    return (server.address() as AddressInfo).port;
  }

  /** A restore is done once the fork's id and its output have both arrived. */
  private settleRestore(id: string): void {
    const r = this.restores.get(id)!;
    if (r.pid === undefined || r.output === undefined) return;
    this.restores.delete(id);
    const pid = r.pid;
    const exited = new Promise<Exit>((resolve) => this.exits.set(pid, resolve));
    r.done({ pid, output: r.output, exited });
  }
}
