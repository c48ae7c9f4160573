import { performance } from 'node:perf_hooks';
import type { EnvironmentSpec, ExecutionEnvironment } from '../environments/execution-environment.ts';
import type { ColdGrant, ColdWaiter, FunctionPool } from './function-pool.ts';
import type { HostCapacity } from './host-capacity.ts';

/**
 * Starts execution environments (worker boot + INIT) on the host's terms, so that host
 * contention does not pass for cold-start latency:
 *
 * - At most `concurrency` INITs run at once. Forty-eight environments importing the SDK at once
 *   on two cores take seconds each; one at a time they take what INIT takes on an idle host.
 * - Each function keeps `preparedTarget` environments whose INIT already ran. A cold start takes
 *   one: it is still a cold start (first invocation of that environment: Init Duration, the
 *   `cold` flag, ColdStart EMF), and the runtime charges it that INIT's measured duration before
 *   the handler runs, so the client pays what it would have paid.
 * - A cold start with no prepared environment waits for the next INIT of its function; waiters
 *   come before spares. Until an INIT for it is under way, the host is holding it back: if that
 *   lasts longer than an environment of its function takes to start (its own would have been
 *   ready on an unloaded host), a warm environment of its function that frees up serves it
 *   instead: fewer cold starts than AWS would show in that burst, and the outcome's
 *   hostCapWaitMs (and the function's hostCapWaits) say the host held it back.
 * - A function at its host cap (`FunctionPool.atHostCap`) starts no environment: its cold
 *   waiters are served, oldest first, by its environments as they finish an invocation.
 * - A version's provisioned concurrency (provisioned-environments.ts) is started after cold
 *   waiters and before spares, may evict idle environments for its host slot, and is not held to
 *   the function's host cap: the allocation is what the template asks for. One the host cannot
 *   hold stays IN_PROGRESS (it waits for a slot); one whose INIT fails is FAILED, saying so.
 */
export class EnvironmentPreparer {
  private running = 0;
  private waiting = 0;
  private seq = 0;
  private closed = false;
  /** Who waits for prepared environments: of one function (a configuration update), or of all. */
  private readonly readyWaiters: Array<{ pool?: FunctionPool; resolve: () => void }> = [];

  constructor(
    private readonly pools: readonly FunctionPool[],
    private readonly host: HostCapacity,
    private concurrency: number,
    private readonly createEnvironment: (spec: EnvironmentSpec) => ExecutionEnvironment,
  ) {}

  /** A cold start for `pool`: a prepared environment now, or the promise of one. */
  acquire(pool: FunctionPool): ColdGrant | Promise<ColdGrant> {
    const env = pool.prepared.shift();
    if (env) {
      this.pump(); // refill
      return { kind: 'prepared', env, heldBackMs: 0 };
    }
    return new Promise((resolve) => {
      const waiter: ColdWaiter = {
        pool,
        seq: this.seq++,
        enqueuedAt: performance.now(),
        resolve: (grant) => {
          this.waiting--;
          resolve(grant);
        },
      };
      this.waiting++;
      pool.coldWaiters.push(waiter);
      setTimeout(() => this.offerIdle(waiter), pool.expectedStartupMs).unref();
      this.pump();
      // An INIT already under way, or started just now, serves it: nothing held it back.
      if (pool.coldWaiters.length <= pool.preparing) waiter.coveredAt = waiter.enqueuedAt;
    });
  }

  /**
   * A healthy environment finished an invocation: to a cold waiter held back too long (or held
   * back at all, when the function is at its host cap and no INIT will come for it), else idle.
   */
  release(env: ExecutionEnvironment, pool: FunctionPool): void {
    env.markIdle();
    const waiter = this.heldBackTooLong(pool) ?? (pool.atHostCap ? pool.coldWaiters.find((w) => w.coveredAt === undefined) : undefined);
    if (waiter) {
      this.handOver(waiter, env);
      return;
    }
    pool.putIdle(env);
    // A cold start held back by the host cap may take this slot (evicting the idle environment).
    if (this.waiting > 0) this.pump();
  }

  /** Start INITs while there is work, INIT concurrency and host room. */
  pump(): void {
    while (!this.closed && this.running < this.concurrency) {
      const job = this.nextJob();
      if (!job || !this.host.tryReserve(job.pool, job.kind !== 'spare')) break;
      if (job.kind === 'provisioned') this.startProvisioned(job.pool);
      else this.start(job.pool);
    }
    this.checkReady();
  }

  /**
   * Resolves once every function has its prepared environments (or cannot get them: INIT failing,
   * its host cap reached, host full, closed). Meant for
   * start-up, when nothing else runs: meanwhile up to `concurrency` INITs run at once.
   */
  async whenPrepared(concurrency: number): Promise<void> {
    const normal = this.concurrency;
    this.concurrency = Math.max(normal, concurrency);
    try {
      await new Promise<void>((resolve) => {
        this.readyWaiters.push({ resolve });
        this.pump();
      });
    } finally {
      this.concurrency = normal;
    }
  }

  /**
   * Resolves once `pool` has its prepared environments again (or cannot get them: INIT failing,
   * host full, closed), at the normal INIT concurrency: after a configuration update.
   */
  whenPoolPrepared(pool: FunctionPool): Promise<void> {
    return new Promise<void>((resolve) => {
      this.readyWaiters.push({ pool, resolve });
      this.pump();
    });
  }

  /** Answer every waiter with 'closed'; prepared environments are terminated by the runtime. */
  close(): void {
    this.closed = true;
    for (const pool of this.pools) for (const w of pool.coldWaiters.splice(0)) w.resolve({ kind: 'closed' });
    this.checkReady();
  }

  /** Waiters first (the pool whose oldest uncovered waiter is oldest), then provisioned environments, then spares below target. */
  private nextJob(): { pool: FunctionPool; kind: 'waiter' | 'provisioned' | 'spare' } | undefined {
    let best: FunctionPool | undefined;
    let bestSeq = Infinity;
    for (const pool of this.pools) {
      const head = pool.coldWaiters[0];
      if (head && pool.coldWaiters.length > pool.preparing && !pool.atHostCap && head.seq < bestSeq) {
        best = pool;
        bestSeq = head.seq;
      }
    }
    if (best) return { pool: best, kind: 'waiter' };
    for (const pool of this.pools) if (pool.provisioned && pool.provisioned.deficit > 0) return { pool, kind: 'provisioned' };
    let neediest: FunctionPool | undefined;
    let deficit = 0;
    for (const pool of this.pools) {
      const d = pool.initFailing || pool.atHostCap ? 0 : pool.preparedTarget - pool.prepared.length - pool.preparing;
      if (d > deficit) {
        neediest = pool;
        deficit = d;
      }
    }
    return neediest ? { pool: neediest, kind: 'spare' } : undefined;
  }

  /**
   * A provisioned environment: INIT now, off any request's path; free once done. One whose INIT
   * fails fails the allocation, as Lambda's does (`FUNCTION_ERROR_INIT_FAILURE`): no more are
   * started for it until it is configured again.
   */
  private startProvisioned(pool: FunctionPool): void {
    const pc = pool.provisioned!;
    this.running++;
    pc.live++;
    pc.starting++;
    const done = (): void => {
      this.running--;
      pc.starting--;
    };
    let env: ExecutionEnvironment;
    try {
      env = this.createEnvironment(pc.spec);
    } catch (err) {
      done();
      pc.live--;
      pc.failure = `FUNCTION_ERROR_INIT_FAILURE (could not start an execution environment: ${String(err)})`;
      this.host.slotFreed();
      return;
    }
    void env.start().then((result) => {
      done();
      if (this.closed) return;
      if (pool.provisioned !== pc || !result.ok || pc.live > pc.requested) {
        // failed, or its allocation was removed or shrunk meanwhile
        pc.live--;
        if (result.ok) env.retire();
        else pc.failure = 'FUNCTION_ERROR_INIT_FAILURE';
        this.host.slotFreed(); // pumps
        return;
      }
      env.markIdle();
      pc.idle.push(env);
      this.pump();
    });
  }

  private start(pool: FunctionPool): void {
    this.running++;
    pool.preparing++;
    pool.live++;
    const covered = pool.coldWaiters[pool.preparing - 1];
    if (covered && covered.coveredAt === undefined) covered.coveredAt = performance.now();
    let env: ExecutionEnvironment;
    try {
      env = this.createEnvironment(pool.spec);
    } catch (err) {
      // The host could not start a worker thread (resources exhausted, a flag the thread refuses).
      // Marked failing, so that the slot freed below does not start the same spare again at once:
      // only a waiter's cold start retries, one per waiter.
      this.finishStart(pool);
      pool.initFailing = true;
      pool.live--;
      this.host.slotFreed();
      const errorMessage = `Error: could not start an execution environment: ${String(err)}`;
      pool.coldWaiters.shift()?.resolve({ kind: 'init-failed', failure: { ok: false, initMs: 0, errorType: 'Runtime.ExitError', errorMessage } });
      return;
    }
    void env.start().then((result) => {
      this.finishStart(pool);
      if (this.closed) return; // the runtime terminates every environment
      if (!pool.isCurrent(env)) {
        // Started on a configuration replaced meanwhile: it never serves. A waiter it covered
        // stays queued and gets an INIT of the new configuration (the slot freed pumps).
        pool.live--;
        if (result.ok) env.retire();
        this.host.slotFreed();
        return;
      }
      if (result.ok) {
        pool.lastStartupMs = env.startupMs;
        pool.initFailing = false;
        const waiter = pool.coldWaiters.shift();
        if (waiter) waiter.resolve({ kind: 'prepared', env, heldBackMs: (waiter.coveredAt ?? performance.now()) - waiter.enqueuedAt });
        else pool.prepared.push(env);
      } else {
        pool.initFailing = true;
        pool.live--;
        pool.coldWaiters.shift()?.resolve({ kind: 'init-failed', failure: result, logStream: env.logStream });
        this.host.slotFreed(); // pumps
      }
      this.pump();
    });
  }

  private finishStart(pool: FunctionPool): void {
    this.running--;
    pool.preparing--;
  }

  /**
   * The first waiter the host has not even started an INIT for, once it has waited as long as a
   * start-up takes. A waiter whose INIT is under way keeps waiting for it: that is its cold start.
   */
  private heldBackTooLong(pool: FunctionPool): ColdWaiter | undefined {
    const now = performance.now();
    return pool.coldWaiters.find((w) => w.coveredAt === undefined && now - w.enqueuedAt >= pool.expectedStartupMs - 1);
  }

  private handOver(waiter: ColdWaiter, env: ExecutionEnvironment): void {
    const waiters = waiter.pool.coldWaiters;
    waiters.splice(waiters.indexOf(waiter), 1);
    waiter.resolve({ kind: 'warm', env });
  }

  /** A waiter has waited as long as a start-up takes: an idle environment of its function may serve it. */
  private offerIdle(waiter: ColdWaiter): void {
    const pool = waiter.pool;
    if (this.heldBackTooLong(pool) !== waiter) return;
    const env = pool.takeIdle();
    if (env) this.handOver(waiter, env);
  }

  private checkReady(): void {
    if (this.readyWaiters.length === 0) return;
    // A function at its host cap gets no more: asking for more prepared environments than the cap
    // allows must not keep the stack from ever being ready.
    // an allocation the host cannot complete now (every slot busy) does not keep the stack from being ready
    const provisioned = (p: FunctionPool) => !p.provisioned || p.provisioned.status !== 'IN_PROGRESS' || (p.provisioned.starting === 0 && this.host.liveEnvironments >= this.host.max);
    const filled = (p: FunctionPool) =>
      provisioned(p) && (p.initFailing || p.atHostCap || p.prepared.length >= p.preparedTarget || this.host.liveEnvironments >= this.host.max);
    const allDone = this.closed || (this.running === 0 && this.pools.every(filled));
    for (let i = this.readyWaiters.length - 1; i >= 0; i--) {
      const { pool, resolve } = this.readyWaiters[i];
      const done = pool ? this.closed || (pool.preparing === 0 && filled(pool)) : allDone;
      if (done) {
        this.readyWaiters.splice(i, 1);
        resolve();
      }
    }
  }
}
