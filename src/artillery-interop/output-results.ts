import { TOOL_VERSION } from '../metrics/results/results-builder.ts';
import { SCHEMA_VERSION, type IntervalRecord, type LatencySummary, type Results } from '../contracts/results-schema.ts';
import { newRunId } from '../metrics/results/run-id.ts';
import { provenance } from '../metrics/results/provenance.ts';
import { protocolResult } from '../metrics/results/protocol-result.ts';
import { describedWire } from '../fleet/protocols/described-wire.ts';
import { protocolTraits } from '../fleet/protocols/protocol-traits.ts';
import { COUNTERS as C, HISTOGRAMS as H, PHASE_PREFIX } from './metric-names.ts';
import type { ArtilleryOutput, ArtilleryPeriod, ArtillerySummary } from './output-schema.ts';
import type { ExportedScript } from './plan-schema.ts';

/**
 * fanout-bench's results from an Artillery run of the fanout engine (its `--output` JSON), as
 * close as Artillery's output allows, and no closer: what it does not carry is absent.
 *
 * - Latencies are Artillery's summaries of the engine's histograms: DDSketch with 1 % relative
 *   accuracy, merged across workers, percentiles rounded to 0.1 ms. A sketch's percentile can
 *   land just outside the recorded min/max; it is clipped into them. No HDR histograms, so
 *   results.histograms is empty and runs cannot be merged later.
 * - Counters are sums over workers: the delivery ledger, sends, connections, errors
 *   (`errors.<kind>`), stale-connection cleanup.
 * - Intervals are Artillery's 10-second periods, not 1-second ones; the phase of a period is the
 *   last phase any worker began in it or before.
 * - No CloudWatch pull, no DynamoDB work, no cost: Artillery's output knows nothing of the stack.
 * - The protocol the clients spoke (the script's), with what it cannot show, as a run's results say.
 * - The harness's health is each worker's own (event-loop lag, CPU of its process, RSS).
 *
 * Without the exported script the scenario, its target, timeouts, phase names and protocol are unknown.
 */
export interface ArtilleryInput {
  output: ArtilleryOutput;
  /** the output file, for results (config.artillery.output) */
  outputFile: string;
  /** the script `artillery export` wrote, when given (`--script`) */
  script?: ExportedScript;
  runId?: string;
}

export const ARTILLERY_PERIOD_MS = 10_000;

export const ARTILLERY_CLOCK_NOTE =
  'one clock per Artillery worker: a room lives in one worker, so each broadcast latency is taken on that worker\'s clock (performance.timeOrigin + performance.now()); workers are not compared with each other';

export function artilleryResults(input: ArtilleryInput): Results {
  const { output, script } = input;
  const agg = output.aggregate;
  const n = (name: string) => agg.counters[name] ?? 0;
  const plan = script?.config.engines.fanout;
  const workers = n(C.workers);
  const firstMs = agg.firstMetricAt ?? agg.period;
  const lastMs = Math.max(firstMs, agg.lastMetricAt ?? firstMs);
  const scenarioName = plan?.scenario.name ?? 'artillery';
  const phaseNames = plan?.phases.map((p) => p.name);

  const created = n('vusers.created');
  const failedVus = n('vusers.failed');
  const completedVus = n('vusers.completed');
  const failures = Object.entries(agg.counters)
    .filter(([k, v]) => k.startsWith('errors.fanout: ') && v > 0)
    .map(([k]) => k.slice('errors.fanout: '.length));
  let status: Results['status'] = 'completed';
  let statusReason: string | undefined;
  if (failedVus > 0) {
    status = 'failed';
    statusReason = `${failedVus} of ${created} workers failed${failures.length ? `: ${failures.join('; ')}` : ''}`;
  } else if (completedVus < created) {
    status = 'failed';
    statusReason = `${created - completedVus} of ${created} workers did not finish`;
  }

  const warnings: string[] = [];
  if (plan && workers !== plan.workers) {
    warnings.push(`the script was planned for ${plan.workers} workers and ${workers} ran: this run carried ${workers}/${plan.workers} of the scenario's load`);
  }
  const saturated = n(C.saturated);
  if (n(C.lostEarly) > 0) {
    warnings.push(`${n(C.lostEarly)} of the lost deliveries were counted lost before their loss timeout had passed: a worker ended, or no client was left open, while their messages still waited`);
  }

  const summary = (name: string) => summaryOf(agg.summaries[name]);
  const maxOf = (name: string) => agg.summaries[name]?.max ?? 0;
  const errors: Record<string, number> = {};
  for (const [k, v] of Object.entries(agg.counters)) if (k.startsWith('errors.') && v > 0) errors[k.slice('errors.'.length)] = v;

  const sendMs = plan?.phases.reduce((a, p) => a + (p.kind === 'send' ? p.durationMs : 0), 0);
  const timeouts = plan?.timeouts;
  const staleWatched = n(C.staleWatched) > 0;
  const protocol = script ? spokenProtocol(script, staleWatched || script.config.engines.fanout.phases.some((p) => p.kind === 'drop')) : undefined;

  const metrics: Results['metrics'] = {
    connect: summary(H.connect) ?? emptySummary(),
    broadcast: summary(H.broadcast) ?? emptySummary(),
    fanoutCompletion: summary(H.fanoutCompletion) ?? emptySummary(),
  };
  for (const [key, name] of [
    ['broadcastCold', H.broadcastCold],
    ['broadcastWarm', H.broadcastWarm],
    ['ack', H.ack],
    ['join', H.join],
  ] as const) {
    const s = summary(name);
    if (s) metrics[key] = s;
  }

  return {
    schemaVersion: SCHEMA_VERSION,
    runId: input.runId ?? newRunId(scenarioName, new Date(firstMs)),
    tool: { name: 'fanout-bench', version: TOOL_VERSION },
    ...withProvenance(),
    status,
    ...(statusReason ? { statusReason } : {}),
    startedAt: new Date(firstMs).toISOString(),
    endedAt: new Date(lastMs).toISOString(),
    durationMs: Math.round(lastMs - firstMs),
    scenario: {
      name: scenarioName,
      ...(plan?.scenario.description ? { description: plan.scenario.description } : {}),
      definition: plan?.scenario.definition ?? {},
    },
    config: {
      target: { kind: 'remote', url: script?.config.target ?? 'unknown (no --script)' },
      clients: n(C.planClients),
      rooms: n(C.planRooms),
      durationMs: sendMs ?? 0,
      shards: workers,
      ...(plan ? { seed: plan.seed, timeouts: plan.timeouts, phases: plan.phases } : {}),
      artillery: {
        output: input.outputFile,
        workers,
        ...(plan ? { plannedWorkers: plan.workers, tokenIn: plan.tokenIn } : {}),
        virtualUsers: { created, completed: completedVus, failed: failedVus },
        periodMs: ARTILLERY_PERIOD_MS,
        latencies: 'DDSketch summaries merged across workers by Artillery (1 % relative accuracy), ms',
      },
    },
    environment: {
      node: 'unknown (not in Artillery output)',
      platform: 'Artillery workers',
      cpus: workers > 0 ? Math.round(n(C.hostCpus) / workers) : 0,
      cpuModel: 'unknown (not in Artillery output)',
      totalMemoryMB: workers > 0 ? Math.round(n(C.hostMemoryMB) / workers) : 0,
      clock: ARTILLERY_CLOCK_NOTE,
    },
    metrics,
    sends: {
      intended: n(C.sendsIntended),
      sent: n(C.sendsSent),
      missedSlots: n(C.sendsMissed),
      acked: n(C.sendsAcked),
      failed: n(C.sendsFailed),
      skipped: n(C.sendsSkipped),
    },
    connections: {
      attempted: n(C.connectsAttempted),
      opened: n(C.connectsOpened),
      failed: n(C.connectsFailed),
      missedSlots: n(C.connectsMissed),
      joined: n(C.joined),
      joinFailed: n(C.joinFailed),
      openAtEnd: n(C.openAtEnd),
    },
    deliveries: {
      expected: n(C.expected),
      received: n(C.received),
      lost: n(C.lost),
      duplicates: n(C.duplicates),
      outOfOrder: n(C.outOfOrder),
      late: n(C.late),
      ...(timeouts ? { lossTimeoutMs: timeouts.lossMs, graceMs: timeouts.graceMs } : {}),
      lostEarly: n(C.lostEarly),
      afterLossTimeout: n(C.afterLossTimeout),
      unacknowledged: n(C.unacknowledged),
      surplus: n(C.surplus),
      foreign: n(C.foreign),
      underreported: n(C.underreported),
    },
    ...(staleWatched
      ? {
          stale: {
            dropped: n(C.dropped),
            gone410: n(C.gone410),
            // the slowest worker's; none of them clean means never clean
            timeToCleanMs: n(C.neverClean) > 0 ? null : maxOf(H.staleTimeToClean),
            wastedPosts: n(C.wastedPosts),
          },
        }
      : {}),
    ...(protocol ? { protocol } : {}),
    errors,
    harness: {
      shards: Math.max(1, workers),
      cpuSeconds: n(C.cpuMs) / 1000,
      cpuCoresMax: maxOf(H.cpuCores),
      eventLoopLagP99Ms: maxOf(H.runLagP99),
      eventLoopLagMaxMs: maxOf(H.runLagMax),
      rssMB: maxOf(H.rss),
      saturated: saturated > 0,
      ...(saturated > 0 ? { saturation: [{ sign: 'workers' as const, saturated, workers }] } : {}),
      warnings,
    },
    intervals: intervalsOf(output, firstMs, lastMs, phaseNames),
    histograms: {},
  };
}

/** What the verdict says about where these results came from (the reports show it). */
export function artilleryNotes(results: Results, input: Pick<ArtilleryInput, 'outputFile' | 'script'>): string[] {
  const workers = results.harness.shards;
  return [
    `from Artillery's output ${input.outputFile}: ${workers} worker${workers === 1 ? '' : 's'}; latencies are Artillery's DDSketch summaries merged across workers (1 % relative accuracy, 0.1 ms steps), not HDR histograms; intervals are Artillery's 10-second periods; no CloudWatch, DynamoDB or cost figures (Artillery's output knows nothing of the stack)`,
    ...(input.script ? [] : ['no --script: the scenario, its target, timeouts, phase names and the protocol the clients spoke are unknown']),
  ];
}

/**
 * The protocol section our own runs write, for the protocol the workers spoke: the script's
 * scenario carries it (absent: chat-v1, which, as in a run's results, has no section). Artillery's
 * workers have no target view of their own, so what the protocol cannot show stays not observable.
 */
function spokenProtocol(script: ExportedScript, hasDrop: boolean): Results['protocol'] {
  const spoken = script.scenarios?.[0]?.protocol ?? script.config.engines.fanout.protocol;
  if (spoken === undefined || spoken === 'chat-v1') return undefined;
  // the same WireProtocol the engine built from it (artillery/engine/src/plan-wire.ts)
  return protocolResult(protocolTraits('described', describedWire(spoken, { url: script.config.target, run: '' })), hasDrop);
}

/** A latency summary from Artillery's, percentiles clipped into [min, max]. */
export function summaryOf(s: ArtillerySummary | undefined): LatencySummary | undefined {
  if (!s || s.count === 0) return undefined;
  const clip = (v: number) => Math.min(s.max, Math.max(s.min, v));
  return { count: s.count, min: s.min, mean: s.mean, p50: clip(s.p50), p90: clip(s.p90), p99: clip(s.p99), p999: clip(s.p999), max: s.max };
}

function emptySummary(): LatencySummary {
  return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
}

/**
 * One interval per Artillery period, the first starting when the first metric was taken and the
 * last ending with the last one. openClients is the running total of opens less closes.
 */
function intervalsOf(output: ArtilleryOutput, firstMs: number, lastMs: number, phaseNames: string[] | undefined): IntervalRecord[] {
  const periods = [...output.intermediate].sort((a, b) => a.period - b.period);
  let open = 0;
  let phase = -1;
  return periods.map((p: ArtilleryPeriod, k): IntervalRecord => {
    const n = (name: string) => p.counters[name] ?? 0;
    const start = Math.max(p.period, firstMs);
    const next = periods[k + 1]?.period ?? p.period + ARTILLERY_PERIOD_MS;
    const end = Math.max(start, Math.min(next, k === periods.length - 1 ? Math.max(lastMs, start) : next));
    open += n(C.connectsOpened) - n(C.connectsClosed);
    for (const key of Object.keys(p.counters)) {
      if (key.startsWith(PHASE_PREFIX)) phase = Math.max(phase, Number(key.slice(PHASE_PREFIX.length)));
    }
    const errors = Object.entries(p.counters).reduce((a, [key, v]) => a + (key.startsWith('errors.') ? v : 0), 0);
    const seconds = Math.max(1, end - start) / 1000;
    const record: IntervalRecord = {
      t: start,
      elapsedSec: Math.round((start - firstMs) / 10) / 100,
      periodMs: Math.round(end - start),
      phase: phase < 0 ? '' : (phaseNames?.[phase] ?? `phase ${phase}`),
      openClients: Math.max(0, open),
      connects: n(C.connectsOpened),
      sent: n(C.sendsSent),
      delivered: n(C.arrived),
      errors,
      eventLoopLagMs: p.summaries[H.loopLag]?.max ?? 0,
      // every worker samples its CPU once a second: their sum over the period, per second
      cpuCores: Math.round((((p.summaries[H.cpuCores]?.mean ?? 0) * (p.summaries[H.cpuCores]?.count ?? 0)) / seconds) * 1000) / 1000,
      missedSlots: n(C.sendsMissed),
      deliveredCold: n(C.arrivedCold),
      ...(p.summaries[H.loopLag] ? { eventLoopLagP99Ms: p.summaries[H.loopLag].p99 } : {}),
      ...(p.summaries[H.cpuCores] ? { shardCpuMaxCores: p.summaries[H.cpuCores].max } : {}),
    };
    for (const [key, name] of [
      ['connect', H.connect],
      ['broadcast', H.broadcast],
      ['fanoutCompletion', H.fanoutCompletion],
    ] as const) {
      const s = summaryOf(p.summaries[name]);
      if (s) record[key] = s;
    }
    return record;
  });
}

/** Where the code under test came from, as a run records it (results-schema.ts: Provenance). */
function withProvenance(): Pick<Results, 'provenance'> {
  const source = provenance();
  return source ? { provenance: source } : {};
}
