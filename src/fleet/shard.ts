import { newReceiverOrder, observe, SEEN_DUPLICATE, SEEN_OUT_OF_ORDER } from '../metrics/order-tracker.ts';
import { PackedRecords } from '../metrics/packed-records.ts';
import { ReceiptTally } from '../metrics/receipt-tally.ts';
import { IntervalRecorder } from '../metrics/recorder.ts';
import { SelfWatch } from '../metrics/self-watch.ts';
import {
  createRoomFrame,
  decodeProbe,
  encodeProbe,
  joinRoomFrame,
  newProbe,
  parseControl,
  scanDelivery,
  scanMessageId,
  sendMessageFrame,
  sendMessagePrefix,
  type Probe,
} from './chat-protocol.ts';
import { CONNECTING, DROPPED, OPEN, SimClient, makeConnector, type ControlKind } from './client.ts';
import { now, toMicros } from './clock.ts';
import type { Matched, PendingSend } from './pending-sends.ts';
import { Ramp, type RampOptions } from './ramp.ts';
import { isSender } from './room-plan.ts';
import { OpenModelTicker, scheduleFor, slotCount } from './schedule.ts';
import {
  SEND_ACK,
  SEND_FAIL,
  SEND_RECORD_WIDTH,
  SEND_SENT,
  zeroCounts,
  type ShardInit,
  type ShardPhase,
  type ShardReport,
} from './shard-link.ts';
import { sourceAddressFor } from './source-address.ts';

/** How often pending acks, joins and orphan acks are checked against their timeouts. */
const SWEEP_MS = 250;
/** How long closing waits for close handshakes before terminating what is left. */
const CLOSE_GRACE_MS = 2000;

/**
 * One shard process's share of the fleet: every client c with c % shards == shard. It runs the
 * phases the parent sends, records into interval histograms and per-message tallies, and hands
 * everything over at each flush. Nothing here knows about other shards: the parent merges.
 */
export class Shard {
  private readonly clients: SimClient[] = [];
  private readonly recorder = new IntervalRecorder();
  private readonly tally: ReceiptTally;
  private readonly sends = new PackedRecords(SEND_RECORD_WIDTH, 1024);
  private counts = zeroCounts();
  private errors: Record<string, number> = {};
  private readonly watch = new SelfWatch().start();
  private readonly probe: Probe = newProbe();
  private open = 0;
  private nextSlot = 0;
  private stopping = false;
  private closing = false;
  private active: { stop(): void } | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly connect: (c: SimClient) => void;
  /** per room: its name and the head of its sendMessage frames */
  private readonly roomNames: string[] = [];
  private readonly sendPrefixes: string[] = [];

  constructor(private readonly init: ShardInit) {
    const { plan, shard, shards, roomPrefix } = init;
    this.tally = new ReceiptTally(shards);
    for (let r = 0; r < plan.rooms; r++) {
      this.roomNames.push(`${roomPrefix}${r}`);
      this.sendPrefixes.push(sendMessagePrefix(this.roomNames[r]));
    }
    for (let id = shard; id < plan.clients; id += shards) this.clients.push(new SimClient(id, plan.roomOf[id]));
    this.connect = makeConnector(
      {
        onOpen: (c) => {
          this.open++;
          this.counts.connects++;
          this.recorder.record('connect', toMicros(now() - c.connectIntended));
          this.connectSettled(c);
        },
        onConnectFailed: (c, kind) => {
          this.counts.connectFailures++;
          this.error(kind);
          this.connectSettled(c);
        },
        onFrame: (c, data) => this.onFrame(c, data),
        onClose: (c, code) => this.onClose(c, code),
      },
      {
        url: init.targetUrl,
        token: init.token,
        timeoutMs: init.connectTimeoutMs,
        localAddress: (c) => sourceAddressFor(c.id, init.clientsPerSourceAddress),
      },
    );
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
  }

  private connectSettled(c: SimClient): void {
    const done = c.connectDone;
    c.connectDone = undefined;
    done?.();
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
        return this.controlPhase('create', this.roomCreators(), phase);
      case 'join':
        await this.controlPhase(
          'join',
          this.clients.filter((c) => c.state === OPEN && !c.joined),
          phase,
        );
        return compactHeap();
      case 'send':
        return this.sendPhase(phase);
      case 'drop':
        return this.dropPhase(phase.clients);
      case 'drain':
        return this.drain(phase.timeoutMs);
    }
  }

  /** Per room: this shard's clients that are open and joined (a member the target must reach). */
  membersByRoom(): Int32Array {
    const out = new Int32Array(this.init.plan.rooms);
    for (const c of this.clients) if (c.state === OPEN && c.joined) out[c.room]++;
    return out;
  }

  report(seq: number): ShardReport {
    const r: ShardReport = {
      shard: this.init.shard,
      seq,
      histograms: this.recorder.drain(),
      counts: this.counts,
      errors: this.errors,
      sends: this.sends.take(),
      receipts: this.tally.drain(),
      open: this.open,
      self: this.watch.sample(),
    };
    this.counts = zeroCounts();
    this.errors = {};
    return r;
  }

  /** Interrupt: stop ramps and schedules now; sockets stay for the last flush. */
  stop(): void {
    this.stopping = true;
    this.active?.stop();
  }

  /** Close every socket with a close frame (terminate what does not finish in time). */
  async close(): Promise<void> {
    this.stop();
    this.closing = true;
    clearInterval(this.sweepTimer);
    for (const c of this.clients) if (c.state === OPEN || c.state === CONNECTING) c.ws?.close(1000);
    const deadline = now() + CLOSE_GRACE_MS;
    while (this.open > 0 && now() < deadline) await sleep(20);
    for (const c of this.clients) if (c.ws && c.ws.readyState !== c.ws.CLOSED) c.ws.terminate();
    this.watch.stop();
  }

  // --- phases -------------------------------------------------------------------------------

  private async connectPhase(spec: RampOptions): Promise<void> {
    const list = this.clients.filter((c) => c.state !== OPEN && c.state !== CONNECTING);
    const ramp = new Ramp(list, spec, (c, intended) => {
      return new Promise<void>((resolve) => {
        c.connectIntended = intended;
        c.connectDone = resolve;
        this.connect(c);
      });
    });
    await this.runActive(ramp, ramp.run());
    this.counts.connectMissed += ramp.missed;
  }

  /**
   * createRoom once per room: a room is created by the shard that holds its first client (room
   * r's clients start at roomStart[r]; client c lives in shard c % shards), through that shard's
   * first open member of the room. The parent runs the create step as a barrier before any join,
   * so members in other shards join a room that exists. If none of the owning shard's members of
   * a room is open, the room is not created and its joins fail (counted as join failures).
   */
  private roomCreators(): SimClient[] {
    const { plan, shard, shards } = this.init;
    const seen = new Set<number>();
    const out: SimClient[] = [];
    for (const c of this.clients) {
      if (c.state !== OPEN || seen.has(c.room) || plan.roomStart[c.room] % shards !== shard) continue;
      seen.add(c.room);
      out.push(c);
    }
    return out;
  }

  private async controlPhase(kind: ControlKind, list: SimClient[], spec: RampOptions): Promise<void> {
    const ramp = new Ramp(list, spec, (c, intended) => this.control(c, kind, intended));
    await this.runActive(ramp, ramp.run());
  }

  private control(c: SimClient, kind: ControlKind, intended: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (c.state !== OPEN || !c.ws) {
        resolve();
        return;
      }
      c.control = {
        kind,
        intended,
        startedAt: now(),
        done: (ok) => {
          c.control = undefined;
          if (kind === 'join') {
            if (ok) {
              c.joined = true;
              this.counts.joins++;
              this.recorder.record('join', toMicros(now() - intended));
            } else {
              this.counts.joinFailures++;
            }
          }
          resolve();
        },
      };
      const room = this.roomNames[c.room];
      c.ws.send(kind === 'create' ? createRoomFrame(room) : joinRoomFrame(room));
    });
  }

  private async sendPhase(phase: Extract<ShardPhase, { kind: 'send' }>): Promise<void> {
    const { plan, shard } = this.init;
    const senders = this.clients.filter((c) => isSender(plan, c.id, phase.sendersPerRoom));
    const count = senders.length === 0 ? 0 : slotCount(phase.durationMs, phase.rate);
    let rr = 0;
    const ticker = new OpenModelTicker(scheduleFor(phase.startAt, phase.rate, count), (_k, intended, missed) => {
      this.counts.intended++;
      let c: SimClient | undefined;
      for (let tries = 0; tries < senders.length; tries++) {
        const x = senders[rr];
        rr = rr + 1 === senders.length ? 0 : rr + 1;
        if (x.state === OPEN && x.joined) {
          c = x;
          break;
        }
      }
      if (!c || !c.ws) {
        this.counts.skipped++;
        return;
      }
      if (missed) this.counts.missedSlots++;
      const slot = this.nextSlot++;
      const seq = c.seq++;
      c.ws.send(sendMessageFrame(this.sendPrefixes[c.room], encodeProbe({ origin: shard, slot, sender: c.id, seq, intended }, phase.payloadBytes)));
      c.sends.add(slot, intended, now());
      this.sends.push5(SEND_SENT, slot, intended, phase.phase, c.id);
      this.counts.sent++;
    });
    await this.runActive(ticker, ticker.start());
  }

  private dropPhase(ids: Int32Array): void {
    const { shard, shards } = this.init;
    for (const id of ids) {
      if (id % shards !== shard) continue;
      const c = this.clients[(id - shard) / shards];
      if (!c || c.state !== OPEN) continue;
      c.state = DROPPED;
      c.joined = false;
      this.failAll(c);
      // terminate(): no close frame, the way a phone loses its network.
      c.ws?.terminate();
      this.counts.dropped++;
    }
  }

  private async drain(timeoutMs: number): Promise<void> {
    const deadline = now() + timeoutMs;
    while (!this.stopping && now() < deadline) {
      let pending = 0;
      for (const c of this.clients) pending += (c.pending?.size ?? 0) + (c.control ? 1 : 0);
      if (pending === 0) return;
      await sleep(50);
    }
  }

  private async runActive(active: { stop(): void }, done: Promise<void>): Promise<void> {
    this.active = active;
    if (this.stopping) active.stop();
    try {
      await done;
    } finally {
      if (this.active === active) this.active = undefined;
    }
  }

  // --- frames -------------------------------------------------------------------------------

  private onFrame(c: SimClient, data: Buffer): void {
    const t = now();
    const p = this.probe;
    if (scanDelivery(data, p)) {
      this.onDelivery(c, p, t, data, undefined);
      return;
    }
    const f = parseControl(data.toString('utf8'));
    switch (f.kind) {
      case 'delivery':
        if (decodeProbe(f.payload, f.cold, p)) this.onDelivery(c, p, t, undefined, f.messageId);
        else this.counts.unexpected++;
        return;
      case 'sent': {
        const m = c.sends.onAck({ messageId: f.messageId, recipients: f.recipients, gone: f.gone, at: t });
        if (m) this.acked(m);
        return;
      }
      case 'joined':
        if (c.control?.kind === 'join') c.control.done(true);
        return;
      case 'roomCreated':
        if (c.control?.kind === 'create') c.control.done(true);
        return;
      case 'error':
        this.onErrorFrame(c, f.errorKind, f.action);
        return;
      case 'other':
        return;
    }
  }

  /** The hot path: one call per member per message. */
  private onDelivery(c: SimClient, p: Probe, t: number, data: Buffer | undefined, messageId: string | undefined): void {
    this.counts.delivered++;
    const { plan, maxSendersPerRoom } = this.init;
    const sender = p.sender;
    if (sender < plan.clients && plan.roomOf[sender] === c.room) {
      const rank = plan.rankInRoom[sender];
      const senders = maxSendersPerRoom[c.room];
      if (rank < senders) {
        const seen = observe((c.order ??= newReceiverOrder(senders)), rank, p.seq);
        if (seen === SEEN_DUPLICATE) {
          this.counts.duplicates++;
          return;
        }
        if (seen === SEEN_OUT_OF_ORDER) this.counts.outOfOrder++;
      }
    }
    if (!this.tally.add(p.origin, p.slot, t)) {
      this.counts.unexpected++;
      return;
    }
    this.recorder.record(p.cold ? 'broadcastCold' : 'broadcastWarm', toMicros(t - p.intended));
    if (sender === c.id && p.origin === this.init.shard && c.pending) {
      const id = messageId ?? (data ? scanMessageId(data) : undefined);
      if (id) {
        const m = c.pending.onOwnCopy(p.slot, id);
        if (m) this.acked(m);
      }
    }
  }

  private acked(m: Matched): void {
    this.counts.acked++;
    this.recorder.record('ack', toMicros(m.ack.at - m.send.intended));
    this.sends.push5(SEND_ACK, m.send.slot, m.ack.at, m.ack.recipients, m.ack.gone);
  }

  private failed(s: PendingSend, at: number): void {
    this.counts.failed++;
    this.sends.push5(SEND_FAIL, s.slot, at, 0, 0);
  }

  private onErrorFrame(c: SimClient, kind: string, action: string | undefined): void {
    this.error(kind);
    const isControl = action === 'createRoom' || action === 'joinRoom';
    if (c.control && (isControl || (action === undefined && !c.pending?.size))) {
      c.control.done(false);
      return;
    }
    if (action === undefined || action === 'sendMessage') {
      const s = c.pending?.failOldest();
      if (s) this.failed(s, now());
    }
  }

  private onClose(c: SimClient, code: number): void {
    this.open--;
    c.joined = false;
    if (c.state !== DROPPED && !this.closing) this.error(`close:${code}`);
    this.failAll(c);
  }

  private failAll(c: SimClient): void {
    const t = now();
    if (c.pending) for (const s of c.pending.clear()) this.failed(s, t);
    c.control?.done(false);
  }

  private sweep(): void {
    const t = now();
    const { ackTimeoutMs } = this.init;
    for (const c of this.clients) {
      if (c.pending && c.pending.size > 0) {
        const { matched, expired } = c.pending.sweep(t, ackTimeoutMs);
        for (const m of matched) this.acked(m);
        for (const s of expired) {
          this.error('timeout:ack');
          this.failed(s, t);
        }
      }
      if (c.control && t - c.control.startedAt > ackTimeoutMs) {
        this.error(c.control.kind === 'join' ? 'timeout:joinRoom' : 'timeout:createRoom');
        c.control.done(false);
      }
    }
  }

  private error(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A connect or join burst grows V8's heap far beyond what the open clients need (~2.6 KB live per
 * client); left alone the slack stays resident for the whole run. One full GC between phases —
 * never while a send phase is measured — hands it back (shards run with --expose-gc).
 */
function compactHeap(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
