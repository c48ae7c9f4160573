import cluster, { type Worker } from 'node:cluster';
import { LocalRooms, type LocalFanout } from './local-rooms.ts';
import type { Hub } from './hub.ts';
import { RoomRegistry } from './room-registry.ts';

/**
 * Several worker processes behind one port (node:cluster), for more connections than one
 * process may open (20,000 files here). Members live in the worker holding their socket; the
 * primary keeps the room registry and relays each fan-out to the workers holding members.
 */
type Request =
  | { op: 'create'; id: number; room: string }
  | { op: 'join'; id: number; room: string }
  | { op: 'members'; id: number; room: string }
  | { op: 'leave'; room: string; count: number }
  | { op: 'fan'; id: number; room: string; frame: string }
  | { op: 'delivered'; fanId: number; recipients: number; gone: number };

type ToWorker =
  | { op: 'reply'; id: number; value: unknown }
  | { op: 'deliver'; fanId: number; room: string; frame: string };

/** The worker's side: a Hub whose registry is in the primary. */
export class ClusterHub implements Hub {
  readonly rooms = new LocalRooms();
  private nextId = 0;
  private readonly pending = new Map<number, (v: unknown) => void>();

  constructor() {
    process.on('message', (m: ToWorker) => {
      if (m.op === 'reply') {
        this.pending.get(m.id)?.(m.value);
        this.pending.delete(m.id);
      } else if (m.op === 'deliver') {
        const out = this.rooms.deliver(m.room, m.frame);
        process.send!({ op: 'delivered', fanId: m.fanId, recipients: out.recipients, gone: out.gone } satisfies Request);
      }
    });
  }

  private ask<T>(req: { op: 'create' | 'join' | 'members' | 'fan'; room: string; frame?: string }): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve) => {
      this.pending.set(id, resolve as (v: unknown) => void);
      process.send!({ ...req, id });
    });
  }

  createRoom(room: string): Promise<void> {
    return this.ask({ op: 'create', room });
  }

  join(room: string): Promise<number> {
    return this.ask({ op: 'join', room });
  }

  members(room: string): Promise<number> {
    return this.ask({ op: 'members', room });
  }

  leave(room: string, count = 1): void {
    process.send!({ op: 'leave', room, count } satisfies Request);
  }

  fanOut(room: string, frame: string): Promise<LocalFanout> {
    return this.ask({ op: 'fan', room, frame });
  }
}

/** The primary's side: forks `workers` workers running `exec`, serves their registry requests. */
export function runPrimary(exec: string, workers: number, args: string[], onListening: (port: number) => void): void {
  cluster.setupPrimary({ exec, args, serialization: 'json' });
  const registry = new RoomRegistry();
  const fans = new Map<number, { origin: Worker; id: number; room: string; waiting: Set<number>; out: LocalFanout }>();
  let nextFan = 0;
  let listening = 0;

  const finishFan = (fanId: number) => {
    const f = fans.get(fanId)!;
    if (f.waiting.size > 0) return;
    fans.delete(fanId);
    f.origin.send({ op: 'reply', id: f.id, value: f.out } satisfies ToWorker);
  };

  for (let i = 0; i < workers; i++) {
    const w = cluster.fork();
    w.on('listening', (addr) => {
      if (++listening === workers) onListening(addr.port);
    });
    w.on('message', (m: Request) => {
      const reply = (id: number, value: unknown) => w.send({ op: 'reply', id, value } satisfies ToWorker);
      switch (m.op) {
        case 'create':
          registry.create(m.room);
          return reply(m.id, undefined);
        case 'join':
          return reply(m.id, registry.exists(m.room) ? registry.join(m.room, w.id) : -1);
        case 'members':
          return reply(m.id, registry.members(m.room));
        case 'leave':
          return registry.leave(m.room, w.id, m.count);
        case 'fan': {
          const nodes = registry.nodes(m.room);
          const fanId = ++nextFan;
          fans.set(fanId, { origin: w, id: m.id, room: m.room, waiting: new Set(nodes), out: { recipients: 0, gone: 0 } });
          for (const node of nodes) cluster.workers?.[node]?.send({ op: 'deliver', fanId, room: m.room, frame: m.frame } satisfies ToWorker);
          return finishFan(fanId);
        }
        case 'delivered': {
          const f = fans.get(m.fanId);
          if (!f) return;
          f.out.recipients += m.recipients;
          f.out.gone += m.gone;
          if (m.gone > 0) registry.leave(f.room, w.id, m.gone);
          f.waiting.delete(w.id);
          return finishFan(m.fanId);
        }
      }
    });
    w.on('exit', () => {
      for (const [fanId, f] of fans) {
        if (f.waiting.delete(w.id)) finishFan(fanId);
      }
    });
  }
}
