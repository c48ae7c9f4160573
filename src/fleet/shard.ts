import { SEEN_DUPLICATE, SEEN_OUT_OF_ORDER } from '../metrics/measurement/order-tracker.ts';
import { PackedRecords } from '../metrics/measurement/packed-records.ts';
import { ReceiptTally } from '../metrics/measurement/receipt-tally.ts';
import { ShardIntervalRecorder } from '../metrics/measurement/shard-interval-recorder.ts';
import { SelfWatch } from '../metrics/measurement/self-watch.ts';
import { CONNECT_COLD_SUBPROTOCOL, CONNECT_WARM_SUBPROTOCOL } from '../../common/chat-protocol.ts';
import type { Probe } from './protocols/chat-v1.ts';
import { SimClient } from './client.ts';
import { ClientGroup } from './client-group.ts';
import { now, toMicros } from '../clock.ts';
import type { Matched, PendingSend } from './pending-sends.ts';
import type { RampOptions } from './ramp.ts';
import { SEND_ACK, SEND_FAIL, SEND_RECORD_WIDTH, SEND_SENT, zeroCounts, type ShardReport, type ShardStandIn } from '../metrics/measurement/shard-report.ts';
import type { ShardInit, ShardPhase } from './shard-link.ts';
import type { WireProtocol } from './protocols/wire-protocol.ts';
import { NO_CLAIM } from '../metrics/measurement/delivery-ledger.ts';
import { sourceAddressFor } from './source-address.ts';

/**
 * One shard process's share of the fleet: every client c with c % shards == shard. It runs the
 * phases the parent sends, records into interval histograms and per-message tallies, and hands
 * everything over at each flush. Nothing here knows about other shards: the parent merges.
 */
export class Shard extends ClientGroup {
  private readonly recorder = new ShardIntervalRecorder();
  private readonly tally: ReceiptTally;
  private readonly sends = new PackedRecords(SEND_RECORD_WIDTH, 1024);
  private counts = zeroCounts();
  private errors: Record<string, number> = {};
  private skippedWhy: Record<string, number> = {};
  private standIns: ShardStandIn[] = [];
  private readonly watch = new SelfWatch().start();
  private nextSlot = 0;

  constructor(
    private readonly init: ShardInit,
    wire?: WireProtocol,
  ) {
    super({
      wire,
      plan: init.plan,
      roomPrefix: init.roomPrefix,
      maxSendersPerRoom: init.maxSendersPerRoom,
      origin: init.shard,
      ackTimeoutMs: init.ackTimeoutMs,
      connector: {
        url: init.targetUrl,
        token: init.token,
        askColdFlag: init.connectColdFlag,
        timeoutMs: init.connectTimeoutMs,
        localAddress: (c) => sourceAddressFor(c.id, init.clientsPerSourceAddress),
      },
    });
    const { plan, shard, shards } = init;
    this.tally = new ReceiptTally(shards);
    for (let id = shard; id < plan.clients; id += shards) this.clients.push(new SimClient(id, plan.roomOf[id]));
  }

  get clientCount(): number {
    return this.clients.length;
  }

  async runPhase(phase: ShardPhase): Promise<void> {
    if (this.stopping) return;
    switch (phase.kind) {
      case 'connect':
        await this.connectPhase(phase);
        return compactHeap();
      case 'create':
        return this.controlPhase('create', this.roomCreators((r) => this.createsRoom(r)), phase);
      case 'join':
        await this.controlPhase('join', this.notJoined(), phase);
        return compactHeap();
      case 'send':
        return this.sendPhase(phase, {
          due: () => this.counts.intended++,
          skipped: (why) => {
            this.counts.skipped++;
            this.skippedWhy[why] = (this.skippedWhy[why] ?? 0) + 1;
          },
          stoodIn: (sender, standIn, why) => this.standIns.push({ phase: phase.phase, room: sender.room, sender: sender.id, standIn: standIn.id, why }),
          slot: (_c, _intended, missed) => {
            if (missed) this.counts.missedSlots++;
            return this.nextSlot++;
          },
          sent: (c, slot, intended) => {
            this.sends.push5(SEND_SENT, slot, intended, phase.phase, c.id);
            this.counts.sent++;
          },
        });
      case 'drop':
        return this.dropPhase(phase.clients);
      case 'drain':
        return this.drain(phase.timeoutMs);
    }
  }

  report(seq: number): ShardReport {
    this.counts.bytesReceived += this.bytesReceived;
    this.bytesReceived = 0;
    const r: ShardReport = {
      shard: this.init.shard,
      seq,
      histograms: this.recorder.drain(),
      counts: this.counts,
      errors: this.errors,
      skippedWhy: this.skippedWhy,
      standIns: this.standIns,
      sends: this.sends.take(),
      receipts: this.tally.drain(),
      open: this.open,
      self: this.watch.sample(),
    };
    this.counts = zeroCounts();
    this.errors = {};
    this.skippedWhy = {};
    this.standIns = [];
    return r;
  }

  override async close(): Promise<void> {
    await super.close();
    this.watch.stop();
  }

  // --- phases -------------------------------------------------------------------------------

  private async connectPhase(spec: RampOptions): Promise<void> {
    const ramp = await this.ramp(this.unconnected(), spec, (c, intended) => this.connect(c, intended));
    this.counts.connectMissed += ramp.missed;
  }

  /**
   * createRoom once per room: a room is created by the shard that holds its first client (room
   * r's clients start at roomStart[r]; client c lives in shard c % shards), through that shard's
   * first open member of the room. The parent runs the create step as a barrier before any join,
   * so members in other shards join a room that exists. If none of the owning shard's members of
   * a room is open, the room is not created and its joins fail (counted as join failures).
   */
  private createsRoom(room: number): boolean {
    return this.init.plan.roomStart[room] % this.init.shards === this.init.shard;
  }

  private dropPhase(ids: Int32Array): void {
    const { shard, shards } = this.init;
    for (const id of ids) {
      if (id % shards !== shard) continue;
      const c = this.clients[(id - shard) / shards];
      if (c && this.drop(c)) this.counts.dropped++;
    }
  }

  // --- what happened ------------------------------------------------------------------------

  protected opened(c: SimClient): void {
    this.counts.connects++;
    const us = toMicros(now() - c.connectIntended);
    this.recorder.record('connect', us);
    const protocol = c.ws?.protocol;
    if (protocol === CONNECT_COLD_SUBPROTOCOL) this.recorder.record('connectCold', us);
    else if (protocol === CONNECT_WARM_SUBPROTOCOL) this.recorder.record('connectWarm', us);
  }

  protected joinedOnConnect(): void {
    this.counts.joins++;
  }

  /** A fire-and-forget send: settled as if answered at its intended time, with no claim of whom it reached. */
  protected unanswerable(_c: SimClient, slot: number, intended: number): void {
    this.sends.push5(SEND_ACK, slot, intended, NO_CLAIM, 0);
  }

  protected connectFailed(_c: SimClient, kind: string): void {
    this.counts.connectFailures++;
    this.error(kind);
  }

  protected joinDone(_c: SimClient, intended: number, ok: boolean): void {
    if (ok) {
      this.counts.joins++;
      this.recorder.record('join', toMicros(now() - intended));
    } else {
      this.counts.joinFailures++;
    }
  }

  /** The hot path: one call per member per message. */
  protected onDelivery(c: SimClient, p: Probe, t: number, data: Buffer | undefined, messageId: string | undefined): void {
    this.counts.delivered++;
    const seen = this.deliveryOrder(c, p);
    if (seen === SEEN_DUPLICATE) {
      this.counts.duplicates++;
      return;
    }
    if (seen === SEEN_OUT_OF_ORDER) this.counts.outOfOrder++;
    if (!this.tally.add(p.origin, p.slot, t)) {
      this.counts.unexpected++;
      return;
    }
    this.recorder.record(p.cold ? 'broadcastCold' : 'broadcastWarm', toMicros(t - p.intended));
    if (p.sender === c.id && p.origin === this.init.shard) this.ownCopy(c, p.slot, data, messageId);
  }

  protected unreadableDelivery(): void {
    this.counts.unexpected++;
  }

  protected acked(m: Matched): void {
    this.counts.acked++;
    this.recorder.record('ack', toMicros(m.ack.at - m.send.intended));
    this.sends.push5(SEND_ACK, m.send.slot, m.ack.at, m.ack.recipients, m.ack.gone);
  }

  protected failed(s: PendingSend, at: number): void {
    this.counts.failed++;
    this.sends.push5(SEND_FAIL, s.slot, at, 0, 0);
  }

  protected error(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }
}

/**
 * A connect or join burst grows V8's heap far beyond what the open clients need (~2.6 KB live per
 * client); left alone the slack stays resident for the whole run. One full GC between phases —
 * never while a send phase is measured — hands it back (shards run with --expose-gc).
 */
function compactHeap(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
