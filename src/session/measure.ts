import type { CostOptions } from '../metrics/cost/cost-model.ts';
import { now } from '../clock.ts';
import { Fleet } from '../fleet/fleet.ts';
import { Pauses, playPhases } from '../fleet/phase-program.ts';
import { planRooms, sendersPerRoom } from '../fleet/room-plan.ts';
import { ShardFleet } from '../fleet/shard-fleet.ts';
import { clientsPerSourceAddress } from '../fleet/source-address.ts';
import type { IntervalSink } from '../metrics/measurement/interval-sink.ts';
import { lostTarget } from '../metrics/measurement/lost-target.ts';
import { MIN_REFUSED_ATTEMPTS, refusedConnects, type RefusedConnects } from '../metrics/measurement/refused-connects.ts';
import { lostTargetText, refusedConnectsText } from '../report/run/status-reason-text.ts';
import { buildResults } from '../metrics/results/results-builder.ts';
import type { IntervalRecord, Results } from '../contracts/results-schema.ts';
import { RunRecorder } from '../metrics/measurement/run-recorder.ts';
import type { RequestTrace } from '../metrics/measurement/request-trace.ts';
import type { RunAccessLog } from '../targets/access-logging.ts';
import { authorizerAdvice } from '../targets/token-parameter.ts';
import type { ProgressContext } from '../report/run/progress-line.ts';
import { plannedMs } from '../scenarios/planned-length.ts';
import type { PlannedPhase, Scenario } from '../contracts/scenario-schema.ts';
import { tokenIdentitySources, type ConnectToken } from '../fleet/protocols/connect-token.ts';
import { functionsNotListed } from '../targets/target-functions.ts';
import type { Target, TargetFunctions } from '../targets/target.ts';
import { waitForFreshWindow } from './fresh-window.ts';
import { watchInitFailures } from '../metrics/cloudwatch/init-failure-watch.ts';
import { logGroupsOf } from '../metrics/cloudwatch/function-log-group.ts';
import { UserError, fieldPath } from '../../common/errors.ts';
import { membershipIssues } from '../contracts/protocol-schema.ts';
import { firstProbe } from '../fleet/protocols/first-probe.ts';
import { wireFor } from '../fleet/protocols/wire-for.ts';
import type { WireProtocol } from '../fleet/protocols/wire-protocol.ts';
import { protocolTraits } from '../fleet/protocols/protocol-traits.ts';
import type { ProtocolTraits } from '../metrics/results/protocol-result.ts';
import { expectedMembers } from '../fleet/expected-members.ts';
import { INTERRUPTED_PERMISSIONS_BY_MS, INTERRUPTED_SETTLE_BY_MS, stopBudget } from './stop-budget.ts';
import { systemFacts } from './system-metrics.ts';
import { withSystemFacts, type SystemFacts } from '../metrics/results/system-facts.ts';
import { roomPrefix } from './room-names.ts';
import { preflightPublishes, type PublishTargetPlan } from './publish-preflight.ts';
import { preparePublishStageLogging, type PublishStageLog } from '../targets/publish-stage-logging.ts';
import { PublishPhases } from './publish-phases.ts';

/**
 * Measuring: one scenario against a target that is up → Results. The fleet runs the phases and
 * returns its results; then, while the target is still up, what the system itself reports
 * (CloudWatch, the path, attribution, permissions, work per message, the cost estimate:
 * system-metrics.ts) is returned as SystemFacts and put into them by one pure function
 * (withSystemFacts). No file I/O of its own: interval records go to
 * the injected sink, and `onResults` gets the results so far, the fleet's as soon as it is done
 * and then as each system step returns (a run keeps them to write should the process end first:
 * unwritten-results.ts).
 * Whatever happens once the fleet starts (completion, abort, a shard dying, a phase timing out)
 * ends in results with a status; nothing here throws for it. Several measurements may run one
 * after another against one target (compare), each with its own runId.
 */
export interface MeasureOptions {
  runId: string;
  seed: number;
  shards: number;
  /** where interval records go while measuring (a run's: its intervals.ndjson) */
  intervals: IntervalSink;
  /** the --rate override, recorded in results.config */
  rate?: number;
  /** the token every handshake carries for a $connect authorizer (never recorded) */
  token?: ConnectToken;
  /** abort = interrupt: stop, keep what was measured, status "interrupted" (a string reason is named in it) */
  signal?: AbortSignal;
  onInterval?: (record: IntervalRecord, ctx: ProgressContext) => void;
  /** said once, as it happens; also kept in results.harness.warnings unless it is about a later step */
  onWarning?: (message: string) => void;
  /** a note on what measuring is doing (not a warning) */
  onStatus?: (message: string) => void;
  /** prices and architecture for the cost estimate */
  cost?: CostOptions;
  /** measurement interval (default 1000 ms) */
  intervalMs?: number;
  /**
   * false: the fleet's part only, no CloudWatch, work or cost, and no wait for a fresh window
   * (compare's warm-up, whose traffic only has to stay out of the next measurement's window)
   */
  systemMetrics?: boolean;
  /** `--metrics-wait`: the longest wait for CloudWatch to publish the run (default: the target's) */
  metricsWaitMs?: number;
  /**
   * how to build the results so far, each time there are more: the fleet's measurements as they
   * stand while it runs, the fleet's results once it is done, then with each system step's finding
   */
  onResults?: (soFar: () => Results) => void;
  /** the stage's access log the session has for this target (`--access-log use|enable`); absent: off */
  accessLog?: RunAccessLog;
}

/** The status reason of the results written as the process ends while the fleet runs. */
const PROCESS_ENDED = 'the process ended before the scenario finished (a second interrupt quits at once): what was measured until then';

/** When the last measurement against each target ended (its CloudWatch window may reach back into it). */
const lastEnded = new WeakMap<Target, number>();

export async function measure(scenario: Scenario, target: Target, o: MeasureOptions): Promise<Results> {
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    o.onWarning?.(m);
  };
  for (const w of target.scenarioWarnings(scenario)) warn(w);
  const budget = stopBudget(o.signal);
  const systemMetrics = o.systemMetrics ?? true;
  const previous = lastEnded.get(target);
  // Only a measurement whose CloudWatch is pulled has a window to keep apart (a stack of your own has none).
  const cloudwatch = systemMetrics ? target.cloudWatch : null;
  if (previous !== undefined && cloudwatch) {
    await waitForFreshWindow(previous, cloudwatch, o.signal, o.onStatus ?? (() => {}));
  }
  const functions = await functionsOf(target, warn);
  // a function whose INIT fails is named as soon as its log shows it, not only in the verdict
  const initWatch = cloudwatch && o.onStatus ? watchInitFailures(cloudwatch, functions.functions.map((f) => f.name), now(), o.onStatus, undefined, logGroupsOf(functions.functions)) : undefined;
  // a publish route's stage whose logging the run set is put back however the measurement ends
  const restores: MeasureInput['restores'] = [];
  try {
    const { results: measured, lastSentAfterDrop, trace, publishLogs } = await measureFleet({ o, scenario, target, functions, warnings, restores }).finally(() => initWatch?.stop());
    budget.dispose();
    o.onResults?.(() => measured);
    let results = measured;
    if (systemMetrics) {
      const settleMaxMs = budget.left(INTERRUPTED_SETTLE_BY_MS);
      if (settleMaxMs !== undefined && cloudwatch) o.onStatus?.(readingCloudWatchNote(target, settleMaxMs));
      const facts = await systemFacts(measured, target, {
        cost: o.cost,
        onWarning: o.onWarning,
        previousEndMs: lastEnded.get(target),
        settleMaxMs,
        ...(settleMaxMs !== undefined ? { permissionsMaxMs: budget.left(INTERRUPTED_PERMISSIONS_BY_MS)! } : {}),
        ...(lastSentAfterDrop !== undefined ? { lastSentAfterDrop } : {}),
        trace,
        ...(o.accessLog ? { accessLog: o.accessLog } : {}),
        ...(publishLogs.length > 0 ? { publishLogs } : {}),
        // an interrupted run waits for CloudWatch no longer than its stop budget allows
        ...(o.metricsWaitMs !== undefined || settleMaxMs !== undefined ? { metricsWaitMs: Math.min(o.metricsWaitMs ?? Infinity, settleMaxMs ?? Infinity) } : {}),
        ...(o.onStatus ? { onStatus: o.onStatus } : {}),
        ...(o.onResults ? { onFound: (f: SystemFacts) => o.onResults!(() => withSystemFacts(measured, f)) } : {}),
      });
      results = withSystemFacts(measured, facts);
    }
    lastEnded.set(target, now());
    return results;
  } finally {
    for (const restore of restores) await restore().catch((err: unknown) => warn((err as Error).message));
  }
}

/** What an interrupted measurement waits for after its fleet has closed. */
function readingCloudWatchNote(target: Target, settleMaxMs: number): string {
  if (!target.local) return "stopping: reading the target's CloudWatch";
  const wait = Math.ceil(settleMaxMs / 1000);
  return wait > 0
    ? `stopping: waiting at most ${wait} s for the local stack's last invocations, then reading its CloudWatch`
    : "stopping: reading the local stack's CloudWatch";
}

/** The target's functions as configured now; when it cannot say, the reference stack's where it is ours, else none (never another stack's), marked assumed. */
async function functionsOf(target: Target, warn: (m: string) => void): Promise<TargetFunctions> {
  try {
    return await target.describeFunctions();
  } catch (err) {
    const why = `the target could not list its functions (${(err as Error).message})`;
    warn(why);
    return functionsNotListed(target, why);
  }
}

interface MeasureInput {
  o: MeasureOptions;
  scenario: Scenario;
  target: Target;
  functions: TargetFunctions;
  warnings: string[];
  /** what puts back each publish route's stage logging the measurement set */
  restores: Array<() => Promise<void>>;
}

/**
 * The fleet's part: phases, drain, the recorder's totals → results (no CloudWatch yet), and when
 * the last message after the first drop was sent (the target's view of stale posts is held to it).
 */
async function measureFleet(m: MeasureInput): Promise<{ results: Results; lastSentAfterDrop: number | undefined; trace: RequestTrace; publishLogs: PublishStageLog[] }> {
  const { o, scenario, target } = m;
  const { seed, shards } = o;
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
  // The protocol as the shards will speak it; one that is not ours is tried once before any load.
  const wire = await wireFor(scenario.protocol, { url: target.url, token: o.token, askColdFlag: target.connectColdFlag, run: o.runId });
  const traits = traitsOf(scenario, wire);
  if (scenario.protocol.kind === 'module') {
    // a module's membership is known once it is loaded: held against the phases here, before any load
    const phases = (scenario.definition.phases ?? []) as Array<Record<string, unknown>>;
    const issue = membershipIssues(wire.membership, { rooms: scenario.rooms, phases })[0];
    if (issue) throw new UserError(`${scenario.source}: ${fieldPath(issue.path)}: ${issue.message} (protocol.module ${scenario.protocol.name})`);
    const firstSend = scenario.phases.findIndex((p) => p.kind === 'send');
    const firstJoin = scenario.phases.findIndex((p) => p.kind === 'join');
    if (wire.membership === 'join' && firstSend >= 0 && (firstJoin < 0 || firstJoin > firstSend)) {
      throw new UserError(`${scenario.source}: phases[${firstSend}].send: needs a join phase before it (protocol.module ${scenario.protocol.name} has membership join)`);
    }
  }
  if (scenario.protocol.kind !== 'chat-v1') {
    const module = scenario.protocol.kind === 'module';
    const mistake = await firstProbe(wire, {
      room: `${roomPrefix(o.runId)}probe`,
      client: plan.clients,
      timeoutMs: ackMs,
      fields: module ? { join: 'protocol.module: readAnswer ("joined")', ack: 'protocol.module: readAnswer ("acked")' } : { join: 'protocol.membership.answer', ack: 'protocol.send.ack' },
    });
    if (mistake && 'mistake' in mistake) throw new UserError(`${scenario.source}: ${mistake.mistake}`);
    if (mistake) {
      // the stack's own refusal: the run goes on to meet it, and its errors and their why say what failed
      const w = `pre-flight: ${mistake.stackRefused}; the run goes on, and its errors say what failed`;
      m.warnings.push(w);
      o.onWarning?.(w);
    }
  }
  // every publish phase's resource found in the target, and its permission asked of IAM, before any load (publish-preflight.ts)
  const warn = (w: string) => {
    m.warnings.push(w);
    o.onWarning?.(w);
  };
  const publishTargets = await preflightPublishes(scenario, target, { warn });
  const publishLogs = o.accessLog && (o.systemMetrics ?? true) ? await loggedPublishStages(publishTargets.values(), target, o.accessLog.mode, m.restores, warn) : [];
  const startedAt = now();
  const cpuAtStart = process.cpuUsage();
  const recorder = new RunRecorder(shards, startedAt, scenario.timeouts);
  recorder.absences.everyRoom = wire.membership === 'all';
  recorder.drops.everyRoom = wire.membership === 'all';
  const ctx: ProgressContext = { scenario: scenario.name, plannedSec: plannedMs(scenario) / 1000, intervalSec: 1 };
  let fleet: Fleet | undefined;
  let status: Results['status'] = 'completed';
  let statusReason: string | undefined;
  // Set when an authorizer refuses every connect: the run stops early, failed, with this line.
  let refused: RefusedConnects | undefined;

  // Abort (Ctrl-C) stops the shards' schedules and cuts any pause short; the phase program then ends.
  const aborted = () => o.signal?.aborted === true;
  const pauses = new Pauses();
  const publishing = new PublishPhases(recorder, publishTargets, { shards, clients: plan.clients, callTimeoutMs: ackMs, membership: wire.membership, roomPrefix: `${roomPrefix(o.runId)}r`, warn });
  const onAbort = () => {
    fleet?.stop();
    publishing.stop();
    pauses.stop();
  };
  o.signal?.addEventListener('abort', onAbort);
  if (aborted()) pauses.stop();

  /** The fleet's results from what the recorder holds now. */
  const resultsNow = (status: Results['status'], statusReason: string | undefined, openAtEnd: number): Results => {
    const cpu = process.cpuUsage(cpuAtStart);
    return buildResults({
      runId: o.runId,
      status,
      statusReason,
      startedAt,
      endedAt: now(),
      scenario,
      target,
      functions: m.functions,
      shards,
      seed,
      rate: o.rate,
      recorder,
      roomPrefix: `${roomPrefix(o.runId)}r`,
      intervals: o.intervals.records(),
      parentCpuSeconds: (cpu.user + cpu.system) / 1e6,
      openAtEnd,
      extraWarnings: m.warnings,
      ...(traits ? { protocol: traits } : {}),
      ...(publishing.ran ? { publish: publishing.results() } : {}),
    });
  };
  // Should the process end while the fleet runs (a second Ctrl-C quits at once), what it measured
  // so far, as it stands (nothing of the recorder changed: messages still in flight are neither
  // received nor lost yet).
  o.onResults?.(() => resultsNow('interrupted', PROCESS_ENDED, recorder.openClients));

  let flushing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> =>
    (flushing = flushing.catch(() => {}).then(async () => {
      if (!fleet) return;
      const reports = await fleet.flush();
      const t = now();
      const record = recorder.ingest(reports, t);
      o.intervals.append(record);
      o.onInterval?.(record, { ...ctx, intervalSec: (t - record.t) / 1000 });
      if (refused === undefined) {
        refused = refusedConnects(recorder.counts, recorder.errors, Math.min(MIN_REFUSED_ATTEMPTS, scenario.clients), authorizerAdvice(target, tokenIdentitySources(scenario.protocol, o.token)));
        if (refused !== undefined) {
          fleet.stop();
          pauses.stop();
        }
      }
    }));
  const ticker = setInterval(() => void flush().catch(() => {}), o.intervalMs ?? 1000);

  try {
    fleet = await Fleet.start(shards, {
      targetUrl: target.url,
      plan,
      roomPrefix: `${roomPrefix(o.runId)}r`,
      maxSendersPerRoom: maxSenders,
      clientsPerSourceAddress: clientsPerSourceAddress(new URL(target.url).hostname, scenario.clients),
      connectTimeoutMs: connectMs,
      ackTimeoutMs: ackMs,
      token: o.token,
      connectColdFlag: target.connectColdFlag,
      protocol: scenario.protocol,
      runId: o.runId,
      ...(scenario.reconnect ? { reconnect: scenario.reconnect } : {}),
      ...(scenario.keepAliveMs !== undefined ? { keepAliveMs: scenario.keepAliveMs } : {}),
    });
    if (aborted()) fleet.stop();
    const shardFleet = new ShardFleet(fleet, recorder, flush, { plan, shards, perRoom, maxSenders, seed, connectMs, ackMs, publishing });
    const intervalMs = o.intervalMs ?? 1000;
    await playPhases(scenario.phases, shardFleet, {
      timeouts: scenario.timeouts,
      stopped: () => aborted() || refused !== undefined,
      pauses,
      // the recorder numbers phases as they begin: the program's index, which the shards' sends carry
      beginPhase: async (phase) => {
        await flush();
        if (refused !== undefined) return;
        const state = recorder.beginPhase(phase.name, phase.kind, now());
        if (phase.kind === 'send') recorder.setMembers(state.index, expectedMembers(shardFleet.members, wire), plan.roomOf);
      },
      afterPhases: async () => {
        if (!aborted()) await flush();
      },
      beginDrain: () => recorder.beginPhase('drain', 'drain', now()),
      // the recorder settles messages at each interval flush: its count lags by up to two intervals
      settlePollMs: Math.min(250, intervalMs),
      settleLagMs: 2 * intervalMs,
    });
  } catch (err) {
    status = 'failed';
    statusReason = err instanceof Error ? err.message : String(err);
    fleet?.stop();
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (status === 'completed' && refused !== undefined) {
    status = 'failed';
    statusReason = refusedConnectsText(refused);
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
  // where the lost deliveries went missing: the shards know which members received what
  if (fleet && recorder.lost.messages > 0) recorder.lost.trace(await fleet.missing(recorder.lost.query()), shards);
  const openAtEnd = recorder.openClients;
  if (fleet && aborted()) o.onStatus?.(`stopping: closing ${openAtEnd} clients`);
  if (fleet?.error && status === 'completed') {
    status = 'failed';
    statusReason = fleet.error.message;
  }
  const lost = status === 'completed' ? lostTarget(recorder) : undefined;
  if (lost) {
    status = 'failed';
    statusReason = lostTargetText(lost);
  }
  await fleet?.close();
  const results = resultsNow(status, statusReason, openAtEnd);
  return { results, lastSentAfterDrop: recorder.ledger.lastSentAfterDrop(), trace: recorder.trace, publishLogs };
}

/**
 * The stages of the publish phases' routes of the stack's own APIs, logged as the WebSocket stage
 * is (`--access-log`, publish-stage-logging.ts), so each publish is traced to its invocation; a
 * stage that cannot be is a warning, its publishes then unsplit. A deployed stage's logging is
 * put back after the measurement (`restores`); the local stack's stage goes with it.
 */
async function loggedPublishStages(plans: Iterable<PublishTargetPlan>, target: Target, mode: 'use' | 'enable', restores: MeasureInput['restores'], warn: (w: string) => void): Promise<PublishStageLog[]> {
  const logs = target.cloudWatch?.clients.logs;
  if (!logs) return [];
  const out: PublishStageLog[] = [];
  const seen = new Set<string>();
  for (const { stage } of plans) {
    if (!stage) continue;
    const key = `${stage.kind} ${stage.apiId} ${stage.stage}`;
    if (seen.has(key)) continue;
    seen.add(key);
    try {
      const { kind, apiId, stage: name, settings } = stage;
      const logging = await preparePublishStageLogging({ kind, apiId, stage: name }, mode, { ...settings, logs }, target.label ?? target.url, target.endpoints.region);
      if (!target.local) restores.push(logging.restore);
      out.push(logging.log);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      warn(err.message);
    }
  }
  return out;
}

/** What the protocol lets the harness see; undefined for chat-v1 (it shows everything, and older results had no section). */
function traitsOf(scenario: Scenario, wire: WireProtocol): ProtocolTraits | undefined {
  return scenario.protocol.kind === 'chat-v1' ? undefined : protocolTraits(scenario.protocol.kind, wire);
}
