import {
  RECEIPT_RECORD_WIDTH,
  SEND_ACK,
  SEND_FAIL,
  SEND_RECORD_WIDTH,
  SEND_SENT,
  zeroCounts,
  type ShardCounts,
  type ShardReport,
  type ShardStandIn,
} from './shard-report.ts';
import { DeliveryLedger, type LedgerTimeouts } from './delivery-ledger.ts';
import { LostDeliveries } from './lost-deliveries.ts';
import { decodeHistogram, encodeHistogram, newHistogram, newHistograms, type Histogram } from './histogram.ts';
import { summarize } from './latency-summary.ts';
import type { IntervalRecord } from '../../contracts/interval-record.ts';
import { CPU_LIMIT_CORES } from './saturation.ts';
import { HarnessDrops } from './harness-drops.ts';
import { ReconnectAbsences } from './reconnect-absences.ts';
import { messageKey, RequestTrace } from './request-trace.ts';

/**
 * The parent's measurements: merges every shard report into the interval record it streams,
 * into the running phase and into the run totals (histograms are merged, never percentiles),
 * and feeds per-message events to the delivery ledger.
 */
export const RUN_METRICS = ['connect', 'connectCold', 'connectWarm', 'join', 'ack', 'broadcastCold', 'broadcastWarm', 'broadcast', 'fanoutCompletion', 'reconnect'] as const;
export type RunMetric = (typeof RUN_METRICS)[number];
export type MetricSet = Record<RunMetric, Histogram>;

/** How many stand-ins results.json lists (results' sends.standIns.first); the rest are counted. */
export const STAND_INS_LISTED = 50;

export type PhaseKind = 'connect' | 'join' | 'send' | 'publish' | 'idle' | 'drop' | 'drain';

export interface PhaseState {
  index: number;
  name: string;
  kind: PhaseKind;
  startedAt: number;
  endedAt: number | undefined;
  hist: MetricSet;
  counts: ShardCounts;
  errors: Record<string, number>;
  /** skipped send slots by why their sender could not send (client-group.ts notReadyWhy) */
  skippedWhy: Record<string, number>;
  /** worst shard event-loop lag p99 of any interval in this phase, ms */
  lagP99Max: number;
  /** intervals (of at least half a second) in which a shard kept a core over the CPU limit */
  hotIntervals: number;
  intervals: number;
}

function newMetricSet(): MetricSet {
  return newHistograms(RUN_METRICS);
}

function addCounts(into: ShardCounts, from: ShardCounts): void {
  for (const k of Object.keys(from) as (keyof ShardCounts)[]) into[k] += from[k];
}

function addErrors(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

export class RunRecorder {
  readonly totals = newMetricSet();
  readonly counts = zeroCounts();
  readonly errors: Record<string, number> = {};
  readonly skippedWhy: Record<string, number> = {};
  /** the send phases' stand-ins, the first STAND_INS_LISTED of them (standInTotal counts all) */
  readonly standIns: (Omit<ShardStandIn, 'phase'> & { phase: string })[] = [];
  standInTotal = 0;
  readonly phases: PhaseState[] = [];
  readonly ledger: DeliveryLedger;
  /** the messages settled with deliveries lost, to say where they went missing */
  readonly lost = new LostDeliveries();
  /** when reconnecting clients were away: what the ledger counts as missed during reconnect */
  readonly absences = new ReconnectAbsences();
  /** the clients the harness dropped (drop phases), whose deliveries in flight are not lost */
  readonly drops = new HarnessDrops();
  /** every request the shards timed, every unique delivery and fan-out completion (the attribution join's input) */
  readonly trace = new RequestTrace();
  /** per shard: CPU in cores per interval */
  readonly shardCpu: number[][];
  readonly shardRunLagP99: number[];
  readonly shardRunLagMax: number[];
  cpuSeconds = 0;
  cpuCoresMax = 0;
  rssPeakBytes = 0;
  openClients = 0;
  private readonly shardOpen: number[];
  private readonly shardRss: number[];
  private intervalStart: number;
  /** fan-out completions finalized since the last interval */
  private readonly intervalCompletion = newHistogram();
  /** the interval being merged: reset and reused every flush (nine fresh histograms a second were garbage) */
  private readonly iv = newMetricSet();
  /** per send phase: the harness's member count per room when the phase started */
  private readonly phaseMembers = new Map<number, Int32Array>();
  private roomOf: ArrayLike<number> = [];
  private readonly pruneAfterMs: number;

  constructor(
    readonly shards: number,
    readonly startedAt: number,
    timeouts: LedgerTimeouts,
  ) {
    this.intervalStart = startedAt;
    this.pruneAfterMs = 2 * timeouts.lossMs + 60_000;
    this.shardCpu = Array.from({ length: shards }, () => []);
    this.shardRunLagP99 = new Array(shards).fill(0);
    this.shardRunLagMax = new Array(shards).fill(0);
    this.shardOpen = new Array(shards).fill(0);
    this.shardRss = new Array(shards).fill(0);
    this.ledger = new DeliveryLedger(timeouts, (phase, us, origin, slot) => {
      this.trace.addCompletion(messageKey(origin, slot), us);
      this.totals.fanoutCompletion.recordValue(us);
      this.intervalCompletion.recordValue(us);
      const p = this.phases[phase];
      if (p) p.hist.fanoutCompletion.recordValue(us);
    }, (m) => this.lost.add(m), this.absences, this.drops);
  }

  /** The phase that intervals from now on belong to. */
  beginPhase(name: string, kind: PhaseKind, at: number): PhaseState {
    const last = this.phases.at(-1);
    if (last && last.endedAt === undefined) last.endedAt = at;
    const p: PhaseState = {
      index: this.phases.length,
      name,
      kind,
      startedAt: at,
      endedAt: undefined,
      hist: newMetricSet(),
      counts: zeroCounts(),
      errors: {},
      skippedWhy: {},
      lagP99Max: 0,
      hotIntervals: 0,
      intervals: 0,
    };
    this.phases.push(p);
    if (kind === 'drop') this.ledger.watchStale(p.index);
    return p;
  }

  /**
   * The harness's own room membership for the messages of phase `phase` (membership changes only
   * at connect, join and drop steps, so one count per send phase holds for all its messages).
   * `roomOf` maps a sender client to its room.
   */
  setMembers(phase: number, members: Int32Array, roomOf: ArrayLike<number>): void {
    this.phaseMembers.set(phase, members);
    this.roomOf = roomOf;
  }

  endPhase(at: number): void {
    const last = this.phases.at(-1);
    if (last && last.endedAt === undefined) last.endedAt = at;
  }

  get currentPhase(): PhaseState | undefined {
    return this.phases.at(-1);
  }

  /** Merges one flush's reports; returns the interval record for [previous flush, t). */
  ingest(reports: ShardReport[], t: number): IntervalRecord {
    const phase = this.currentPhase;
    const iv = this.iv;
    for (const m of RUN_METRICS) iv[m].reset();
    const counts = zeroCounts();
    const errors: Record<string, number> = {};
    let lagMax = 0;
    let lagP99 = 0;
    let cpuMicros = 0;
    // per shard CPU and wall over this flush (a late report can make it two samples)
    const shardCpuUs = new Map<number, number>();
    const shardWallMs = new Map<number, number>();
    // Every shard's sends (acks) before any receipts: a delivery's lateness is judged against its ack.
    for (const r of reports) this.ingestSends(r.sends, r.shard);
    for (const r of reports) if (r.away.length > 0) this.absences.add(r.away);
    for (const r of reports) {
      for (const [name, enc] of Object.entries(r.histograms)) {
        if (!enc) continue;
        const metric = name as RunMetric;
        // decoded once, added twice for cold/warm deliveries (a decode is most of the merge's work)
        const h = decodeHistogram(enc);
        iv[metric].add(h);
        if (metric === 'broadcastCold' || metric === 'broadcastWarm') iv.broadcast.add(h);
        h.destroy();
      }
      addCounts(counts, r.counts);
      addErrors(errors, r.errors);
      addErrors(this.skippedWhy, r.skippedWhy);
      if (phase) addErrors(phase.skippedWhy, r.skippedWhy);
      for (const x of r.standIns) {
        this.standInTotal++;
        if (this.standIns.length < STAND_INS_LISTED) this.standIns.push({ ...x, phase: this.phases[x.phase]?.name ?? String(x.phase) });
      }
      this.ingestReceipts(r.receipts);
      this.trace.addTrace(r.shard, r.trace);
      this.trace.addDeliveries(r.deliveries);
      this.shardOpen[r.shard] = r.open;
      this.shardRss[r.shard] = r.self.rssBytes;
      this.shardRunLagP99[r.shard] = Math.max(this.shardRunLagP99[r.shard], r.self.runLagP99Ms);
      this.shardRunLagMax[r.shard] = Math.max(this.shardRunLagMax[r.shard], r.self.runLagMaxMs);
      lagMax = Math.max(lagMax, r.self.lagMaxMs);
      lagP99 = Math.max(lagP99, r.self.lagP99Ms);
      cpuMicros += r.self.cpuMicros;
      shardCpuUs.set(r.shard, (shardCpuUs.get(r.shard) ?? 0) + r.self.cpuMicros);
      shardWallMs.set(r.shard, (shardWallMs.get(r.shard) ?? 0) + r.self.wallMs);
    }
    let cpuCores = 0;
    let shardCpuMax = 0;
    for (const [shard, us] of shardCpuUs) {
      const wall = shardWallMs.get(shard)!;
      const cores = wall > 0 ? us / 1000 / wall : 0;
      this.shardCpu[shard].push(cores);
      cpuCores += cores;
      shardCpuMax = Math.max(shardCpuMax, cores);
    }
    this.ledger.finalize(t);
    // a message settles at most its loss timeout after its ack: older away windows decide nothing more
    this.absences.prune(t - this.pruneAfterMs);
    iv.fanoutCompletion.add(this.intervalCompletion);
    this.intervalCompletion.reset();

    for (const m of RUN_METRICS) {
      if (m === 'fanoutCompletion') continue; // recorded at finalization, straight into totals/phases
      if (iv[m].totalCount === 0) continue;
      this.totals[m].add(iv[m]);
      phase?.hist[m].add(iv[m]);
    }
    addCounts(this.counts, counts);
    addErrors(this.errors, errors);
    const wallMs = Math.max(1, t - this.intervalStart);
    if (phase) {
      addCounts(phase.counts, counts);
      addErrors(phase.errors, errors);
      phase.intervals++;
      phase.lagP99Max = Math.max(phase.lagP99Max, lagP99);
      if (wallMs >= 500 && shardCpuMax > CPU_LIMIT_CORES) phase.hotIntervals++;
    }

    this.cpuSeconds += cpuMicros / 1e6;
    this.cpuCoresMax = Math.max(this.cpuCoresMax, cpuCores);
    this.openClients = this.shardOpen.reduce((a, b) => a + b, 0);
    this.rssPeakBytes = Math.max(this.rssPeakBytes, this.shardRss.reduce((a, b) => a + b, 0));
    const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
    const record: IntervalRecord = {
      t: this.intervalStart,
      elapsedSec: Math.round((t - this.startedAt) / 10) / 100,
      phase: phase?.name ?? '',
      openClients: this.openClients,
      connects: counts.connects,
      sent: counts.sent,
      delivered: counts.delivered,
      errors: errorCount,
      eventLoopLagMs: lagMax,
      cpuCores: Math.round(cpuCores * 1000) / 1000,
      missedSlots: counts.missedSlots,
      deliveredCold: iv.broadcastCold.totalCount,
      eventLoopLagP99Ms: lagP99,
      shardCpuMaxCores: Math.round(shardCpuMax * 1000) / 1000,
      pendingMessages: this.ledger.unsettled(),
    };
    // the reconnect waves: only in runs whose clients reconnect
    if (counts.wentAway + counts.reconnects + counts.reconnectFailures > 0) {
      record.wentAway = counts.wentAway;
      record.reconnects = counts.reconnects;
    }
    if (iv.connect.totalCount > 0) record.connect = summarize(iv.connect);
    if (iv.broadcast.totalCount > 0) record.broadcast = summarize(iv.broadcast);
    if (iv.fanoutCompletion.totalCount > 0) record.fanoutCompletion = summarize(iv.fanoutCompletion);
    this.intervalStart = t;
    return record;
  }

  /** End of run: every message still open becomes final. */
  finish(t: number): void {
    this.ledger.finalize(t, true);
  }

  encodedTotals(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of RUN_METRICS) {
      const enc = encodeHistogram(this.totals[m]);
      if (enc) out[m] = enc;
    }
    return out;
  }

  private ingestSends(sends: Float64Array, origin: number): void {
    for (let i = 0; i < sends.length; i += SEND_RECORD_WIDTH) {
      const kind = sends[i];
      const slot = sends[i + 1];
      if (kind === SEND_SENT) {
        const phase = sends[i + 3];
        const sender = sends[i + 4];
        const room = this.roomOf[sender];
        this.ledger.sent(origin, slot, sends[i + 2], phase, this.phaseMembers.get(phase)?.[room] ?? 0, room, sender, sends[i + 5]);
      }
      else if (kind === SEND_ACK) this.ledger.acked(origin, slot, sends[i + 2], sends[i + 3], sends[i + 4]);
      else if (kind === SEND_FAIL) this.ledger.failed(origin, slot, sends[i + 2], sends[i + 5] === 1);
    }
  }

  private ingestReceipts(receipts: Float64Array): void {
    for (let i = 0; i < receipts.length; i += RECEIPT_RECORD_WIDTH) {
      this.ledger.receipts(receipts[i], receipts[i + 1], receipts[i + 2], receipts[i + 3]);
    }
  }
}
