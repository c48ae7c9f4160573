import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { now } from '../../src/clock.ts';
import { parseClientUserAgent } from '../../src/contracts/client-user-agent.ts';
import { planRooms } from '../../src/fleet/room-plan.ts';
import { Shard } from '../../src/fleet/shard.ts';
import type { ShardInit } from '../../src/fleet/shard-link.ts';
import type { ShardReport } from '../../src/metrics/measurement/shard-report.ts';
import { chatV1Wire } from '../../src/fleet/protocols/chat-v1-wire.ts';
import { describedWire } from '../../src/fleet/protocols/described-wire.ts';
import { moduleWire, type ProtocolModule } from '../../src/fleet/protocols/protocol-module.ts';
import { SENDMESSAGE_PROTOCOL } from '../../src/contracts/protocol-schema.ts';
import {
  DELIVERY_RECORD_WIDTH,
  FRAME_CREATE,
  FRAME_JOIN,
  FRAME_KEEPALIVE,
  FRAME_SEND,
  TRACE_CONNECT,
  TRACE_FRAME,
  TRACE_RECORD_WIDTH,
} from '../../src/metrics/measurement/trace-records.ts';

// The fleet traces every request it times (src/metrics/measurement/trace-records.ts): a real
// shard's clients against a chat-v1 server on 127.0.0.1 that reads each connection's User-Agent
// and counts the frames it receives on it, as API Gateway's access log would.

const RUN = 'trace-run';

/** What the server saw on one connection: the client its User-Agent names, and each frame in arrival order. */
interface SeenConnection {
  userAgent: string | undefined;
  client: number;
  connection: number;
  frames: { action: string; slot: number }[];
  ws: WebSocket;
}

interface TraceServer {
  url: string;
  seen: SeenConnection[];
  close(): Promise<void>;
}

/** A chat-v1 peer that posts every message twice to every member (a duplicate the fleet must not trace twice). */
async function traceServer(): Promise<TraceServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const rooms = new Map<string, Set<WebSocket>>();
  const seen: SeenConnection[] = [];
  wss.on('connection', (ws, req) => {
    const userAgent = req.headers['user-agent'];
    const who = parseClientUserAgent(userAgent, RUN);
    const conn: SeenConnection = { userAgent, client: who?.client ?? -1, connection: who?.connection ?? -1, frames: [], ws };
    seen.push(conn);
    ws.on('close', () => {
      for (const m of rooms.values()) m.delete(ws);
    });
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString('utf8')) as { action: string; room?: string; payload?: string; data?: string };
      const probe = f.action === 'sendMessage' ? f.payload : f.action === 'sendmessage' ? f.data : undefined;
      const slot = probe === undefined ? -1 : Number(String(probe).split('|')[2]);
      conn.frames.push({ action: f.action, slot });
      const room = f.room ?? '';
      if (f.action === 'createRoom') {
        if (!rooms.has(room)) rooms.set(room, new Set());
        ws.send(JSON.stringify({ type: 'roomCreated', room }));
      } else if (f.action === 'joinRoom') {
        rooms.get(room)!.add(ws);
        ws.send(JSON.stringify({ type: 'joined', room, members: rooms.get(room)!.size }));
      } else if (f.action === 'sendMessage') {
        const members = [...(rooms.get(room) ?? [])];
        const messageId = randomUUID();
        const frame = JSON.stringify({ type: 'message', room, from: 'x', name: 'x', messageId, serverTime: Date.now(), cold: false, payload: f.payload });
        for (let copy = 0; copy < 2; copy++) for (const m of members) m.send(frame);
        ws.send(JSON.stringify({ type: 'sent', room, messageId, recipients: members.length, gone: 0 }));
      } else if (f.action === 'sendmessage') {
        // AWS's tutorial shape: the data, raw, to every connection; no answer
        for (const m of wss.clients) m.send(String(f.data));
      } else if (f.action === 'whoami') {
        ws.send(JSON.stringify({ type: 'whoami', connectionId: 'c' }));
      }
    });
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`,
    seen,
    close: () => {
      for (const c of wss.clients) c.terminate();
      return new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

interface TraceRow {
  kind: number;
  client: number;
  connection: number;
  frame: number;
  what: number;
  intendedMs: number;
  doneMs: number;
  slot: number;
}

function rows(reports: ShardReport[]): TraceRow[] {
  const out: TraceRow[] = [];
  for (const r of reports) {
    const t = r.trace;
    for (let i = 0; i < t.length; i += TRACE_RECORD_WIDTH) {
      out.push({ kind: t[i], client: t[i + 1], connection: t[i + 2], frame: t[i + 3], what: t[i + 4], intendedMs: t[i + 5], doneMs: t[i + 6], slot: t[i + 7] });
    }
  }
  return out;
}

const WHAT: Record<string, number> = { createRoom: FRAME_CREATE, joinRoom: FRAME_JOIN, sendMessage: FRAME_SEND, sendmessage: FRAME_SEND, whoami: FRAME_KEEPALIVE };

async function until(what: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function init(url: string, over: Partial<ShardInit> = {}): ShardInit {
  return {
    shard: 0,
    shards: 1,
    targetUrl: url,
    plan: planRooms(3, 1, { distribution: 'uniform' }, 1),
    roomPrefix: 'trace-',
    maxSendersPerRoom: Int32Array.of(3),
    clientsPerSourceAddress: 0,
    connectTimeoutMs: 2000,
    ackTimeoutMs: 2000,
    runId: RUN,
    ...over,
  };
}

describe('the fleet traces every request it times', () => {
  it("sends each client's User-Agent with its connection number, numbers every frame in wire order, times answers, and records each delivery once", async () => {
    const server = await traceServer();
    cleanups.push(() => server.close());
    const shard = new Shard(init(server.url, { reconnect: { initialMs: 50, maxMs: 50, factor: 1, jitter: 0 }, keepAliveMs: 200 }));
    const reports: ShardReport[] = [];
    let seq = 0;
    try {
      const ramp = { startAt: now(), rate: 1000, maxInFlight: 10 };
      await shard.runPhase({ kind: 'connect', ...ramp });
      await shard.runPhase({ kind: 'create', ...ramp, startAt: now() });
      await shard.runPhase({ kind: 'join', ...ramp, startAt: now() });
      const send = (durationMs: number) =>
        shard.runPhase({ kind: 'send', phase: 0, startAt: now() + 20, durationMs, rate: 10, lane: { cycle: 1, positions: [0] }, sendersPerRoom: Int32Array.of(3), payloadBytes: 40 });
      await send(600);
      reports.push(shard.report(++seq));
      // idle long enough for keep-alives (the sweep runs every 250 ms)
      await until(() => server.seen.some((s) => s.frames.some((f) => f.action === 'whoami')));
      // the server closes client 1: it reconnects on connection 1, creates and re-joins its room
      const victim = server.seen.find((s) => s.client === 1)!;
      victim.ws.close(1001);
      await until(() => server.seen.some((s) => s.client === 1 && s.connection === 1 && s.frames.some((f) => f.action === 'joinRoom')));
      await new Promise((r) => setTimeout(r, 50));
      await send(600);
      await shard.runPhase({ kind: 'drain', timeoutMs: 2000 });
    } finally {
      await shard.close();
    }
    reports.push(shard.report(++seq));
    const trace = rows(reports);

    // every connection the server saw named its client and connection; client 1 came back on connection 1
    expect(server.seen.map((s) => s.userAgent).every((ua) => ua !== undefined && parseClientUserAgent(ua, RUN) !== undefined)).toBe(true);
    expect(server.seen.map((s) => `${s.client}.${s.connection}`).sort()).toEqual(['0.0', '1.0', '1.1', '2.0']);
    expect(server.seen.find((s) => s.client === 2)!.userAgent).toBe(`fanout-bench/${RUN} client/2.0`);

    // one TRACE_CONNECT per handshake, each opened
    const connects = trace.filter((r) => r.kind === TRACE_CONNECT);
    expect(connects.map((r) => `${r.client}.${r.connection}`).sort()).toEqual(['0.0', '1.0', '1.1', '2.0']);
    for (const r of connects) {
      expect(r.doneMs).toBeGreaterThan(0);
      expect(r.frame).toBe(0);
      expect(r.slot).toBe(-1);
    }

    // per connection: the n-th traced frame is the n-th frame the server received, of the same kind (and slot)
    let sends = 0;
    for (const s of server.seen) {
      const mine = trace.filter((r) => r.kind === TRACE_FRAME && r.client === s.client && r.connection === s.connection).sort((a, b) => a.frame - b.frame);
      expect(mine.map((r) => r.frame)).toEqual(s.frames.map((_, i) => i + 1));
      expect(mine.map((r) => r.what)).toEqual(s.frames.map((f) => WHAT[f.action]));
      expect(mine.map((r) => r.slot)).toEqual(s.frames.map((f) => f.slot));
      for (const r of mine) {
        if (r.what === FRAME_KEEPALIVE) expect(r.doneMs).toBe(0);
        else expect(r.doneMs).toBeGreaterThanOrEqual(r.intendedMs); // join, create and send answered, timed
        if (r.what === FRAME_SEND) sends++;
      }
    }
    // keep-alives and the re-join are among them
    expect(trace.some((r) => r.what === FRAME_KEEPALIVE)).toBe(true);
    expect(server.seen.find((s) => s.client === 1 && s.connection === 1)!.frames.slice(0, 2).map((f) => f.action)).toEqual(['createRoom', 'joinRoom']);
    expect(sends).toBeGreaterThan(8);

    // deliveries: once per member per message, though the server posted each twice
    const keys: string[] = [];
    let duplicates = 0;
    for (const r of reports) {
      duplicates += r.counts.duplicates;
      for (let i = 0; i < r.deliveries.length; i += DELIVERY_RECORD_WIDTH) {
        expect(r.deliveries[i]).toBe(0);
        expect(r.deliveries[i + 2]).toBeGreaterThanOrEqual(0);
        keys.push(`${r.deliveries[i + 1]}`);
      }
    }
    expect(duplicates).toBeGreaterThan(0);
    const perMessage = new Map<string, number>();
    for (const k of keys) perMessage.set(k, (perMessage.get(k) ?? 0) + 1);
    // each message sent reached the room's members once each (3, or 2 while client 1 was away)
    expect(perMessage.size).toBe(sends);
    for (const n of perMessage.values()) expect(n).toBeLessThanOrEqual(3);
    expect(keys.length).toBe(reports.reduce((n, r) => n + r.counts.delivered - r.counts.duplicates - r.counts.unexpected, 0));
  }, 20_000);

  it('numbers the frames of a described protocol too (fire-and-forget sends, untimed), its clients named by their User-Agent', async () => {
    const server = await traceServer();
    cleanups.push(() => server.close());
    const shard = new Shard(init(server.url), describedWire(SENDMESSAGE_PROTOCOL, { url: server.url, run: RUN }));
    const reports: ShardReport[] = [];
    try {
      await shard.runPhase({ kind: 'connect', startAt: now(), rate: 1000, maxInFlight: 10 });
      await shard.runPhase({ kind: 'send', phase: 0, startAt: now() + 20, durationMs: 500, rate: 10, lane: { cycle: 1, positions: [0] }, sendersPerRoom: Int32Array.of(3), payloadBytes: 40 });
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await shard.close();
    }
    reports.push(shard.report(1));
    const trace = rows(reports);
    expect(server.seen.map((s) => `${s.client}.${s.connection}`).sort()).toEqual(['0.0', '1.0', '2.0']);
    let sends = 0;
    for (const s of server.seen) {
      const mine = trace.filter((r) => r.kind === TRACE_FRAME && r.client === s.client && r.connection === s.connection).sort((a, b) => a.frame - b.frame);
      expect(mine.map((r) => r.frame)).toEqual(s.frames.map((_, i) => i + 1));
      expect(mine.map((r) => r.slot)).toEqual(s.frames.map((f) => f.slot));
      for (const r of mine) {
        expect(r.what).toBe(FRAME_SEND);
        expect(r.doneMs).toBe(0); // nothing answers it
        sends++;
      }
    }
    expect(sends).toBeGreaterThanOrEqual(4);
    // each message reached all three clients once
    expect(reports[0].deliveries.length / DELIVERY_RECORD_WIDTH).toBe(3 * sends);
  }, 20_000);
});

describe("every protocol's handshake carries the client's User-Agent", () => {
  const url = 'ws://127.0.0.1:1/';
  const module: ProtocolModule = {
    membership: 'connect',
    connect: (c) => ({ query: { room: c.room }, headers: { 'x-extra': 'yes' } }),
    sendFrame: (c) => JSON.stringify({ data: c.probe }),
  };

  it('names the run, the client and the connection, for chat-v1, a description and a module', () => {
    const wires = [
      chatV1Wire({ url, token: { token: 'k', in: 'header' }, run: RUN }),
      describedWire(SENDMESSAGE_PROTOCOL, { url, run: RUN }),
      moduleWire(module, 'm', { url, run: RUN }),
    ];
    for (const w of wires) {
      const h = w.handshake('room-1', 7, 2);
      expect(h.headers?.['User-Agent']).toBe(`fanout-bench/${RUN} client/7.2`);
      expect(parseClientUserAgent(h.headers?.['User-Agent'], RUN)).toEqual({ client: 7, connection: 2 });
      // no connection (the first probe, no fleet client): none
      expect(w.handshake('room-1', 7).headers?.['User-Agent']).toBeUndefined();
    }
    expect(wires[0].handshake('r', 1, 0).headers).toEqual({ 'x-api-key': 'k', 'User-Agent': `fanout-bench/${RUN} client/1.0` });
    expect(wires[2].handshake('r', 1, 0)).toMatchObject({ url: 'ws://127.0.0.1:1/?room=r', headers: { 'x-extra': 'yes', 'User-Agent': `fanout-bench/${RUN} client/1.0` } });
  });

  it("sends none without a run id, and keeps a protocol's own User-Agent", () => {
    expect(chatV1Wire({ url, run: '' }).handshake('r', 1, 0).headers).toBeUndefined();
    const own = moduleWire({ ...module, connect: () => ({ headers: { 'user-agent': 'my-app/1' } }) }, 'm', { url, run: RUN });
    expect(own.handshake('r', 1, 0).headers).toEqual({ 'user-agent': 'my-app/1' });
  });
});
