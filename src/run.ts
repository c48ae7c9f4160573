import { join } from 'node:path';
import { afterRun } from './after-run.ts';
import type { CostOptions } from './metrics/cost-model.ts';
import { now } from './fleet/clock.ts';
import { dropPlan } from './fleet/drop-plan.ts';
import { Fleet } from './fleet/fleet.ts';
import { isSender, planRooms, sendersPerRoom, type RoomPlan } from './fleet/room-plan.ts';
import type { ShardPhase } from './fleet/shard-link.ts';
import { clientsPerSourceAddress } from './fleet/source-address.ts';
import { lostTargetReason } from './metrics/lost-target.ts';
import { buildResults } from './metrics/results-builder.ts';
import type { IntervalRecord, Results } from './metrics/results-schema.ts';
import { readIntervals } from './metrics/interval-file.ts';
import { createRunDir, IntervalStream } from './metrics/results-writer.ts';
import { newRunId } from './metrics/run-id.ts';
import { RunRecorder } from './metrics/run-recorder.ts';
import type { ProgressContext } from './report/progress-line.ts';
import { UserError } from './errors.ts';
import { checkRunInput } from './run-input.ts';
import { formatDuration } from './scenarios/duration.ts';
import { MAX_TIMER_MS } from './scenarios/limits.ts';
import type { PlannedPhase, Scenario } from './scenarios/schema.ts';
import { startLocalStack } from './targets/local.ts';
import { checkTargetUrl, openRemoteTarget } from './targets/remote.ts';
import { stackArgs } from './targets/stack-args.ts';
import type { Target } from './targets/target.ts';

/**
 * One run, start to end: scenario → target → fleet → phases → results. The CLI calls this and
 * nothing else. Whatever happens after the fleet starts (completion, Ctrl-C, a shard dying, a
 * phase timing out) ends in afterRun() with what was measured; only mistakes the user can fix
 * (bad scenario, bad flag, unreachable target) throw, as UserError, before anything is measured.
 */
export interface RunOptions {
  /** built-in scenario name or a YAML/JSON file (default: "default") */
  scenario?: string;
  /** "local" (default) or a ws:// / wss:// URL */
  target?: string;
  clients?: number;
  rooms?: number;
  /** every send phase's duration */
  durationMs?: number;
  /** every send phase's rate, messages/s */
  rate?: number;
  seed?: number;
  shards?: number;
  /** parent of the run directory (default ./reports) */
  outDir?: string;
  runId?: string;
  /** extra `stack up` flags for the local target */
  stackArgs?: string[];
  /** run even if the fleet looks bigger than this host can hold (fleet-limits.ts) */
  ignoreHostLimits?: boolean;
  /** abort = interrupt: stop, keep what was measured, status "interrupted" (a string reason is named in it) */
  signal?: AbortSignal;
  onInterval?: (record: IntervalRecord, ctx: ProgressContext) => void;
  onWarning?: (message: string) => void;
  /** prices and architecture for the cost estimate */
  cost?: CostOptions;
  /** measurement interval (default 1000 ms) */
  intervalMs?: number;
}

export interface RunOutcome {
  results: Results;
  runDir: string;
}

/** Slack on top of each phase's planned length before it is declared stuck. */
const PHASE_SLACK_MS = 30_000;
/** Lead time so every shard starts a schedule at the same intended instant. */
const START_LEAD_MS = 250;

export async function runBenchmark(o: RunOptions = {}): Promise<RunOutcome> {
  const { scenario, seed, shards, targetSpec } = checkRunInput(o);
  const runId = o.runId ?? newRunId(scenario.name);
  const outDir = o.outDir ?? 'reports';
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    o.onWarning?.(m);
  };

  let target: Target;
  let runDir: string;
  if (targetSpec === 'local') {
    runDir = createRunDir(outDir, runId);
    const startedAt = now();
    try {
      target = await startLocalStack({
        args: [...stackArgs(scenario.target), ...(o.stackArgs ?? [])],
        logFile: join(runDir, 'stack.log'),
      });
    } catch (err) {
      // Leave no run directory holding only stack.log: say in results.json that the run failed, and why.
      const reason = (err as Error).message;
      await recordFailedStart({ o, scenario, seed, shards, runId, runDir, targetSpec, warnings, startedAt, reason });
      throw new UserError(`${reason} (its log: ${join(runDir, 'stack.log')})`);
    }
    // Said once, here; results.json keeps it under environment.lambdaRuntime.
    const runtime = target.local?.lambdaRuntime;
    if (runtime && !runtime.matches) o.onWarning?.(runtime.note ?? `${runtime.runtime}'s functions ran on Node ${runtime.node}`);
  } else {
    checkTargetUrl(targetSpec);
    target = await openRemoteTarget(targetSpec);
    runDir = createRunDir(outDir, runId);
    if (Object.keys(scenario.target).length > 0) warn('the scenario\'s "target" knobs apply to --target local only; ignored');
    const idle = scenario.phases.find((p) => p.kind === 'idle');
    if (idle && idle.kind === 'idle' && idle.durationMs < 5 * 60_000) {
      warn(`idle phase "${idle.name}" (${formatDuration(idle.durationMs)}) is shorter than AWS keeps idle Lambda environments (minutes): few cold starts will follow it`);
    }
  }
  try {
    const results = await measure({ o, scenario, seed, shards, runId, runDir, target, targetSpec, warnings });
    return { results, runDir };
  } finally {
    await target.stop();
  }
}

/** results.json (and the reports) of a run that ended before its fleet started: nothing measured. */
async function recordFailedStart(m: Omit<MeasureInput, 'target'> & { startedAt: number; reason: string }): Promise<void> {
  const results = buildResults({
    runId: m.runId,
    status: 'failed',
    statusReason: m.reason,
    startedAt: m.startedAt,
    endedAt: now(),
    scenario: m.scenario,
    target: undefined,
    targetSpec: m.targetSpec,
    shards: m.shards,
    seed: m.seed,
    rate: m.o.rate,
    recorder: new RunRecorder(m.shards, m.startedAt, m.scenario.timeouts),
    intervals: [],
    parentCpuSeconds: 0,
    openAtEnd: 0,
    extraWarnings: m.warnings,
  });
  await afterRun(results, m.runDir, undefined, { onWarning: m.o.onWarning, cost: m.o.cost });
}

interface MeasureInput {
  o: RunOptions;
  scenario: Scenario;
  seed: number;
  shards: number;
  runId: string;
  runDir: string;
  target: Target;
  targetSpec: string;
  warnings: string[];
}

async function measure(m: MeasureInput): Promise<Results> {
  const { o, scenario, seed, shards, target } = m;
  const plan = planRooms(scenario.clients, scenario.rooms, scenario.roomSizes, seed);
  const perRoom = new Map<PlannedPhase, Int32Array>();
  const maxSenders = new Int32Array(plan.rooms);
  for (const p of scenario.phases) {
    if (p.kind !== 'send') continue;
    const s = sendersPerRoom(plan, p.senders);
    perRoom.set(p, s);
    for (let r = 0; r < plan.rooms; r++) maxSenders[r] = Math.max(maxSenders[r], s[r]);
  }
  const { connectMs, ackMs } = scenario.timeouts;
  const startedAt = now();
  const cpuAtStart = process.cpuUsage();
  const recorder = new RunRecorder(shards, startedAt, scenario.timeouts);
  // Interval records go to the file only (the parent's memory stays flat however long the run).
  const stream = new IntervalStream(m.runDir);
  const ctx: ProgressContext = { scenario: scenario.name, plannedSec: plannedMs(scenario) / 1000, intervalSec: 1 };
  let fleet: Fleet | undefined;
  let status: Results['status'] = 'completed';
  let statusReason: string | undefined;

  // Abort (Ctrl-C) stops the shards' schedules and wakes any sleep; the phase loop then ends.
  const aborted = () => o.signal?.aborted === true;
  const wakers = new Set<() => void>();
  const onAbort = () => {
    fleet?.stop();
    for (const w of wakers) w();
  };
  o.signal?.addEventListener('abort', onAbort);
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
      if (aborted()) done();
    });

  let flushing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> =>
    (flushing = flushing.catch(() => {}).then(async () => {
      if (!fleet) return;
      const reports = await fleet.flush();
      const t = now();
      const record = recorder.ingest(reports, t);
      stream.append(record);
      o.onInterval?.(record, { ...ctx, intervalSec: (t - record.t) / 1000 });
    }));
  const ticker = setInterval(() => void flush().catch(() => {}), o.intervalMs ?? 1000);

  try {
    fleet = await Fleet.start(shards, {
      targetUrl: target.url,
      plan,
      roomPrefix: `fb.${m.runId}.r`,
      maxSendersPerRoom: maxSenders,
      clientsPerSourceAddress: clientsPerSourceAddress(target.url, scenario.clients),
      connectTimeoutMs: connectMs,
      ackTimeoutMs: ackMs,
    });
    if (aborted()) fleet.stop();
    // The harness's own room membership (open, joined clients per room), taken when each connect,
    // join and drop step ends: every message of the next send phase expects at least this many
    // deliveries, whatever the target claims. Clients that close unexpectedly during a send phase
    // stay counted until the next such step: a member the target lost is a delivery lost.
    let members: Int32Array = new Int32Array(plan.rooms);
    for (const phase of scenario.phases) {
      if (aborted()) break;
      await flush();
      const state = recorder.beginPhase(phase.name, phase.kind, now());
      if (phase.kind === 'send') recorder.setMembers(state.index, members, plan.roomOf);
      const after = await runPhase(fleet, phase, state.index, { plan, shards, perRoom, maxSenders, seed, connectMs, ackMs, sleep });
      if (after) members = after;
    }
    if (!aborted()) {
      await flush();
      recorder.beginPhase('drain', 'drain', now());
      await drain(fleet, ackMs);
      await settleDeliveries(recorder, flush, sleep, aborted, { ...scenario.timeouts, intervalMs: o.intervalMs ?? 1000 });
    }
  } catch (err) {
    status = 'failed';
    statusReason = err instanceof Error ? err.message : String(err);
    fleet?.stop();
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (status === 'completed' && aborted()) {
    status = 'interrupted';
    // the CLI aborts with the signal's name as the reason
    const by = typeof o.signal?.reason === 'string' ? ` by ${o.signal.reason}` : '';
    statusReason = `interrupted${by} before the scenario finished`;
  }

  clearInterval(ticker);
  await flush().catch(() => {});
  recorder.endPhase(now());
  recorder.finish(now());
  const openAtEnd = recorder.openClients;
  if (fleet?.error && status === 'completed') {
    status = 'failed';
    statusReason = fleet.error.message;
  }
  const lost = status === 'completed' ? lostTargetReason(recorder) : undefined;
  if (lost) {
    status = 'failed';
    statusReason = lost;
  }
  await fleet?.close();
  const cpu = process.cpuUsage(cpuAtStart);
  const results = buildResults({
    runId: m.runId,
    status,
    statusReason,
    startedAt,
    endedAt: now(),
    scenario,
    target,
    targetSpec: m.targetSpec,
    shards,
    seed,
    rate: o.rate,
    recorder,
    intervals: readIntervals(stream.file),
    parentCpuSeconds: (cpu.user + cpu.system) / 1e6,
    openAtEnd,
    extraWarnings: m.warnings,
  });
  await afterRun(results, m.runDir, target, { onWarning: o.onWarning, cost: o.cost });
  return results;
}

interface PhaseEnv {
  plan: RoomPlan;
  shards: number;
  perRoom: Map<PlannedPhase, Int32Array>;
  maxSenders: Int32Array;
  seed: number;
  connectMs: number;
  ackMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** Runs one scenario phase; connect, join and drop return the room membership they leave behind. */
async function runPhase(fleet: Fleet, phase: PlannedPhase, index: number, env: PhaseEnv): Promise<Int32Array | undefined> {
  const { plan, shards } = env;
  const split = (rate: number, maxInFlight: number) => ({
    startAt: now() + START_LEAD_MS,
    rate: rate / shards,
    maxInFlight: Math.max(1, Math.ceil(maxInFlight / shards)),
  });
  switch (phase.kind) {
    case 'connect': {
      const ramp = split(phase.rate, phase.maxInFlight);
      return fleet.runPhase(() => ({ kind: 'connect', ...ramp }), rampBudget(plan.clients, phase, env.connectMs));
    }
    case 'join': {
      // createRoom once per room (by the shard holding its first client), then a barrier: every
      // create is answered before any shard sends joinRoom. The budget allows for one shard
      // owning every room at its 1/shards share of the rate.
      const create = split(phase.rate, phase.maxInFlight);
      await fleet.runPhase(() => ({ kind: 'create', ...create }), rampBudget(plan.rooms * shards, phase, env.ackMs));
      const join = split(phase.rate, phase.maxInFlight);
      return fleet.runPhase(() => ({ kind: 'join', ...join }), rampBudget(plan.clients, phase, env.ackMs));
    }
    case 'send': {
      const perRoom = env.perRoom.get(phase)!;
      const inShard = new Array<number>(shards).fill(0);
      for (let c = 0; c < plan.clients; c++) if (isSender(plan, c, perRoom)) inShard[c % shards]++;
      const total = inShard.reduce((a, b) => a + b, 0);
      const startAt = now() + START_LEAD_MS;
      const shardPhase = (s: number): ShardPhase => ({
        kind: 'send',
        phase: index,
        startAt,
        durationMs: phase.durationMs,
        rate: total > 0 ? (phase.rate * inShard[s]) / total : 0,
        sendersPerRoom: perRoom,
        payloadBytes: phase.payloadBytes,
      });
      await fleet.runPhase(shardPhase, phase.durationMs + START_LEAD_MS + PHASE_SLACK_MS);
      return undefined;
    }
    case 'idle':
      // Idle means idle: first let the sends in flight finish (bounded), then wait.
      await drain(fleet, env.ackMs);
      await env.sleep(phase.durationMs);
      return undefined;
    case 'drop': {
      // Drop on a quiet system, so 410s are attributed to the messages sent after the drop.
      await drain(fleet, env.ackMs);
      const clients = dropPlan(plan, phase.share, env.maxSenders, env.seed);
      return fleet.runPhase(() => ({ kind: 'drop', clients }), PHASE_SLACK_MS);
    }
  }
}

/**
 * The longest a ramp of `n` items can take: paced by its rate, or — if every item runs into its
 * timeout — by the in-flight bound. Past this, the phase is stuck and the run fails.
 */
function rampBudget(n: number, p: { rate: number; maxInFlight: number }, timeoutMs: number): number {
  const ms = Math.max((n / p.rate) * 1000, (n * timeoutMs) / p.maxInFlight) + timeoutMs + PHASE_SLACK_MS;
  // every item timing out one by one can outlast any timer: bounded by the longest one Node can set
  return Math.min(ms, MAX_TIMER_MS);
}

/** Waits until no client has a send or join waiting for its answer (at most the ack timeout). */
async function drain(fleet: Fleet, ackMs: number): Promise<void> {
  await fleet.runPhase(() => ({ kind: 'drain', timeoutMs: ackMs + 1000 }), ackMs + PHASE_SLACK_MS);
}

/**
 * The end of the run waits until every message is settled: all its deliveries arrived, or its
 * loss timeout passed (every ack is in by now, so that is at most the loss timeout away; a failed
 * send settles after the grace). It ends as soon as none is left, not after a fixed wait, or when
 * no client is open any more. The recorder settles messages at each interval flush; this only
 * watches its count.
 */
async function settleDeliveries(
  recorder: RunRecorder,
  flush: () => Promise<void>,
  sleep: (ms: number) => Promise<void>,
  aborted: () => boolean,
  t: { graceMs: number; lossMs: number; intervalMs: number },
): Promise<void> {
  const deadline = now() + Math.max(t.lossMs, t.graceMs) + 2 * t.intervalMs + 1000;
  await flush();
  // With no client open nothing more can arrive: what is missing is lost now (counted lostEarly).
  while (recorder.ledger.unsettled() > 0 && recorder.openClients > 0 && !aborted() && now() < deadline) {
    await sleep(Math.min(250, t.intervalMs));
  }
}

/** The scenario's expected length, for the progress line's remaining time. */
export function plannedMs(s: Scenario): number {
  let ms = 0;
  for (const p of s.phases) {
    if (p.kind === 'connect') ms += (s.clients / p.rate) * 1000;
    else if (p.kind === 'join') ms += ((s.clients + s.rooms) / p.rate) * 1000;
    else if (p.kind === 'send' || p.kind === 'idle') ms += p.durationMs;
  }
  return ms + s.timeouts.graceMs + 1000;
}
