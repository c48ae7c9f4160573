import { observe, SEEN_NEW, type Seen } from '../metrics/measurement/order-tracker.ts';
import { NO_WINDOW, OrderWindows } from './order-windows.ts';
import { publisherId } from './publish-probe.ts';
import { NO_CLAIM } from '../metrics/measurement/delivery-ledger.ts';
import { encodeProbe } from '../../common/probe-text.ts';
import { decodeProbe, newProbe, scanMessageId, type Probe } from './protocols/chat-v1.ts';
import { chatV1Wire } from './protocols/chat-v1-wire.ts';
import type { WireProtocol } from './protocols/wire-protocol.ts';
import { CONNECTING, DROPPED, OPEN, SimClient, makeConnector, type Connector, type ConnectorOptions, type ControlKind, type PendingControl } from './client.ts';
import { now } from '../clock.ts';
import type { Matched, PendingSend } from './pending-sends.ts';
import { Ramp, type RampOptions, type RampStart } from './ramp.ts';
import { isSender, type RoomPlan } from './room-plan.ts';
import { laneCount, OpenModelTicker, scheduleFor, slotCount, type Lane } from './schedule.ts';
import { backoffDelay } from './reconnect-backoff.ts';
import { FRAME_CREATE, FRAME_JOIN, FRAME_KEEPALIVE, FRAME_SEND } from '../metrics/measurement/trace-records.ts';
import type { ReconnectPolicy } from '../contracts/scenario-schema.ts';

/** How often handshakes, pending acks, joins and orphan acks are checked against their timeouts. */
const SWEEP_MS = 250;
/** How long closing waits for close handshakes before terminating what is left. */
const CLOSE_GRACE_MS = 2000;

export interface ClientGroupOptions {
  /** the clients this group plays (its owner's share of the plan) */
  clients: SimClient[];
  /** who is in which room (every room, whether or not this group holds its members) */
  plan: RoomPlan;
  /** room r is named `${roomPrefix}${r}` */
  roomPrefix: string;
  /** per room: most senders any send phase uses (sizes the per-receiver order windows) */
  maxSendersPerRoom: ArrayLike<number>;
  /** the origin every probe this group sends carries */
  origin: number;
  ackTimeoutMs: number;
  /** the handshake's timeout and source address; its URL, token and cold flag make chat-v1's handshake when `wire` is not given */
  connector: ConnectorOptions;
  /** the protocol the clients speak (default: chat-v1 from `connector`) */
  wire?: WireProtocol;
  /** clients the server closes come back (undefined: they stay closed) */
  reconnect?: ReconnectPolicy;
  /** an open client that sent nothing this long sends the protocol's keep-alive frame */
  keepAliveMs?: number;
}

export interface SendPhaseSpec {
  /** epoch ms of the first slot */
  startAt: number;
  durationMs: number;
  /** messages per second: of the whole schedule when `lane` is given, else from this group's senders */
  rate: number;
  /** this group's share of a schedule split between groups (schedule.ts) */
  lane?: Lane;
  /** per room: its members that send (rank below this) */
  sendersPerRoom: ArrayLike<number>;
  payloadBytes: number;
}

/** What a send slot means to the group's books, besides the frame it sends. */
export interface SendSlotHooks {
  /** a slot came due */
  due(): void;
  /**
   * it came due with no open, joined sender, nor member of a sender's room to stand in for one;
   * `why` is the first sender's reason (notReadyWhy)
   */
  skipped(why: string): void;
  /**
   * `standIn`, an open, joined member of `sender`'s room, sends in its place from now on in this
   * phase, `sender` being not ready for `why` (notReadyWhy); said once per pair and phase
   */
  stoodIn(sender: SimClient, standIn: SimClient, why: string): void;
  /** the slot number of the message c sends for it (`missed`: the slot fired late) */
  slot(c: SimClient, intended: number, missed: boolean): number;
  /** the message is on the wire: `seq` is its number among c's messages (in its probe) */
  sent(c: SimClient, slot: number, intended: number, seq: number): void;
}

/**
 * What a client group tells its owner, a harness shard (shard.ts) or the Artillery engine's player,
 * to record: each thing that happened to its clients. The optional ones are said only to an owner
 * that listens. Called on the group's hot path (`delivered`: once per member per message), so an
 * owner answers at once and copies what outlives the call.
 */
export interface ClientGroupEvents {
  /** c's socket opened (the group's `open` already counts it) */
  opened(c: SimClient): void;
  /** c's connect failed: `kind` is the error kind, e.g. "handshake:429" */
  connectFailed(c: SimClient, kind: string): void;
  /** c's joinRoom was answered (`ok`), or failed, timed out or lost its socket */
  joinDone(c: SimClient, intended: number, ok: boolean): void;
  /** The hot path: one call per member per message, `p` read from the frame (reused: copy what outlives the call). */
  delivered(c: SimClient, p: Probe, t: number, data: Buffer | undefined, messageId: string | undefined): void;
  /** a delivery frame whose payload is not a probe */
  unreadableDelivery(c: SimClient): void;
  acked(m: Matched): void;
  /** s failed: answered with an error, timed out, or lost its socket (`cutOff`: a close its sender reconnects from) */
  failed(s: PendingSend, at: number, cutOff?: boolean): void;
  /** an error the clients met, by kind ("close:1006", "timeout:ack", an error frame's) */
  error(kind: string): void;
  /** a socket that had opened closed, dropped ones included (`open` already counts it out) */
  closed?(c: SimClient, code: number): void;
  /** c became a member by connecting (membership connect or all) */
  joinedOnConnect?(c: SimClient): void;
  /** the server closed c (`code`) and it will reconnect: it is away from `c.awaySince` */
  wentAway?(c: SimClient, code: number): void;
  /** c is a member again after `awaySince` (epoch ms): reconnected and, where the protocol joins, re-joined */
  cameBack?(c: SimClient, awaySince: number): void;
  /** a reconnect attempt of c failed (`kind`: the connect's error kind, or "close:<code>" during its re-join) */
  reconnectFailed?(c: SimClient, kind: string): void;
  /** c failed its policy's maxAttempts in a row and stays away */
  gaveUp?(c: SimClient): void;
  /**
   * A fire-and-forget send (the protocol has no ack) is on the wire: nothing will answer it, so
   * it is settled from its intended time (an owner that keeps a ledger records that).
   */
  unanswerable?(c: SimClient, slot: number, intended: number): void;
  /**
   * A handshake of c (its connection `c.connection`) opened at `openedAt` (epoch ms) or failed
   * (0); `intended` is when it was meant to start. Every handshake says it once, reconnects too.
   */
  handshakeSettled?(c: SimClient, intended: number, openedAt: number): void;
  /**
   * A frame c wrote is settled: number `frame` (from 1) of the frames written on its connection
   * `connection`, in the order they went on the wire, every frame counted; `what` a FRAME_* kind
   * (trace-records.ts); `doneMs` the epoch ms its answer came (0: none timed: unanswered, failed,
   * or a frame nothing answers); `slot` a send's (-1 for others). Said once per frame written,
   * when its answer came or it can have none; a frame that never went on the wire is not said.
   */
  frameSettled?(c: SimClient, connection: number, frame: number, what: number, intended: number, doneMs: number, slot: number): void;
}

/**
 * The simulated clients one process plays, and everything they do the same way wherever they
 * run: open sockets on a ramp, create and join rooms, send on the open-model schedule, read every
 * frame (deliveries on the fast path), match acks to sends, time out what is unanswered, drop
 * members without a close frame, and close. Its owner (a harness shard, the Artillery engine's
 * player) runs the phases and records what the group tells it (ClientGroupEvents).
 */
export class ClientGroup {
  readonly clients: SimClient[];
  readonly plan: RoomPlan;
  readonly origin: number;
  readonly wire: WireProtocol;
  private readonly events: ClientGroupEvents;
  /** sockets open now */
  private openSockets = 0;
  /**
   * Bytes of the WebSocket messages received since the owner last took them: what the API sent
   * out to these clients (AWS charges no data transfer on WebSocket APIs; a price file's transfer
   * price applies to it).
   */
  private bytesReceived = 0;
  private stopRequested = false;
  private closing = false;
  private readonly probe: Probe = newProbe();
  private readonly maxSendersPerRoom: ArrayLike<number>;
  private readonly ackTimeoutMs: number;
  private active: { stop(): void } | undefined;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly connector: Connector;
  /** per room: its name */
  private readonly roomNames: string[] = [];
  /** per room: its members here, by rank (membersOf) */
  private roomMembers: Map<number, SimClient[]> | undefined;
  /** the protocol's delivery scanner, held directly: the hot path calls it once per delivery */
  private readonly scan: (buf: Buffer, out: Probe) => boolean;
  private readonly reconnect: ReconnectPolicy | undefined;
  private readonly keepAliveMs: number;
  /** reconnect attempts waiting out their backoff */
  private readonly backoffTimers = new Set<NodeJS.Timeout>();
  /** where the clients' order windows come from (made on a client's first delivery) */
  private readonly orderWindows = new OrderWindows();
  /**
   * The clients the sweep looks at: connecting, or with a send or control frame unanswered. The
   * sweep runs 4 times a second, and visiting every held client each time cost a shard of 16,600
   * idle clients more CPU than its deliveries at launch scale (bench/RESULTS.md, "Launch scale").
   */
  private readonly watched = new Set<SimClient>();

  constructor(o: ClientGroupOptions, events: ClientGroupEvents) {
    this.clients = o.clients;
    this.events = events;
    this.plan = o.plan;
    this.origin = o.origin;
    this.maxSendersPerRoom = o.maxSendersPerRoom;
    this.ackTimeoutMs = o.ackTimeoutMs;
    for (let r = 0; r < o.plan.rooms; r++) this.roomNames.push(`${o.roomPrefix}${r}`);
    const wire = (this.wire = o.wire ?? chatV1Wire({ url: o.connector.url, token: o.connector.token, askColdFlag: o.connector.askColdFlag, run: '' }));
    this.scan = wire.scan;
    this.reconnect = o.reconnect;
    this.keepAliveMs = o.keepAliveMs !== undefined && wire.keepAliveFrame !== undefined ? o.keepAliveMs : 0;
    const memberOnConnect = wire.membership !== 'join';
    this.connector = makeConnector(
      {
        onOpen: (c) => {
          this.openSockets++;
          const t = now();
          c.lastSentAt = t;
          this.events.handshakeSettled?.(c, handshakeIntended(c), t);
          if (c.awaySince > 0) {
            this.reopened(c, memberOnConnect);
            this.connectSettled(c);
            return;
          }
          this.events.opened(c);
          // membership connect/all: the handshake made it a member
          if (memberOnConnect) {
            c.joined = true;
            this.events.joinedOnConnect?.(c);
          }
          this.connectSettled(c);
        },
        onConnectFailed: (c, kind) => {
          this.events.handshakeSettled?.(c, handshakeIntended(c), 0);
          if (c.awaySince > 0) {
            this.events.reconnectFailed?.(c, kind);
            this.retry(c);
            this.connectSettled(c);
            return;
          }
          this.events.connectFailed(c, kind);
          this.connectSettled(c);
        },
        onFrame: (c, data) => this.onFrame(c, data),
        onClose: (c, code) => this.onClose(c, code),
      },
      {
        timeoutMs: o.connector.timeoutMs,
        localAddress: o.connector.localAddress,
        handshake: (c) => wire.handshake(this.roomNames[c.room], c.id, c.connection),
      },
    );
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
  }

  /** Sockets open now. */
  get open(): number {
    return this.openSockets;
  }

  /** Whether stop() (or close()) was called: ramps and schedules end, sends stop. */
  get stopping(): boolean {
    return this.stopRequested;
  }

  /** The bytes received since the last call (the WebSocket messages' data). */
  takeBytesReceived(): number {
    const n = this.bytesReceived;
    this.bytesReceived = 0;
    return n;
  }

  // --- phases ---------------------------------------------------------------------------------

  /** Opens c's socket; resolves once it opened or failed. */
  connect(c: SimClient, intended: number): Promise<void> {
    return new Promise<void>((resolve) => {
      c.connectIntended = intended;
      c.connectDone = resolve;
      this.watched.add(c);
      this.connector.connect(c);
    });
  }

  /** The clients with no socket open or opening. */
  unconnected(): SimClient[] {
    return this.clients.filter((c) => c.state !== OPEN && c.state !== CONNECTING);
  }

  /** Starts every item on the ramp `spec` (stopped by stop()); resolves with it once they finished. */
  async ramp<T>(items: readonly T[], spec: RampOptions, start: RampStart<T>): Promise<Ramp<T>> {
    const ramp = new Ramp(items, spec, start);
    await this.runActive(ramp, ramp.run());
    return ramp;
  }

  /**
   * The clients that create the rooms `owns` says this group creates: for each, its first open
   * member here. A room none of whose members here is open is not created (its joins fail).
   */
  roomCreators(owns: (room: number) => boolean): SimClient[] {
    if (!this.wire.createsRooms) return [];
    const seen = new Set<number>();
    const out: SimClient[] = [];
    for (const c of this.clients) {
      if (c.state !== OPEN || seen.has(c.room) || !owns(c.room)) continue;
      seen.add(c.room);
      out.push(c);
    }
    return out;
  }

  async controlPhase(kind: ControlKind, list: SimClient[], spec: RampOptions): Promise<void> {
    await this.ramp(list, spec, (c, intended) => this.control(c, kind, intended));
    // fire-and-forget joins: give the target the protocol's settle time to take the last of them
    if (kind === 'join' && !this.wire.joinAnswered && list.length > 0 && !this.stopRequested) await sleep(this.wire.joinSettleMs);
  }

  /** The open clients that have not joined their room. */
  notJoined(): SimClient[] {
    return this.clients.filter((c) => c.state === OPEN && !c.joined);
  }

  private control(c: SimClient, kind: ControlKind, intended: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (c.state !== OPEN || !c.ws) {
        resolve();
        return;
      }
      this.sendControl(c, c.ws, {
        kind,
        intended,
        startedAt: now(),
        done: (ok) => {
          c.control = undefined;
          if (kind === 'join') {
            if (ok) c.joined = true;
            this.events.joinDone(c, intended, ok);
          }
          resolve();
        },
      });
    });
  }

  /**
   * Sends c's create or join frame and awaits its answer as `control` (the sweep times it out);
   * a join nothing answers is done as it goes out.
   */
  private sendControl(c: SimClient, ws: NonNullable<SimClient['ws']>, control: PendingControl): void {
    c.control = control;
    this.watched.add(c);
    c.lastSentAt = control.startedAt;
    const room = this.roomNames[c.room];
    const create = control.kind === 'create';
    const frame = this.write(c, ws, create ? this.wire.createFrame(room) : this.wire.joinFrame(room, c.id));
    const answered = create || this.wire.joinAnswered;
    if (frame > 0) {
      // traced once, when it is done: answered (timed where the protocol answers it) or not
      const connection = c.connection;
      const done = control.done;
      let settled = false;
      control.done = (ok) => {
        if (!settled) {
          settled = true;
          this.events.frameSettled?.(c, connection, frame, create ? FRAME_CREATE : FRAME_JOIN, control.intended, ok && answered ? now() : 0, -1);
        }
        done(ok);
      };
    }
    if (!answered) control.done(true);
  }

  /** Writes `data` on c's connection; its number among the frames written there, or 0 when it could not go out. */
  private write(c: SimClient, ws: NonNullable<SimClient['ws']>, data: string): number {
    return ws.send(data) ? ++c.frames : 0;
  }

  /**
   * Sends on the open-model schedule: each slot goes to the next sender round-robin, stamped with
   * its intended time. A sender that is not open and joined (its connect failed, its socket closed,
   * its join failed, it was dropped) has an open, joined member of its room here stand in for it,
   * so that one failed connect does not take a room's messages away (standInFor); with none, the
   * slot goes to the next sender, and is skipped when no sender has anyone to send it.
   */
  async sendPhase(spec: SendPhaseSpec, hooks: SendSlotHooks): Promise<void> {
    const senders = this.clients.filter((c) => isSender(this.plan, c.id, spec.sendersPerRoom));
    const all = slotCount(spec.durationMs, spec.rate);
    const count = senders.length === 0 ? 0 : spec.lane ? laneCount(all, spec.lane) : all;
    const acks = this.wire.acksSends;
    const standIns = new Map<SimClient, SimClient>();
    let rr = 0;
    const ticker = new OpenModelTicker({ ...scheduleFor(spec.startAt, spec.rate, count), ...(spec.lane ? { lane: spec.lane } : {}) }, (_k, intended, missed) => {
      hooks.due();
      let c: SimClient | undefined;
      const first = senders[rr];
      for (let tries = 0; tries < senders.length; tries++) {
        const x = senders[rr];
        rr = rr + 1 === senders.length ? 0 : rr + 1;
        if (ready(x)) {
          c = x;
          break;
        }
        const y = this.standInFor(x, spec.sendersPerRoom, standIns);
        if (y) {
          if (standIns.get(x) !== y) {
            standIns.set(x, y);
            hooks.stoodIn(x, y, notReadyWhy(x));
          }
          c = y;
          break;
        }
      }
      if (!c || !c.ws) {
        hooks.skipped(first ? notReadyWhy(first) : 'no sender');
        return;
      }
      const slot = hooks.slot(c, intended, missed);
      const seq = c.seq++;
      const probe = encodeProbe({ origin: this.origin, slot, sender: c.id, seq, intended }, spec.payloadBytes);
      const frame = this.write(c, c.ws, this.wire.sendFrame(this.roomNames[c.room], c.id, probe));
      const t = now();
      c.lastSentAt = t;
      if (acks) {
        c.sends.add(slot, intended, t, c.connection, frame);
        this.watched.add(c);
      }
      hooks.sent(c, slot, intended, seq);
      if (!acks) {
        if (frame > 0) this.events.frameSettled?.(c, c.connection, frame, FRAME_SEND, intended, 0, slot);
        this.events.unanswerable?.(c, slot, intended);
      }
    });
    await this.runActive(ticker, ticker.start());
  }

  /**
   * Who sends for `sender` while it is not ready: the one already standing in for it while that one
   * is ready, else the first ready member of its room here by rank (the room plan's order, fixed by
   * the seed, so repeats pick alike) that sends for no one yet, members that are not senders
   * first; else the first ready member standing in for another; undefined when none is ready.
   * A stand-in's messages carry its own id: receivers do not check their order (order-tracker.ts
   * follows a room's first senders only).
   */
  private standInFor(sender: SimClient, sendersPerRoom: ArrayLike<number>, standIns: Map<SimClient, SimClient>): SimClient | undefined {
    const current = standIns.get(sender);
    if (current && ready(current)) return current;
    const members = this.membersOf(sender.room);
    const busy = new Set(standIns.values());
    const isSenderHere = (c: SimClient) => isSender(this.plan, c.id, sendersPerRoom);
    return (
      members.find((c) => ready(c) && !isSenderHere(c) && !busy.has(c)) ??
      members.find((c) => ready(c) && c !== sender && !busy.has(c)) ??
      members.find((c) => ready(c) && c !== sender)
    );
  }

  /** The members of `room` this group holds, by their rank in it (made once, on first need). */
  membersOf(room: number): SimClient[] {
    this.roomMembers ??= this.byRoom();
    return this.roomMembers.get(room) ?? [];
  }

  private byRoom(): Map<number, SimClient[]> {
    const out = new Map<number, SimClient[]>();
    for (const c of this.clients) {
      const list = out.get(c.room);
      if (list) list.push(c);
      else out.set(c.room, [c]);
    }
    for (const list of out.values()) list.sort((a, b) => this.plan.rankInRoom[a.id] - this.plan.rankInRoom[b.id]);
    return out;
  }

  /**
   * Drops c without a close frame (terminate(), the way a phone loses its network); false when it
   * was not open. Its socket's close comes later, through closed().
   */
  drop(c: SimClient): boolean {
    if (c.state !== OPEN) return false;
    c.state = DROPPED;
    c.joined = false;
    this.failAll(c);
    c.ws?.terminate();
    return true;
  }

  /** Waits until no client has a send or control frame waiting for its answer, at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = now() + timeoutMs;
    while (!this.stopRequested && now() < deadline) {
      let pending = 0;
      for (const c of this.clients) pending += (c.pending?.size ?? 0) + (c.control ? 1 : 0);
      if (pending === 0) return;
      await sleep(50);
    }
  }

  /** Per room: this group's clients that are open and joined (a member the target must reach). */
  membersByRoom(): Int32Array {
    const out = new Int32Array(this.plan.rooms);
    for (const c of this.clients) if (ready(c)) out[c.room]++;
    return out;
  }

  private async runActive(active: { stop(): void }, done: Promise<void>): Promise<void> {
    this.active = active;
    if (this.stopRequested) active.stop();
    try {
      await done;
    } finally {
      if (this.active === active) this.active = undefined;
    }
  }

  /** Interrupt: stop ramps and schedules now; sockets stay open. */
  stop(): void {
    this.stopRequested = true;
    this.active?.stop();
  }

  /** Close every socket with a close frame (terminate what does not finish in time). */
  async close(): Promise<void> {
    this.stop();
    this.closing = true;
    clearInterval(this.sweepTimer);
    for (const t of this.backoffTimers) clearTimeout(t);
    this.backoffTimers.clear();
    for (const c of this.clients) if (c.state === OPEN || c.state === CONNECTING) c.ws?.close(1000);
    const deadline = now() + CLOSE_GRACE_MS;
    while (this.openSockets > 0 && now() < deadline) await sleep(20);
    for (const c of this.clients) if (c.ws && !c.ws.closed) c.ws.terminate();
  }

  // --- frames -------------------------------------------------------------------------------

  private connectSettled(c: SimClient): void {
    const done = c.connectDone;
    c.connectDone = undefined;
    done?.();
  }

  private onFrame(c: SimClient, data: Buffer): void {
    const t = now();
    this.bytesReceived += data.length;
    const p = this.probe;
    if (this.scan(data, p)) {
      this.events.delivered(c, p, t, data, undefined);
      return;
    }
    const f = this.wire.answer(data, { join: c.control?.kind === 'join', ack: (c.pending?.size ?? 0) > 0 });
    switch (f.kind) {
      case 'delivery':
        if (decodeProbe(f.payload, f.cold, p)) this.events.delivered(c, p, t, undefined, f.messageId);
        else this.events.unreadableDelivery(c);
        return;
      case 'sent': {
        if (!this.wire.acksCount) {
          // an ack that names no message and counts no one: it answers the oldest send still waiting
          const send = c.pending?.takeOldest();
          if (send) this.settleAcked(c, { send, ack: { messageId: '', recipients: NO_CLAIM, gone: 0, at: t } });
          return;
        }
        const m = c.sends.onAck({ messageId: f.messageId, recipients: f.recipients, gone: f.gone, at: t });
        if (m) this.settleAcked(c, m);
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

  /**
   * Duplicate and order check of a delivery to c (order-tracker.ts), for a sender of c's room
   * among its first maxSendersPerRoom; SEEN_NEW for anyone else (not tracked).
   */
  deliveryOrder(c: SimClient, p: Probe): Seen {
    const sender = p.sender;
    const { plan } = this;
    // the harness's publishes: one sender, numbered by slot (publish-probe.ts)
    if (sender === publisherId(plan.clients)) {
      if (c.publishOrder === NO_WINDOW) c.publishOrder = this.orderWindows.take(1);
      return observe(this.orderWindows.pool, c.publishOrder, 1, 0, p.seq);
    }
    if (sender < plan.clients && plan.roomOf[sender] === c.room) {
      const rank = plan.rankInRoom[sender];
      const senders = this.maxSendersPerRoom[c.room];
      if (rank < senders) {
        if (c.order === NO_WINDOW) c.order = this.orderWindows.take(senders);
        return observe(this.orderWindows.pool, c.order, senders, rank, p.seq);
      }
    }
    return SEEN_NEW;
  }

  /** c's own copy of its message `slot`, carrying the messageId its ack names (the ack may have come first). */
  ownCopy(c: SimClient, slot: number, data: Buffer | undefined, messageId: string | undefined): void {
    if (!c.pending || c.pending.size === 0 || !this.wire.ownCopyIds) return;
    const id = messageId ?? (data ? scanMessageId(data) : undefined);
    if (id) {
      const { matched, failInstead } = c.pending.onOwnCopy(slot, id);
      if (failInstead) this.settleFailed(c, failInstead, now());
      if (matched) this.settleAcked(c, matched);
    }
  }

  private onErrorFrame(c: SimClient, kind: string, action: string | undefined): void {
    this.events.error(kind);
    const isControl = action === 'createRoom' || action === 'joinRoom';
    if (c.control && (isControl || (action === undefined && !c.pending?.size))) {
      c.control.done(false);
      return;
    }
    if (action === undefined || action === 'sendMessage') {
      const s = c.pending?.failOldest();
      if (s) this.settleFailed(c, s, now());
    }
  }

  private onClose(c: SimClient, code: number): void {
    this.openSockets--;
    c.joined = false;
    const comesBack = this.reconnect !== undefined && c.state !== DROPPED && !this.closing && !this.stopRequested;
    if (c.state !== DROPPED && !this.closing) {
      c.failure = `close:${code}`;
      // a close the client reconnects from is counted as such (wentAway), not as an error
      if (!comesBack) this.events.error(c.failure);
    }
    this.failAll(c, comesBack);
    this.events.closed?.(c, code);
    if (!comesBack) return;
    if (c.awaySince > 0) {
      // closed during its re-join: the attempt failed
      this.events.reconnectFailed?.(c, `close:${code}`);
    } else {
      c.awaySince = now();
      c.attempts = 0;
      this.events.wentAway?.(c, code);
    }
    this.retry(c);
  }

  // --- reconnects ---------------------------------------------------------------------------

  /** The next reconnect attempt of c after its backoff, or it gives up after the policy's maxAttempts. */
  private retry(c: SimClient): void {
    const p = this.reconnect!;
    if (this.closing || this.stopRequested) return;
    if (p.maxAttempts !== undefined && c.attempts >= p.maxAttempts) {
      this.events.gaveUp?.(c);
      return;
    }
    const timer = setTimeout(() => {
      this.backoffTimers.delete(timer);
      // a connect phase may have reconnected it meanwhile
      if (this.closing || this.stopRequested || c.state === OPEN || c.state === CONNECTING) return;
      this.watched.add(c);
      this.connector.connect(c);
    }, backoffDelay(p, c.attempts++, Math.random()));
    this.backoffTimers.add(timer);
  }

  /**
   * c's reconnect opened: it re-joins its room the protocol's way, then it is back. Where rooms are
   * created (chat-v1), it creates its room first (idempotent): the room may have gone with its
   * last member while everyone was away.
   */
  private reopened(c: SimClient, memberOnConnect: boolean): void {
    if (memberOnConnect) {
      this.back(c);
      return;
    }
    const join = () => this.rejoinStep(c, 'join', () => this.back(c));
    if (this.wire.createsRooms) this.rejoinStep(c, 'create', join);
    else join();
  }

  /** One frame of a re-join, its answer awaited as a join's is; a failure closes the socket (a failed attempt, onClose). */
  private rejoinStep(c: SimClient, kind: ControlKind, next: () => void): void {
    if (c.state !== OPEN || !c.ws) return;
    const startedAt = now();
    this.sendControl(c, c.ws, {
      kind,
      intended: startedAt,
      startedAt,
      done: (ok) => {
        c.control = undefined;
        if (ok) next();
        else c.ws?.close(1000);
      },
    });
  }

  private back(c: SimClient): void {
    const since = c.awaySince;
    c.awaySince = 0;
    c.attempts = 0;
    c.joined = true;
    c.failure = undefined;
    this.events.cameBack?.(c, since);
  }

  private failAll(c: SimClient, cutOff = false): void {
    const t = now();
    if (c.pending) for (const s of c.pending.clear()) this.settleFailed(c, s, t, cutOff);
    c.control?.done(false);
  }

  /** A send answered: traced with its ack's time, then the owner's acked(). */
  private settleAcked(c: SimClient, m: Matched): void {
    this.traceSend(c, m.send, m.ack.at);
    this.events.acked(m);
  }

  /** A send failed: traced unanswered, then the owner's failed(). */
  private settleFailed(c: SimClient, s: PendingSend, at: number, cutOff = false): void {
    this.traceSend(c, s, 0);
    this.events.failed(s, at, cutOff);
  }

  /**
   * A send's frame, traced once: an error frame's guess can fail a send whose own copy later
   * shows it accepted (pending-sends.ts), and its ack then settles it again; the first settles its trace.
   */
  private traceSend(c: SimClient, s: PendingSend, doneMs: number): void {
    if (s.frame === 0) return;
    this.events.frameSettled?.(c, s.connection, s.frame, FRAME_SEND, s.intended, doneMs, s.slot);
    s.frame = 0;
  }

  private sweep(): void {
    const t = now();
    const keepAlive = this.keepAliveMs;
    // keep-alives are owed by every open client: with them on, the sweep visits all
    if (keepAlive > 0) {
      for (const c of this.clients) {
        if (c.state === OPEN && t - c.lastSentAt >= keepAlive && c.ws) {
          c.lastSentAt = t;
          const frame = this.write(c, c.ws, this.wire.keepAliveFrame!);
          if (frame > 0) this.events.frameSettled?.(c, c.connection, frame, FRAME_KEEPALIVE, t, 0, -1);
        }
      }
    }
    const ackTimeoutMs = this.ackTimeoutMs;
    for (const c of this.watched) {
      if (c.state === CONNECTING) this.connector.expire(c, t);
      if (c.pending && c.pending.size > 0) {
        const { matched, expired } = c.pending.sweep(t, ackTimeoutMs);
        for (const m of matched) this.settleAcked(c, m);
        for (const s of expired) {
          this.events.error('timeout:ack');
          this.settleFailed(c, s, t);
        }
      }
      if (c.control && t - c.control.startedAt > ackTimeoutMs) {
        this.events.error(c.control.kind === 'join' ? (this.wire.createsRooms ? 'timeout:joinRoom' : 'timeout:join') : 'timeout:createRoom');
        c.control.done(false);
      }
      if (c.state !== CONNECTING && !(c.pending && c.pending.size > 0) && !c.control) this.watched.delete(c);
    }
  }
}

/** When c's latest handshake was meant to start: its connect step's slot, or a reconnect's own start. */
function handshakeIntended(c: SimClient): number {
  return c.awaySince > 0 ? c.connectStartedAt : c.connectIntended;
}

/** Open and joined: able to send, and a member the target must reach. */
export function ready(c: SimClient): boolean {
  return c.state === OPEN && c.joined;
}

/** Why c cannot send now: what its connect or socket said, else where it stands. */
export function notReadyWhy(c: SimClient): string {
  if (c.state === DROPPED) return 'dropped';
  if (c.awaySince > 0) return 'reconnecting';
  if (c.state === OPEN) return 'not joined';
  if (c.state === CONNECTING) return 'still connecting';
  return c.failure ?? 'never connected';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
