import { randomBytes, randomInt } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { COUNTERS as C, HISTOGRAMS as H, PHASE_PREFIX } from '../../../src/artillery-interop/metric-names.ts';
import type { Probe } from '../../../src/fleet/protocols/chat-v1.ts';
import { OPEN, SimClient } from '../../../src/fleet/client.ts';
import { ClientGroup, type ClientGroupEvents } from '../../../src/fleet/client-group.ts';
import { now } from '../../../src/clock.ts';
import { openFilesLimit } from '../../../src/fleet/host-facts.ts';
import { Pauses, playPhases, type PhaseFleet } from '../../../src/fleet/phase-program.ts';
import type { Matched, PendingSend } from '../../../src/fleet/pending-sends.ts';
import type { RampOptions } from '../../../src/fleet/ramp.ts';
import { roomsInOrder } from '../../../src/fleet/room-plan.ts';
import { SEEN_DUPLICATE, SEEN_OUT_OF_ORDER } from '../../../src/metrics/measurement/order-tracker.ts';
import { MIN_REFUSED_ATTEMPTS, refusedConnects } from '../../../src/metrics/measurement/refused-connects.ts';
import type { ConnectToken } from '../../../src/fleet/protocols/connect-token.ts';
import { expectedMembers } from '../../../src/fleet/expected-members.ts';
import { NO_CLAIM } from '../../../src/metrics/measurement/delivery-ledger.ts';
import { Ledger } from './ledger.ts';
import { planWire } from './plan-wire.ts';
import type { WorkerPhase, WorkerPlan } from './plan.ts';
import { WorkerHealth } from './worker-health.ts';

/**
 * One virtual user playing one worker's share of a fanout-bench scenario: the harness's own
 * simulated clients (src/fleet/client-group.ts, as a shard plays them) through the harness's own
 * phase program (src/fleet/phase-program.ts, as `measure` plays it), speaking the plan's protocol
 * (chat-v1 or a described one, plan-wire.ts): connect ramp → createRoom per room (chat-v1), then
 * the join ramp (membership join) → open-model sends → idle → drop …, then a drain until every
 * message is settled, then every socket closed. Every
 * room of the plan lives in this one process, so every broadcast latency is timed on its clock,
 * and the delivery ledger is kept here too. What it measures goes to Artillery (`emit`): counters
 * once a second, histograms in ms as they happen, error kinds as Artillery errors.
 */
export interface Emit {
  counter(name: string, n: number): void;
  histogram(name: string, ms: number): void;
  error(kind: string): void;
}

export interface PlayerOptions {
  url: string;
  token?: ConnectToken;
  emit: Emit;
}

/** How often counters and the worker's own health go to Artillery. */
const FLUSH_MS = 1000;
/** A ramp or schedule starts this long after it is planned, so its first slots are not late. */
const START_LEAD_MS = 250;
/** How often the final settle looks at the ledger. */
const SETTLE_POLL_MS = 100;
/** Files a worker's process needs besides its clients' sockets (Artillery, Node, logs). */
const FILES_RESERVE = 200;

export class Player implements ClientGroupEvents {
  /** the simulated clients, which tell this player what happened (the methods under "what happened") */
  private readonly group: ClientGroup;
  private readonly emit: Emit;
  private readonly counts = new Map<string, number>();
  private readonly ledger: Ledger;
  /**
   * per room: the deliveries a message sent into it expects, from the open, joined members when
   * the last connect, join or drop step ended and the protocol's membership model
   */
  private expected: Int32Array;
  private everOpened = 0;
  private connectFailures = 0;
  /** connects refused by the $connect authorizer, by error kind */
  private readonly refusals: Record<string, number> = {};
  /** why the run stopped early */
  private failure: string | undefined;
  private readonly pauses = new Pauses();
  /** this worker's clients as the phase program plays them */
  private readonly fleet: PhaseFleet<WorkerPhase> = {
    connect: (phase) => this.connectPhase(phase),
    createRooms: (phase) => this.group.controlPhase('create', this.group.roomCreators(() => true), this.rampOptions(phase)),
    joinRooms: async (phase) => {
      await this.group.controlPhase('join', this.group.notJoined(), this.rampOptions(phase));
      this.expected = this.expectedByRoom();
    },
    send: (phase, index) => this.sendShare(phase, index),
    drop: async (phase, index) => {
      this.ledger.watchStale(index);
      this.dropPhase(phase.members);
      this.expected = this.expectedByRoom();
    },
    drain: () => this.group.drain(this.share.timeouts.ackMs + 1000),
    unsettled: () => {
      this.ledger.settle(now());
      return this.ledger.unsettled;
    },
    openClients: () => this.openClients(),
  };

  constructor(
    private readonly share: WorkerPlan,
    options: PlayerOptions,
  ) {
    const rooms = roomsInOrder(share.rooms);
    const run = randomBytes(4).toString('hex');
    const connector = { url: options.url, token: options.token, timeoutMs: share.timeouts.connectMs, localAddress: () => undefined };
    const clients: SimClient[] = [];
    for (let id = 0; id < rooms.clients; id++) clients.push(new SimClient(id, rooms.roomOf[id]));
    this.group = new ClientGroup({
      clients,
      // Room names, probes and the run's id ({{run}} in a described protocol) unique to this
      // virtual user: rooms of two workers never mix, and a delivery that is not ours is counted foreign.
      plan: rooms,
      roomPrefix: `fb.${run}.r`,
      origin: randomInt(1, 2 ** 31 - 1),
      // receivers track the order of every member that sends in any phase
      maxSendersPerRoom: share.rooms.map((size, r) => Math.min(size, Math.max(0, ...share.phases.map((p) => (p.kind === 'send' ? p.senders[r] : 0))))),
      ackTimeoutMs: share.timeouts.ackMs,
      connector,
      wire: planWire(share.protocol, { url: options.url, token: options.token, run }),
    }, this);
    this.emit = options.emit;
    this.expected = new Int32Array(rooms.rooms);
    this.ledger = new Ledger(share.timeouts, { count: (n, v) => this.count(n, v), histogram: (n, v) => this.emit.histogram(n, v) });
  }

  /**
   * Plays the plan; resolves with why it failed (every connect refused, say) or undefined.
   * Never rejects on the system's behaviour: errors are counted, as the harness counts them.
   */
  async play(): Promise<string | undefined> {
    const health = new WorkerHealth();
    const sink = { count: (n: string, v: number) => this.count(n, v), histogram: (n: string, v: number) => this.emit.histogram(n, v) };
    const flush = setInterval(() => {
      this.ledger.settle(now());
      health.sample(sink);
      this.flushCounts();
    }, FLUSH_MS);
    this.count(C.workers, 1);
    this.count(C.planClients, this.group.clients.length);
    this.count(C.planRooms, this.share.rooms.length);
    this.count(C.hostCpus, cpus().length);
    this.count(C.hostMemoryMB, Math.round(totalmem() / 2 ** 20));
    const files = openFilesLimit();
    if (files !== undefined && this.group.clients.length + FILES_RESERVE > files) {
      // every client is a socket: past the limit connects fail with EMFILE, which would read as the stack's fault
      this.fail(
        `this worker's share is ${this.group.clients.length} clients but its process may open ${files} files: raise nofile (run-fargate: --launch-config with ulimits) or export with more --workers`,
      );
    }
    try {
      await playPhases(this.share.phases, this.fleet, {
        timeouts: this.share.timeouts,
        stopped: () => this.group.stopping,
        pauses: this.pauses,
        beginPhase: (_phase, index) => this.count(`${PHASE_PREFIX}${index}`, 1),
        afterPhases: () => this.count(C.openAtEnd, this.openClients()),
        settlePollMs: SETTLE_POLL_MS,
      });
    } finally {
      this.ledger.settle(now(), true);
      const stale = this.ledger.staleResult();
      if (stale) {
        this.count(C.staleWatched, 1);
        this.count(C.wastedPosts, stale.wastedPosts);
        if (stale.timeToCleanMs === null) this.count(C.neverClean, 1);
        else this.emit.histogram(H.staleTimeToClean, stale.timeToCleanMs);
      }
      clearInterval(flush);
      await this.group.close();
      // deliveries of settled messages that arrived while closing
      this.ledger.settle(now());
      health.finish(sink);
      this.flushCounts();
    }
    return this.failure;
  }

  private async connectPhase(phase: Extract<WorkerPhase, { kind: 'connect' }>): Promise<void> {
    const list = this.group.unconnected();
    const ramp = await this.group.ramp(list, this.rampOptions(phase), (c, intended) => {
      this.count(C.connectsAttempted, 1);
      return this.group.connect(c, intended);
    });
    this.count(C.connectsMissed, ramp.missed);
    if (this.everOpened === 0 && !this.failure && list.length > 0) this.fail(`none of the ${list.length} connects opened (${this.connectFailures} failed)`);
    this.expected = this.expectedByRoom();
  }

  private expectedByRoom(): Int32Array {
    return expectedMembers(this.group.membersByRoom(), this.group.wire);
  }

  private sendShare(phase: Extract<WorkerPhase, { kind: 'send' }>, index: number): Promise<void> {
    return this.group.sendPhase(
      { startAt: now() + START_LEAD_MS, durationMs: phase.durationMs, rate: phase.rate, sendersPerRoom: phase.senders, payloadBytes: phase.payloadBytes },
      {
        due: () => this.count(C.sendsIntended, 1),
        skipped: () => this.count(C.sendsSkipped, 1),
        stoodIn: () => this.count(C.sendsStoodIn, 1),
        slot: (c, intended, missed) => {
          if (missed) this.count(C.sendsMissed, 1);
          return this.ledger.sent(intended, index, this.expected[c.room]);
        },
        sent: () => this.count(C.sendsSent, 1),
      },
    );
  }

  private rampOptions(p: { rate: number; maxInFlight: number }): RampOptions {
    return { startAt: now() + START_LEAD_MS, rate: p.rate, maxInFlight: p.maxInFlight };
  }

  /** Drops the last `perRoom[r]` members of each room r: senders are its first, so quiet members go first. */
  private dropPhase(perRoom: number[]): void {
    const { roomStart } = this.group.plan;
    perRoom.forEach((n, r) => {
      for (let id = Math.max(roomStart[r], roomStart[r + 1] - n); id < roomStart[r + 1]; id++) {
        if (this.group.drop(this.group.clients[id])) this.count(C.dropped, 1);
      }
    });
  }

  private openClients(): number {
    let n = 0;
    for (const c of this.group.clients) if (c.state === OPEN) n++;
    return n;
  }

  private fail(reason: string): void {
    this.failure ??= reason;
    this.group.stop();
    this.pauses.stop();
  }

  // --- what happened ------------------------------------------------------------------------

  opened(c: SimClient): void {
    this.everOpened++;
    this.count(C.connectsOpened, 1);
    this.emit.histogram(H.connect, Math.max(0, now() - c.connectIntended));
  }

  connectFailed(_c: SimClient, kind: string): void {
    this.connectFailures++;
    this.count(C.connectsFailed, 1);
    this.error(kind);
    if (kind !== 'handshake:401' && kind !== 'handshake:403') return;
    this.refusals[kind] = (this.refusals[kind] ?? 0) + 1;
    const min = Math.min(MIN_REFUSED_ATTEMPTS, this.group.clients.length);
    const found = refusedConnects({ connects: this.everOpened, connectFailures: this.connectFailures }, this.refusals, min);
    if (found) {
      this.fail(
        `all ${found.unauthorized + found.denied} connects tried were refused with 401/403: set FANOUT_BENCH_TOKEN to the token the stack's $connect authorizer expects (and tokenIn in the script to where it looks for it)`,
      );
    }
  }

  joinDone(_c: SimClient, intended: number, ok: boolean): void {
    if (ok) {
      this.count(C.joined, 1);
      this.emit.histogram(H.join, Math.max(0, now() - intended));
    } else {
      this.count(C.joinFailed, 1);
    }
  }

  /** The hot path: one call per member per message. */
  delivered(c: SimClient, p: Probe, t: number, data: Buffer | undefined, messageId: string | undefined): void {
    this.count(C.arrived, 1);
    if (p.origin !== this.group.origin) {
      this.count(C.foreign, 1);
      return;
    }
    const seen = this.group.deliveryOrder(c, p);
    if (seen === SEEN_DUPLICATE) {
      this.count(C.duplicates, 1);
      return;
    }
    if (seen === SEEN_OUT_OF_ORDER) this.count(C.outOfOrder, 1);
    if (!this.ledger.delivery(p.slot, t)) {
      this.count(C.foreign, 1);
      return;
    }
    const ms = Math.max(0, t - p.intended);
    this.emit.histogram(H.broadcast, ms);
    this.emit.histogram(p.cold ? H.broadcastCold : H.broadcastWarm, ms);
    if (p.cold) this.count(C.arrivedCold, 1);
    if (p.sender === c.id) this.group.ownCopy(c, p.slot, data, messageId);
  }

  /** membership connect or all: the open socket is the member */
  joinedOnConnect(): void {
    this.count(C.joined, 1);
  }

  /** A fire-and-forget send: settled from its intended time, with no claim of whom it reached (as a shard settles it). */
  unanswerable(_c: SimClient, slot: number, intended: number): void {
    this.ledger.acked(slot, intended, NO_CLAIM, 0);
  }

  unreadableDelivery(): void {
    this.count(C.arrived, 1);
    this.count(C.foreign, 1);
  }

  acked(m: Matched): void {
    this.emit.histogram(H.ack, Math.max(0, m.ack.at - m.send.intended));
    this.ledger.acked(m.send.slot, m.ack.at, m.ack.recipients, m.ack.gone);
  }

  failed(s: PendingSend, at: number): void {
    this.ledger.failed(s.slot, at);
  }

  error(kind: string): void {
    this.emit.error(kind);
  }

  closed(): void {
    this.count(C.connectsClosed, 1);
  }

  // --- counters -----------------------------------------------------------------------------

  private count(name: string, n: number): void {
    if (n === 0) return;
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }

  private flushCounts(): void {
    for (const [name, n] of this.counts) this.emit.counter(name, n);
    this.counts.clear();
  }
}
