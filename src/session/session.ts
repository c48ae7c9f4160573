import { join } from 'node:path';
import { bundleCache, writableCacheDir } from '../../common/cache-dir.ts';
import { UserError } from '../../common/errors.ts';
import { now } from '../clock.ts';
import type { PathQuotaExpectation, Quotas } from '../contracts/quotas-schema.ts';
import type { IntervalRecord, Results } from '../contracts/results-schema.ts';
import type { Scenario, StackKnobs } from '../contracts/scenario-schema.ts';
import type { Verdict } from '../contracts/verdict-schema.ts';
import type { CostOptions } from '../metrics/cost/cost-model.ts';
import { IntervalFile } from '../metrics/results/interval-file.ts';
import { createRunDir } from '../metrics/results/run-dir.ts';
import type { ProgressContext } from '../report/run/progress-line.ts';
import { resolveTarget } from '../targets/resolve-target.ts';
import type { Target } from '../targets/target.ts';
import { prepareAccessLogging, type RunAccessLog, type StageLogging } from '../targets/access-logging.ts';
import type { EvaluateOptions } from '../verdict/evaluate.ts';
import { failedStartResults } from './failed-start.ts';
import { finish } from './finish.ts';
import { measure } from './measure.ts';
import { preflightQuotas, withOwnLimits, withQuotas } from './quota-preflight.ts';
import { quotaPlanLine } from '../report/run/quota-text.ts';
import { forgetUnwritten, keepUnwritten } from './unwritten-results.ts';
import { pathPreflight } from './path-preflight.ts';
import type { RunInput, RunRequest } from './run-input.ts';
import { INTERRUPTED_KILL_BY_MS, stopBudget, type StopBudget } from './stop-budget.ts';
import { warmUp } from './warm-up.ts';
import { protocolHandshake } from './protocol-handshake.ts';
import { deprecatedRuntimeLines } from './deprecated-runtimes.ts';

/**
 * A measured session: what `run`, `compare` (memory sizes and sweeps) and `search` share, written
 * once. It owns the session's directory, the quota plan's lines, every target it starts (a
 * target that fails to start is recorded the same way in every mode: results.json with status
 * failed and the reason, beside the stack's log), warm-ups, measurements into run directories,
 * and the end: every target it started is stopped, within the stop budget once interrupted. A mode
 * supplies only its steps: which scenario, at which load or size, against which target, in which
 * order, and what it makes of the results.
 */
export interface SessionOptions extends RunRequest {
  /** parent of the session's directory (default ./reports) */
  outDir?: string;
  /** abort = interrupt: stop, keep what was measured, status "interrupted" (a string reason is named in it) */
  signal?: AbortSignal;
  onInterval?: (record: IntervalRecord, ctx: ProgressContext) => void;
  onWarning?: (message: string) => void;
  /** a note on what the session is doing (e.g. waiting for a fresh CloudWatch minute) */
  onStatus?: (message: string) => void;
  /** measurement interval (default 1000 ms) */
  intervalMs?: number;
  /** `--metrics-wait`: the longest wait for CloudWatch to publish each measurement (default: the target's) */
  metricsWaitMs?: number;
}

/** What one measurement of the session is. */
export interface Measurement {
  /** its run directory */
  dir: string;
  /** results.config.runId (room names carry it) */
  runId: string;
  scenario: Scenario;
  target: Target;
  /** its seed, shards and token */
  input: RunInput;
  quotas?: Quotas;
  /** thresholds, baseline, repeats: what it is judged by besides the built-in checks */
  judge?: EvaluateOptions;
  /** its own prices or architecture (a variant's), over the session's */
  cost?: CostOptions;
  /** the rate results.config records (default: the session's --rate) */
  rate?: number | undefined;
}

export class Session {
  private dirPath: string | undefined;
  private readonly started = new Set<Target>();
  private readonly budget: StopBudget;
  /**
   * The stages whose access logging this session set or uses, each once however many targets
   * (compare's, search's measurements) reach it, with the targets that do: put back when the last
   * of them stops, and at the latest when the session closes.
   */
  private readonly stages = new Map<string, { logging: StageLogging; targets: Set<Target>; deployed: boolean }>();
  private readonly accessLogs = new Map<Target, RunAccessLog>();
  /** The deprecated runtimes already said at start: a compare or search starts a stack per measurement, and says each once. */
  private readonly saidRuntimes = new Set<string>();
  /** Each started target's queued-path quota lines (path-preflight.ts), added to its measurements' quota plan. */
  private readonly pathQuotaPlans = new Map<Target, PathQuotaExpectation[]>();

  constructor(
    readonly options: SessionOptions,
    /** the session's id: its directory's name under outDir, and the prefix of its measurements' run ids */
    readonly id: string,
  ) {
    this.budget = stopBudget(options.signal);
  }

  get aborted(): boolean {
    return this.options.signal?.aborted === true;
  }

  say(line: string): void {
    this.options.onStatus?.(line);
  }

  warn(line: string): void {
    this.options.onWarning?.(line);
  }

  /** The session's directory, made the first time it is needed (an unreachable URL leaves none behind). */
  get dir(): string {
    this.dirPath ??= createRunDir(this.options.outDir ?? 'reports', this.id);
    return this.dirPath;
  }

  /** A run directory of its own inside the session's. */
  subdir(name: string): string {
    return createRunDir(this.dir, name);
  }

  /**
   * The scenario held against the target's quotas before anything starts: a frame that cannot
   * pass is refused here (UserError); each plan line is said as a warning, after `label`.
   */
  async planQuotas(scenario: Scenario, input: RunInput, label?: string): Promise<Quotas | undefined> {
    const quotas = await preflightQuotas(scenario, input.target, { aws: this.options.aws, stackKnobs: this.options.stackKnobs });
    for (const line of (quotas?.plan ?? []).map(quotaPlanLine)) this.warn(label ? `${label}: ${line}` : line);
    return quotas;
  }

  /**
   * Starts (or, for a URL or an aws: stack, reaches) the target `input` names, for `scenario`.
   * A local stack logs into the session's directory (`log`). One that does not start ends as a
   * run does in every mode: results.json (status failed, the reason) and the reports in the
   * session's directory, and a UserError naming the reason and the log. A URL that does not
   * answer is a UserError and leaves nothing behind.
   */
  async start(input: RunInput, o: { scenario?: Scenario; log?: string; stackKnobs?: StackKnobs } = {}): Promise<Target> {
    const scenario = o.scenario ?? input.scenario;
    // A cache the stack cannot write is a setting to fix, named before the run's directory is made.
    const bundles = input.target.startsLocalStack ? bundleCache() : undefined;
    if (bundles) writableCacheDir(bundles);
    const logFile = input.target.startsLocalStack ? join(this.dir, o.log ?? 'stack.log') : undefined;
    const startedAt = now();
    let target: Target;
    try {
      target = await resolveTarget({
        spec: input.target,
        aws: this.options.aws,
        knobs: scenario.target,
        stackKnobs: 'stackKnobs' in o ? o.stackKnobs : this.options.stackKnobs,
        token: input.token,
        ...(scenario.protocol.kind === 'chat-v1' ? {} : { probeHandshake: protocolHandshake(scenario.protocol, { token: input.token, runId: this.id }) }),
        logFile,
        onWarning: this.options.onWarning,
      });
    } catch (err) {
      if (!logFile) throw err;
      const reason = (err as Error).message;
      const failed = failedStartResults({ runId: this.id, scenario, target: input.target, shards: input.shards, seed: input.seed, rate: this.options.rate, startedAt, reason });
      await finish(failed, this.dir, { onWarning: this.options.onWarning });
      throw new FailedStart(`${reason} (its log: ${logFile})`);
    }
    this.started.add(target);
    // the path's quotas, read from the stack once it answers (a local stack's exist only now), before any load
    const pathPlan = await pathPreflight(target, scenario);
    for (const found of pathPlan) this.warn(quotaPlanLine(found));
    this.pathQuotaPlans.set(target, pathPlan);
    for (const { runtime, line } of deprecatedRuntimeLines(target.local)) {
      if (this.saidRuntimes.has(runtime)) continue;
      this.saidRuntimes.add(runtime);
      this.say(line);
    }
    if (input.accessLog !== 'off') {
      try {
        await this.logStage(target, input.accessLog);
      } catch (err) {
        // the default `use` on a stage that does not log what the run needs: said, and the run goes
        // on untraced (a user who asked for `use` is refused instead)
        if (input.accessLogChosen !== false || !(err instanceof UserError)) throw err;
        this.warn(`${err.message}; this run goes on without tracing requests to their invocations`);
      }
    }
    return target;
  }

  /**
   * The stage's access log for the target's measurements (`--access-log use|enable`), before any
   * load: what cannot be had is a UserError (the target is stopped with the session). `enable`
   * sets the stage's logging once for the session; from then on it is put back however the
   * session ends.
   */
  private async logStage(target: Target, mode: 'use' | 'enable'): Promise<void> {
    const api = target.endpoints.apiGateway;
    const key = `${target.apiGatewayApi?.endpoint ?? target.endpoints.region ?? ''} ${api?.apiId}/${api?.stage} ${mode}`;
    let stage = this.stages.get(key);
    if (!stage) {
      stage = { logging: await prepareAccessLogging(target, mode), targets: new Set(), deployed: !target.local };
      this.stages.set(key, stage);
      // a deployed stage's change is said; the local emulator's stage is the run's own
      if (mode === 'enable' && !target.local) this.say(`access logging of stage ${stage.logging.log.stage} set for the run, to ${stage.logging.log.logGroup} (put back when it ends)`);
    }
    stage.targets.add(target);
    this.accessLogs.set(target, stage.logging.log);
  }

  /** Puts back the access logging of every stage no started target reaches any more (all of them once `all`). */
  private async putBackStages(all: boolean): Promise<void> {
    for (const [key, stage] of [...this.stages]) {
      for (const t of stage.targets) if (!this.started.has(t)) stage.targets.delete(t);
      if (!all && stage.targets.size > 0) continue;
      this.stages.delete(key);
      // a local stack's stage is the run's own and goes with it: not asked of an emulator that may
      // still be busy with the run's last invocations (an interrupted run's stop budget has no room)
      if (!stage.deployed) continue;
      if (stage.logging.log.mode === 'enable') this.say(`putting back the access logging of stage ${stage.logging.log.stage}`);
      try {
        await stage.logging.restore();
      } catch (err) {
        this.warn((err as Error).message);
      }
    }
  }

  /** A measurement's quota plan with its target's path findings after the pre-flight's own. */
  private withPathPlan(quotas: Quotas, target: Target): Quotas {
    const found = this.pathQuotaPlans.get(target) ?? [];
    return found.length > 0 ? { ...quotas, plan: [...quotas.plan, ...found] } : quotas;
  }

  /** Stops a target the session started, before the session ends (a sweep's point's own stack). */
  async stop(target: Target): Promise<void> {
    this.started.delete(target);
    this.accessLogs.delete(target);
    this.pathQuotaPlans.delete(target);
    // while the target is still up: a local stack's stage goes with it
    await this.putBackStages(false);
    const graceMs = this.budget.left(INTERRUPTED_KILL_BY_MS);
    if (graceMs !== undefined && target.local) this.say('stopping: stopping the local stack');
    await target.stop(graceMs);
  }

  /** The scenario's connect, join and send phases, sends shortened; nothing of it is kept. */
  async warmUp(scenario: Scenario, target: Target, input: RunInput, o: { runId: string; warmUpMs: number }): Promise<void> {
    await warmUp(scenario, target, {
      runId: o.runId,
      seed: input.seed,
      shards: input.shards,
      ...(input.token ? { token: input.token } : {}),
      signal: this.options.signal,
      onWarning: this.options.onWarning,
      warmUpMs: o.warmUpMs,
    });
  }

  /**
   * One measurement into its run directory: its intervals stream to the directory's
   * intervals.ndjson; its results so far are kept to be written should the process end before
   * they are finished (unwritten-results.ts: a failure mid-run loses nothing measured); then the
   * quotas it was held against, with what the target says of its own since it started, and it is
   * finished there (finish.ts: judged, results.json written once, the reports).
   */
  async measure(m: Measurement): Promise<Results & { verdict: Verdict }> {
    const o = this.options;
    const measured = await measure(m.scenario, m.target, {
      runId: m.runId,
      seed: m.input.seed,
      shards: m.input.shards,
      ...(m.input.token ? { token: m.input.token } : {}),
      rate: 'rate' in m ? m.rate : o.rate,
      signal: o.signal,
      onInterval: o.onInterval,
      onWarning: o.onWarning,
      onStatus: o.onStatus,
      cost: m.cost ?? o.cost,
      intervalMs: o.intervalMs,
      ...(o.metricsWaitMs !== undefined ? { metricsWaitMs: o.metricsWaitMs } : {}),
      ...(this.accessLogs.has(m.target) ? { accessLog: this.accessLogs.get(m.target)! } : {}),
      intervals: new IntervalFile(m.dir),
      onResults: (r) => keepUnwritten(m.dir, r),
    });
    const planned = m.quotas && this.withPathPlan(m.quotas, m.target);
    const held = planned && m.target.ownLimits ? withOwnLimits(m.scenario, planned, m.target.ownLimits, (l) => this.warn(l)) : planned;
    if (this.aborted) this.say(`stopping: writing results and reports to ${m.dir}`);
    // finish writes results.json before it first waits: from here nothing is left for the exit to write
    forgetUnwritten(m.dir);
    return (await finish(withQuotas(measured, held), m.dir, { judge: m.judge, onWarning: o.onWarning })).results;
  }

  /** Stops every target still up (within the stop budget once interrupted). Safe to call twice. */
  async close(): Promise<void> {
    try {
      try {
        for (const t of [...this.started]) await this.stop(t);
      } finally {
        await this.putBackStages(true);
      }
    } finally {
      this.budget.dispose();
    }
  }
}

/** A target that did not start: results.json says so in the session's directory (a UserError: exit 2). */
export class FailedStart extends UserError {}

/** The session, for `body`; closed however `body` ends. */
export async function withSession<T>(options: SessionOptions, id: string, body: (s: Session) => Promise<T>): Promise<T> {
  const session = new Session(options, id);
  try {
    return await body(session);
  } finally {
    await session.close();
  }
}
