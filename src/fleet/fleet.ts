import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ParentPriority } from './parent-priority.ts';
import type { MissingAnswer, ShardReport } from '../metrics/measurement/shard-report.ts';
import type { FromShard, ShardInit, ShardPhase, ToShard } from './shard-link.ts';

/**
 * The parent's side of the fleet: forks one process per shard (each process may hold at most
 * 20,000 open files, and one process uses one core), hands each its share of the plan, runs
 * phases with a barrier (a phase ends when every shard says so), and collects the shards'
 * interval reports. Merging is the recorder's job (metrics/measurement/run-recorder.ts).
 */
const BOOTSTRAP = fileURLToPath(new URL('./shard-bootstrap.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;

export type FleetInit = Omit<ShardInit, 'shard' | 'shards'>;

interface ShardProc {
  index: number;
  child: ChildProcess;
  alive: boolean;
}

export class ShardDiedError extends Error {}

/** `--cpu-prof` for every shard when FANOUT_BENCH_SHARD_CPU_PROF names a directory (profiling the delivery path: bench/RESULTS.md). */
function cpuProfArgs(): string[] {
  const dir = process.env.FANOUT_BENCH_SHARD_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

export class Fleet {
  private reports: ShardReport[] = [];
  private flushSeq = 0;
  private waiters = new Set<() => void>();
  private failure: Error | undefined;
  private closing = false;
  /** the parent's own priority, lowered below the shards' while they run (parent-priority.ts) */
  private priority: ParentPriority | undefined;

  private constructor(private readonly procs: ShardProc[]) {}

  /** Forks `shards` processes and initialises them; rejects if one does not come up. */
  static async start(shards: number, init: FleetInit): Promise<Fleet> {
    const procs: ShardProc[] = [];
    for (let i = 0; i < shards; i++) {
      const child = fork(BOOTSTRAP, [], {
        serialization: 'advanced',
        // --expose-gc: see compactHeap() in shard.ts. --no-allocation-site-pretenuring: the
        // connect and join bursts keep what they allocate, and the full GC after them taught V8
        // to allocate the delivery path's objects (socket reads, ws frames) straight into the old
        // generation: every delivery then cost a promotion, scavenges ran 5-10 ms and a
        // mark-compact came every second (1 shard at 20k deliveries/s: broadcast p99 16 ms, 6 ms
        // without; bench/RESULTS.md, "Harness capacity: where the tail came from").
        // --max-semi-space-size=4: V8 grows the young generation to 2 × 16 MB in every shard, kept
        // for the run; 4 MB semi-spaces held a shard of 16,600 clients in 172 MB against 190, at
        // the same CPU per delivery (1 shard, 2,000 clients at 20,000/s: 0.138 and 0.133 CPU-s per
        // 10k against 0.147 and 0.133; 2 MB cost 13 %). MALLOC_ARENA_MAX=1: one malloc arena for
        // the shard's threads, 163 MB against 172 (bench/RESULTS.md, "Launch scale").
        // FANOUT_BENCH_SHARD_CPU_PROF=<dir>: each shard writes a V8 CPU profile there (NODE_OPTIONS refuses --cpu-prof)
        execArgv: ['--expose-gc', '--no-allocation-site-pretenuring', '--max-semi-space-size=4', ...cpuProfArgs()],
        env: { ...process.env, MALLOC_ARENA_MAX: '1' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      procs.push({ index: i, child, alive: true });
    }
    const fleet = new Fleet(procs);
    // after every fork: a child inherits the nice of the thread that forks it
    fleet.priority = ParentPriority.yieldToChildren();
    const ready = new Set<number>();
    for (const p of procs) {
      p.child.on('message', (m: FromShard) => {
        if (m.type === 'ready') ready.add(m.shard);
        fleet.onMessage(m);
      });
      p.child.on('exit', (code, signal) => fleet.onExit(p, code, signal));
      p.child.on('error', (err) => fleet.fail(new ShardDiedError(`shard ${p.index}: ${err.message}`)));
      fleet.post(p, { type: 'init', init: { ...init, shard: p.index, shards } });
    }
    try {
      await fleet.until(() => ready.size === shards, READY_TIMEOUT_MS, 'shards did not start');
    } catch (err) {
      await fleet.close();
      throw err;
    }
    return fleet;
  }

  get shards(): number {
    return this.procs.length;
  }

  private step = 0;

  /**
   * Runs one phase on every shard; resolves when all have finished it (a barrier) with the
   * fleet's room membership at that moment: per room, the open and joined clients of all shards.
   */
  async runPhase(phaseFor: (shard: number) => ShardPhase, timeoutMs: number): Promise<Int32Array> {
    const step = ++this.step;
    const done = new Set<number>();
    let members = new Int32Array(0);
    const listener = (m: FromShard) => {
      if (m.type !== 'phaseDone' || m.step !== step || done.has(m.shard)) return;
      done.add(m.shard);
      if (members.length < m.members.length) {
        const grown = new Int32Array(m.members.length);
        grown.set(members);
        members = grown;
      }
      for (let r = 0; r < m.members.length; r++) members[r] += m.members[r];
    };
    this.listeners.add(listener);
    try {
      let kind = '';
      for (const p of this.procs) {
        const phase = phaseFor(p.index);
        kind = phase.kind;
        this.post(p, { type: 'phase', step, phase });
      }
      await this.until(() => done.size === this.procs.length, timeoutMs, `the ${kind} step did not finish`);
      return members;
    } finally {
      this.listeners.delete(listener);
    }
  }

  /**
   * Asks every shard for its interval report and waits (bounded) for the answers. Returns every
   * report received since the previous flush, late ones from earlier flushes included.
   */
  async flush(timeoutMs = 3000): Promise<ShardReport[]> {
    const seq = ++this.flushSeq;
    const live = this.procs.filter((p) => p.alive);
    for (const p of live) this.post(p, { type: 'flush', seq });
    const answered = () => live.every((p) => !p.alive || this.reports.some((r) => r.shard === p.index && r.seq === seq));
    await this.until(answered, timeoutMs, '').catch(() => {});
    const out = this.reports;
    this.reports = [];
    return out;
  }

  /**
   * Asks every live shard which of its members missed the lost messages in `query`
   * (missing-recipients.ts); waits at most `timeoutMs` and returns the answers that came.
   */
  async missing(query: Float64Array, timeoutMs = 5000): Promise<MissingAnswer[]> {
    const answers = new Map<number, MissingAnswer>();
    const listener = (m: FromShard) => {
      if (m.type === 'missing') answers.set(m.answer.shard, m.answer);
    };
    this.listeners.add(listener);
    try {
      const live = this.procs.filter((p) => p.alive);
      for (const p of live) this.post(p, { type: 'missing', query });
      await this.until(() => live.every((p) => !p.alive || answers.has(p.index)), timeoutMs, '').catch(() => {});
      return [...answers.values()];
    } finally {
      this.listeners.delete(listener);
    }
  }

  /** Interrupt: stop ramps and schedules in every shard. */
  stop(): void {
    for (const p of this.procs) this.post(p, { type: 'stop' });
  }

  /** Closes every client socket and waits for the shards to exit (kills them after a bound). */
  async close(): Promise<void> {
    this.closing = true;
    for (const p of this.procs) this.post(p, { type: 'close' });
    await this.until(() => this.procs.every((p) => !p.alive), CLOSE_TIMEOUT_MS, '').catch(() => {});
    for (const p of this.procs) if (p.alive) p.child.kill('SIGKILL');
    this.priority?.restore();
    this.priority = undefined;
  }

  /** The first shard failure, if any. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** what runPhase and missing wait for: every message from a shard */
  private listeners = new Set<(m: FromShard) => void>();

  private onMessage(m: FromShard): void {
    if (m.type === 'report') this.reports.push(m.report);
    else if (m.type === 'fatal') this.fail(new ShardDiedError(`shard ${m.shard} failed: ${m.message.split('\n')[0]}`));
    for (const l of this.listeners) l(m);
    this.wake();
  }

  private onExit(p: ShardProc, code: number | null, signal: NodeJS.Signals | null): void {
    p.alive = false;
    if (!this.closing) this.fail(new ShardDiedError(`shard ${p.index} exited (${signal ?? `code ${code}`})`));
    this.wake();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  private post(p: ShardProc, m: ToShard): void {
    if (p.alive && p.child.connected) p.child.send(m);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves when `cond` holds; rejects on a shard failure or after `timeoutMs`. */
  private until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const check = () => {
        if (cond()) finish();
        else if (this.failure && !this.closing) finish(this.failure);
      };
      const finish = (err?: Error) => {
        this.waiters.delete(check);
        if (timer) clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      this.waiters.add(check);
      timer = setTimeout(() => finish(new Error(`${what} within ${timeoutMs} ms`)), timeoutMs);
      check();
    });
  }
}
