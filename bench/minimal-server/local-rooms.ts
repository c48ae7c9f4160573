import type WebSocket from 'ws';

/**
 * The members one server process holds, per room. A member whose socket closed while its
 * $disconnect was "lost" stays listed with no socket (stale) until a fan-out finds it: then it
 * counts as gone (the 410 of the reference stack) and is removed.
 */
export interface Member {
  id: string;
  ws: WebSocket | null;
  rooms: Set<string>;
}

export interface LocalFanout {
  recipients: number;
  gone: number;
}

export class LocalRooms {
  private readonly rooms = new Map<string, Map<string, Member>>();

  add(room: string, m: Member): boolean {
    let r = this.rooms.get(room);
    if (!r) this.rooms.set(room, (r = new Map()));
    if (r.has(m.id)) return false;
    r.set(m.id, m);
    m.rooms.add(room);
    return true;
  }

  remove(room: string, m: Member): void {
    this.rooms.get(room)?.delete(m.id);
    m.rooms.delete(room);
  }

  /** Sends `frame` to every live member; stale members count as gone and are removed. */
  deliver(room: string, frame: string): LocalFanout {
    const r = this.rooms.get(room);
    const out: LocalFanout = { recipients: 0, gone: 0 };
    if (!r) return out;
    // encode once: the same bytes go to every member (as a text frame)
    const data = Buffer.from(frame);
    for (const m of r.values()) {
      out.recipients++;
      if (m.ws && m.ws.readyState === m.ws.OPEN) {
        m.ws.send(data, { binary: false });
      } else {
        out.gone++;
        r.delete(m.id);
        m.rooms.delete(room);
      }
    }
    return out;
  }
}
