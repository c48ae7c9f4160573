import { SEEN_DUPLICATE, SEEN_OUT_OF_ORDER } from '../metrics/measurement/order-tracker.ts';
import { PackedRecords } from '../metrics/measurement/packed-records.ts';
import { ReceiptTally } from '../metrics/measurement/receipt-tally.ts';
import { RecipientBook } from '../metrics/measurement/recipient-book.ts';
import { ShardIntervalRecorder } from '../metrics/measurement/shard-interval-recorder.ts';
import { SelfWatch } from '../metrics/measurement/self-watch.ts';
import { CONNECT_COLD_SUBPROTOCOL, CONNECT_WARM_SUBPROTOCOL } from '../../common/chat-protocol.ts';
import type { Probe } from './protocols/chat-v1.ts';
import { OPEN, SimClient } from './client.ts';
import { ClientGroup, notReadyWhy, ready, type ClientGroupEvents } from './client-group.ts';
import { missingRecipients } from './missing-recipients.ts';
import { now, toMicros } from '../clock.ts';
import type { Matched, PendingSend } from './pending-sends.ts';
import type { RampOptions } from './ramp.ts';
import {
  SEND_ACK,
  SEND_FAIL,
  SEND_RECORD_WIDTH,
  SEND_SENT,
  zeroCounts,
  type MissingAnswer,
  type ShardReport,
  type ShardStandIn,
} from '../metrics/measurement/shard-report.ts';
import type { ShardInit, ShardPhase } from './shard-link.ts';
import type { WireProtocol } from './protocols/wire-protocol.ts';
import { NO_CLAIM } from '../metrics/measurement/delivery-ledger.ts';
import { sourceAddressFor } from './source-address.ts';
import { AWAY_RECORD_WIDTH } from '../metrics/measurement/reconnect-absences.ts';
import { shardOf, shardStart } from './room-plan.ts';
import { DELIVERY_RECORD_WIDTH, TRACE_CONNECT, TRACE_FRAME, TRACE_RECORD_WIDTH } from '../metrics/measurement/trace-records.ts';
import { chatV1Wire } from './protocols/chat-v1-wire.ts';

/**
 * One shard process's share of the fleet: the block of client ids room-plan.ts's shardStart gives it. It runs the
 * phases the parent sends, records into interval histograms and per-message tallies, and hands
 * everything over at each flush. Nothing here knows about other shards: the parent merges. Its
 * clients are a ClientGroup's, which tells it what happened (ClientGroupEvents, the methods under
 * "what happened").
 */
export class Shard implements ClientGroupEvents {
  private readonly group: ClientGroup;
  private readonly recorder = new ShardIntervalRecorder();
  private readonly tally: ReceiptTally;
  private readonly sends = new PackedRecords(SEND_RECORD_WIDTH, 1024);
  /** away windows of reconnecting clients (reconnect-absences.ts) */
  private readonly away = new PackedRecords(AWAY_RECORD_WIDTH, 64);
  /** every handshake and every frame written, settled (trace-records.ts): what the attribution join matches to the access log */
  private readonly trace = new PackedRecords(TRACE_RECORD_WIDTH, 256);
  /** every unique delivery [origin, slot, latency µs]: the hot path's one push */
  private readonly deliveries = new PackedRecords(DELIVERY_RECORD_WIDTH, 1024);
  private counts = zeroCounts();
  private errors: Record<string, number> = {};
  private skippedWhy: Record<string, number> = {};
  private standIns: ShardStandIn[] = [];
  private readonly watch = new SelfWatch().start();
  private nextSlot = 0;
  /** which message each client received, to name who missed a lost one (missing()) */
  private readonly book: RecipientBook;
  /** per client index: 1 when open and joined at the last connect, join or drop step (what a send phase's messages expect) */
  private members: Uint8Array;
  /** per send phase: `members` when it began */
  private readonly membersByPhase = new Map<number, Uint8Array>();
  /** per client index: epoch ms its socket closed (0: it did not) */
  private readonly closedAtMs: Float64Array;
  /** this shard's clients are the ids first … end - 1 */
  private readonly first: number;
  private readonly end: number;

  constructor(
    private readonly init: ShardInit,
    wire?: WireProtocol,
  ) {
    const { plan, shard, shards } = init;
    this.first = shardStart(plan.clients, shards, shard);
    this.end = shardStart(plan.clients, shards, shard + 1);
    const clients: SimClient[] = [];
    for (let id = this.first; id < this.end; id++) clients.push(new SimClient(id, plan.roomOf[id]));
    this.group = new ClientGroup({
      clients,
      // the default protocol, chat-v1, with the run's id: its clients' User-Agents name the run
      wire: wire ?? chatV1Wire({ url: init.targetUrl, token: init.token, askColdFlag: init.connectColdFlag, run: init.runId ?? '' }),
      plan: init.plan,
      roomPrefix: init.roomPrefix,
      maxSendersPerRoom: init.maxSendersPerRoom,
      origin: init.shard,
      ackTimeoutMs: init.ackTimeoutMs,
      reconnect: init.reconnect,
      keepAliveMs: init.keepAliveMs,
      connector: {
        url: init.targetUrl,
        token: init.token,
        askColdFlag: init.connectColdFlag,
        timeoutMs: init.connectTimeoutMs,
        localAddress: (c) => sourceAddressFor(c.id, init.clientsPerSourceAddress),
      },
    }, this);
    // one origin more than the shards: the harness's publishes (publish-probe.ts)
    this.tally = new ReceiptTally(shards + 1);
    this.book = new RecipientBook(clients.length);
    this.members = new Uint8Array(clients.length);
    this.closedAtMs = new Float64Array(clients.length);
  }

  get clientCount(): number {
    return this.group.clients.length;
  }

  /** Per room: this shard's clients that are open and joined. */
  membersByRoom(): Int32Array {
    return this.group.membersByRoom();
  }

  /** Interrupt: stop ramps and schedules now; sockets stay open. */
  stop(): void {
    this.group.stop();
  }

  async runPhase(phase: ShardPhase): Promise<void> {
    if (this.group.stopping) return;
    switch (phase.kind) {
      case 'connect':
        await this.connectPhase(phase);
        this.takeMembers();
        return compactHeap();
      case 'create':
        return this.group.controlPhase('create', this.group.roomCreators((r) => this.createsRoom(r)), phase);
      case 'join':
        await this.group.controlPhase('join', this.group.notJoined(), phase);
        this.takeMembers();
        return compactHeap();
      case 'send':
        this.membersByPhase.set(phase.phase, this.members);
        return this.group.sendPhase(phase, {
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
          sent: (c, slot, intended, seq) => {
            this.sends.push6(SEND_SENT, slot, intended, phase.phase, c.id, seq);
            this.counts.sent++;
          },
        });
      case 'drop':
        this.dropPhase(phase.clients);
        return this.takeMembers();
      case 'drain':
        return this.group.drain(phase.timeoutMs);
    }
  }

  report(seq: number): ShardReport {
    this.counts.bytesReceived += this.group.takeBytesReceived();
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
      away: this.away.take(),
      trace: this.trace.take(),
      deliveries: this.deliveries.take(),
      open: this.group.open,
      self: this.watch.sample(),
    };
    this.counts = zeroCounts();
    this.errors = {};
    this.skippedWhy = {};
    this.standIns = [];
    return r;
  }

  /** Which of this shard's members missed each traced lost message (missing-recipients.ts). */
  missing(query: Float64Array): MissingAnswer {
    const all = this.group.wire.membership === 'all';
    return missingRecipients(query, {
      shard: this.init.shard,
      wire: this.group.wire,
      book: this.book,
      candidates: (room) => (all ? this.group.clients : this.group.membersOf(room)),
      indexOf: (c) => this.indexOf(c.id),
      membersFor: (phase) => this.membersByPhase.get(phase),
      stateOf: (c) => (c.state === OPEN ? 'open' : notReadyWhy(c)),
      closedAt: (i) => this.closedAtMs[i],
    });
  }

  async close(): Promise<void> {
    await this.group.close();
    this.watch.stop();
  }

  /** Client `id`'s index in this shard (its place in `clients`, the book's and the member arrays' index). */
  private indexOf(id: number): number {
    return id - this.first;
  }

  // --- phases -------------------------------------------------------------------------------

  /**
   * The members the next send phases' messages expect: open and joined now, at the end of a
   * connect, join or drop step, the moment the parent takes its member counts (shard-main.ts).
   */
  private takeMembers(): void {
    const m = new Uint8Array(this.group.clients.length);
    for (let i = 0; i < this.group.clients.length; i++) if (ready(this.group.clients[i])) m[i] = 1;
    this.members = m;
  }

  private async connectPhase(spec: RampOptions): Promise<void> {
    const ramp = await this.group.ramp(this.group.unconnected(), spec, (c, intended) => this.group.connect(c, intended));
    this.counts.connectMissed += ramp.missed;
  }

  /**
   * createRoom once per room: a room is created by the shard that holds its first client (room
   * r's clients start at roomStart[r]; room-plan.ts's shardOf says where that one lives), through that shard's
   * first open member of the room. The parent runs the create step as a barrier before any join,
   * so members in other shards join a room that exists. If none of the owning shard's members of
   * a room is open, the room is not created and its joins fail (counted as join failures).
   */
  private createsRoom(room: number): boolean {
    const { plan, shards, shard } = this.init;
    return shardOf(plan.roomStart[room], plan.clients, shards) === shard;
  }

  private dropPhase(ids: Int32Array): void {
    for (const id of ids) {
      if (id < this.first || id >= this.end) continue;
      const c = this.group.clients[this.indexOf(id)];
      if (c && this.group.drop(c)) this.counts.dropped++;
    }
  }

  // --- what happened ------------------------------------------------------------------------

  opened(c: SimClient): void {
    this.counts.connects++;
    const us = toMicros(now() - c.connectIntended);
    this.recorder.record('connect', us);
    const protocol = c.ws?.protocol;
    if (protocol === CONNECT_COLD_SUBPROTOCOL) this.recorder.record('connectCold', us);
    else if (protocol === CONNECT_WARM_SUBPROTOCOL) this.recorder.record('connectWarm', us);
  }

  joinedOnConnect(): void {
    this.counts.joins++;
  }

  /** A fire-and-forget send: settled as if answered at its intended time, with no claim of whom it reached. */
  unanswerable(_c: SimClient, slot: number, intended: number): void {
    this.sends.push6(SEND_ACK, slot, intended, NO_CLAIM, 0, 0);
  }

  connectFailed(_c: SimClient, kind: string): void {
    this.counts.connectFailures++;
    this.error(kind);
  }

  joinDone(_c: SimClient, intended: number, ok: boolean): void {
    if (ok) {
      this.counts.joins++;
      // a join nothing answers has no latency: its "done" is only the frame going out
      if (this.group.wire.joinAnswered) this.recorder.record('join', toMicros(now() - intended));
    } else {
      this.counts.joinFailures++;
    }
  }

  /** The hot path: one call per member per message. */
  delivered(c: SimClient, p: Probe, t: number, data: Buffer | undefined, messageId: string | undefined): void {
    this.counts.delivered++;
    const seen = this.group.deliveryOrder(c, p);
    if (seen === SEEN_DUPLICATE) {
      this.counts.duplicates++;
      return;
    }
    if (seen === SEEN_OUT_OF_ORDER) this.counts.outOfOrder++;
    if (!this.tally.add(p.origin, p.slot, t)) {
      this.counts.unexpected++;
      return;
    }
    this.book.add(this.indexOf(c.id), p.sender, p.seq, t);
    const us = toMicros(t - p.intended);
    this.recorder.record(p.cold ? 'broadcastCold' : 'broadcastWarm', us);
    this.deliveries.push3(p.origin, p.slot, us);
    if (p.sender === c.id && p.origin === this.init.shard) this.group.ownCopy(c, p.slot, data, messageId);
  }

  handshakeSettled(c: SimClient, intended: number, openedAt: number): void {
    this.trace.push8(TRACE_CONNECT, c.id, c.connection, 0, 0, intended, openedAt, -1);
  }

  frameSettled(c: SimClient, connection: number, frame: number, what: number, intended: number, doneMs: number, slot: number): void {
    this.trace.push8(TRACE_FRAME, c.id, connection, frame, what, intended, doneMs, slot);
  }

  closed(c: SimClient): void {
    this.closedAtMs[this.indexOf(c.id)] = now();
  }

  wentAway(c: SimClient): void {
    this.counts.wentAway++;
    this.away.push4(c.id, c.room, c.awaySince, 0);
  }

  cameBack(c: SimClient, awaySince: number): void {
    const t = now();
    this.counts.reconnects++;
    this.recorder.record('reconnect', toMicros(t - awaySince));
    this.away.push4(c.id, c.room, awaySince, t);
  }

  /** counted, not an error: the client backs off and tries again (gaveUp is where it stops) */
  reconnectFailed(): void {
    this.counts.reconnectFailures++;
  }

  gaveUp(): void {
    this.counts.gaveUp++;
  }

  unreadableDelivery(): void {
    this.counts.unexpected++;
  }

  acked(m: Matched): void {
    this.counts.acked++;
    this.recorder.record('ack', toMicros(m.ack.at - m.send.intended));
    this.sends.push6(SEND_ACK, m.send.slot, m.ack.at, m.ack.recipients, m.ack.gone, 0);
  }

  failed(s: PendingSend, at: number, cutOff = false): void {
    this.counts.failed++;
    this.sends.push6(SEND_FAIL, s.slot, at, 0, 0, cutOff ? 1 : 0);
  }

  error(kind: string): void {
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
