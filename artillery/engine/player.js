// @ts-check
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { now } from './clock.js';
import { Ledger } from './ledger.js';
import { COUNTERS as C, HISTOGRAMS as H, PHASE_PREFIX } from './metric-names.js';
import { newReceiverOrder, observe, SEEN_DUPLICATE, SEEN_OUT_OF_ORDER } from './order.js';
import { PendingSends } from './pending-sends.js';
import {
  connectErrorKind,
  createRoomFrame,
  decodeProbe,
  encodeProbe,
  handshakeWith,
  joinRoomFrame,
  newProbe,
  parseControl,
  scanDelivery,
  scanMessageId,
  sendMessageFrame,
  sendMessagePrefix,
} from './protocol.js';
import { OpenModelTicker, Ramp, slotCount } from './schedule.js';

/**
 * One virtual user playing one worker's share of a fanout-bench scenario, the way a harness
 * shard plays its clients (src/fleet/shard.ts) with the parent's phase order (src/run/measure.ts):
 * connect ramp → createRoom per room, then joinRoom ramp → open-model sends → idle → drop …, then
 * a drain until every message is settled, then every socket closed. Every room of the plan lives
 * in this one process, so every broadcast latency is timed on this process's clock.
 *
 * @typedef {import('./plan.js').Plan} Plan
 * @typedef {import('./plan.js').PlanPhase} PlanPhase
 * @typedef {{ counter(name: string, n: number): void, histogram(name: string, ms: number): void, error(kind: string): void }} Emit
 * @typedef {{ id: number, room: number, rank: number, ws: WebSocket | undefined, state: number, joined: boolean, seq: number,
 *   connectIntended: number, connectDone: (() => void) | undefined, order: Int32Array | undefined, pending: PendingSends,
 *   control: { kind: 'create' | 'join', intended: number, startedAt: number, done: (ok: boolean) => void } | undefined }} Client
 */

const IDLE = 0;
const CONNECTING = 1;
const OPEN = 2;
const CLOSED = 3;
const DROPPED = 4;

/** How often pending acks and joins are checked against their timeouts. */
const SWEEP_MS = 250;
/** How often counters and the worker's own health go to Artillery. */
const FLUSH_MS = 1000;
/** How long closing waits for close handshakes before terminating what is left. */
const CLOSE_GRACE_MS = 2000;
/** A ramp or schedule starts this long after it is planned, so its first slots are not late. */
const START_LEAD_MS = 250;
/** The harness's saturation rule (src/metrics/saturation.ts). */
const LAG_P99_LIMIT_MS = 50;
const CPU_LIMIT_CORES = 0.9;
const CPU_WINDOW = 3;
/** Files a worker's process needs besides its clients' sockets (Artillery, Node, logs). */
const FILES_RESERVE = 200;
/** All connects refused after this many tries: the run measures nothing, stop (src/metrics/refused-connects.ts). */
const MIN_REFUSED_ATTEMPTS = 20;

export class Player {
  /**
   * @param {Plan} plan
   * @param {{ url: string, token?: { token: string, in: 'header' | 'query' }, emit: Emit }} options
   */
  constructor(plan, options) {
    this.plan = plan;
    this.emit = options.emit;
    this.handshake = handshakeWith(options.url, options.token);
    // Names and probes unique to this virtual user: rooms of two workers never mix, and a
    // delivery that is not ours is counted foreign.
    this.origin = randomInt(1, 2 ** 31 - 1);
    const prefix = `fb.${randomBytes(4).toString('hex')}.r`;
    /** @type {Client[]} */
    this.clients = [];
    /** @type {Client[][]} */
    this.byRoom = [];
    plan.rooms.forEach((size, room) => {
      const members = [];
      for (let rank = 0; rank < size; rank++) {
        /** @type {Client} */
        const c = {
          id: this.clients.length,
          room,
          rank,
          ws: undefined,
          state: IDLE,
          joined: false,
          seq: 0,
          connectIntended: 0,
          connectDone: undefined,
          order: undefined,
          pending: new PendingSends(),
          control: undefined,
        };
        this.clients.push(c);
        members.push(c);
      }
      this.byRoom.push(members);
    });
    this.roomNames = plan.rooms.map((_, r) => `${prefix}${r}`);
    this.sendPrefixes = this.roomNames.map(sendMessagePrefix);
    /** per room: the most senders of any send phase (receivers track order per sender) */
    this.maxSenders = plan.rooms.map((size, r) =>
      Math.min(size, Math.max(0, ...plan.phases.map((p) => (p.kind === 'send' ? p.senders[r] : 0)))),
    );
    /** per room: open, joined members when the last connect, join or drop step ended */
    this.members = plan.rooms.map(() => 0);
    /** @type {Map<string, number>} */
    this.counts = new Map();
    this.ledger = new Ledger(plan.timeouts, { count: (n, v) => this.count(n, v), histogram: (n, v) => this.emit.histogram(n, v) });
    this.probe = newProbe();
    this.open = 0;
    this.opened = 0;
    this.connectFailures = 0;
    this.refusals = 0;
    /** @type {string | undefined} why the run stopped early */
    this.failure = undefined;
    this.stopping = false;
    this.closing = false;
    /** @type {{ stop(): void } | undefined} */
    this.active = undefined;
    /** @type {Set<() => void>} */
    this.wakers = new Set();
  }

  /**
   * Plays the plan; resolves with why it failed (every connect refused, say) or undefined.
   * Never rejects on the system's behaviour: errors are counted, as the harness counts them.
   * @returns {Promise<string | undefined>}
   */
  async play() {
    const watch = new SelfWatch();
    const sweep = setInterval(() => this.sweep(), SWEEP_MS);
    const flush = setInterval(() => {
      this.ledger.settle(now());
      watch.sample(this.emit);
      this.flushCounts();
    }, FLUSH_MS);
    this.count(C.workers, 1);
    this.count(C.planClients, this.clients.length);
    this.count(C.planRooms, this.plan.rooms.length);
    this.count(C.hostCpus, cpus().length);
    this.count(C.hostMemoryMB, Math.round(totalmem() / 2 ** 20));
    const files = openFilesLimit();
    if (files !== undefined && this.clients.length + FILES_RESERVE > files) {
      // every client is a socket: past the limit connects fail with EMFILE, which would read as the stack's fault
      this.fail(
        `this worker's share is ${this.clients.length} clients but its process may open ${files} files: raise nofile (run-fargate: --launch-config with ulimits) or export with more --workers`,
      );
    }
    try {
      for (let i = 0; i < this.plan.phases.length && !this.stopping; i++) await this.runPhase(this.plan.phases[i], i);
      this.count(C.openAtEnd, this.open);
      if (!this.failure) {
        await this.drain();
        await this.settleAll();
      }
    } finally {
      this.ledger.settle(now(), true);
      const stale = this.ledger.stale?.result();
      if (stale) {
        this.count(C.staleWatched, 1);
        this.count(C.wastedPosts, stale.wastedPosts);
        if (stale.timeToCleanMs === null) this.count(C.neverClean, 1);
        else this.emit.histogram(H.staleTimeToClean, stale.timeToCleanMs);
      }
      clearInterval(sweep);
      clearInterval(flush);
      await this.close();
      watch.finish(this.emit, (n, v) => this.count(n, v));
      this.flushCounts();
    }
    return this.failure;
  }

  /**
   * @param {PlanPhase} phase
   * @param {number} index
   */
  async runPhase(phase, index) {
    this.count(`${PHASE_PREFIX}${index}`, 1);
    switch (phase.kind) {
      case 'connect': {
        const list = this.clients.filter((c) => c.state !== OPEN && c.state !== CONNECTING);
        const ramp = new Ramp(list, this.rampOptions(phase), (c, intended) => this.connect(c, intended));
        await this.runActive(ramp, ramp.run());
        this.count(C.connectsMissed, ramp.missed);
        if (this.opened === 0 && !this.failure && list.length > 0) this.fail(`none of the ${list.length} connects opened (${this.connectFailures} failed)`);
        this.takeMembers();
        return;
      }
      case 'join': {
        // createRoom once per room through its first open member, then joinRoom for every open
        // client that has not joined: every room exists before anyone joins it.
        const creators = this.byRoom.map((m) => m.find((c) => c.state === OPEN)).filter((c) => c !== undefined);
        const create = new Ramp(creators, this.rampOptions(phase), (c, intended) => this.control(c, 'create', intended));
        await this.runActive(create, create.run());
        const joiners = this.clients.filter((c) => c.state === OPEN && !c.joined);
        const join = new Ramp(joiners, this.rampOptions(phase), (c, intended) => this.control(c, 'join', intended));
        await this.runActive(join, join.run());
        this.takeMembers();
        return;
      }
      case 'send':
        return this.sendPhase(phase, index);
      case 'idle':
        // Idle means idle: the sends in flight finish first (bounded), then nothing is sent.
        await this.drain();
        await this.sleep(phase.durationMs);
        return;
      case 'drop':
        // Drop on a quiet system, so 410s belong to the messages sent after the drop.
        await this.drain();
        this.ledger.watchStale(index);
        this.dropPhase(phase.members);
        this.takeMembers();
        return;
    }
  }

  /** @param {{ rate: number, maxInFlight: number }} p */
  rampOptions(p) {
    return { startAt: now() + START_LEAD_MS, rate: p.rate, maxInFlight: p.maxInFlight };
  }

  /**
   * @param {Extract<PlanPhase, { kind: 'send' }>} phase
   * @param {number} index
   */
  async sendPhase(phase, index) {
    const senders = this.clients.filter((c) => c.rank < phase.senders[c.room]);
    const count = senders.length === 0 ? 0 : slotCount(phase.durationMs, phase.rate);
    let rr = 0;
    const ticker = new OpenModelTicker({ startAt: now() + START_LEAD_MS, rate: phase.rate, count }, (_k, intended, missed) => {
      this.count(C.sendsIntended, 1);
      /** @type {Client | undefined} */
      let c;
      for (let tries = 0; tries < senders.length; tries++) {
        const x = senders[rr];
        rr = rr + 1 === senders.length ? 0 : rr + 1;
        if (x.state === OPEN && x.joined) {
          c = x;
          break;
        }
      }
      if (!c || !c.ws) {
        this.count(C.sendsSkipped, 1);
        return;
      }
      if (missed) this.count(C.sendsMissed, 1);
      const slot = this.ledger.sent(intended, index, this.members[c.room]);
      const seq = c.seq++;
      c.ws.send(sendMessageFrame(this.sendPrefixes[c.room], encodeProbe({ origin: this.origin, slot, sender: c.id, seq, intended }, phase.payloadBytes)));
      c.pending.add(slot, intended, now());
      this.count(C.sendsSent, 1);
    });
    await this.runActive(ticker, ticker.start());
  }

  /**
   * Drops `perRoom[r]` members of each room without a close frame (terminate(), the way a phone
   * loses its network), from the end of the room: senders are its first members, so quiet
   * members go first.
   * @param {number[]} perRoom
   */
  dropPhase(perRoom) {
    perRoom.forEach((n, r) => {
      const members = this.byRoom[r];
      for (const c of members.slice(Math.max(0, members.length - n))) {
        if (c.state !== OPEN) continue;
        c.state = DROPPED;
        c.joined = false;
        this.open--;
        this.count(C.connectsClosed, 1);
        this.failAll(c);
        c.ws?.terminate();
        this.count(C.dropped, 1);
      }
    });
  }

  takeMembers() {
    this.members = this.byRoom.map((m) => m.reduce((n, c) => n + (c.state === OPEN && c.joined ? 1 : 0), 0));
  }

  /** Waits until no client has a send or join waiting for its answer (at most the ack timeout). */
  async drain() {
    const deadline = now() + this.plan.timeouts.ackMs + 1000;
    while (!this.stopping && now() < deadline) {
      if (!this.clients.some((c) => c.pending.size > 0 || c.control)) return;
      await this.sleep(50);
    }
  }

  /**
   * The end of the run: waits until every message is settled (all its deliveries arrived, or its
   * loss timeout passed), as soon as none is left, or when no client is open any more.
   */
  async settleAll() {
    const deadline = now() + this.plan.timeouts.lossMs + this.plan.timeouts.graceMs + 1000;
    while (now() < deadline) {
      this.ledger.settle(now());
      if (this.ledger.unsettled === 0 || this.open === 0) return;
      await this.sleep(100);
    }
  }

  /**
   * @param {{ stop(): void }} active
   * @param {Promise<void>} done
   */
  async runActive(active, done) {
    this.active = active;
    if (this.stopping) active.stop();
    try {
      await done;
    } finally {
      this.active = undefined;
    }
  }

  /** @param {string} reason */
  fail(reason) {
    this.failure ??= reason;
    this.stopping = true;
    this.active?.stop();
    for (const w of [...this.wakers]) w();
  }

  /** @param {number} ms */
  sleep(ms) {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve(undefined);
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
      if (this.stopping) done();
    });
  }

  // --- sockets ---------------------------------------------------------------------------------

  /**
   * Opens c's socket; resolves once it opened or failed.
   * @param {Client} c
   * @param {number} intended
   * @returns {Promise<void>}
   */
  connect(c, intended) {
    return new Promise((resolve) => {
      c.state = CONNECTING;
      c.connectIntended = intended;
      c.connectDone = resolve;
      this.count(C.connectsAttempted, 1);
      const ws = new WebSocket(this.handshake.url, {
        headers: this.handshake.headers,
        perMessageDeflate: false,
        skipUTF8Validation: true,
        handshakeTimeout: this.plan.timeouts.connectMs,
      });
      c.ws = ws;
      ws.on('open', () => {
        c.state = OPEN;
        this.open++;
        this.opened++;
        this.count(C.connectsOpened, 1);
        this.emit.histogram(H.connect, Math.max(0, now() - c.connectIntended));
        this.connectSettled(c);
      });
      ws.on('message', (/** @type {Buffer} */ data) => this.onFrame(c, data));
      ws.on('error', (/** @type {Error & { code?: string }} */ err) => {
        if (c.ws !== ws || c.state !== CONNECTING) return;
        c.state = CLOSED;
        this.connectFailed(c, connectErrorKind(err));
      });
      ws.on('close', (/** @type {number} */ code) => {
        if (c.ws !== ws) return;
        if (c.state === CONNECTING) {
          c.state = CLOSED;
          this.connectFailed(c, `close:${code}`);
          return;
        }
        if (c.state !== OPEN) return; // failed on 'error' already, or dropped
        c.state = CLOSED;
        this.onClose(c, code);
      });
    });
  }

  /**
   * @param {Client} c
   * @param {string} kind
   */
  connectFailed(c, kind) {
    this.connectFailures++;
    this.count(C.connectsFailed, 1);
    this.error(kind);
    if (kind === 'handshake:401' || kind === 'handshake:403') this.refusals++;
    this.connectSettled(c);
    const min = Math.min(MIN_REFUSED_ATTEMPTS, this.clients.length);
    if (this.opened === 0 && this.refusals >= min && this.refusals === this.connectFailures) {
      this.fail(`all ${this.refusals} connects tried were refused with 401/403: set FANOUT_BENCH_TOKEN to the token the stack's $connect authorizer expects (and tokenIn in the script to where it looks for it)`);
    }
  }

  /** @param {Client} c */
  connectSettled(c) {
    const done = c.connectDone;
    c.connectDone = undefined;
    done?.();
  }

  /**
   * @param {Client} c
   * @param {number} code
   */
  onClose(c, code) {
    this.open--;
    this.count(C.connectsClosed, 1);
    c.joined = false;
    if (!this.closing) this.error(`close:${code}`);
    this.failAll(c);
  }

  /**
   * @param {Client} c
   * @param {'create' | 'join'} kind
   * @param {number} intended
   * @returns {Promise<void>}
   */
  control(c, kind, intended) {
    return new Promise((resolve) => {
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
              this.count(C.joined, 1);
              this.emit.histogram(H.join, Math.max(0, now() - intended));
            } else {
              this.count(C.joinFailed, 1);
            }
          }
          resolve();
        },
      };
      const room = this.roomNames[c.room];
      c.ws.send(kind === 'create' ? createRoomFrame(room) : joinRoomFrame(room));
    });
  }

  /**
   * @param {Client} c
   * @param {Buffer} data
   */
  onFrame(c, data) {
    const t = now();
    const p = this.probe;
    if (scanDelivery(data, p)) {
      this.onDelivery(c, t, data, undefined);
      return;
    }
    const f = parseControl(data.toString('utf8'));
    switch (f.kind) {
      case 'delivery':
        if (decodeProbe(f.payload, f.cold, p)) this.onDelivery(c, t, undefined, f.messageId);
        else {
          this.count(C.arrived, 1);
          this.count(C.foreign, 1);
        }
        return;
      case 'sent': {
        const m = c.pending.onAck({ messageId: f.messageId, recipients: f.recipients, gone: f.gone, at: t });
        if (m) this.acked(m);
        return;
      }
      case 'joined':
        if (c.control?.kind === 'join') c.control.done(true);
        return;
      case 'roomCreated':
        if (c.control?.kind === 'create') c.control.done(true);
        return;
      case 'error': {
        this.error(f.errorKind);
        const isControl = f.action === 'createRoom' || f.action === 'joinRoom';
        if (c.control && (isControl || (f.action === undefined && c.pending.size === 0))) {
          c.control.done(false);
          return;
        }
        if (f.action === undefined || f.action === 'sendMessage') {
          const s = c.pending.failOldest();
          if (s) this.ledger.failed(s.slot, now());
        }
        return;
      }
      case 'other':
        return;
    }
  }

  /**
   * The hot path: one call per member per message.
   * @param {Client} c
   * @param {number} t
   * @param {Buffer | undefined} data
   * @param {string | undefined} messageId
   */
  onDelivery(c, t, data, messageId) {
    const p = this.probe;
    this.count(C.arrived, 1);
    if (p.origin !== this.origin) {
      this.count(C.foreign, 1);
      return;
    }
    const sender = this.clients[p.sender];
    if (sender && sender.room === c.room) {
      const senders = this.maxSenders[c.room];
      if (sender.rank < senders) {
        const seen = observe((c.order ??= newReceiverOrder(senders)), sender.rank, p.seq);
        if (seen === SEEN_DUPLICATE) {
          this.count(C.duplicates, 1);
          return;
        }
        if (seen === SEEN_OUT_OF_ORDER) this.count(C.outOfOrder, 1);
      }
    }
    if (!this.ledger.delivery(p.slot, t)) {
      this.count(C.foreign, 1);
      return;
    }
    const ms = Math.max(0, t - p.intended);
    this.emit.histogram(H.broadcast, ms);
    this.emit.histogram(p.cold ? H.broadcastCold : H.broadcastWarm, ms);
    if (p.cold) this.count(C.arrivedCold, 1);
    if (p.sender === c.id && c.pending.size > 0) {
      const id = messageId ?? (data ? scanMessageId(data) : undefined);
      if (id) {
        const m = c.pending.onOwnCopy(p.slot, id);
        if (m) this.acked(m);
      }
    }
  }

  /** @param {import('./pending-sends.js').Matched} m */
  acked(m) {
    this.emit.histogram(H.ack, Math.max(0, m.ack.at - m.send.intended));
    this.ledger.acked(m.send.slot, m.ack.at, m.ack.recipients, m.ack.gone);
  }

  /** @param {Client} c */
  failAll(c) {
    const t = now();
    for (const s of c.pending.clear()) this.ledger.failed(s.slot, t);
    c.control?.done(false);
  }

  sweep() {
    const t = now();
    const { ackMs } = this.plan.timeouts;
    for (const c of this.clients) {
      if (c.pending.size > 0) {
        const { matched, expired } = c.pending.sweep(t, ackMs);
        for (const m of matched) this.acked(m);
        for (const s of expired) {
          this.error('timeout:ack');
          this.ledger.failed(s.slot, t);
        }
      }
      if (c.control && t - c.control.startedAt > ackMs) {
        this.error(c.control.kind === 'join' ? 'timeout:joinRoom' : 'timeout:createRoom');
        c.control.done(false);
      }
    }
  }

  /** Closes every socket with a close frame; terminates what does not finish in time. */
  async close() {
    this.closing = true;
    for (const c of this.clients) if (c.state === OPEN || c.state === CONNECTING) c.ws?.close(1000);
    const deadline = now() + CLOSE_GRACE_MS;
    while (this.open > 0 && now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const c of this.clients) if (c.ws && c.ws.readyState !== WebSocket.CLOSED) c.ws.terminate();
  }

  // --- metrics ---------------------------------------------------------------------------------

  /**
   * @param {string} name
   * @param {number} n
   */
  count(name, n) {
    if (n === 0) return;
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }

  /** @param {string} kind */
  error(kind) {
    this.emit.error(kind);
  }

  flushCounts() {
    for (const [name, n] of this.counts) this.emit.counter(name, n);
    this.counts.clear();
  }
}

/**
 * The worker watching itself, with the harness's saturation rule: event-loop lag p99 over the run
 * above 50 ms, or more than 90 % of a core over 3 consecutive seconds, means the worker's own
 * queueing is in its latencies. CPU is its process's (Artillery's own threads included).
 */
class SelfWatch {
  constructor() {
    this.interval = monitorEventLoopDelay({ resolution: 10 });
    this.run = monitorEventLoopDelay({ resolution: 10 });
    this.interval.enable();
    this.run.enable();
    this.startCpu = process.cpuUsage();
    this.lastCpu = this.startCpu;
    this.lastWall = now();
    /** @type {number[]} */
    this.cores = [];
    this.rssPeak = process.memoryUsage.rss();
  }

  /** @param {Emit} emit */
  sample(emit) {
    const cpu = process.cpuUsage(this.lastCpu);
    this.lastCpu = process.cpuUsage();
    const t = now();
    const cores = (cpu.user + cpu.system) / 1000 / Math.max(1, t - this.lastWall);
    this.lastWall = t;
    this.cores.push(cores);
    emit.histogram(H.cpuCores, cores);
    if (this.interval.count > 0) emit.histogram(H.loopLag, this.interval.percentile(99) / 1e6);
    this.interval.reset();
    this.rssPeak = Math.max(this.rssPeak, process.memoryUsage.rss());
  }

  /**
   * @param {Emit} emit
   * @param {(name: string, n: number) => void} count
   */
  finish(emit, count) {
    this.interval.disable();
    this.run.disable();
    const lagP99 = this.run.count > 0 ? this.run.percentile(99) / 1e6 : 0;
    const lagMax = this.run.count > 0 ? this.run.max / 1e6 : 0;
    let peak = 0;
    for (let i = 0; i + CPU_WINDOW <= this.cores.length; i++) {
      let sum = 0;
      for (let k = 0; k < CPU_WINDOW; k++) sum += this.cores[i + k];
      peak = Math.max(peak, sum / CPU_WINDOW);
    }
    emit.histogram(H.runLagP99, lagP99);
    emit.histogram(H.runLagMax, lagMax);
    emit.histogram(H.cpuPeak, peak);
    emit.histogram(H.rss, Math.round(this.rssPeak / 2 ** 20));
    const cpu = process.cpuUsage(this.startCpu);
    count(C.cpuMs, Math.round((cpu.user + cpu.system) / 1000));
    if (lagP99 > LAG_P99_LIMIT_MS || peak > CPU_LIMIT_CORES) count(C.saturated, 1);
  }
}

/**
 * The process's soft limit on open files (Linux: /proc/self/limits); undefined where unknown or
 * unlimited. Artillery's Fargate tasks get 8,192 unless --launch-config raises it.
 */
function openFilesLimit() {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
