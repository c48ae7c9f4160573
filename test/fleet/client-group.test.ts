import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { startMinimalServer, type RunningServer } from '../../bench/minimal-server/server.ts';
import { SimClient } from '../../src/fleet/client.ts';
import { ClientGroup, type ClientGroupEvents, type SendPhaseSpec, type SendSlotHooks } from '../../src/fleet/client-group.ts';
import { roomsInOrder, type RoomPlan } from '../../src/fleet/room-plan.ts';
import { now } from '../../src/clock.ts';
import { FRAME_CREATE, FRAME_JOIN, FRAME_SEND } from '../../src/metrics/measurement/trace-records.ts';

/**
 * The simulated clients on their own, as a shard and the Artillery engine's player meet them:
 * through ClientGroupEvents. Real sockets on 127.0.0.1: the minimal fan-out server (bench/), which
 * acks every send and delivers it to every member of its room, the sender too; and a server that
 * answers joins but never a send.
 */
const ORIGIN = 7;

/** Every event the group said, in order, with what a test checks of it. */
class Recorder implements ClientGroupEvents {
  readonly said: string[] = [];
  readonly deliveries: Array<{ to: number; room: number; sender: number; slot: number; origin: number }> = [];
  readonly frames: Array<{ client: number; what: number; doneMs: number; slot: number }> = [];
  readonly errors: string[] = [];
  readonly failedSlots: number[] = [];
  readonly ackedSlots: number[] = [];
  readonly closedIds: number[] = [];
  opened(c: SimClient): void {
    this.said.push(`opened ${c.id}`);
  }
  connectFailed(c: SimClient, kind: string): void {
    this.said.push(`connectFailed ${c.id} ${kind}`);
  }
  joinDone(c: SimClient, _intended: number, ok: boolean): void {
    this.said.push(`joinDone ${c.id} ${ok}`);
  }
  delivered(c: SimClient, p: { origin: number; slot: number; sender: number }): void {
    this.deliveries.push({ to: c.id, room: c.room, sender: p.sender, slot: p.slot, origin: p.origin });
  }
  unreadableDelivery(c: SimClient): void {
    this.said.push(`unreadable ${c.id}`);
  }
  acked(m: { send: { slot: number } }): void {
    this.ackedSlots.push(m.send.slot);
  }
  failed(s: { slot: number }): void {
    this.failedSlots.push(s.slot);
  }
  error(kind: string): void {
    this.errors.push(kind);
  }
  closed(c: SimClient): void {
    this.closedIds.push(c.id);
  }
  frameSettled(c: SimClient, _connection: number, _frame: number, what: number, _intended: number, doneMs: number, slot: number): void {
    this.frames.push({ client: c.id, what, doneMs, slot });
  }
}

function groupOf(plan: RoomPlan, url: string, events: ClientGroupEvents, ackTimeoutMs = 5_000): ClientGroup {
  const clients = Array.from({ length: plan.clients }, (_, id) => new SimClient(id, plan.roomOf[id]!));
  return new ClientGroup(
    {
      clients,
      plan,
      roomPrefix: 'cg.r',
      origin: ORIGIN,
      maxSendersPerRoom: plan.sizes,
      ackTimeoutMs,
      connector: { url, timeoutMs: 5_000, localAddress: () => undefined },
    },
    events,
  );
}

/** Connect, create and join every client, as a shard's first phases do. */
async function connectAndJoin(group: ClientGroup): Promise<void> {
  const ramp = { startAt: now(), rate: 1_000, maxInFlight: 100 };
  await group.ramp(group.unconnected(), ramp, (c, intended) => group.connect(c, intended));
  await group.controlPhase('create', group.roomCreators(() => true), ramp);
  await group.controlPhase('join', group.notJoined(), ramp);
}

/** Sends 10 messages, the first member of each room sending; the slots, in order, as the group gave them out. */
async function sendTen(group: ClientGroup): Promise<number[]> {
  const slots: number[] = [];
  const spec: SendPhaseSpec = { startAt: now() + 50, durationMs: 1_000, rate: 10, sendersPerRoom: [1, 1], payloadBytes: 64 };
  const hooks: SendSlotHooks = {
    due: () => {},
    skipped: (why) => expect.fail(`a slot was skipped: ${why}`),
    stoodIn: () => expect.fail('a sender was stood in for'),
    slot: () => {
      slots.push(slots.length);
      return slots.length - 1;
    },
    sent: () => {},
  };
  await group.sendPhase(spec, hooks);
  return slots;
}

let server: RunningServer | undefined;
let group: ClientGroup | undefined;
afterEach(async () => {
  await group?.close();
  await server?.close();
  group = server = undefined;
});

describe('ClientGroup', () => {
  it('tells its owner each open, join, send, ack and delivery: every message to every member of its room', async () => {
    server = await startMinimalServer();
    const events = new Recorder();
    const plan = roomsInOrder([2, 2]);
    group = groupOf(plan, server.url, events);
    await connectAndJoin(group);
    expect(group.open).toBe(4);
    expect(events.said).toEqual(expect.arrayContaining(['opened 0', 'opened 1', 'opened 2', 'opened 3', 'joinDone 0 true', 'joinDone 1 true', 'joinDone 2 true', 'joinDone 3 true']));
    expect(events.said).toHaveLength(8);
    expect([...group.membersByRoom()]).toEqual([2, 2]);

    const slots = await sendTen(group);
    await group.drain(5_000);
    expect(slots).toHaveLength(10);
    expect(events.ackedSlots.sort((a, b) => a - b)).toEqual(slots);
    expect(events.failedSlots).toEqual([]);
    expect(events.errors).toEqual([]);
    // the senders are the rooms' first members (ids 0 and 2), round-robin; each message reaches both members of its room
    expect(events.deliveries).toHaveLength(20);
    for (const d of events.deliveries) {
      expect(d.origin).toBe(ORIGIN);
      expect(plan.roomOf[d.sender]).toBe(d.room);
    }
    for (const slot of slots) expect(events.deliveries.filter((d) => d.slot === slot)).toHaveLength(2);
    // every frame written settled once, answered: 2 creates, 4 joins, 10 sends
    const count = (what: number) => events.frames.filter((f) => f.what === what && f.doneMs > 0).length;
    expect([count(FRAME_CREATE), count(FRAME_JOIN), count(FRAME_SEND)]).toEqual([2, 4, 10]);
    expect(events.frames).toHaveLength(16);
    expect(group.takeBytesReceived()).toBeGreaterThan(20 * 64);
    expect(group.takeBytesReceived()).toBe(0);

    // a dropped member's socket closes with no close frame: the owner hears it closed, not as an error
    expect(group.drop(group.clients[1]!)).toBe(true);
    expect(group.drop(group.clients[1]!)).toBe(false);
    await expect.poll(() => events.closedIds, { timeout: 10_000 }).toEqual([1]);
    expect(group.open).toBe(3);
    expect([...group.membersByRoom()]).toEqual([1, 2]);
    expect(events.errors).toEqual([]);
  });

  it('fails a send nothing answers once its ack times out, each with the error timeout:ack', async () => {
    // answers createRoom and joinRoom as the chat protocol does, and never a sendMessage
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    wss.on('connection', (ws) =>
      ws.on('message', (data: Buffer) => {
        const req = JSON.parse(data.toString('utf8')) as { action: string; room: string };
        if (req.action === 'createRoom') ws.send(JSON.stringify({ type: 'roomCreated', room: req.room }));
        if (req.action === 'joinRoom') ws.send(JSON.stringify({ type: 'joined', room: req.room, members: 1 }));
      }),
    );
    server = {
      url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`,
      close: () =>
        new Promise<void>((done) => {
          for (const ws of wss.clients) ws.terminate();
          wss.close(() => done());
        }),
    };
    const events = new Recorder();
    group = groupOf(roomsInOrder([1, 1]), server.url, events, 300);
    await connectAndJoin(group);
    const slots = await sendTen(group);
    await group.drain(10_000);
    expect(events.ackedSlots).toEqual([]);
    expect(events.failedSlots.sort((a, b) => a - b)).toEqual(slots);
    expect(events.errors).toEqual(slots.map(() => 'timeout:ack'));
    expect(events.deliveries).toEqual([]);
    // each send's frame settled unanswered
    expect(events.frames.filter((f) => f.what === FRAME_SEND).map((f) => f.doneMs)).toEqual(slots.map(() => 0));
  });
});
