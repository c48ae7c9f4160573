import { cpus, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import type { Scenario } from '../../contracts/scenario-schema.ts';
import type { PublishResult } from '../../contracts/publish-schema.ts';
import type { RecordedTargetInfo, TargetFunctions, TargetStart } from '../../contracts/target-schema.ts';
import { HELD_MAX, zeroTotals, type DeliveryTotals } from '../measurement/delivery-ledger.ts';
import { formatDuration } from '../../contracts/duration.ts';
import { summarize } from '../measurement/latency-summary.ts';
import { SCHEMA_VERSION, type IntervalRecord, type LatencySummary, type PhaseResult, type Results } from '../../contracts/results-schema.ts';
import type { MetricSet, PhaseState, RunRecorder } from '../measurement/run-recorder.ts';
import { assessSaturation, phaseSaturated } from '../measurement/saturation.ts';
import { provenance } from './provenance.ts';
import { missingDeliveries } from './missing-deliveries.ts';

import { joinMeasured, protocolResult, withPublishAcks, type ProtocolTraits } from './protocol-result.ts';
import { packagePath } from '../../../common/package-paths.ts';

/** Assembles results.json from what the recorder measured. */
export interface BuildInput {
  runId: string;
  status: Results['status'];
  statusReason?: string;
  startedAt: number;
  endedAt: number;
  scenario: Scenario;
  /** the target measured; for one that never started, what its spec records (kind and url) */
  target: RecordedTargetInfo;
  /** the target's functions as configured while measuring */
  functions?: TargetFunctions;
  shards: number;
  seed: number;
  rate?: number;
  recorder: RunRecorder;
  /** room r is named `${roomPrefix}${r}` (absent: "room <r>") */
  roomPrefix?: string;
  intervals: IntervalRecord[];
  parentCpuSeconds: number;
  openAtEnd: number;
  extraWarnings: string[];
  /** what the clients' protocol lets the harness see (absent: chat-v1, which shows everything) */
  protocol?: ProtocolTraits;
  /** the scenario's publish phases as played (absent: it has none) */
  publish?: PublishResult[];
}

export const TOOL_VERSION: string = (() => {
  try {
    return JSON.parse(readFileSync(packagePath('package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

export const CLOCK_NOTE =
  'one host clock: performance.timeOrigin + performance.now() (epoch ms) in every harness process; send and receive times come from this host';

function deliveries(t: DeliveryTotals, dup: number, ooo: number, foreign?: number) {
  return {
    expected: t.expected,
    received: t.received,
    lost: t.lost,
    duplicates: dup,
    outOfOrder: ooo,
    late: t.late,
    lostEarly: t.lostEarly,
    afterLossTimeout: t.afterLossTimeout,
    unacknowledged: t.unacknowledged,
    surplus: t.surplus,
    underreported: t.underreported,
    ...(t.missedDuringReconnect > 0 ? { missedDuringReconnect: t.missedDuringReconnect } : {}),
    ...(t.missedByDrop > 0 ? { missedByDrop: t.missedByDrop } : {}),
    ...(foreign !== undefined ? { foreign } : {}),
  };
}

function phaseResult(p: PhaseState, rec: RunRecorder, endedAt: number, sendAcks: boolean, coldDeliveries: boolean): PhaseResult {
  const t = rec.ledger.byPhase[p.index] ?? zeroTotals();
  const out: PhaseResult = {
    index: p.index,
    name: p.name,
    kind: p.kind,
    startedAt: p.startedAt,
    durationMs: Math.round((p.endedAt ?? endedAt) - p.startedAt),
    sends: {
      intended: p.counts.intended,
      sent: p.counts.sent,
      missedSlots: p.counts.missedSlots,
      // a publish is acknowledged by its API's answer, whatever the clients' protocol acks
      acked: sendAcks || p.kind === 'publish' ? t.acked : 0,
      failed: t.failed,
      ...(t.cutOffByReconnect > 0 ? { cutOffByReconnect: t.cutOffByReconnect } : {}),
      skipped: p.counts.skipped,
      ...(p.counts.skipped > 0 ? { skippedWhy: p.skippedWhy } : {}),
    },
    deliveries: deliveries(t, p.counts.duplicates, p.counts.outOfOrder),
    gone410: t.gone,
    errors: p.errors,
    saturated: phaseSaturated(p),
  };
  const h = p.hist;
  if (h.connect.totalCount) out.connect = summarize(h.connect);
  Object.assign(out, connectSplit(h));
  if (h.join.totalCount) out.join = summarize(h.join);
  if (h.ack.totalCount) out.ack = summarize(h.ack);
  if (h.broadcast.totalCount) {
    out.broadcast = summarize(h.broadcast);
    if (coldDeliveries) {
      out.broadcastCold = summarize(h.broadcastCold);
      out.broadcastWarm = summarize(h.broadcastWarm);
    }
  }
  if (h.fanoutCompletion.totalCount) out.fanoutCompletion = summarize(h.fanoutCompletion);
  return out;
}

export function buildResults(i: BuildInput): Results {
  const rec = i.recorder;
  const c = rec.counts;
  const totals = rec.ledger.totals;
  const saturation = assessSaturation({ runLagP99Ms: rec.shardRunLagP99, cpuCores: rec.shardCpu });
  const warnings = [...i.extraWarnings];
  const { graceMs, lossMs } = i.scenario.timeouts;
  // chat-v1's deliveries carry the reference stack's cold flag; another protocol's say nothing of it
  const coldDeliveries = i.protocol === undefined;
  if (totals.lostEarly > 0) {
    warnings.push(
      `${totals.lostEarly} of the lost deliveries were counted lost before the ${formatDuration(lossMs)} loss timeout had passed: ` +
        `the run ended, or no client was left open to receive them, while their messages still waited (or more than ${HELD_MAX} messages per shard waited at once)`,
    );
  }
  const dropIndex = rec.phases.findIndex((p) => p.kind === 'drop');
  const missing = missingDeliveries(rec.lost, {
    phase: (k) => rec.phases[k]?.name ?? String(k),
    room: (r) => (i.roomPrefix === undefined ? `room ${r}` : `${i.roomPrefix}${r}`),
    afterLossTimeout: totals.afterLossTimeout,
    lossTimeoutMs: lossMs,
    lost: totals.lost,
  });
  const sendMs = i.scenario.phases.reduce((a, p) => a + (p.kind === 'send' || p.kind === 'publish' ? p.durationMs : 0), 0);
  const cpu = cpus();
  // The description is kept once, in scenario.description (it may be long): not again in the definition.
  const { description: _description, ...definition } = i.scenario.definition;
  const started = i.target.startedWith ?? {};
  const source = provenance();
  const results: Results = {
    schemaVersion: SCHEMA_VERSION,
    runId: i.runId,
    tool: { name: 'fanout-bench', version: TOOL_VERSION },
    ...(source ? { provenance: source } : {}),
    status: i.status,
    ...(i.statusReason ? { statusReason: i.statusReason } : {}),
    startedAt: new Date(i.startedAt).toISOString(),
    endedAt: new Date(i.endedAt).toISOString(),
    durationMs: Math.round(i.endedAt - i.startedAt),
    scenario: {
      name: i.scenario.name,
      ...(i.scenario.description ? { description: i.scenario.description } : {}),
      definition,
    },
    config: {
      target: {
        kind: i.target.kind,
        url: i.target.url,
        ...(i.target.endpoints ? { endpoints: i.target.endpoints } : {}),
        ...(i.functions ? { functions: i.functions } : {}),
        ...(i.target.label ? { label: i.target.label } : {}),
        ...(i.target.discovery ? { discovery: i.target.discovery } : {}),
        ...(i.target.notEmulated?.length ? { notEmulated: i.target.notEmulated } : {}),
        ...(i.target.notEmulatedResources?.length ? { notEmulatedResources: i.target.notEmulatedResources } : {}),
      },
      clients: i.scenario.clients,
      rooms: i.scenario.rooms,
      durationMs: sendMs,
      shards: i.shards,
      seed: i.seed,
      ...(i.rate !== undefined ? { rate: i.rate } : {}),
      roomSizes: i.scenario.roomSizes,
      timeouts: i.scenario.timeouts,
      phases: i.scenario.phases,
      ...(started.stackArgs ? { stackArgs: started.stackArgs, stack: started.stack ?? {} } : {}),
    },
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      totalMemoryMB: Math.round(totalmem() / 2 ** 20),
      clock: CLOCK_NOTE,
      ...lambdaRuntimeFields(started.lambdaRuntime),
    },
    metrics: {
      connect: summarize(rec.totals.connect),
      ...connectSplit(rec.totals),
      broadcast: summarize(rec.totals.broadcast),
      fanoutCompletion: summarize(rec.totals.fanoutCompletion),
      // only chat-v1's deliveries say cold or warm: another protocol's would all read warm
      ...(coldDeliveries ? { broadcastCold: summarize(rec.totals.broadcastCold), broadcastWarm: summarize(rec.totals.broadcastWarm) } : {}),
      ack: summarize(rec.totals.ack),
      // a join nothing answers has no latency: absent, and protocol.notObservable says why
      ...(joinMeasured(i.protocol) ? { join: summarize(rec.totals.join) } : {}),
    },
    sends: {
      intended: c.intended,
      sent: c.sent,
      missedSlots: c.missedSlots,
      // fire-and-forget sends settle in the ledger as answered at their intended time: nothing acknowledged them
      acked: i.protocol && !i.protocol.sendAcks ? 0 : totals.acked,
      failed: totals.failed,
      ...(totals.cutOffByReconnect > 0 ? { cutOffByReconnect: totals.cutOffByReconnect } : {}),
      skipped: c.skipped,
      ...(c.skipped > 0 ? { skippedWhy: rec.skippedWhy } : {}),
      ...(rec.standInTotal > 0 ? { standIns: { total: rec.standInTotal, first: rec.standIns } } : {}),
    },
    connections: {
      attempted: c.connects + c.connectFailures,
      opened: c.connects,
      failed: c.connectFailures,
      missedSlots: c.connectMissed,
      joined: c.joins,
      joinFailed: c.joinFailures,
      openAtEnd: i.openAtEnd,
    },
    deliveries: { ...deliveries(totals, c.duplicates, c.outOfOrder, c.unexpected), lossTimeoutMs: lossMs, graceMs, ...(missing ? { missing } : {}) },
    ...(dropIndex >= 0 ? { stale: rec.ledger.staleResult(c.dropped) } : {}),
    ...(i.scenario.reconnect
      ? { reconnects: { wentAway: c.wentAway, reconnected: c.reconnects, failedAttempts: c.reconnectFailures, gaveUp: c.gaveUp, latency: summarize(rec.totals.reconnect) } }
      : {}),
    ...(i.protocol ? { protocol: protocolResult(i.protocol, dropIndex >= 0) } : {}),
    errors: rec.errors,
    bytesReceived: c.bytesReceived,
    harness: {
      shards: i.shards,
      cpuSeconds: Math.round(rec.cpuSeconds * 1000) / 1000,
      cpuCoresMax: Math.round(rec.cpuCoresMax * 1000) / 1000,
      eventLoopLagP99Ms: Math.max(0, ...rec.shardRunLagP99),
      eventLoopLagMaxMs: Math.max(0, ...rec.shardRunLagMax),
      rssMB: Math.round(rec.rssPeakBytes / 2 ** 20),
      parentCpuSeconds: Math.round(i.parentCpuSeconds * 1000) / 1000,
      saturated: saturation.length > 0,
      saturation,
      warnings,
    },
    intervals: i.intervals,
    phases: rec.phases.map((p) => phaseResult(p, rec, i.endedAt, i.protocol?.sendAcks ?? true, coldDeliveries)),
    histograms: rec.encodedTotals(),
  };
  if (!i.publish) return results;
  // a fire-and-forget protocol's acknowledged sends are the publishes the API accepted
  const acks = results.protocol ? withPublishAcks(results.sends, results.protocol, i.publish, i.scenario.phases.some((p) => p.kind === 'send')) : {};
  return { ...results, publish: i.publish, ...acks };
}

/** Connects as cold and warm, only where the target said which for any of them. */
function connectSplit(h: MetricSet): { connectCold?: LatencySummary; connectWarm?: LatencySummary } {
  if (h.connectCold.totalCount + h.connectWarm.totalCount === 0) return {};
  return { connectCold: summarize(h.connectCold), connectWarm: summarize(h.connectWarm) };
}

/** where an access-log split comes from, as results.protocol.notObservable names a figure's source */
const ACCESS_LOG_SOURCE = "API Gateway's access log joined with the functions' REPORT lines (results.attribution)";

const NO_REQUESTS: LatencySummary = { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

/**
 * metrics.connectCold/Warm and broadcastCold/Warm from results.attribution's access-log split
 * where it has one for that kind: each request by the invocation that served it, for any stack,
 * over the reference stack's own subprotocol flags (which label every delivery of another stack
 * warm). A side the split has none of reads count 0. Called once the join has filled attribution.
 */
export function withAttributedSplits(results: Results): void {
  const a = results.attribution;
  if (a?.source !== 'access-log') return;
  const m = results.metrics;
  if (a.connect?.cold || a.connect?.warm) {
    m.connectCold = a.connect.cold ?? NO_REQUESTS;
    m.connectWarm = a.connect.warm ?? NO_REQUESTS;
    // a protocol whose $connect answers no cold subprotocol said they were not observable: they are now, from here
    const not = results.protocol?.notObservable;
    if (not?.['metrics.connectCold'] !== undefined) not['metrics.connectCold'] = not['metrics.connectWarm'] = `from ${ACCESS_LOG_SOURCE}`;
  }
  if (a.broadcast?.cold || a.broadcast?.warm) {
    m.broadcastCold = a.broadcast.cold ?? NO_REQUESTS;
    m.broadcastWarm = a.broadcast.warm ?? NO_REQUESTS;
    const not = results.protocol?.notObservable;
    if (not?.['metrics.broadcastCold'] !== undefined) not['metrics.broadcastCold'] = not['metrics.broadcastWarm'] = `from ${ACCESS_LOG_SOURCE}`;
  }
}

/** The runtime the local stack emulates (its Node), and beside it every runtime its functions name. */
function lambdaRuntimeFields(info: TargetStart['lambdaRuntime']): Pick<Results['environment'], 'lambdaRuntime' | 'lambdaRuntimes'> {
  if (!info) return {};
  const { runtimes, ...lambdaRuntime } = info;
  return { lambdaRuntime, ...(runtimes ? { lambdaRuntimes: runtimes } : {}) };
}
